import logging
from datetime import date, datetime, time, timedelta

import pytz
from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from ..tools.calendar_library import CALENDAR_LIBRARY, calendar_library_version
from ..tools.working_time import WorkingTime

_logger = logging.getLogger(__name__)

# Holiday names of the calendar libraries, as the product shows them.
_HOLIDAY_NAMES = {
    "New Year's Day": "New Year's Day (元旦)",
    "Spring Festival": "Spring Festival (春节)",
    "Tomb-sweeping Day": "Qingming Festival (清明节)",
    "Labour Day": "Labour Day (劳动节)",
    "Dragon Boat Festival": "Dragon Boat Festival (端午节)",
    "Mid-autumn Festival": "Mid-Autumn Festival (中秋节)",
    "National Day": "National Day (国庆节)",
}


def _months(start, end):
    """The first day of each month from ``start``'s to ``end``'s."""
    month = start.date().replace(day=1)
    while month <= end.date():
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


class ComplaintCalendarDay(models.Model):
    """A day that breaks the weekly working pattern: a public holiday, or a make-up working
    day on a weekend (调休) when a Saturday or Sunday is worked.

    Official mainland China days have no company and apply to every company; a company adds
    its own days (a closure, a local holiday, an extra working day) and they win over the
    official ones on the same date. Deadlines are counted on the company's (or the
    department's) working calendar with these days applied.
    """

    _name = "complaint.calendar.day"
    _description = "Working Calendar Day"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    date = fields.Date(required=True, index=True)
    day_type = fields.Selection(
        [("holiday", "Day off (public holiday)"), ("workday", "Make-up working day")],
        required=True, default="holiday",
        help="A make-up working day is worked although it falls on a weekend (调休).")
    work_as_dayofweek = fields.Selection(
        [("0", "Monday"), ("1", "Tuesday"), ("2", "Wednesday"), ("3", "Thursday"),
         ("4", "Friday")],
        string="Worked Like", default="0",
        help="A make-up working day follows the working hours of this weekday.")
    company_id = fields.Many2one(
        "res.company", index=True,
        help="Empty for the official calendar, which applies to every company.")
    is_official = fields.Boolean(compute="_compute_is_official", store=True)
    is_provisional = fields.Boolean(
        string="Provisional",
        help="The official schedule for this year was not yet published: the statutory day is "
        "known, the bridge days and make-up working days are not. Refresh the official days "
        "once it is published.")
    active = fields.Boolean(default=True)

    @api.depends("company_id")
    def _compute_is_official(self):
        for day in self:
            day.is_official = not day.company_id

    @api.constrains("date", "company_id", "active")
    def _check_one_per_date(self):
        for day in self.filtered("active"):
            if self.search_count([("id", "!=", day.id), ("date", "=", day.date),
                                  ("company_id", "=", day.company_id.id)]):
                raise ValidationError(self.env._(
                    "%(date)s is already in the working calendar.", date=day.date))

    @api.model_create_multi
    def create(self, vals_list):
        days = super().create(vals_list)
        days._sync_resource(days._resource_companies(), set(days.mapped("date")))
        days._recompute_open_deadlines()
        return days

    def write(self, vals):
        companies, dates = self._resource_companies(), set(self.mapped("date"))
        res = super().write(vals)
        self._sync_resource(companies | self._resource_companies(),
                            dates | set(self.mapped("date")))
        self._recompute_open_deadlines()
        return res

    def unlink(self):
        cases = self._affected_cases()
        companies, dates = self._resource_companies(), set(self.mapped("date"))
        res = super().unlink()
        self._sync_resource(companies, dates)
        cases._recompute_deadlines()
        return res

    def _affected_cases(self):
        if not self:
            return self.env["complaint.case"]
        domain = [("state", "not in", ("closed", "withdrawn", "merged", "not_accepted"))]
        companies = self.company_id
        if companies and all(day.company_id for day in self):
            domain.append(("company_id", "in", companies.ids))
        return self.env["complaint.case"].sudo().search(domain)

    def _recompute_open_deadlines(self):
        self._affected_cases()._recompute_deadlines()

    # Odoo's working calendars ------------------------------------------------------------------
    # The days are written into Odoo's own ``resource`` model, where every app that plans
    # working time (deadlines here; time off, planning, projects elsewhere) sees them: a day off
    # is a public time off of the company (a leave without resource or calendar), a make-up
    # working day is a working line of each calendar valid on that date only. These records
    # are derived: editing a day here rewrites them. They are written as superuser because a
    # complaints administrator edits the calendar without being a settings administrator.

    def _resource_companies(self):
        """The companies whose working time these days decide (official days: every company)."""
        if not self or not all(day.company_id for day in self):
            return self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        return self.company_id.sudo()

    @api.model
    def _effective_days(self, company, dates=None):
        """``{date: day}`` in force for ``company`` (or the official ones when empty): its own
        days win over the official days of the same date."""
        domain = [("company_id", "in", [False] + company.ids)]
        if dates is not None:
            domain.append(("date", "in", sorted(dates)))
        chosen = {}
        for day in self.sudo().search(domain, order="id"):
            if day.date not in chosen or day.company_id:
                chosen[day.date] = day
        return chosen

    @api.model
    def _sync_resource(self, companies, dates=None):
        """Rewrite the public time off of ``companies`` and the make-up working lines of their
        calendars on ``dates`` (every date when None) from the days in force."""
        if not companies or dates is not None and not dates:
            return
        self._sync_resource_leaves(companies, dates)
        calendars = self.env["resource.calendar"].sudo().search(
            [("company_id", "in", companies.ids)])
        if len(companies) == self.env["res.company"].sudo().search_count([]):
            calendars |= self.env["resource.calendar"].sudo().search([("company_id", "=", False)])
        self._sync_resource_attendances(calendars, dates)

    @api.model
    def _clear_derived(self, model_name, domain, dates=None):
        """Remove the ``model_name`` records written from the days (those of ``dates``) that
        match ``domain``; returns the model to write their replacements with, whose own
        hooks neither recompute deadlines nor sync again (the caller does both once)."""
        Derived = self.env[model_name].sudo().with_context(
            complaint_deadline_deferred=True, complaint_calendar_sync=True)
        domain = [("complaint_calendar_day_id", "!=", False), *domain]
        if dates is not None:
            domain.append(("complaint_calendar_day_id.date", "in", sorted(dates)))
        Derived.search(domain).unlink()
        return Derived

    @api.model
    def _sync_resource_leaves(self, companies, dates=None):
        Leave = self._clear_derived("resource.calendar.leaves",
                                    [("company_id", "in", companies.ids)], dates)
        for company in companies:
            tz = pytz.timezone(company.complaint_tz)  # the calendar's, else the company's
            values = [self._leave_values(day, tz)
                      for day in self._effective_days(company, dates).values()
                      if day.day_type == "holiday"]
            if values:
                Leave.with_company(company).create(values)

    @api.model
    def _leave_values(self, day, tz):
        def utc(moment):
            return tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)

        return {"name": day.name, "complaint_calendar_day_id": day.id, "time_type": "leave",
                "resource_id": False, "calendar_id": False,
                "date_from": utc(datetime.combine(day.date, time.min)),
                "date_to": utc(datetime.combine(day.date, time(23, 59, 59)))}

    @api.model
    def _sync_resource_attendances(self, calendars, dates=None):
        Attendance = self._clear_derived("resource.calendar.attendance",
                                         [("calendar_id", "in", calendars.ids)], dates)
        values = []
        for calendar in calendars:
            for day in self._effective_days(calendar.company_id, dates).values():
                if day.day_type == "workday":
                    values.extend(self._makeup_attendance_values(calendar, day))
        if values:
            Attendance.create(values)

    @api.model
    def _makeup_attendance_values(self, calendar, day):
        """The working lines of the weekday ``day`` is worked like, valid on ``day`` only."""
        weekday = day.work_as_dayofweek or "0"
        if int(weekday) == day.date.weekday():
            return []
        week_type = self.env["resource.calendar.attendance"].get_week_type(day.date)
        return [{
            "name": day.name, "calendar_id": calendar.id, "complaint_calendar_day_id": day.id,
            "dayofweek": str(day.date.weekday()), "date_from": day.date, "date_to": day.date,
            "hour_from": line.hour_from, "hour_to": line.hour_to, "day_period": line.day_period,
            "week_type": line.week_type, "sequence": 1000,
        } for line in calendar.attendance_ids
            if line.dayofweek == weekday and not line.display_type and not line.resource_id
            and not line.date_from and not line.date_to
            and (not calendar.two_weeks_calendar or int(line.week_type) == week_type)]

    # Official days from a calendar library --------------------------------------------------
    @api.model
    def _official_days_from_library(self, years):
        """``{date: (day_type, name)}`` for ``years`` from ``chinese-calendar`` (preferred: it
        knows the make-up working days) or ``holidays``. Years the library does not know are
        left out. Raises UserError when neither library is installed."""
        try:
            import chinese_calendar  # noqa: PLC0415 - optional dependency
        except ImportError:
            chinese_calendar = None
        if chinese_calendar is not None:
            return self._official_days_chinese_calendar(chinese_calendar, years)
        try:
            import holidays  # noqa: PLC0415 - optional dependency
        except ImportError as error:
            raise UserError(self.env._(
                "The official holidays cannot be refreshed: install the Python package "
                "“chinese-calendar” (pip install chinese-calendar) or “holidays” on the Odoo "
                "server. The days already in the calendar stay as they are.")) from error
        return self._official_days_holidays(holidays, years)

    @api.model
    def _official_days_chinese_calendar(self, library, years):
        result = {}
        for year in years:
            day = date(year, 1, 1)
            try:
                library.get_holiday_detail(day)
            except NotImplementedError:
                _logger.info("chinese-calendar has no data for %s", year)
                continue
            while day.year == year:
                is_holiday, name = library.get_holiday_detail(day)
                if is_holiday and name:
                    result[day] = ("holiday", _HOLIDAY_NAMES.get(name, name))
                elif day.weekday() >= 5 and library.is_workday(day):
                    result[day] = ("workday", self.env._("Make-up working day"))
                day += timedelta(days=1)
        return result

    @api.model
    def _official_days_holidays(self, library, years):
        result = {}
        for year in years:
            calendar = library.country_holidays("CN", years=year)
            for day, name in calendar.items():
                result[day] = ("holiday", name)
            for day in getattr(calendar, "weekend_workdays", ()):
                if day.year == year:
                    result[day] = ("workday", self.env._("Make-up working day"))
        return result

    @api.model
    def action_refresh_official_days(self):
        """Load the official days for last year, this year and the next two from the installed
        calendar library; provisional days of a year the library knows are replaced."""
        if not self.env.user.has_group("addon_complaints.group_complaint_admin"):
            raise UserError(self.env._("Only a complaints administrator refreshes the calendar."))
        this_year = fields.Date.context_today(self).year
        years = range(this_year - 1, this_year + 3)
        found = self._official_days_from_library(years)
        known_years = sorted({day.year for day in found})
        created, updated, removed = self._apply_official_days(found, known_years)
        message = self.env._(
            "Official days refreshed for %(years)s: %(created)s added, %(updated)s updated, "
            "%(removed)s removed.",
            years=", ".join(map(str, known_years)) or self.env._("no year"),
            created=created, updated=updated, removed=removed)
        version = calendar_library_version()
        if version:
            message = f"{message} ({CALENDAR_LIBRARY} {version})"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("Working calendar"), "message": message,
                       "type": "success" if known_years else "warning", "sticky": False,
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }

    @api.model
    def _apply_official_days(self, found, years):
        created = updated = removed = 0
        if not years:
            return created, updated, removed
        existing = self.with_context(active_test=False).search([
            ("company_id", "=", False),
            ("date", ">=", date(min(years), 1, 1)), ("date", "<=", date(max(years), 12, 31)),
        ])
        by_date = {day.date: day for day in existing}
        to_create = []
        for day, (day_type, name) in sorted(found.items()):
            record = by_date.pop(day, None)
            if record is None:
                to_create.append({"date": day, "day_type": day_type, "name": name})
            elif (record.day_type, record.is_provisional, record.active) != (day_type, False, True):
                record.write({"day_type": day_type, "is_provisional": False, "active": True})
                updated += 1
        stale = self.browse([record.id for day, record in by_date.items() if day.year in years])
        removed = len(stale)
        stale.unlink()
        self.create(to_create)
        created = len(to_create)
        return created, updated, removed

    # Working time ------------------------------------------------------------------------------
    @api.model
    def _working_time(self, calendar, company, start, end):
        """The working time of ``calendar`` for ``company`` between two naive UTC datetimes,
        holidays and make-up working days applied; the window grows on demand."""
        calendar = calendar.sudo()

        def loader(window_start, window_end):
            found = []
            for month in _months(window_start, window_end):
                for begin, stop in self._month_working_intervals(calendar.id, company.id, month):
                    begin, stop = max(begin, window_start), min(stop, window_end)
                    if begin < stop:
                        found.append((begin, stop))
            return found

        return WorkingTime(loader, calendar.tz, start, end)

    @api.model
    @tools.ormcache("calendar_id", "company_id", "month")
    def _month_working_intervals(self, calendar_id, company_id, month):
        """The working intervals of a calendar for a company in one UTC month, as aware UTC
        ``(start, stop)`` pairs. Kept in the registry's cache: every deadline computed (each
        request that moves a case) reads the same months again, and expanding a calendar's
        weekly lines costs more than the rest of the computation. Any change to a calendar,
        its working lines or its closing days clears the cache (see resource_calendar.py)."""
        start = datetime(month.year, month.month, 1, tzinfo=pytz.utc)
        end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=pytz.utc)
        calendar = self.env["resource.calendar"].sudo().browse(calendar_id)
        company = self.env["res.company"].sudo().browse(company_id)
        return tuple((begin.astimezone(pytz.utc), stop.astimezone(pytz.utc)) for begin, stop, _meta
                     in self._working_intervals(calendar, company, start, end))

    @api.model
    def _working_intervals(self, calendar, company, start, end):
        """Odoo's working time of ``calendar``: its attendances (make-up working days
        included) minus its closing days and the public time off of ``company``."""
        tz = pytz.timezone(calendar.tz or "UTC")
        attendances = calendar._attendance_intervals_batch(start, end, tz=tz)[False]
        leaves = calendar._leave_intervals_batch(
            start, end, tz=tz, domain=[("time_type", "=", "leave"), "|",
                                       ("calendar_id", "=", calendar.id),
                                       ("company_id", "=", company.id)])[False]
        return attendances - leaves
