from datetime import date, datetime

import pytz
from odoo.tests import tagged

from .common_deadline import DeadlineCase, local


@tagged("post_install", "-at_install")
class TestDeadlineCalendarResource(DeadlineCase):
    """The working calendar's days live in Odoo's ``resource`` model, where every app that
    plans working time sees them: a day off is the company's public time off, a make-up working
    day a working line valid on that date."""

    def hours(self, calendar, day, company=None):
        """Working hours of a local day, as Odoo's apps ask the calendar for them (the company's
        public time off; a user's own company rules give the same, see below)."""
        tz = pytz.timezone(calendar.tz)
        start = tz.localize(datetime.combine(day, datetime.min.time()))
        end = tz.localize(datetime.combine(day, datetime.max.time()))
        domain = [("time_type", "=", "leave"), ("company_id", "=", (company or self.company).id)]
        return calendar.get_work_hours_count(start, end, compute_leaves=True, domain=domain)

    def public_time_off(self, company, day):
        return self.env["resource.calendar.leaves"].search([
            ("company_id", "=", company.id), ("resource_id", "=", False),
            ("calendar_id", "=", False), ("complaint_calendar_day_id.date", "=", day)])

    def test_official_days_are_odoo_public_time_off_and_working_lines(self):
        # National Day 2025: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
        leave = self.public_time_off(self.company, date(2025, 10, 3))
        self.assertEqual(len(leave), 1)
        self.assertEqual((leave.date_from, leave.date_to),
                         (local(2025, 10, 3), local(2025, 10, 3, 23, 59, 59)))
        self.assertEqual(self.hours(self.calendar, date(2025, 10, 3)), 0)
        self.assertEqual(self.hours(self.calendar, date(2025, 9, 28)), 8)
        self.assertEqual(self.hours(self.calendar, date(2025, 10, 11)), 8)
        self.assertEqual(self.hours(self.calendar, date(2025, 10, 12)), 0)
        # The calendar's average day is still its weekly pattern's.
        self.assertEqual(self.calendar.hours_per_day, 8)

    def test_a_user_of_the_company_sees_the_days_through_odoo_alone(self):
        self.env["res.company"].create({"name": "Other branch"})
        tz = pytz.timezone(self.calendar.tz)
        calendar = self.calendar.with_user(self.office)
        for day, expected in ((date(2025, 10, 3), 0), (date(2025, 9, 28), 8),
                              (date(2025, 9, 30), 8)):
            start = tz.localize(datetime.combine(day, datetime.min.time()))
            end = tz.localize(datetime.combine(day, datetime.max.time()))
            self.assertEqual(calendar.get_work_hours_count(start, end), expected, day)

    def test_company_day_wins_over_the_official_day_for_that_company_only(self):
        other = self.env["res.company"].create({"name": "Other branch"})
        Day = self.env["complaint.calendar.day"]
        own = Day.create({"name": "Stock-taking", "date": "2025-10-08", "day_type": "workday",
                          "work_as_dayofweek": "2", "company_id": self.company.id})
        self.assertFalse(self.public_time_off(self.company, date(2025, 10, 8)))
        self.assertTrue(self.public_time_off(other, date(2025, 10, 8)))
        self.assertEqual(self.hours(self.calendar, date(2025, 10, 8)), 8)
        own.unlink()
        self.assertTrue(self.public_time_off(self.company, date(2025, 10, 8)))
        self.assertEqual(self.hours(self.calendar, date(2025, 10, 8)), 0)

    def test_another_companys_time_off_leaves_this_clock_alone(self):
        other = self.env["res.company"].create({"name": "Other branch"})
        self.env["complaint.calendar.day"].create({
            "name": "Branch closure", "date": "2025-03-11", "day_type": "holiday",
            "company_id": other.id})
        self.assertTrue(self.public_time_off(other, date(2025, 3, 11)))
        wt = self.working_time()
        self.assertEqual(wt.add_working_days(local(2025, 3, 10, 10), 1), local(2025, 3, 11, 18))

    def test_new_companies_and_calendars_get_the_official_days(self):
        company = self.env["res.company"].create({"name": "New branch"})
        self.assertTrue(self.public_time_off(company, date(2026, 10, 1)))
        calendar = self.env["resource.calendar"].create({
            "name": "Branch hours", "tz": "Asia/Shanghai", "company_id": company.id})
        makeup = calendar.attendance_ids.filtered("complaint_calendar_day_id")
        self.assertIn(date(2026, 9, 20), makeup.mapped("date_from"))
        self.assertEqual(self.hours(calendar, date(2026, 9, 20), company),
                         calendar.hours_per_day)

    def test_make_up_lines_follow_the_weekday_they_copy(self):
        monday = self.calendar.attendance_ids.filtered(
            lambda line: line.dayofweek == "0" and line.day_period == "afternoon"
            and not line.date_from)
        monday.hour_to = 17
        # Sunday 28 September 2025 is worked like a Monday.
        self.assertEqual(self.hours(self.calendar, date(2025, 9, 28)), 7)

    def test_time_zone_change_moves_the_public_time_off(self):
        self.calendar.tz = "UTC"
        leave = self.public_time_off(self.company, date(2025, 10, 3))
        self.assertEqual(leave.date_from, datetime(2025, 10, 3))
        self.calendar.tz = "Asia/Shanghai"
        leave = self.public_time_off(self.company, date(2025, 10, 3))
        self.assertEqual(leave.date_from, local(2025, 10, 3))

    def test_clock_and_resource_agree_on_a_holiday_week(self):
        # Received Monday 29 September 2025, 10:00: 30 September, then 9 October.
        wt = self.working_time()
        self.assertEqual(wt.add_working_days(local(2025, 9, 29, 10), 2), local(2025, 10, 9, 18))
        self.assertEqual(wt.add_working_hours(local(2025, 9, 30, 17), 2),
                         self.calendar.with_company(self.company).plan_hours(
                             2, local(2025, 9, 30, 17), compute_leaves=True))

    def test_resync_is_idempotent(self):
        Leave = self.env["resource.calendar.leaves"]
        Attendance = self.env["resource.calendar.attendance"]
        before = (Leave.search_count([("complaint_calendar_day_id", "!=", False)]),
                  Attendance.search_count([("complaint_calendar_day_id", "!=", False)]))
        self.env["complaint.calendar.day"]._sync_resource(self.env["res.company"].search([]))
        after = (Leave.search_count([("complaint_calendar_day_id", "!=", False)]),
                 Attendance.search_count([("complaint_calendar_day_id", "!=", False)]))
        self.assertEqual(before, after)
        self.assertTrue(all(before))
