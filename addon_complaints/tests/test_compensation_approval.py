from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .compensation_common import DEPUTY_GM, FINANCE, ComplaintCompensationCase

APPROVAL_ACTIVITY = "addon_complaints.mail_activity_type_compensation_approval"


@tagged("post_install", "-at_install")
class TestCompensationApproval(ComplaintCompensationCase):

    def approval_activities(self, compensation):
        activity_type = self.env.ref(APPROVAL_ACTIVITY)
        return compensation.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)

    def test_handler_proposes_on_the_case(self):
        case = self.case_in_handling()
        compensation = self.propose(300, case=case)
        self.assertEqual(compensation.state, "draft")
        self.assertEqual(compensation.proposed_by_id, self.handler)
        self.assertEqual(compensation.currency_id, self.currency, "company currency by default")
        self.assertEqual(case.compensation_ids, compensation)
        self.assertEqual(case.compensation_count, 1)
        action = case.action_view_compensations()
        self.assertEqual(action["context"]["default_case_id"], case.id)

    def test_submission_needs_the_cause_analysis_and_a_justification(self):
        case = self.handling()
        compensation = self.propose(300, case=case)
        with self.assertRaisesRegex(UserError, "cause analysis"):
            compensation.with_user(self.handler).action_submit()
        self.fill_handling_sheet(case)
        compensation.with_user(self.handler).justification = " "
        with self.assertRaisesRegex(UserError, "Justify"):
            compensation.with_user(self.handler).action_submit()

    def test_no_compensation_on_a_case_not_accepted(self):
        case = self.register()
        with self.assertRaises(UserError):
            self.propose(100, case=case, user=self.office)

    def test_finance_approves_with_an_activity_and_a_trail(self):
        compensation = self.submitted(3000)
        users = self.approval_activities(compensation).user_id
        self.assertLessEqual(self.finance | self.finance2, users, "one activity per approver")
        self.assertTrue(all(user.has_group(FINANCE) for user in users))
        self.assertEqual(len(users), len(self.approval_activities(compensation)))
        self.end_transaction()
        compensation.with_user(self.finance).action_approve("Within policy.")
        self.assertEqual(compensation.state, "approved")
        self.assertEqual(compensation.amount_approved, 3000)
        self.assertTrue(compensation.date_approved)
        self.assertFalse(self.approval_activities(compensation), "nothing waits any more")
        line = compensation.approval_line_ids
        self.assertEqual(line.state, "approved")
        self.assertEqual(line.decided_by_id, self.finance)
        self.assertTrue(line.date_decided)
        self.assertEqual(line.amount, 3000)
        self.assertEqual(line.comment, "Within policy.")
        bodies = " ".join(compensation.message_ids.mapped("body"))
        self.assertIn("Finance Qian", bodies)
        self.assertIn("Within policy.", bodies)

    def test_chain_in_order_with_an_activity_per_step(self):
        compensation = self.submitted(8000)
        compensation.with_user(self.finance).action_approve()
        self.assertEqual(compensation.state, "to_approve")
        users = self.approval_activities(compensation).user_id
        self.assertIn(self.deputy, users)
        self.assertTrue(all(user.has_group(DEPUTY_GM) for user in users))
        self.assertEqual(compensation.current_approver, self.env.ref(
            "addon_complaints.group_complaint_deputy_gm").name)
        compensation.with_user(self.deputy).action_approve("Major case, agreed.")
        self.assertEqual(compensation.state, "approved")
        self.assertEqual(compensation.approval_line_ids.decided_by_id, self.finance | self.deputy)

    def test_rejection_goes_back_to_the_handler_and_resubmission_starts_a_new_round(self):
        compensation = self.submitted(8000)
        with self.assertRaisesRegex(UserError, "why"):
            compensation.with_user(self.finance).action_reject("")
        compensation.with_user(self.finance).action_reject("The claim is not documented.")
        self.assertEqual(compensation.state, "rejected")
        self.assertEqual(compensation.approval_line_ids.mapped("state"), ["rejected", "cancelled"])
        self.assertEqual(self.approval_activities(compensation).user_id, self.handler)
        compensation.with_user(self.handler).write({"amount": 4000, "justification": "Receipts attached."})
        compensation.with_user(self.handler).action_submit()
        self.assertEqual(compensation.state, "to_approve")
        self.assertEqual(compensation.approval_round, 2)
        self.assertEqual(len(compensation.approval_line_ids), 3, "the first round is kept")
        self.assertEqual(self.chain(compensation), [self.env.ref(FINANCE)])
        compensation.with_user(self.finance).action_approve()
        self.assertEqual(compensation.state, "approved")
        self.assertEqual(compensation.amount_approved, 4000)

    def test_a_changed_amount_restarts_the_chain(self):
        compensation = self.submitted(8000)
        compensation.with_user(self.finance).action_approve()
        compensation.with_user(self.handler).amount = 9000
        self.assertEqual(compensation.state, "to_approve")
        self.assertEqual(compensation.approval_round, 2)
        current = compensation.approval_line_ids.filtered(lambda line: line.round == 2)
        self.assertEqual(current.mapped("state"), ["pending", "pending"])
        self.assertEqual(current.mapped("amount"), [9000, 9000])
        self.assertEqual(compensation.approval_line_ids.filtered(
            lambda line: line.round == 1).mapped("state"), ["approved", "cancelled"])
        compensation.with_user(self.finance).action_approve()
        compensation.with_user(self.deputy).action_approve()
        self.assertEqual(compensation.amount_approved, 9000)

    def test_the_customer_is_never_promised_more_than_approved(self):
        compensation = self.submitted(400)
        compensation.with_user(self.manager).action_approve()
        self.assertEqual(compensation.amount_approved, 400)
        compensation.with_user(self.handler).amount = 450
        self.assertEqual(compensation.state, "to_approve", "a raise needs a new approval")
        self.assertFalse(compensation.amount_approved)
        with self.assertRaises(UserError):
            compensation.with_user(self.finance).action_mark_paid("PAY-1")
        # Unchanged values do not restart anything.
        compensation.with_user(self.manager).action_approve()
        compensation.with_user(self.handler).write({"amount": 450, "justification": "Same."})
        self.assertEqual(compensation.state, "approved")

    def test_finance_marks_approved_compensation_paid(self):
        compensation = self.submitted(3000)
        compensation.with_user(self.finance).action_approve()
        with self.assertRaises(AccessError):
            compensation.with_user(self.office).action_mark_paid("PAY-2026-001")
        with self.assertRaises(UserError):
            compensation.with_user(self.finance).action_mark_paid(" ")
        wizard_action = compensation.with_user(self.finance).action_open_payment_wizard()
        self.open_wizard(wizard_action, self.finance, {"payment_ref": "PAY-2026-001"}).action_confirm()
        self.assertEqual(compensation.state, "paid")
        self.assertEqual(compensation.payment_ref, "PAY-2026-001")
        self.assertTrue(compensation.date_paid)
        self.assertEqual(compensation.paid_by_id, self.finance)
        with self.assertRaises(UserError):
            compensation.with_user(self.handler).amount = 1

    def test_approvals_waiting_for_me_with_totals_and_approval_from_the_list(self):
        first = self.submitted(1000)
        second = self.submitted(2000)
        small = self.submitted(100)
        Compensation = self.env["complaint.compensation"]
        mine = Compensation.with_user(self.finance).search([("waiting_for_me", "=", True)])
        self.assertEqual(mine, first | second)
        self.assertFalse(Compensation.with_user(self.handler).search([("waiting_for_me", "=", True)]),
                         "the proposer waits for nobody")
        self.assertIn(small, Compensation.with_user(self.manager).search([("waiting_for_me", "=", True)]))
        self.assertNotIn(small, Compensation.with_user(self.finance).search(
            [("waiting_for_me", "=", True)]))
        self.assertIn(small, Compensation.with_user(self.finance).search(
            [("waiting_for_me", "!=", True)]))
        totals = Compensation.with_user(self.finance).read_group(
            [("waiting_for_me", "=", True)], ["amount_company:sum"], [])
        self.assertEqual(totals[0]["amount_company"], 3000)
        action = mine.action_open_approve_wizard()
        self.open_wizard(action, self.finance, {"comment": "Batch approval"}).action_confirm()
        self.assertEqual((first | second).mapped("state"), ["approved", "approved"])
        self.assertFalse(Compensation.with_user(self.finance).search([("waiting_for_me", "=", True)]))

    def test_reject_from_the_dialog(self):
        compensation = self.submitted(1000)
        action = compensation.action_open_reject_wizard()
        self.open_wizard(action, self.finance, {"comment": "Too much"}).action_confirm()
        self.assertEqual(compensation.state, "rejected")

    def test_only_unsubmitted_proposals_are_deleted(self):
        draft = self.propose(100)
        draft.with_user(self.handler).unlink()
        compensation = self.submitted(3000)
        compensation.with_user(self.finance).action_reject("No")
        with self.assertRaises(UserError):
            compensation.with_user(self.handler).unlink()
