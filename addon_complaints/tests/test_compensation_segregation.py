from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import HANDLER
from .compensation_common import DEPUTY_GM, FINANCE, ComplaintCompensationCase


@tagged("post_install", "-at_install")
class TestCompensationSegregation(ComplaintCompensationCase):
    """Every refusal is made by the server, on the public methods the web client and the
    external API both call, whatever buttons are shown."""

    def test_the_proposer_never_approves_their_own_proposal(self):
        # A handler who is also a finance approver proposes 3,000 (finance's tier).
        self.handler.groups_id = [(4, self.env.ref(FINANCE).id)]
        compensation = self.submitted(3000)
        with self.assertRaisesRegex(AccessError, "proposed"):
            compensation.with_user(self.handler).action_approve()
        with self.assertRaisesRegex(AccessError, "proposed"):
            compensation.with_user(self.handler).action_reject("Changed my mind")
        self.assertNotIn(compensation, self.env["complaint.compensation"].with_user(
            self.handler).search([("waiting_for_me", "=", True)]))
        compensation.with_user(self.finance).action_approve()
        self.assertEqual(compensation.state, "approved")

    def test_whoever_resubmits_a_changed_amount_cannot_approve_it(self):
        self.office.groups_id = [(4, self.env.ref(FINANCE).id)]
        compensation = self.submitted(3000)
        compensation.with_user(self.office).amount = 3500
        with self.assertRaisesRegex(AccessError, "proposed"):
            compensation.with_user(self.office).action_approve()

    def test_no_second_approval_by_the_same_user_in_one_chain(self):
        self.finance.groups_id = [(4, self.env.ref(DEPUTY_GM).id)]
        compensation = self.submitted(8000)
        compensation.with_user(self.finance).action_approve()
        with self.assertRaisesRegex(AccessError, "already approved"):
            compensation.with_user(self.finance).action_approve()
        self.assertNotIn(self.finance, compensation.activity_ids.user_id)
        compensation.with_user(self.deputy).action_approve()
        self.assertEqual(compensation.state, "approved")

    def test_an_approver_of_a_lower_tier_cannot_approve_above_it(self):
        compensation = self.submitted(8000)
        # The department manager approves up to 500 only.
        with self.assertRaisesRegex(AccessError, "may not decide"):
            compensation.with_user(self.manager).action_approve()
        # Finance approves up to 5,000: above that the deputy general manager must approve too.
        compensation.with_user(self.finance).action_approve()
        self.assertEqual(compensation.state, "to_approve")
        with self.assertRaises(AccessError):
            compensation.with_user(self.finance2).action_approve()
        self.assertEqual(compensation.state, "to_approve")

    def test_approvers_decide_in_order(self):
        compensation = self.submitted(8000)
        with self.assertRaisesRegex(UserError, "first"):
            compensation.with_user(self.deputy).action_approve()
        self.assertEqual(compensation.approval_line_ids.mapped("state"), ["pending", "pending"])

    def test_a_user_outside_the_chain_is_refused_through_the_external_api(self):
        compensation = self.submitted(3000)
        for user in (self.outsider, self.clerk, self.office, self.deputy, self.handler_mkt):
            with self.assertRaises(AccessError, msg=user.name):
                compensation.with_user(user).action_approve()
            with self.assertRaises(AccessError, msg=user.name):
                compensation.with_user(user).action_reject("No")
        self.assertEqual(compensation.state, "to_approve")

    def test_state_and_trail_cannot_be_written_by_hand(self):
        compensation = self.submitted(3000)
        for values in ({"state": "approved"}, {"amount_approved": 3000},
                       {"current_line_id": False}, {"proposed_by_id": self.finance.id}):
            with self.assertRaises(UserError, msg=str(values)):
                compensation.with_user(self.handler).write(values)
        with self.assertRaises(UserError):
            self.env["complaint.compensation"].with_user(self.handler).create({
                "case_id": compensation.case_id.id, "remedy_type_id": self.remedy_cash.id,
                "amount": 10, "state": "approved"})
        with self.assertRaises(AccessError):
            compensation.with_user(self.finance).write({"amount": 1})

    def test_approval_lines_are_never_edited_afterwards(self):
        compensation = self.submitted(8000)
        compensation.with_user(self.finance).action_approve("ok")
        decided = compensation.approval_line_ids.filtered(lambda line: line.state == "approved")
        pending = compensation.approval_line_ids - decided
        for user in (self.finance, self.office, self.env.ref("base.user_admin")):
            with self.assertRaises(AccessError, msg=user.name):
                decided.with_user(user).write({"comment": "rewritten"})
            with self.assertRaises(AccessError, msg=user.name):
                decided.with_user(user).unlink()
            with self.assertRaises(AccessError, msg=user.name):
                self.env["complaint.approval.line"].with_user(user).create({
                    "compensation_id": compensation.id, "approver_label": "Me"})
        # Not even the superuser rewrites a decision or the frozen chain.
        with self.assertRaises(UserError):
            decided.sudo().write({"comment": "rewritten"})
        with self.assertRaises(UserError):
            pending.sudo().write({"user_id": self.office.id})
        with self.assertRaises(UserError):
            decided.sudo().unlink()

    def test_the_employee_complained_about_cannot_approve(self):
        case = self.case_in_handling(respondent_user_id=self.finance.id)
        compensation = self.propose(3000, case=case)
        compensation.with_user(self.handler).action_submit()
        with self.assertRaises(ValidationError):
            compensation.with_user(self.finance).action_approve()
        compensation.with_user(self.finance2).action_approve()

    def test_only_the_handlers_of_the_case_propose(self):
        case = self.case_in_handling()
        stranger = new_test_user(self.env, "t_stranger", groups=f"base.group_user,{HANDLER}")
        with self.assertRaises(AccessError):
            self.propose(100, case=case, user=stranger)
        with self.assertRaises(AccessError):
            self.propose(100, case=case, user=self.finance)
        compensation = self.propose(100, case=case)
        with self.assertRaises(AccessError):
            compensation.with_user(self.finance).action_submit()
