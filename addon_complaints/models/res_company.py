from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    complaint_retention_years = fields.Integer(
        string="Complaint Retention (years)", default=20,
        help="Closed cases are kept at least this long; the archive date is closure plus this.")
    complaint_registration_approval = fields.Boolean(
        string="Approve Registrations Before Dispatch",
        help="A department head approves each registration before it is dispatched (tobacco rule).")
    complaint_repeat_window_days = fields.Integer(
        string="Repeat Window (days)", default=365,
        help="A complaint from the same customer in the same category within this many days "
        "of an earlier one is a repeat of the same matter.")
