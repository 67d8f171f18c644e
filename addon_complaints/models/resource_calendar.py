"""Working calendars count the deadlines of complaints: a change of their working hours,
time zone or closing days recomputes the due dates of the open cases counted on them, in
batches (see ``complaint.case._recompute_deadlines_where``)."""

from odoo import api, models
from odoo.osv import expression

# Writing these on a calendar moves the working time the deadlines are counted on.
WORKING_TIME_KEYS = {"attendance_ids", "leave_ids", "global_leave_ids", "tz",
                     "two_weeks_calendar", "flexible_hours"}


def _recompute_for_calendars(env, calendars):
    Case = env["complaint.case"]
    if calendars and not env.context.get("complaint_deadline_deferred"):
        Case._recompute_deadlines_where(Case._deadline_domain_for_calendars(calendars))


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def write(self, vals):
        if not WORKING_TIME_KEYS & vals.keys():
            return super().write(vals)
        # Attendances and leaves written through the calendar: one recompute at the end.
        res = super(ResourceCalendar, self.with_context(complaint_deadline_deferred=True)).write(
            vals)
        _recompute_for_calendars(self.env, self)
        return res


class ResourceCalendarAttendance(models.Model):
    _inherit = "resource.calendar.attendance"

    @api.model_create_multi
    def create(self, vals_list):
        attendances = super().create(vals_list)
        _recompute_for_calendars(self.env, attendances.calendar_id)
        return attendances

    def write(self, vals):
        calendars = self.calendar_id
        res = super().write(vals)
        _recompute_for_calendars(self.env, calendars | self.calendar_id)
        return res

    def unlink(self):
        calendars = self.calendar_id
        res = super().unlink()
        _recompute_for_calendars(self.env, calendars.exists())
        return res


class ResourceCalendarLeaves(models.Model):
    """Only closing days count (no resource): a leave of one person does not move deadlines.
    A closing day without a calendar closes every calendar of its company."""

    _inherit = "resource.calendar.leaves"

    def _deadline_domain(self):
        """The cases these leaves may move, or None when none is a closing day."""
        closing = self.filtered(lambda leave: not leave.resource_id)
        if not closing:
            return None
        domains = [self.env["complaint.case"]._deadline_domain_for_calendars(closing.calendar_id)]
        everywhere = closing.filtered(lambda leave: not leave.calendar_id)
        if everywhere:
            domains.append([("company_id", "in", everywhere.company_id.ids)]
                           if all(everywhere.mapped("company_id")) else [])
        return expression.OR(domains)

    def _recompute_case_deadlines(self, domain):
        if domain is not None and not self.env.context.get("complaint_deadline_deferred"):
            self.env["complaint.case"]._recompute_deadlines_where(domain)

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        leaves._recompute_case_deadlines(leaves._deadline_domain())
        return leaves

    def write(self, vals):
        before = self._deadline_domain()
        res = super().write(vals)
        domains = [domain for domain in (before, self._deadline_domain()) if domain is not None]
        self._recompute_case_deadlines(expression.OR(domains) if domains else None)
        return res

    def unlink(self):
        domain = self._deadline_domain()
        res = super().unlink()
        self._recompute_case_deadlines(domain)
        return res
