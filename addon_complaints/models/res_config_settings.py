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
    complaint_triage_threshold = fields.Float(
        related="company_id.complaint_triage_threshold", readonly=False)
    complaint_triage_min_cases = fields.Integer(
        related="company_id.complaint_triage_min_cases", readonly=False)
    complaint_triage_use_confidential = fields.Boolean(
        related="company_id.complaint_triage_use_confidential", readonly=False)
    complaint_similar_window_days = fields.Integer(
        related="company_id.complaint_similar_window_days", readonly=False)
    complaint_group_window_hours = fields.Integer(
        related="company_id.complaint_group_window_hours", readonly=False)

    def action_complaint_retrain_suggestions(self):
        """Retrain the company's suggestions now, from its closed cases."""
        self.env["complaint.triage.model"]._train_companies(self.company_id)
        return True
