from odoo import fields, models


class ComplaintRemedyType(models.Model):
    """A kind of remedy offered to a customer: free replacement, discount, refund, cash
    compensation, voucher, claim against a third party, …"""

    _name = "complaint.remedy.type"
    _description = "Complaint Remedy Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable technical name read by the reports.")
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    is_cash_out = fields.Boolean(
        string="Money Paid Out",
        help="The remedy pays money to the customer (refund, cash, voucher), so finance marks it "
        "paid with a payment reference.")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "The code of a remedy type must be unique."),
    ]
