from odoo.tests import HttpCase, new_test_user, tagged

from .common import HANDLER, INTAKE, MANAGER, OFFICE


@tagged("post_install", "-at_install")
class TestComplaintStoryTour(HttpCase):
    """One complaint walked through a real browser by the users who would handle it."""

    def test_story(self):
        clerk = new_test_user(self.env, "tour_clerk", groups=f"base.group_user,{INTAKE}",
                              name="Clerk Tour")
        handler = new_test_user(self.env, "tour_handler", groups=f"base.group_user,{HANDLER}",
                                name="Handler Tour")
        manager = new_test_user(self.env, "tour_manager", groups=f"base.group_user,{MANAGER}",
                                name="Manager Tour")
        office = new_test_user(self.env, "tour_office", groups=f"base.group_user,{OFFICE}",
                               name="Office Tour")
        callback = new_test_user(self.env, "tour_callback", groups=f"base.group_user,{OFFICE}",
                                 name="Callback Tour")
        self.env["complaint.department"].create({
            "name": "Logistics Tour Dept", "manager_id": manager.id,
            "member_ids": [(6, 0, [handler.id])],
        })
        self.env["complaint.routing.rule"].search([]).active = False

        self.start_tour("/odoo", "complaint_story_clerk_registers", login=clerk.login)
        case = self.env["complaint.case"].search([("subject", "=", "Cartons delivered wet")])
        self.assertEqual(case.state, "accepted")
        self.assertEqual(case.owner_user_id, clerk)
        self.assertEqual(case.partner_id.name, "Tour Customer", "the complainant was created")
        self.assertEqual(case.notice_ids.notice_type, "receipt")

        url = f"/odoo/action-addon_complaints.complaint_case_action/{case.id}"
        self.start_tour(url, "complaint_story_office_dispatches", login=office.login)
        self.assertEqual(case.state, "dispatched")
        self.assertEqual(case._lead_assignment().user_id, handler)

        case._lead_assignment().with_user(manager).action_accept()
        self.start_tour(url, "complaint_story_handler_feeds_back", login=handler.login)
        self.assertEqual(case.state, "feedback")
        self.assertEqual(case.handling_hours, 2.5)

        case.with_user(manager).action_sign_feedback()
        case.with_user(office).action_verify()
        case.with_user(office).reply_text = "We replaced the cartons and repaired the truck."
        case.with_user(office).action_reply()
        case.with_user(callback).action_callback("satisfied")
        self.start_tour(url, "complaint_story_office_closes", login=office.login)
        self.assertEqual(case.state, "closed")
        self.assertEqual(case.closure_criterion, "customer_accepts")
