from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_deadline import DeadlineCase, local


@tagged("post_install", "-at_install")
class TestDeadlinePolicy(DeadlineCase):
    """Presets, matching, levels that tighten the limits, dispatch due dates, pauses, new facts
    and the review stage."""

    def test_general_preset_is_the_default(self):
        case = self.register(date_received=local(2025, 3, 3, 10))
        self.assertEqual(case.sla_policy_id, self.policy_general)
        self.assertEqual(case.date_deadline, local(2025, 3, 6, 18))
        # Forwarding (24 hours round the clock) is the earliest step on the clock.
        self.assertEqual(case.deadline_stage, "forward")
        self.assertEqual(case.date_stage_deadline, local(2025, 3, 4, 10))
        self.assertEqual(case.deadline_status, "overdue")

    def test_no_policy_no_deadline(self):
        self.use_policy(self.env["complaint.sla.policy"])
        case = self.register()
        self.assertFalse(case.date_deadline)
        self.assertEqual(case.deadline_status, "none")

    def test_tobacco_preset(self):
        self.use_policy(self.policy_tobacco)
        case = self.handling(date_received=local(2025, 3, 3, 10))
        case.sudo().date_dispatched = local(2025, 3, 4, 10)
        self.assertEqual(case.date_deadline, local(2025, 3, 10, 18))
        self.assertEqual(case.date_handling_deadline, local(2025, 3, 7, 18))
        order = case._lead_assignment()
        order.sudo().date_dispatched = local(2025, 3, 4, 10)
        self.assertEqual(order.date_deadline, local(2025, 3, 7, 18))

    def test_insurance_preset_hours_and_same_day_for_major(self):
        self.use_policy(self.policy_insurance)
        case = self.register(date_received=local(2025, 3, 3, 10))
        self.assertEqual(case.date_deadline, local(2025, 3, 6, 18))
        case.sudo().repeat_count = 3
        self.assertEqual(case.level, "major")
        self.assertEqual(case.date_deadline, local(2025, 3, 3, 18), "a major complaint is finished the same day")
        crisis = self.register(channel_id=self.channel_regulator.id, category_id=self.cat_quality.id,
                               date_received=local(2025, 3, 3, 19))
        self.assertEqual(crisis.date_deadline, local(2025, 3, 4, 18), "received after hours: next working day")

    def test_insurance_progress_within_12_hours(self):
        self.use_policy(self.policy_insurance)
        case = self.dispatched()
        now = fields.Datetime.now()
        case.sudo().date_dispatched = now
        self.assertEqual(case.deadline_stage, "progress")
        self.assertAlmostEqual((case.date_stage_deadline - now).total_seconds(), 12 * 3600, delta=2)

    def test_securities_preset(self):
        self.use_policy(self.policy_securities)
        case = self.register(date_received=local(2025, 4, 30, 10))
        # 1–5 May 2025 off; Sunday 27 April was worked, but it is before.
        self.assertEqual(case.date_deadline, local(2025, 5, 8, 18))
        line = case._deadline_line("reply")
        self.assertEqual((line.time_limit, line.ceiling), (3, 20))

    def test_airline_preset(self):
        self.use_policy(self.policy_airline)
        case = self.register(date_received=local(2025, 9, 26, 10))
        # 10 working days: 28 Sep (Sun, worked), 29, 30 Sep, then 9, 10, 11 (Sat, worked), 13–16 Oct.
        self.assertEqual(case.date_deadline, local(2025, 10, 16, 18))
        self.assertEqual(case._deadline_line("handling").time_limit, 5)
        self.assertEqual(case._deadline_line("verification").time_limit, 3)

    def test_banking_regulation_preset_counts_calendar_days(self):
        self.use_policy(self.policy_cbirc)
        case = self.register(date_received=local(2025, 3, 3, 10))
        self.assertEqual(case.date_deadline, local(2025, 3, 18, 23, 59, 59))
        case2 = self.register(date_received=local(2025, 9, 20, 10), category_id=self.cat_quality.id)
        self.assertEqual(case2.date_deadline, local(2025, 10, 9, 23, 59, 59))

    def test_policy_with_criteria_wins_over_the_default(self):
        regulator_policy = self.policy_cbirc.copy({"regulator_forwarded": "yes",
                                                   "company_id": self.company.id})
        self.assertFalse(regulator_policy.is_preset)
        forwarded = self.register(channel_id=self.channel_regulator.id)
        self.assertEqual(forwarded.sla_policy_id, regulator_policy)
        self.assertEqual(self.register(category_id=self.cat_quality.id).sla_policy_id,
                         self.policy_general)
        by_category = self.policy_airline.copy({"category_ids": [(6, 0, self.cat_service.ids)],
                                                "sequence": 1})
        other = self.env["res.partner"].create({"name": "Li Lei"})
        self.assertEqual(self.register(category_id=self.cat_delivery.id,
                                       partner_id=other.id).sla_policy_id,
                         by_category, "a category matches its children")

    def test_policy_change_recomputes(self):
        case = self.register(date_received=local(2025, 3, 3, 10))
        self.policy_general.line_ids.filtered(lambda line: line.stage == "reply" and not line.level).time_limit = 5
        self.assertEqual(case.date_deadline, local(2025, 3, 10, 18))

    def test_department_calendar_is_used_for_its_dispatch_orders(self):
        saturday_calendar = self.calendar.copy({"name": "Six days"})
        saturday_calendar.attendance_ids = [(0, 0, {"name": "Sat", "dayofweek": "5", "hour_from": 9,
                                                    "hour_to": 18, "day_period": "morning"})]
        self.dept_logistics.resource_calendar_id = saturday_calendar
        case = self.dispatched()
        order = case._lead_assignment()
        order.sudo().date_dispatched = local(2025, 3, 7, 10)
        # Handling limit 2 working days: Saturday 8 and Monday 10 March.
        self.assertEqual(order.date_deadline, local(2025, 3, 10, 18))

    def test_pause_moves_the_due_date(self):
        case = self.handling(date_received=local(2025, 3, 3, 10))
        self.assertEqual(case.date_deadline, local(2025, 3, 6, 18))
        pause = case.with_user(self.handler)._pause_clock("appraisal", "Sent to the lab")
        pause.sudo().write({"date_start": local(2025, 3, 4, 9), "date_end": local(2025, 3, 5, 18)})
        self.assertEqual(case.date_deadline, local(2025, 3, 10, 18), "two working days paused")
        self.assertTrue(case.pause_ids)

    def test_open_pause_shows_paused(self):
        case = self.handling()
        case.with_user(self.handler).action_pause_clock("testing", "Waiting for the test report")
        self.assertEqual(case.deadline_status, "paused")
        with self.assertRaises(UserError):
            case.with_user(self.handler).action_pause_clock("testing", "Again")
        case.with_user(self.handler).action_resume_clock()
        self.assertNotEqual(case.deadline_status, "paused")
        self.assertTrue(case.pause_ids.date_end)

    def test_outsider_cannot_pause(self):
        from odoo.exceptions import AccessError

        case = self.handling()
        with self.assertRaises(AccessError):
            case.with_user(self.handler_mkt).action_pause_clock("testing", "No")

    def test_new_facts_restart_the_clock_when_the_policy_says_so(self):
        self.use_policy(self.policy_cbirc)
        case = self.accepted(date_received=local(2025, 3, 3, 10))
        case.with_user(self.office).action_record_new_facts("A second invoice")
        self.assertTrue(case.date_clock_restart)
        self.assertGreater(case.date_deadline, fields.Datetime.now())
        self.use_policy(self.policy_general)
        other = self.accepted(date_received=local(2025, 3, 3, 10), category_id=self.cat_quality.id)
        other.with_user(self.office).action_record_new_facts("Nothing changes the clock")
        self.assertFalse(other.date_clock_restart)

    def test_review_opens_its_own_clock(self):
        self.use_policy(self.policy_cbirc)
        case = self.replied()
        self.assertEqual(case.deadline_status, "done")
        case.with_user(self.office).action_request_review("The customer disputes the amount")
        self.assertEqual(case.deadline_stage, "review")
        self.assertEqual(case.deadline_status, "on_time")
        self.assertTrue(case.date_review_deadline)
        case.with_user(self.office).action_decide_review("Result confirmed")
        self.assertEqual(case.deadline_status, "done")
        with self.assertRaises(UserError):
            case.with_user(self.office).action_request_review("Twice")
