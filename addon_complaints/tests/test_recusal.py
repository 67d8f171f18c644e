from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestRecusal(ComplaintCase):

    def test_the_employee_complained_about_cannot_handle(self):
        case = self.accepted(respondent_user_id=self.handler.id)
        with self.assertRaises(ValidationError):
            case.with_user(self.office).action_dispatch(self.dept_logistics, assignee=self.handler)

    def test_the_employee_complained_about_cannot_verify(self):
        case = self.with_feedback(respondent_user_id=self.office.id)
        with self.assertRaises(ValidationError):
            case.with_user(self.office).action_verify()
        case.with_user(self.office2).action_verify()
        self.assertEqual(case.verified_by_id, self.office2)

    def test_the_employee_complained_about_cannot_call_back(self):
        case = self.replied(respondent_user_id=self.office2.id)
        with self.assertRaises(AccessError):
            case.with_user(self.office2).action_callback("satisfied")

    def test_declared_interest_steps_aside(self):
        case = self.handling()
        case.with_user(self.handler).action_declare_interest()
        self.assertIn(self.handler, case.interested_user_ids)
        self.assertFalse(case.handler_user_id)
        self.assertEqual(case.activity_ids.user_id, self.manager, "the manager assigns someone else")
        with self.assertRaises(ValidationError):
            case.with_user(self.manager).action_assign_handler(self.handler)
        case.with_user(self.manager).action_assign_handler(self.county_handler.id)
        self.assertEqual(case.handler_user_id, self.county_handler)

    def test_declared_interest_blocks_the_callback(self):
        case = self.replied()
        case.with_user(self.office2).action_declare_interest()
        with self.assertRaises(AccessError):
            case.with_user(self.office2).action_callback("satisfied")

    def test_the_manager_assigns_another_handler_through_the_dialog(self):
        case = self.handling()
        case.with_user(self.handler).action_declare_interest()
        action = case.with_user(self.manager).action_open_assign_handler_wizard()
        wizard = self.open_wizard(action, self.manager, {"user_id": self.handler.id})
        with self.assertRaises(ValidationError):
            wizard.action_confirm()
        wizard = self.open_wizard(action, self.manager, {"user_id": self.county_handler.id})
        wizard.action_confirm()
        self.assertEqual(case.handler_user_id, self.county_handler)
        with self.assertRaises(AccessError):
            case.with_user(self.handler_mkt).action_assign_handler(self.handler_mkt)
