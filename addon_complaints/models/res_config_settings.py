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

    def _compute_complaint_calendar_library(self):
        version = calendar_library_version()
        for settings in self:
            settings.complaint_calendar_library = (
                f"{CALENDAR_LIBRARY} {version}" if version
                else self.env._("%s is not installed on the server", CALENDAR_LIBRARY))
