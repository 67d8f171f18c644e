from odoo import fields, models

from ..tools.calendar_library import CALENDAR_LIBRARY, calendar_library_version


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
    complaint_calendar_library = fields.Char(
        string="Calendar Library", compute="_compute_complaint_calendar_library",
        help="The calendar library installed on the server that refreshes the official days.")
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

    def _compute_complaint_calendar_library(self):
        version = calendar_library_version()
        for settings in self:
            settings.complaint_calendar_library = (
                f"{CALENDAR_LIBRARY} {version}" if version
                else self.env._("%s is not installed on the server", CALENDAR_LIBRARY))

    def action_complaint_retrain_suggestions(self):
        """Retrain the company's suggestions now, from its closed cases."""
        self.env["complaint.triage.model"]._train_companies(self.company_id)
        return True
