"""Working calendars count the deadlines of complaints: a change of their working hours,
time zone or closing days recomputes the due dates of the open cases counted on them, in
batches (see ``complaint.case._recompute_deadlines_where``)."""

from odoo import api, fields, models
from odoo.osv import expression

# Writing these on a calendar moves the working time the deadlines are counted on.
WORKING_TIME_KEYS = {"attendance_ids", "leave_ids", "global_leave_ids", "tz",
                     "two_weeks_calendar", "flexible_hours"}


def _forget_working_time(env):
    """The working intervals deadlines are counted on are cached per calendar and month
    (``complaint.calendar.day._month_working_intervals``); a change to a calendar, its lines
    or its closing days clears that cache, in this worker and, through the registry's
    signalling, in every other one."""
    env.registry.clear_cache()


def _recompute_for_calendars(env, calendars):
    _forget_working_time(env)
    Case = env["complaint.case"]
    if calendars and not env.context.get("complaint_deadline_deferred"):
        Case._recompute_deadlines_where(Case._deadline_domain_for_calendars(calendars))


def _sync_makeup_days(env, calendars):
    """Make-up working lines follow the weekly lines they copy (and reach new calendars)."""
    if calendars and not (env.context.get("complaint_calendar_sync")
                          or env.context.get("complaint_makeup_deferred")):
        env["complaint.calendar.day"]._sync_resource_attendances(calendars)


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    @api.model_create_multi
    def create(self, vals_list):
        calendars = super().create(vals_list)
        _sync_makeup_days(self.env, calendars)
        return calendars

    def write(self, vals):
        if not WORKING_TIME_KEYS & vals.keys():
            return super().write(vals)
        # Attendances and leaves written through the calendar: one recompute at the end, and
        # the make-up lines rewritten once the form's other line commands are applied.
        res = super(ResourceCalendar, self.with_context(
            complaint_deadline_deferred=True, complaint_makeup_deferred=True)).write(vals)
        if "attendance_ids" in vals:
            _sync_makeup_days(self.env, self)
        if "tz" in vals:
            # Public time off covers whole local days of the company's calendar.
            companies = self.env["res.company"].sudo().search(
                [("resource_calendar_id", "in", self.ids)])
            self.env["complaint.calendar.day"]._sync_resource_leaves(companies)
        _recompute_for_calendars(self.env, self)
        return res


class ResourceCalendarAttendance(models.Model):
    _inherit = "resource.calendar.attendance"

    complaint_calendar_day_id = fields.Many2one(
        "complaint.calendar.day", string="Make-up Working Day", index="btree_not_null",
        ondelete="cascade", readonly=True,
        help="Set on the working lines of a make-up working day (调休) of the complaints "
        "working calendar; they are rewritten when that day changes.")

    def _copy_attendance_vals(self):
        # A calendar copied from the company's keeps its make-up lines managed by their day.
        return dict(super()._copy_attendance_vals(),
                    complaint_calendar_day_id=self.complaint_calendar_day_id.id)

    def _weekly(self):
        return self.filtered(lambda line: not line.complaint_calendar_day_id)

    @api.model_create_multi
    def create(self, vals_list):
        attendances = super().create(vals_list)
        calendars = attendances.calendar_id
        # May replace make-up lines among ``attendances`` (copied from another calendar).
        _sync_makeup_days(self.env, attendances._weekly().calendar_id)
        _recompute_for_calendars(self.env, calendars)
        return attendances

    def write(self, vals):
        calendars = self.calendar_id
        weekly = self._weekly().calendar_id
        res = super().write(vals)
        calendars |= self.calendar_id
        _sync_makeup_days(self.env, weekly | self._weekly().calendar_id)
        _recompute_for_calendars(self.env, calendars)
        return res

    def unlink(self):
        calendars = self.calendar_id
        weekly = self._weekly().calendar_id
        res = super().unlink()
        _sync_makeup_days(self.env, weekly.exists())
        _recompute_for_calendars(self.env, calendars.exists())
        return res


class ResourceCalendarLeaves(models.Model):
    """Only closing days count (no resource): a leave of one person does not move deadlines.
    A closing day without a calendar closes every calendar of its company."""

    _inherit = "resource.calendar.leaves"

    complaint_calendar_day_id = fields.Many2one(
        "complaint.calendar.day", string="Public Holiday", index="btree_not_null",
        ondelete="cascade", readonly=True,
        help="Set on the public time off written from a day off of the complaints working "
        "calendar; it is rewritten when that day changes.")

    def _deadline_domain(self):
        """The cases these leaves may move, or None when none is a closing day."""
        closing = self.filtered(lambda leave: not leave.resource_id)
        if not closing:
            return None
        domains = [self.env["complaint.case"]._deadline_domain_for_calendars(closing.calendar_id)]
        everywhere = closing.filtered(lambda leave: not leave.calendar_id)
        if everywhere:
            domains.append([("company_id", "in", everywhere.company_id.ids)]
                           if all(leave.company_id for leave in everywhere) else [])
        return expression.OR(domains)

    def _recompute_case_deadlines(self, domain):
        if domain is not None:
            _forget_working_time(self.env)
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
