import sys
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_deadline import DeadlineCase, local


@tagged("post_install", "-at_install")
class TestDeadlineCalendar(DeadlineCase):
    """Working-day arithmetic at the edges: after hours, holidays, make-up working days on a
    weekend (调休), the Spring Festival and National Day weeks, a year end."""

    def test_official_2025_days_are_shipped(self):
        Day = self.env["complaint.calendar.day"]
        holidays = Day.search([("company_id", "=", False), ("day_type", "=", "holiday"),
                               ("date", ">=", "2025-01-01"), ("date", "<=", "2025-12-31")])
        dates = {str(day.date) for day in holidays}
        for expected in ("2025-01-01", "2025-01-28", "2025-02-04", "2025-04-04", "2025-04-06",
                         "2025-05-01", "2025-05-05", "2025-05-31", "2025-06-02", "2025-10-01",
                         "2025-10-08"):
            self.assertIn(expected, dates)
        self.assertNotIn("2025-02-05", dates)
        workdays = Day.search([("company_id", "=", False), ("day_type", "=", "workday"),
                               ("date", ">=", "2025-01-01"), ("date", "<=", "2025-12-31")])
        self.assertEqual(sorted(str(day.date) for day in workdays),
                         ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"])
        self.assertTrue(Day.search_count([("date", "=", "2027-02-06"), ("is_provisional", "=", True)]))

    def test_after_working_hours_counts_from_the_next_working_day(self):
        wt = self.working_time()
        # Monday 3 March 2025, 19:00: the day of receipt never counts.
        self.assertEqual(wt.add_working_days(local(2025, 3, 3, 19), 1), local(2025, 3, 4, 18))
        self.assertEqual(wt.add_working_days(local(2025, 3, 3, 10), 3), local(2025, 3, 6, 18))
        # Same day: 0 days ends today, or tomorrow when received after hours.
        self.assertEqual(wt.add_working_days(local(2025, 3, 3, 10), 0), local(2025, 3, 3, 18))
        self.assertEqual(wt.add_working_days(local(2025, 3, 3, 19), 0), local(2025, 3, 4, 18))
        # Friday evening: Monday is the first working day.
        self.assertEqual(wt.add_working_days(local(2025, 3, 7, 20), 1), local(2025, 3, 10, 18))

    def test_working_hours_skip_lunch_nights_and_weekends(self):
        wt = self.working_time()
        self.assertEqual(wt.add_working_hours(local(2025, 3, 3, 10), 4), local(2025, 3, 3, 15))
        self.assertEqual(wt.add_working_hours(local(2025, 3, 7, 17), 2), local(2025, 3, 10, 10))
        self.assertEqual(wt.add_working_hours(local(2025, 3, 3, 20), 8), local(2025, 3, 4, 18))

    def test_same_as_the_resource_module_on_ordinary_days(self):
        wt = self.working_time()
        for start, hours in ((local(2025, 3, 3, 10), 4), (local(2025, 3, 7, 17), 2),
                             (local(2025, 3, 12, 8), 20)):
            self.assertEqual(wt.add_working_hours(start, hours),
                             self.calendar.plan_hours(hours, start, compute_leaves=True))

    def test_received_on_a_public_holiday(self):
        wt = self.working_time()
        # National Day 1 October 2025: 2–8 October are off, 9 October is the first working day.
        self.assertEqual(wt.add_working_days(local(2025, 10, 1, 10), 1), local(2025, 10, 9, 18))
        self.assertEqual(wt.add_working_hours(local(2025, 10, 1, 10), 1), local(2025, 10, 9, 10))

    def test_make_up_saturday_is_a_working_day(self):
        wt = self.working_time()
        # Saturday 8 February 2025 is worked (调休); Saturday 15 February is not.
        self.assertTrue(wt.is_working_day(local(2025, 2, 8, 12).date()))
        self.assertFalse(wt.is_working_day(local(2025, 2, 15, 12).date()))
        self.assertEqual(wt.add_working_days(local(2025, 2, 7, 10), 1), local(2025, 2, 8, 18))
        self.assertEqual(wt.add_working_days(local(2025, 2, 8, 10), 0), local(2025, 2, 8, 18))
        self.assertEqual(wt.add_working_hours(local(2025, 2, 8, 17), 2), local(2025, 2, 10, 10))
        # National Day week: Saturday 11 October 2025 is the third working day after the 1st.
        self.assertEqual(wt.add_working_days(local(2025, 10, 1, 10), 3), local(2025, 10, 11, 18))

    def test_across_the_spring_festival(self):
        wt = self.working_time()
        # Monday 27 January 2025; 28 January – 4 February off.
        self.assertEqual(wt.add_working_days(local(2025, 1, 27, 10), 3), local(2025, 2, 7, 18))
        # Sunday 26 January is a make-up working day.
        self.assertEqual(wt.add_working_days(local(2025, 1, 26, 10), 0), local(2025, 1, 26, 18))
        self.assertEqual(wt.add_working_days(local(2025, 1, 25, 10), 1), local(2025, 1, 26, 18))

    def test_across_national_day_week(self):
        wt = self.working_time()
        # Tuesday 30 September 2025: the next working day is Thursday 9 October.
        self.assertEqual(wt.add_working_days(local(2025, 9, 30, 16), 1), local(2025, 10, 9, 18))
        # Sunday 28 September is worked.
        self.assertEqual(wt.add_working_days(local(2025, 9, 26, 10), 1), local(2025, 9, 28, 18))

    def test_across_a_year_end(self):
        wt = self.working_time()
        # 31 December 2025; 1–3 January 2026 off; Sunday 4 January 2026 is worked.
        self.assertEqual(wt.add_working_days(local(2025, 12, 31, 10), 1), local(2026, 1, 4, 18))
        self.assertEqual(wt.add_working_days(local(2025, 12, 31, 10), 2), local(2026, 1, 5, 18))

    def test_calendar_days_include_the_last_day_and_move_off_holidays(self):
        wt = self.working_time()
        self.assertEqual(wt.add_calendar_days(local(2025, 3, 3, 10), 15),
                         local(2025, 3, 18, 23, 59, 59))
        # 20 September + 15 = 5 October, a holiday: the limit ends on 9 October.
        self.assertEqual(wt.add_calendar_days(local(2025, 9, 20, 10), 15, True),
                         local(2025, 10, 9, 23, 59, 59))
        self.assertEqual(wt.add_calendar_days(local(2025, 9, 20, 10), 15, False),
                         local(2025, 10, 5, 23, 59, 59))

    def test_company_days_override_the_official_calendar(self):
        Day = self.env["complaint.calendar.day"]
        Day.create({"name": "Company anniversary", "date": "2025-03-10", "day_type": "holiday",
                    "company_id": self.company.id})
        Day.create({"name": "Stock-taking Saturday", "date": "2025-03-15", "day_type": "workday",
                    "company_id": self.company.id})
        wt = self.working_time()
        self.assertEqual(wt.add_working_days(local(2025, 3, 7, 10), 1), local(2025, 3, 11, 18))
        self.assertEqual(wt.add_working_days(local(2025, 3, 14, 10), 1), local(2025, 3, 15, 18))

    def test_calendar_change_recomputes_open_cases(self):
        case = self.register(date_received=local(2025, 3, 7, 10))
        self.assertEqual(case.date_deadline, local(2025, 3, 12, 18))
        self.env["complaint.calendar.day"].create({
            "name": "Closure", "date": "2025-03-11", "day_type": "holiday",
            "company_id": self.company.id})
        self.assertEqual(case.date_deadline, local(2025, 3, 13, 18))

    def test_refresh_without_a_library_says_what_to_install(self):
        admin = self.env.ref("base.user_admin")
        with patch.dict(sys.modules, {"chinese_calendar": None, "holidays": None}), \
                self.assertRaisesRegex(UserError, "chinese-calendar"):
            self.env["complaint.calendar.day"].with_user(admin).action_refresh_official_days()
        with self.assertRaises(UserError):
            self.env["complaint.calendar.day"].with_user(self.office).action_refresh_official_days()

    def test_refresh_replaces_provisional_days(self):
        from datetime import date

        Day = self.env["complaint.calendar.day"]
        found = {date(2027, 2, 5): ("holiday", "Spring Festival"),
                 date(2027, 2, 20): ("workday", "Make-up working day")}
        created, _updated, removed = Day._apply_official_days(found, [2027])
        self.assertEqual(created, 1)
        self.assertGreater(removed, 5)
        days = Day.search([("company_id", "=", False), ("date", ">=", "2027-01-01"),
                           ("date", "<=", "2027-12-31")])
        self.assertEqual(len(days), 2)
        self.assertFalse(any(days.mapped("is_provisional")))
