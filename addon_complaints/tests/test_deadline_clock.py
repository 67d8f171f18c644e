from odoo.tests import tagged

from .common_deadline import DeadlineCase, local


@tagged("post_install", "-at_install")
class TestDeadlineClock(DeadlineCase):
    """The clock on the exact dates where it used to go wrong: pauses before the move off a
    day off, pauses of a few seconds, chains of extensions, the delay notice, local times in
    messages, the company's time zone, and years without a published calendar."""

    def pause(self, case, start, end):
        pause = case.with_user(self.handler).action_pause_clock("appraisal", "Sent to the lab")
        pause.sudo().write({"date_start": start, "date_end": end})
        return pause

    def test_pause_is_counted_before_the_move_off_a_day_off(self):
        self.use_policy(self.policy_cbirc)
        case = self.handling(date_received=local(2026, 12, 3, 10))
        self.assertEqual(case.date_deadline, local(2026, 12, 18, 23, 59, 59), "day 15, a Friday")
        self.pause(case, local(2026, 12, 7, 10), local(2026, 12, 8, 10))
        # One day paused: Saturday 19 December, which moves to Monday 21.
        self.assertEqual(case.date_deadline, local(2026, 12, 21, 23, 59, 59))
        self.assertEqual(case.date_reply_deadline, case.date_deadline)

    def test_a_pause_of_seconds_does_not_move_a_day_clock(self):
        self.use_policy(self.policy_cbirc)
        case = self.handling(date_received=local(2025, 3, 3, 10))
        self.assertEqual(case.date_deadline, local(2025, 3, 18, 23, 59, 59))
        self.pause(case, local(2025, 3, 5, 10), local(2025, 3, 5, 10, 0, 3))
        self.assertEqual(case.date_deadline, local(2025, 3, 18, 23, 59, 59))

    def test_a_pause_of_seconds_does_not_move_a_working_day_clock(self):
        case = self.handling(date_received=local(2025, 3, 3, 10))
        self.assertEqual(case.date_deadline, local(2025, 3, 6, 18))
        self.pause(case, local(2025, 3, 4, 10), local(2025, 3, 4, 10, 0, 3))
        self.assertEqual(case.date_deadline, local(2025, 3, 6, 18))

    def test_extensions_count_from_the_receipt_up_to_the_ceiling(self):
        self.use_policy(self.policy_cbirc)
        case = self.handling(date_received=local(2026, 3, 14, 10))
        # Day 15 is Sunday 29 March: the limit ends on Monday 30.
        self.assertEqual(case.date_deadline, local(2026, 3, 30, 23, 59, 59))
        first = case.with_user(self.handler).action_request_extension("Complex case", 15)
        first.with_user(self.office).action_approve()
        self.assertEqual(case.date_deadline, local(2026, 4, 13, 23, 59, 59), "day 30")
        second = case.with_user(self.handler).action_request_extension("Appraisal", 30)
        second.with_user(self.env.ref("base.user_admin")).action_approve()
        self.assertEqual(case.date_deadline, local(2026, 5, 13, 23, 59, 59), "day 60, the ceiling")
        self.assertEqual(second.new_due_date, case.date_deadline)

    def test_delay_notice_tells_the_new_date_and_the_reason(self):
        self.use_policy(self.policy_cbirc)
        case = self.handling(date_received=local(2026, 3, 14, 10))
        extension = case.with_user(self.handler).action_request_extension(
            "The bank's records are still awaited", 15)
        extension.with_user(self.office).action_approve()
        notice = extension.notice_id
        self.assertEqual(notice.notice_type, "delay")
        self.assertIn("The bank's records are still awaited", notice.content)
        # 13 April 23:59:59 in Shanghai, written for an English reader.
        self.assertIn("4/13/26", notice.content)
        self.assertIn("11:59", notice.content)
        self.assertNotIn("answer by\n        <strong></strong>", notice.content)
        self.assertIn("4/13/26", case.message_ids[0].body, "the chatter says the local date too")

    def test_overdue_message_shows_the_company_local_time(self):
        case = self.handling(date_received=local(2025, 3, 3, 10))
        case.sudo().date_dispatched = local(2025, 3, 3, 11)
        self.env["complaint.case"]._cron_scan_deadlines()
        message = case.message_ids.filtered(lambda m: "overdue" in (m.body or ""))[:1]
        self.assertTrue(message)
        # Handling due 5 March 18:00 in Shanghai, which is 10:00 UTC.
        self.assertIn("3/5/25", message.body)
        self.assertIn("6:00", message.body)
        self.assertNotIn("10:00:00", message.body)

    def test_company_time_zone_sets_its_working_calendar(self):
        china = self.env.ref("base.cn")
        company = self.env["res.company"].create({"name": "Hangzhou Branch", "country_id": china.id})
        self.assertEqual(company.resource_calendar_id.tz, "Asia/Shanghai")
        self.assertEqual(company.complaint_tz, "Asia/Shanghai")
        other = self.env["res.company"].create({"name": "No Country Yet"})
        other.resource_calendar_id.tz = "UTC"
        other.country_id = china
        self.assertEqual(other.resource_calendar_id.tz, "Asia/Shanghai")

    def test_2026_september_20_is_worked_for_national_day(self):
        day = self.env.ref("addon_complaints.complaint_calendar_day_cn_20260920")
        self.assertEqual(day.day_type, "workday")
        self.assertIn("National Day", day.name)

    def test_calendar_years_published_provisional_missing(self):
        states = self.env["complaint.calendar.year"]._states(2025, 2028)
        self.assertEqual(states, {2025: "published", 2026: "published", 2027: "provisional",
                                  2028: "missing"})
        listed = {year.year: year.state for year in self.env["complaint.calendar.year"].search([])}
        self.assertEqual(listed[2025], "published")
        self.assertEqual(listed[2027], "provisional")

    def test_clock_into_a_provisional_year_is_marked_and_the_office_told(self):
        self.use_policy(self.policy_airline)
        case = self.register(date_received=local(2026, 12, 28, 10))
        self.assertEqual(case.deadline_calendar_mark, "provisional")
        told = case.message_ids.filtered(lambda m: self.office.partner_id in m.partner_ids
                                         and "not published" in (m.body or ""))
        self.assertEqual(len(told), 1)
        case.sudo().write({"subject": "Still late"})
        told = case.message_ids.filtered(lambda m: "not published" in (m.body or ""))
        self.assertEqual(len(told), 1, "the office is told once per mark")
        early = self.register(date_received=local(2026, 3, 2, 10), category_id=self.cat_quality.id)
        self.assertFalse(early.deadline_calendar_mark)

    def test_clock_into_a_missing_year_is_marked(self):
        self.use_policy(self.policy_airline)
        case = self.register(date_received=local(2027, 12, 28, 10))
        self.assertEqual(case.deadline_calendar_mark, "missing")
        self.assertEqual(self.env["complaint.case"].search_count(
            [("id", "=", case.id), ("deadline_calendar_mark", "=", "missing")]), 1)
