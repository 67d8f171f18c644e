import pytz
from odoo import api, fields, models


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
    complaint_sla_policy_id = fields.Many2one(
        "complaint.sla.policy", string="Default Deadline Policy",
        help="Applies to every case that no more specific deadline policy matches.")
    complaint_triage_threshold = fields.Float(
        string="Suggestion Threshold", default=0.6,
        help="A suggested category or department at least this confident fills the field; "
        "below it the three most likely are offered.")
    complaint_triage_min_cases = fields.Integer(
        string="Minimum History for Suggestions", default=200,
        help="Closed cases needed before the add-on suggests a category or department.")
    complaint_triage_use_confidential = fields.Boolean(
        string="Learn from Confidential Cases",
        help="Let the text of confidential cases train the suggestions.")
    complaint_similar_window_days = fields.Integer(
        string="Possible Repeats Window (days)", default=90,
        help="Earlier cases received within this many days are searched for possible repeats.")
    complaint_group_window_hours = fields.Integer(
        string="Group Complaint Window (hours)", default=72,
        help="Similar cases about the same target within this many hours count towards a "
        "group complaint.")

    complaint_tz = fields.Char(
        string="Complaint Time Zone", compute="_compute_complaint_tz",
        help="The time zone of the company's working calendar: the deadlines are counted in "
        "it, and notices and messages show their dates in it.")

    @api.depends("resource_calendar_id.tz", "partner_id.tz")
    def _compute_complaint_tz(self):
        for company in self:
            company.complaint_tz = (company.resource_calendar_id.tz
                                    or company._complaint_default_tz() or "UTC")

    def _complaint_default_tz(self):
        """The company's own time zone: its address's, else its country's main one."""
        self.ensure_one()
        if self.partner_id.tz:
            return self.partner_id.tz
        zones = pytz.country_timezones.get(self.country_id.code or "") if self.country_id else None
        return zones[0] if zones else False

    def _prepare_resource_calendar_values(self):
        values = super()._prepare_resource_calendar_values()
        tz = self._complaint_default_tz()
        if tz:
            values["tz"] = tz
        return values

    def _complaint_set_calendar_tz(self):
        """A working calendar still in UTC takes its company's time zone, so that the
        working hours are the company's local hours (at install, and when the company's
        country or address time zone is set)."""
        for company in self.sudo():
            tz = company._complaint_default_tz()
            calendar = company.resource_calendar_id
            if tz and calendar and calendar.tz in (False, "UTC", "Etc/UTC", "GMT") and tz != calendar.tz:
                calendar.tz = tz

    @api.model
    def _complaint_set_calendar_tz_at_install(self):
        self.search([("resource_calendar_id", "!=", False)])._complaint_set_calendar_tz()

    @api.model
    def _complaint_set_default_sla_policy(self):
        """Give every company without one the general deadline policy (at install)."""
        general = self.env.ref("addon_complaints.complaint_sla_policy_general",
                               raise_if_not_found=False)
        if general:
            self.sudo().search([("complaint_sla_policy_id", "=", False)]).write(
                {"complaint_sla_policy_id": general.id})

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # A new company counts deadlines from the start, as the companies at install do.
        companies._complaint_set_default_sla_policy_for()
        # ... on the official calendar, which every company's working time shows.
        self.env["complaint.calendar.day"]._sync_resource(companies.sudo())
        return companies

    def _complaint_set_default_sla_policy_for(self):
        general = self.env.ref("addon_complaints.complaint_sla_policy_general",
                               raise_if_not_found=False)
        if general:
            self.sudo().filtered(lambda c: not c.complaint_sla_policy_id).write(
                {"complaint_sla_policy_id": general.id})

    def write(self, vals):
        res = super().write(vals)
        if "country_id" in vals:
            self._complaint_set_calendar_tz()
        if "resource_calendar_id" in vals:
            # Public time off covers whole local days of the new calendar's time zone.
            self.env["complaint.calendar.day"]._sync_resource_leaves(self.sudo())
            # The company's cases are counted on its new calendar (batched, see
            # complaint.case._recompute_deadlines_where).
            self.env["complaint.case"]._recompute_deadlines_where(
                [("company_id", "in", self.ids)])
        return res
