from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestAcceptance(ComplaintCase):

    def test_accept_sends_an_acceptance_receipt(self):
        case = self.accepted()
        self.assertEqual(case.state, "accepted")
        self.assertEqual(case.accepted_by_id, self.clerk)
        receipt = case.notice_ids
        self.assertEqual(receipt.notice_type, "receipt")
        self.assertEqual(receipt.channel_id, self.channel_email)
        self.assertIn(case.name, receipt.content)
        self.assertIn(self.clerk.name, receipt.content, "the receipt says who handles it")
        self.assertIn(self.partner, receipt.mail_message_id.partner_ids,
                      "an e-mail channel e-mails the customer")

    def test_phone_channel_receipt_is_recorded_not_emailed(self):
        case = self.accepted(channel_id=self.channel_phone.id, readback_confirmed=True)
        self.assertFalse(case.notice_ids.mail_message_id.partner_ids)
        self.assertIn("13800138000", case.notice_ids.recipient)

    def test_not_accepted_with_a_listed_reason(self):
        case = self.register()
        self.end_transaction()  # registering and deciding are two requests
        case.action_not_accept(self.reason_no_evidence, "Please send the delivery note.")
        self.assertEqual(case.state, "not_accepted")
        self.assertEqual(case.not_accepted_reason_id, self.reason_no_evidence)
        notice = case.notice_ids
        self.assertEqual(notice.notice_type, "not_accepted")
        self.assertIn(self.reason_no_evidence.name, notice.content)
        self.assertIn("delivery note", notice.content)
        self.end_transaction()
        tracked = self.env["mail.tracking.value"].sudo().search([
            ("mail_message_id.model", "=", "complaint.case"), ("mail_message_id.res_id", "=", case.id),
            ("field_id.name", "=", "not_accepted_reason_id")])
        self.assertTrue(tracked, "the decision is logged")

    def test_not_accepting_needs_a_reason(self):
        case = self.register()
        with self.assertRaises(UserError):
            case.action_not_accept(self.env["complaint.rejection.reason"])

    def test_not_accept_wizard(self):
        case = self.register()
        action = case.action_open_not_accept_wizard()
        wizard = self.open_wizard(action, self.clerk, {"reason_id": self.reason_no_evidence.id})
        wizard.action_confirm()
        self.assertEqual(case.state, "not_accepted")

    def test_registration_approval_by_a_department_head(self):
        self.company.complaint_registration_approval = True
        self.dept_logistics.member_ids |= self.clerk
        case = self.register()
        case.action_accept()
        self.assertEqual(case.state, "approval")
        self.assertFalse(case.notice_ids, "the receipt waits for the approval")
        self.assertEqual(case.activity_ids.user_id, self.manager)
        with self.assertRaises(AccessError):
            case.with_user(self.handler).action_approve_registration()
        case.with_user(self.manager).action_approve_registration()
        self.assertEqual(case.state, "accepted")
        self.assertEqual(case.registration_approved_by_id, self.manager)
        self.assertEqual(case.notice_ids.notice_type, "receipt")

    def test_the_clerk_cannot_approve_their_own_registration(self):
        self.company.complaint_registration_approval = True
        case = self.register(user=self.office)
        case.with_user(self.office).action_accept()
        with self.assertRaises(AccessError):
            case.with_user(self.office).action_approve_registration()

    def test_delay_notice_is_kept_with_reason_and_new_date(self):
        from datetime import timedelta

        from odoo import fields

        case = self.handling()
        new_date = fields.Datetime.now() + timedelta(days=5)
        case.with_user(self.handler).action_notify_delay("Waiting for the quality lab.", new_date)
        notice = case.notice_ids.filtered(lambda n: n.notice_type == "delay")
        self.assertEqual(notice.reason, "Waiting for the quality lab.")
        self.assertEqual(notice.new_expected_date, new_date)
        self.assertIn("quality lab", notice.content)
        with self.assertRaises(UserError):
            case.with_user(self.handler).action_notify_delay("", new_date)
        with self.assertRaises(UserError):
            case.with_user(self.handler).action_notify_delay("late", fields.Datetime.now() - timedelta(days=1))
