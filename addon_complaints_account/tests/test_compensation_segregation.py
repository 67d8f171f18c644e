from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AccountCompensationCase


@tagged("post_install", "-at_install")
class TestCompensationSegregation(AccountCompensationCase):
    """Whoever approved the last tier does not post the money out; posting stays with
    Accounting's own groups."""

    def test_last_approver_cannot_post_the_payment(self):
        compensation = self.approved(1000, approver=self.finance_accountant)
        self.assertEqual(compensation._last_approver(), self.finance_accountant)
        payment = compensation.sudo().account_payment_ids
        with self.assertRaisesRegex(AccessError, "approved the last tier"):
            payment.with_user(self.finance_accountant).action_post()
        self.assertEqual(payment.state, "draft")
        self.assertEqual(compensation.state, "approved")
        payment.with_user(self.accountant).action_post()
        self.assertEqual(compensation.state, "paid")

    def test_last_approver_cannot_post_the_credit_note(self):
        compensation = self.approved(1000, remedy=self.remedy_refund,
                                     approver=self.finance_accountant)
        credit_note = compensation.sudo().account_move_ids
        with self.assertRaisesRegex(AccessError, "approved the last tier"):
            credit_note.with_user(self.finance_accountant).action_post()
        self.assertEqual(credit_note.state, "draft")

    def test_posting_rights_are_accountings_own(self):
        compensation = self.approved(1000)
        payment = compensation.sudo().account_payment_ids
        with self.assertRaises(AccessError):
            payment.with_user(self.finance2).action_post()
        with self.assertRaises(AccessError):
            payment.with_user(self.handler).action_post()
        self.assertEqual(payment.state, "draft")

    def test_an_accountant_who_approved_an_earlier_step_may_post(self):
        # 6,000: finance, then the deputy general manager approves the last tier.
        compensation = self.propose(6000, case=self.case_in_handling(
            partner_id=self.customer().id))
        compensation.with_user(self.handler).action_submit()
        compensation.with_user(self.finance_accountant).action_approve("Finance agrees.")
        compensation.with_user(self.deputy).action_approve("Agreed.")
        self.assertEqual(compensation._last_approver(), self.deputy)
        payment = compensation.sudo().account_payment_ids
        payment.with_user(self.finance_accountant).action_post()
        self.assertEqual(compensation.state, "paid")

    def test_last_approver_cannot_pay_the_credit_note_with_register_payment(self):
        compensation = self.approved(1000, remedy=self.remedy_refund,
                                     approver=self.finance_accountant)
        credit_note = compensation.sudo().account_move_ids
        credit_note.with_user(self.accountant).action_post()
        # assertRaises (not ...Regex) rolls the refused reconciliation back.
        with self.assertRaises(AccessError) as refused:
            self.pay_credit_note(credit_note, user=self.finance_accountant)
        self.assertIn("approved the last tier", str(refused.exception))
        self.assertEqual(compensation.state, "approved")
        self.pay_credit_note(credit_note, user=self.accountant)
        self.assertEqual(compensation.state, "paid")
