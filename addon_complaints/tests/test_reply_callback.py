from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestReplyAndCallback(ComplaintCase):

    def test_reply_on_the_channel_used(self):
        case = self.replied()
        self.assertEqual(case.state, "replied")
        reply = case.notice_ids.filtered(lambda n: n.notice_type == "reply")
        self.assertEqual(reply.channel_id, self.channel_email)
        self.assertIn("spare truck", reply.content)
        self.assertIn(self.partner, reply.mail_message_id.partner_ids)

    def test_reply_needs_text(self):
        case = self.with_feedback()
        case.with_user(self.office).action_verify()
        with self.assertRaises(UserError):
            case.with_user(self.office).action_reply()

    def test_the_handler_cannot_call_back(self):
        case = self.replied()
        with self.assertRaises(AccessError):
            case.with_user(self.handler).action_callback("satisfied")

    def test_anyone_involved_cannot_call_back(self):
        case = self.replied()
        with self.assertRaises(AccessError):
            case.with_user(self.manager).action_callback("satisfied")

    def test_an_uninvolved_user_calls_back(self):
        case = self.replied()
        case.with_user(self.office2).action_callback("satisfied", "Happy with the apology.")
        self.assertEqual(case.callback_user_id, self.office2)
        self.assertEqual(case.satisfaction, "satisfied")
        self.assertEqual(case.state, "replied")

    def test_dissatisfied_reopens_and_dispatches_again(self):
        case = self.replied()
        case.with_user(self.office2).action_callback("dissatisfied", "Still late this week.")
        self.assertEqual(case.state, "accepted")
        self.assertEqual(case.reopen_count, 1)
        self.assertFalse(case.verified_by_id)
        self.assertTrue(all(a.state == "done" for a in case.assignment_ids))
        self.assertTrue(any("reopened" in body for body in case.message_ids.mapped("body")))
        case.with_user(self.office).action_dispatch(self.dept_logistics, assignee=self.handler)
        self.assertEqual(case._lead_assignment().round, 2, "the loop shows in the history")

    def test_problem_recurred_also_reopens(self):
        case = self.replied()
        case.with_user(self.office2).action_callback("basically_satisfied", problem_recurred=True)
        self.assertEqual(case.state, "accepted")

    def test_callback_wizard(self):
        case = self.replied()
        action = case.with_user(self.office2).action_open_callback_wizard()
        wizard = self.open_wizard(action, self.office2, {"satisfaction": "satisfied"})
        wizard.action_confirm()
        self.assertEqual(case.satisfaction, "satisfied")
