from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestDispatch(ComplaintCase):

    def test_dispatch_to_lead_and_co_handling_departments(self):
        case = self.accepted()
        case.with_user(self.office).action_dispatch(self.dept_logistics, self.dept_marketing,
                                                    self.handler)
        self.assertEqual(case.state, "dispatched")
        self.assertEqual(case.department_id, self.dept_logistics)
        lead = case.assignment_ids.filtered("is_lead")
        co = case.assignment_ids - lead
        self.assertEqual(lead.department_id, self.dept_logistics)
        self.assertEqual(lead.user_id, self.handler)
        self.assertEqual(lead.dispatched_by_id, self.office)
        self.assertTrue(lead.date_dispatched)
        self.assertEqual(co.department_id, self.dept_marketing)
        self.assertEqual(case.activity_ids.user_id, self.manager,
                         "the department manager is asked to accept the order")

    def test_only_the_office_dispatches(self):
        case = self.accepted()
        with self.assertRaises(AccessError):
            case.with_user(self.clerk).action_dispatch(self.dept_logistics)

    def test_manager_accepts_and_the_case_is_handed_over(self):
        case = self.dispatched()
        self.assertEqual(case.owner_user_id, self.clerk)
        self.assertFalse(case.date_handover, "the first-contact owner still owns it")
        case._lead_assignment().with_user(self.manager).action_accept()
        self.assertEqual(case.state, "handling")
        self.assertEqual(case.handler_user_id, self.handler)
        self.assertTrue(case.date_handover)
        self.assertEqual(case.activity_ids.user_id, self.handler)

    def test_a_handler_cannot_accept_a_dispatch_order(self):
        case = self.dispatched()
        with self.assertRaises(AccessError):
            case._lead_assignment().with_user(self.handler).action_accept()

    def test_manager_of_a_parent_department_may_accept(self):
        case = self.dispatched(department=self.dept_county, assignee=self.county_handler)
        case._lead_assignment().with_user(self.manager).action_accept()
        self.assertEqual(case.state, "handling")

    def test_return_with_reason_for_re_dispatch(self):
        case = self.dispatched()
        lead = case._lead_assignment()
        with self.assertRaises(UserError):
            lead.with_user(self.manager).action_return("  ")
        lead.with_user(self.manager).action_return("Pricing belongs to marketing.")
        self.assertEqual(lead.state, "returned")
        self.assertEqual(case.state, "accepted")
        self.assertFalse(case.department_id)
        self.assertIn("Pricing belongs to marketing.", case.message_ids.mapped("body")[0])
        case.with_user(self.office).action_dispatch(self.dept_marketing, assignee=self.handler_mkt)
        self.assertEqual(len(case.assignment_ids), 2, "the returned order stays in the history")
        self.assertEqual(case._lead_assignment().department_id, self.dept_marketing)

    def test_return_wizard(self):
        case = self.dispatched()
        action = case._lead_assignment().with_user(self.manager).action_open_return_wizard()
        wizard = self.open_wizard(action, self.manager, {"reason": "Not ours"})
        wizard.action_confirm()
        self.assertEqual(case.state, "accepted")

    def test_department_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        dept = self.env["complaint.department"].create({"name": "Elsewhere", "company_id": other.id})
        case = self.accepted()
        with self.assertRaises(UserError):
            case.with_user(self.office).action_dispatch(dept)

    def test_manager_is_always_a_member(self):
        self.assertIn(self.manager, self.dept_logistics.member_ids)
        self.assertIn(self.dept_logistics, self.manager.complaint_department_ids)
