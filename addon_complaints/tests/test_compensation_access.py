from odoo.exceptions import AccessError
from odoo.tests import tagged

from .compensation_common import ComplaintCompensationCase


@tagged("post_install", "-at_install")
class TestCompensationAccess(ComplaintCompensationCase):
    """Who sees, proposes, approves and configures compensation, role by role."""

    def visible(self, user, compensation):
        return bool(self.env["complaint.compensation"].with_user(user).search(
            [("id", "=", compensation.id)]))

    def setUp(self):
        super().setUp()
        self.compensation = self.submitted(3000)
        other_case = self.case_in_handling(category_id=self.cat_quality.id, subject="Broken",
                                           partner_id=False, partner_name="Other customer")
        self.other = self.propose(200, case=other_case)

    def test_intake_clerk_reads_the_compensation_of_their_cases(self):
        self.assertTrue(self.visible(self.clerk, self.compensation))
        self.assertFalse(self.visible(self.clerk2, self.compensation))
        with self.assertRaises(AccessError):
            self.compensation.with_user(self.clerk).write({"justification": "x"})
        with self.assertRaises(AccessError):
            self.propose(10, case=self.compensation.case_id, user=self.clerk)

    def test_handler_works_on_their_departments_cases_only(self):
        self.assertTrue(self.visible(self.handler, self.compensation))
        self.compensation.with_user(self.handler).write({"justification": "Receipts attached."})
        self.assertFalse(self.visible(self.handler_mkt, self.compensation))
        with self.assertRaises(AccessError):
            self.compensation.with_user(self.handler_mkt).write({"justification": "meddling"})

    def test_manager_sees_the_departments_below(self):
        self.assertTrue(self.visible(self.manager, self.compensation))
        self.assertFalse(self.visible(self.county_handler, self.compensation))

    def test_office_finance_and_leadership_see_everything(self):
        for user in (self.office, self.finance, self.leader):
            self.assertTrue(self.visible(user, self.compensation), user.name)
            self.assertTrue(self.visible(user, self.other), user.name)
            self.assertTrue(self.compensation.approval_line_ids.with_user(user).read(["state"]))
        with self.assertRaises(AccessError):
            self.compensation.with_user(self.leader).write({"justification": "x"})

    def test_a_named_approver_sees_only_the_proposals_in_their_chain(self):
        self.assertFalse(self.visible(self.deputy, self.compensation))
        large = self.submitted(6000)
        self.assertTrue(self.visible(self.deputy, large))
        self.assertTrue(large.approval_line_ids.with_user(self.deputy).read(["state"]))
        with self.assertRaises(AccessError):
            self.compensation.approval_line_ids.with_user(self.deputy).read(["state"])
        # Approvers read the case's subject and cause analysis on the proposal itself.
        self.assertTrue(large.with_user(self.deputy).case_cause_analysis)

    def test_a_plain_user_sees_none(self):
        self.assertFalse(self.visible(self.outsider, self.compensation))
        with self.assertRaises(AccessError):
            self.compensation.with_user(self.outsider).read(["amount"])

    def test_approvers_discuss_in_the_chatter(self):
        self.compensation.with_user(self.finance).message_post(body="Please attach the receipt.")
        self.assertIn("Please attach the receipt.",
                      " ".join(self.compensation.message_ids.mapped("body")))

    def test_only_the_administrator_configures(self):
        for user in (self.office, self.finance):
            with self.assertRaises(AccessError, msg=user.name):
                self.tier_finance.with_user(user).write({"amount_max": 1000000})
            with self.assertRaises(AccessError, msg=user.name):
                self.remedy_cash.with_user(user).write({"name": "Cash"})
        admin = self.env.ref("base.user_admin")
        self.tier_finance.with_user(admin).write({"amount_max": 6000})
        self.env["complaint.remedy.type"].with_user(admin).create(
            {"name": "Sent to the factory for decision", "code": "factory_decision"})
