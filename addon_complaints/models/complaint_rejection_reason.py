from odoo import fields, models


class ComplaintRejectionReason(models.Model):
    """A listed reason for not accepting a complaint (不予受理)."""

    _name = "complaint.rejection.reason"
    _description = "Reason for Not Accepting a Complaint"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True, help="Explanation given to the customer.")
    active = fields.Boolean(default=True)
