from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestHandling(ComplaintCase):

    def test_four_elements_are_required_before_feedback(self):
        case = self.handling()
        with self.assertRaisesRegex(UserError, "time taken"):
            case.with_user(self.handler).action_submit_feedback()
        self.fill_handling_sheet(case)
        case.with_user(self.handler).action_submit_feedback()
        self.assertEqual(case.state, "feedback")
        self.assertEqual(case.activity_ids.user_id, self.manager)

    def test_someone_outside_the_lead_department_cannot_feed_back(self):
        case = self.handling()
        self.fill_handling_sheet(case)
        with self.assertRaises(AccessError):
            case.with_user(self.handler_mkt).action_submit_feedback()

    def test_manager_signs_and_office_verifies(self):
        case = self.with_feedback()
        self.assertEqual(case.feedback_signed_by_id, self.manager)
        self.assertTrue(case.date_feedback)
        case.with_user(self.office).action_verify()
        self.assertEqual(case.state, "verified")
        self.assertEqual(case.verified_by_id, self.office)
        self.assertEqual(case.validity, "valid")

    def test_a_handler_cannot_sign(self):
        case = self.handling()
        self.fill_handling_sheet(case)
        case.with_user(self.handler).action_submit_feedback()
        with self.assertRaises(AccessError):
            case.with_user(self.handler).action_sign_feedback()

    def test_verification_needs_the_signature(self):
        case = self.handling()
        self.fill_handling_sheet(case)
        case.with_user(self.handler).action_submit_feedback()
        with self.assertRaisesRegex(UserError, "signed"):
            case.with_user(self.office).action_verify()

    def test_only_the_office_verifies(self):
        case = self.with_feedback()
        with self.assertRaises(AccessError):
            case.with_user(self.manager).action_verify()

    def test_office_sends_back_with_a_reason(self):
        case = self.with_feedback()
        with self.assertRaises(UserError):
            case.with_user(self.office).action_send_back("")
        case.with_user(self.office).action_send_back("Attach the driver's log.")
        self.assertEqual(case.state, "handling")
        self.assertFalse(case.feedback_signed_by_id, "a new signature is needed")
        self.assertEqual(case.verification_note, "Attach the driver's log.")
        self.assertEqual(case.activity_ids.user_id, self.handler)

    def test_malicious_cause_makes_the_case_malicious(self):
        case = self.handling()
        self.fill_handling_sheet(case)
        case.with_user(self.handler).cause_type = "malicious"
        case.with_user(self.handler).action_submit_feedback()
        case.with_user(self.manager).action_sign_feedback()
        case.with_user(self.office).action_verify()
        self.assertEqual(case.validity, "malicious")
