from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common_deadline import DeadlineCase, local

DEADLINE_ACTIVITY = "addon_complaints.mail_activity_type_complaint_deadline"


@tagged("post_install", "-at_install")
class TestDeadlineOverdue(DeadlineCase):
    """The scheduled scan: due soon, overdue, activities, accountability; the digest; the
    escalation levels and who each one notifies."""

    def deadline_activities(self, case):
        return case.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(DEADLINE_ACTIVITY))

    def test_overdue_case_gets_activities_and_an_accountability_record(self):
        case = self.handling(date_received=local(2025, 3, 3, 10))
        case.sudo().date_dispatched = local(2025, 3, 3, 11)
        self.env["complaint.case"]._cron_scan_deadlines()
        self.assertEqual(case.deadline_status, "overdue")
        self.assertEqual(case.deadline_stage, "handling")
        activities = self.deadline_activities(case)
        self.assertEqual(activities.user_id, self.handler | self.manager)
        record = case.sudo().accountability_ids
        self.assertEqual(len(record), 1)
        self.assertEqual(record.user_id, self.handler)
        self.assertEqual(record.manager_id, self.manager)
        self.assertEqual(record.department_id, self.dept_logistics)
        self.assertEqual((record.level, record.measure, record.points), ("normal", "reminder", 1))
        self.assertEqual(record.stage, "handling")
        self.assertEqual(record.state, "draft")
        # A second run does not repeat the escalation.
        self.env["complaint.case"]._cron_scan_deadlines()
        self.assertEqual(len(case.sudo().accountability_ids), 1)
        self.assertEqual(len(self.deadline_activities(case)), 2)

    def test_the_scan_leaves_its_mails_to_the_queue(self):
        """A run escalates hundreds of cases at once: its e-mails wait for Odoo's mail queue
        instead of being sent one by one as each chunk commits."""
        case = self.handling(date_received=local(2025, 3, 3, 10))
        case.sudo().date_dispatched = local(2025, 3, 3, 11)
        (self.handler | self.manager).notification_type = "email"
        before = self.env["mail.mail"].sudo().search([]).ids
        self.env["complaint.case"]._cron_scan_deadlines()
        mails = self.env["mail.mail"].sudo().search([("id", "not in", before)])
        self.assertTrue(mails.filtered(lambda m: self.handler.partner_id in m.recipient_ids))
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})

    def counting_creates(self, model):
        """Count the calls of ``create`` on ``model`` (each call may create many records)."""
        model_class = type(self.env[model])
        return patch.object(model_class, "create", autospec=True, side_effect=model_class.create)

    def test_overdue_scan_is_batched_and_rerun_safe(self):
        first = self.handling(date_received=local(2025, 3, 3, 10))
        second = self.handling(date_received=local(2025, 3, 4, 10), category_id=self.cat_quality.id)
        (first | second).sudo().write({"date_dispatched": local(2025, 3, 4, 11)})
        Case = self.env["complaint.case"]
        Case._cron_recompute_deadlines()
        with self.counting_creates("mail.activity") as activity_create, \
                self.counting_creates("complaint.accountability") as record_create:
            records = Case._to_escalate()._escalate_overdue()
        self.assertEqual(activity_create.call_count, 1, "one create for every activity of the run")
        self.assertEqual(record_create.call_count, 1, "one create for every record of the run")
        self.assertEqual(records.case_id & (first | second), first | second)
        self.assertEqual(len(self.deadline_activities(first)), 2)
        self.assertEqual(first.deadline_overdue_done, first.date_stage_deadline)
        # A re-run that lost track of what it escalated still never repeats a record for the
        # same case, step and due date.
        (first | second).sudo().write({"deadline_overdue_done": False})
        self.assertEqual(Case._to_escalate() & (first | second), first | second)
        Case._cron_scan_deadlines()
        self.assertEqual(len(first.sudo().accountability_ids), 1)
        self.assertEqual(len(second.sudo().accountability_ids), 1)
        Case._cron_scan_deadlines()
        self.assertFalse(Case._to_escalate())
        self.assertEqual(len(first.sudo().accountability_ids), 1)
        # A new due date that is missed again is a new record.
        first.sudo().write({"date_clock_restart": local(2025, 3, 6, 10),
                            "date_dispatched": local(2025, 3, 6, 11)})
        Case._cron_scan_deadlines()
        self.assertEqual(len(first.sudo().accountability_ids), 2)

    def test_accountability_amount_follows_the_level(self):
        self.use_policy(self.policy_insurance)
        case = self.handling(date_received=local(2025, 3, 3, 10))
        case.sudo().repeat_count = 3
        self.env["complaint.case"]._cron_scan_deadlines()
        record = case.sudo().accountability_ids
        self.assertEqual((record.level, record.measure, record.amount, record.manager_amount),
                         ("major", "fine", 50, 150))
        record.with_user(self.office).action_confirm()
        self.assertEqual(record.state, "confirmed")
        self.assertEqual(record.reviewed_by_id, self.office)

    def test_approved_extension_prevents_the_overdue(self):
        self.use_policy(self.policy_securities)
        case = self.handling()
        case.sudo().write({"date_received": fields.Datetime.now() - __import__("datetime").timedelta(days=10)})
        case.sudo().date_dispatched = fields.Datetime.now()
        self.assertEqual(case.deadline_status, "overdue")
        extension = case.with_user(self.handler)._request_extension("Exchange records", 15)
        extension.with_user(self.office).action_approve()
        self.env["complaint.case"]._cron_scan_deadlines()
        self.assertNotEqual(case.deadline_status, "overdue")
        self.assertFalse(case.sudo().accountability_ids)

    def test_due_soon_reminds_once(self):
        self.use_policy(self.policy_insurance)
        case = self.dispatched()
        self.env["complaint.case"]._cron_scan_deadlines()
        self.assertEqual(case.deadline_status, "due_soon")
        self.assertEqual(len(self.deadline_activities(case)), 1)
        self.env["complaint.case"]._cron_scan_deadlines()
        self.assertEqual(len(self.deadline_activities(case)), 1)
        self.assertFalse(case.sudo().accountability_ids)

    def test_overdue_dispatch_order_alerts_the_department_manager(self):
        case = self.dispatched()
        order = case._lead_assignment()
        order.sudo().date_dispatched = local(2025, 3, 3, 10)
        self.assertTrue(order.is_overdue)
        self.env["complaint.case"]._cron_scan_deadlines()
        self.assertTrue(self.deadline_activities(case).filtered(lambda a: a.user_id == self.manager))
        self.assertEqual(order.overdue_done, order.date_deadline)

    def test_daily_digest_goes_to_department_managers(self):
        self.manager.email = "digest.manager@example.com"
        case = self.handling(date_received=local(2025, 3, 3, 10))
        self.env["complaint.case"]._cron_scan_deadlines()
        mails_before = self.env["mail.mail"].search([])
        self.env["complaint.case"]._cron_send_deadline_digest()
        mail = self.env["mail.mail"].search([]) - mails_before
        digest = mail.filtered(lambda m: m.email_to == "digest.manager@example.com")
        self.assertEqual(len(digest), 1)
        self.assertIn(case.name, digest.body_html)
        self.assertIn("Logistics", digest.subject)

    def test_closed_case_is_not_overdue(self):
        case = self.replied()
        self.assertEqual(case.deadline_status, "on_time")
        case.with_user(self.office).action_callback("satisfied")
        case.with_user(self.office).action_close("customer_accepts", "Satisfied on the phone")
        self.assertEqual(case.deadline_status, "done")

    # Escalation levels --------------------------------------------------------------------------
    def test_second_complaint_is_urgent_and_notifies_the_manager(self):
        original = self.handling()
        self.register(user=self.clerk2, description="Again")
        self.assertEqual(original.level, "urgent")
        notified = self.deadline_activities(original).user_id
        self.assertIn(self.manager, notified)
        self.assertNotIn(self.leader, notified)

    def test_third_complaint_is_major_and_notifies_the_office(self):
        original = self.handling()
        self.register(user=self.clerk2, description="Again")
        self.register(user=self.clerk2, description="Third time")
        self.assertEqual(original.level, "major")
        self.assertIn(self.office, self.deadline_activities(original).user_id)

    def test_regulator_forwarded_is_a_crisis_for_the_leadership(self):
        case = self.register(channel_id=self.channel_regulator.id)
        self.assertEqual(case.level, "crisis")
        self.assertIn(self.leader, self.deadline_activities(case).user_id)
        self.assertIn(self.leader.partner_id, case.message_ids.partner_ids)

    def test_media_and_group_complaints_are_crises(self):
        media = self.register(channel_id=self.channel_media.id)
        self.assertIn(self.leader, self.deadline_activities(media).user_id)
        group = self.register(category_id=self.cat_quality.id, affected_count=5)
        self.assertEqual(group.level, "normal")
        group.affected_count = 12
        self.assertEqual(group.level, "crisis")
        self.assertIn(self.leader, self.deadline_activities(group).user_id)

    def test_crisis_tightens_the_deadline(self):
        self.use_policy(self.policy_general)
        normal = self.register(date_received=local(2025, 3, 3, 10))
        crisis = self.register(channel_id=self.channel_media.id, category_id=self.cat_quality.id,
                               date_received=local(2025, 3, 3, 10))
        self.assertEqual(normal.date_deadline, local(2025, 3, 6, 18))
        self.assertEqual(crisis.date_deadline, local(2025, 3, 4, 18))

    def test_emergency_flagged_later_notifies_the_leadership(self):
        case = self.register()
        self.assertFalse(case.activity_ids.filtered(lambda a: a.user_id == self.leader))
        case.is_emergency = True
        self.assertTrue(case.activity_ids.filtered(lambda a: a.user_id == self.leader))
        count = len(case.activity_ids)
        case.is_emergency = True
        self.assertEqual(len(case.activity_ids), count, "notified once")
