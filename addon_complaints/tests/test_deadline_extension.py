from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_deadline import DeadlineCase, local


@tagged("post_install", "-at_install")
class TestDeadlineExtension(DeadlineCase):
    """Extensions: asked with a reason, approved by the office, told to the customer, never
    past the ceiling."""

    def test_extension_moves_the_due_date_and_notifies_the_customer(self):
        self.use_policy(self.policy_securities)
        case = self.handling(date_received=local(2025, 3, 3, 10))
        self.assertEqual(case.date_deadline, local(2025, 3, 6, 18))
        extension = case.with_user(self.handler)._request_extension(
            "Waiting for the exchange's records", 5)
        self.assertEqual(extension.state, "requested")
        self.assertEqual(case.date_deadline, local(2025, 3, 6, 18), "not before approval")
        extension.with_user(self.office).action_approve()
        self.assertEqual(extension.state, "approved")
        self.assertEqual(case.date_deadline, local(2025, 3, 13, 18))
        self.assertEqual(extension.new_due_date, case.date_deadline)
        self.assertEqual(extension.notice_id.notice_type, "delay")
        self.assertEqual(extension.notice_id.new_expected_date, case.date_deadline)
        self.assertIn("exchange", extension.notice_id.reason)

    def test_extension_ceiling(self):
        self.use_policy(self.policy_securities)
        case = self.handling(date_received=local(2025, 3, 3, 10))
        with self.assertRaisesRegex(UserError, "ceiling"):
            case.with_user(self.handler).action_request_extension("Too long", 18)
        first = case.with_user(self.handler)._request_extension("Records", 12)
        first.with_user(self.office).action_approve()
        with self.assertRaisesRegex(UserError, "ceiling"):
            case.with_user(self.handler).action_request_extension("More", 6)
        second = case.with_user(self.handler)._request_extension("Last", 5)
        second.with_user(self.office).action_approve()
        self.assertEqual(sum(case._granted_extensions("reply").mapped("amount")) + 3, 20)
        with self.assertRaises(UserError):
            case.with_user(self.handler).action_request_extension("Beyond", 0.5)

    def test_extension_count_and_senior_approval(self):
        self.use_policy(self.policy_cbirc)
        case = self.handling(date_received=local(2025, 3, 3, 10))
        first = case.with_user(self.handler)._request_extension("Complex case", 15)
        first.with_user(self.office).action_approve()
        self.assertEqual(case.date_deadline, local(2025, 4, 2, 23, 59, 59))
        second = case.with_user(self.handler)._request_extension("Needs appraisal", 30)
        with self.assertRaises(AccessError):
            second.with_user(self.office).action_approve()
        second.with_user(self.env.ref("base.user_admin")).action_approve()
        with self.assertRaisesRegex(UserError, "extension"):
            case.with_user(self.handler).action_request_extension("Third", 1)

    def test_requester_cannot_approve_and_a_handler_cannot_decide(self):
        case = self.handling()
        extension = case.with_user(self.office)._request_extension("Office asks", 1)
        with self.assertRaises(AccessError):
            extension.with_user(self.office).action_approve()
        with self.assertRaises(AccessError):
            extension.with_user(self.handler).action_approve()
        extension.with_user(self.office2).action_refuse("No")
        self.assertEqual(extension.state, "refused")

    def test_no_extension_when_the_stage_has_no_ceiling(self):
        case = self.replied()
        with self.assertRaises(UserError):
            case.with_user(self.office).action_request_extension("Callback later", 1, stage="callback")
