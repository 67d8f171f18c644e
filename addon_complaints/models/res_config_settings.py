from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    complaint_retention_years = fields.Integer(
        related="company_id.complaint_retention_years", readonly=False)
    complaint_registration_approval = fields.Boolean(
        related="company_id.complaint_registration_approval", readonly=False)
    complaint_repeat_window_days = fields.Integer(
        related="company_id.complaint_repeat_window_days", readonly=False)
    complaint_sla_policy_id = fields.Many2one(
        related="company_id.complaint_sla_policy_id", readonly=False)
