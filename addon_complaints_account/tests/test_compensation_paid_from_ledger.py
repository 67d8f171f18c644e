from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AccountCompensationCase


@tagged("post_install", "-at_install")
class TestCompensationPaidFromLedger(AccountCompensationCase):
    """Paid means paid: the ledger, not a button, marks compensation paid, and a cancelled
    or reversed document takes it back to approved."""

    def test_the_button_does_not_pay_what_accounting_pays(self):
        compensation = self.approved(300)
        with self.assertRaisesRegex(UserError, "paid in Accounting"):
            compensation.with_user(self.finance2).action_mark_paid("BANK-1")
        self.assertEqual(compensation.state, "approved")

    def test_cash_payment_posted_pays_and_cancelling_it_takes_it_back(self):
        compensation = self.approved(400)
        payment = compensation.sudo().account_payment_ids
        payment.with_user(self.accountant).action_post()
        self.assertTrue(payment.is_reconciled)
        self.assertEqual(compensation.state, "paid")
        self.assertEqual(compensation.accounting_state, "paid")
        self.assertEqual(compensation.payment_ref, payment.name)
        self.assertAlmostEqual(compensation.amount_paid_company, 400.0)
        payment.with_user(self.accountant).action_cancel()
        self.assertEqual(compensation.state, "approved")
        self.assertEqual(compensation.accounting_state, "reversed")
        self.assertFalse(compensation.date_paid)
        self.assertIn("Back to approved", self.last_message(compensation))

    def test_credit_note_paid_with_the_register_payment_dialog(self):
        compensation = self.approved(300, remedy=self.remedy_refund)
        credit_note = compensation.sudo().account_move_ids
        credit_note.with_user(self.accountant).action_post()
        self.assertEqual(compensation.state, "approved")
        self.assertEqual(compensation.accounting_state, "posted")
        payment = self.pay_credit_note(credit_note)
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        self.assertEqual(compensation.state, "paid")
        self.assertAlmostEqual(compensation.amount_paid_company,
                               abs(payment.amount_company_currency_signed))

    def test_credit_note_and_payment_settle_each_other(self):
        self.rule_cash.document_kind = "credit_note_payment"
        compensation = self.approved(450)
        moves, payments = compensation._accounting_documents()
        payments.with_user(self.accountant).action_post()
        self.assertEqual(compensation.state, "approved")
        moves.with_user(self.accountant).action_post()
        self.assertTrue(payments.is_reconciled)
        self.assertEqual(compensation.state, "paid")
        self.assertAlmostEqual(compensation.amount_paid_company, 450.0)
        # Unreconciling them in Accounting takes the compensation back.
        self.receivable_lines(moves).with_user(self.accountant).remove_move_reconcile()
        self.assertEqual(compensation.state, "approved")
        self.assertEqual(compensation.accounting_state, "posted")

    def test_reversed_credit_note_takes_paid_compensation_back(self):
        compensation = self.approved(300, remedy=self.remedy_refund)
        credit_note = compensation.sudo().account_move_ids
        credit_note.with_user(self.accountant).action_post()
        self.pay_credit_note(credit_note)
        self.assertEqual(compensation.state, "paid")
        reversal = self.env["account.move.reversal"].with_user(self.accountant).with_context(
            active_model="account.move", active_ids=credit_note.ids).create({
                "journal_id": credit_note.journal_id.id, "reason": "Customer returned the money"})
        reversal.modify_moves()
        self.assertEqual(credit_note.payment_state, "reversed")
        self.assertEqual(compensation.state, "approved")
        self.assertEqual(compensation.accounting_state, "reversed")
        self.assertIn("Back to approved", self.last_message(compensation))

    def test_multi_currency_paid_at_the_ledger_amount(self):
        other = self.other_currency()
        compensation = self.approved(100, currency_id=other.id, date_proposal="2025-02-01")
        payment = compensation.sudo().account_payment_ids
        self.assertEqual(payment.currency_id, other)
        self.assertEqual(payment.date, compensation.date_accounting)
        payment.with_user(self.accountant).action_post()
        self.assertEqual(compensation.state, "paid")
        self.assertAlmostEqual(compensation.amount_paid_company, 400.0)
        self.assertAlmostEqual(compensation.amount_company, 200.0)

    def test_reported_paid_amounts_equal_the_reconciled_payments(self):
        """What the quarterly reports read as paid is what the ledger reconciled."""
        other = self.other_currency()
        paid = self.approved(400) | self.approved(100, currency_id=other.id,
                                                   date_proposal="2025-02-01")
        for compensation in paid:
            compensation.sudo().account_payment_ids.with_user(self.accountant).action_post()
        refund = self.approved(300, remedy=self.remedy_refund)
        refund.sudo().account_move_ids.with_user(self.accountant).action_post()
        payment = self.pay_credit_note(refund.sudo().account_move_ids)
        unpaid = self.approved(250)
        ids = (paid | refund | unpaid).ids
        rows = self.env["complaint.compensation"].with_user(self.finance).search_read(
            [("id", "in", ids)], ["state", "accounting_state", "amount_paid_company",
                                  "amount_approved_company"])
        reported = sum(r["amount_paid_company"] for r in rows if r["state"] == "paid")
        reconciled = self.env["account.payment"].search([
            "|", ("complaint_compensation_id", "in", ids), ("id", "=", payment.id),
            ("is_reconciled", "=", True), ("state", "in", ("in_process", "paid"))])
        self.assertAlmostEqual(reported, sum(abs(p.amount_company_currency_signed)
                                             for p in reconciled))
        self.assertAlmostEqual(reported, 400.0 + 400.0 + 300.0)
        by_id = {r["id"]: r for r in rows}
        self.assertEqual(by_id[unpaid.id]["accounting_state"], "draft")
        self.assertEqual(by_id[unpaid.id]["amount_paid_company"], 0.0)
        self.assertEqual(by_id[unpaid.id]["amount_approved_company"], 250.0)
