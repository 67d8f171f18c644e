from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import AccountCompensationCase


@tagged("post_install", "-at_install")
class TestCompensationDocuments(AccountCompensationCase):
    """Approval completes → a draft document of the kind the company's rule says, linked
    both ways, at the approved amount, currency and the rate of the approval date."""

    def test_refund_becomes_a_draft_credit_note_linked_both_ways(self):
        compensation = self.approved(300, remedy=self.remedy_refund)
        credit_note = compensation.sudo().account_move_ids
        self.assertEqual(len(credit_note), 1)
        self.assertRecordValues(credit_note, [{
            "move_type": "out_refund", "state": "draft", "partner_id": compensation.case_id.partner_id.id,
            "journal_id": self.journal_sale.id, "currency_id": self.company.currency_id.id,
            "amount_total": 300.0, "complaint_compensation_id": compensation.id,
            "complaint_case_ref": compensation.case_id.name,
        }])
        self.assertEqual(credit_note.invoice_line_ids.account_id, self.account_expense)
        self.assertFalse(credit_note.invoice_line_ids.tax_ids)
        self.assertEqual(compensation.accounting_state, "draft")
        self.assertIn("(", compensation.with_user(self.handler).accounting_summary)
        self.assertIn("Created in Accounting", self.last_message(compensation))
        # The complaint side reads the summary, never the ledger itself.
        self.assertNotIn("account_move_ids",
                         compensation.with_user(self.handler).fields_get(["account_move_ids"]))
        # The accountant sees the case and the proposal on the credit note.
        self.assertEqual(credit_note.with_user(self.accountant).complaint_compensation_id.display_name,
                         compensation.display_name)

    def test_cash_becomes_an_outbound_customer_payment_booked_on_the_account(self):
        compensation = self.approved(400)
        payment = compensation.sudo().account_payment_ids
        self.assertRecordValues(payment, [{
            "payment_type": "outbound", "partner_type": "customer", "state": "draft",
            "amount": 400.0, "journal_id": self.journal_bank.id,
            "destination_account_id": self.account_expense.id,
            "partner_id": compensation.case_id.partner_id.id,
        }])
        self.assertFalse(compensation.sudo().account_move_ids)

    def test_cash_as_credit_note_and_payment(self):
        self.rule_cash.document_kind = "credit_note_payment"
        compensation = self.approved(450)
        moves, payments = compensation._accounting_documents()
        self.assertEqual(moves.move_type, "out_refund")
        self.assertEqual(moves.amount_total, 450.0)
        self.assertEqual(payments.amount, 450.0)
        # The payment settles the customer's account, not the expense account.
        self.assertEqual(payments.destination_account_id.account_type, "asset_receivable")

    def test_voucher_without_a_loyalty_program_is_a_credit_note(self):
        compensation = self.approved(200, remedy=self.remedy_voucher)
        self.assertEqual(compensation.sudo().account_move_ids.move_type, "out_refund")
        self.assertFalse(compensation.voucher_card_ref)

    def test_replacement_creates_nothing_and_keeps_the_manual_payment(self):
        compensation = self.approved(300, remedy=self.remedy_replacement)
        self.assertEqual(compensation.accounting_state, "none")
        self.assertFalse(compensation.sudo().account_move_ids)
        self.assertFalse(compensation.sudo().account_payment_ids)
        compensation.with_user(self.finance2).action_mark_paid("BANK-1")
        self.assertEqual(compensation.state, "paid")

    def test_remedy_without_rule_creates_nothing(self):
        self.rule_cash.unlink()
        compensation = self.approved(300)
        self.assertEqual(compensation.accounting_state, "none")

    def test_amount_and_rate_of_the_approval_date(self):
        other = self.other_currency()
        # 100 at the proposal date (1 company unit = 0.5) is 200; at the approval date
        # (0.25 from March 2025 on) the ledger books 400.
        compensation = self.approved(100, remedy=self.remedy_refund, currency_id=other.id,
                                     date_proposal="2025-02-01")
        self.assertAlmostEqual(compensation.amount_company, 200.0)
        self.assertAlmostEqual(compensation.amount_approved_company, 400.0)
        credit_note = compensation.sudo().account_move_ids
        self.assertEqual(credit_note.currency_id, other)
        self.assertAlmostEqual(credit_note.amount_total, 100.0)
        self.assertAlmostEqual(credit_note.amount_total_signed, -400.0)
        self.assertEqual(credit_note.invoice_date, compensation.date_accounting)

    def test_partial_refund_against_the_invoice(self):
        partner = self.customer()
        invoice = self.invoice(partner, 1000.0)
        compensation = self.approved(300, remedy=self.remedy_refund, partner=partner,
                                     invoice_id=invoice.id)
        credit_note = compensation.sudo().account_move_ids
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.amount_total, 300.0)
        self.assertEqual(credit_note.invoice_line_ids.account_id, self.account_expense)
        # Posting settles the credit note against the invoice it reverses.
        credit_note.with_user(self.accountant).action_post()
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(compensation.state, "paid")
        self.assertAlmostEqual(compensation.amount_paid_company, 300.0)

    def test_full_refund_reverses_the_invoice(self):
        partner = self.customer()
        invoice = self.invoice(partner, 800.0)
        compensation = self.approved(800, remedy=self.remedy_refund, partner=partner,
                                     invoice_id=invoice.id)
        credit_note = compensation.sudo().account_move_ids
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.invoice_line_ids.account_id,
                         invoice.invoice_line_ids.account_id)
        self.assertEqual(credit_note.amount_total, invoice.amount_total)
        self.assertEqual(credit_note.complaint_compensation_id, compensation)
        credit_note.with_user(self.accountant).action_post()
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertEqual(compensation.state, "paid")

    def test_invoice_of_another_customer_is_refused(self):
        invoice = self.invoice(self.customer(), 100.0)
        with self.assertRaises(ValidationError):
            self.approved(100, remedy=self.remedy_refund, invoice_id=invoice.id)

    def test_accounting_fields_are_not_written_by_hand(self):
        compensation = self.approved(300, remedy=self.remedy_refund)
        with self.assertRaisesRegex(UserError, "amount_approved_company"):
            compensation.with_user(self.handler).write({"amount_approved_company": 1.0})
        # Finance may not write proposals at all; a handler may, but not the state.
        with self.assertRaises(AccessError):
            compensation.with_user(self.finance).write({"state": "paid"})
        with self.assertRaisesRegex(UserError, "state"):
            compensation.with_user(self.handler).write({"state": "paid"})

    def test_documents_are_created_again_only_by_accounting(self):
        compensation = self.approved(300, remedy=self.remedy_refund)
        with self.assertRaises(UserError):
            compensation.with_user(self.accountant).action_create_accounting_documents()
        compensation.sudo().account_move_ids.with_user(self.accountant).button_cancel()
        self.assertEqual(compensation.accounting_state, "reversed")
        with self.assertRaises(AccessError):
            compensation.with_user(self.finance).action_create_accounting_documents()
        compensation.with_user(self.accountant).action_create_accounting_documents()
        self.assertEqual(compensation.accounting_state, "draft")
        self.assertEqual(len(compensation.sudo().account_move_ids), 2)

    def test_voucher_is_a_loyalty_card_where_loyalty_is_installed(self):
        if "loyalty.program" not in self.env:
            self.skipTest("the Loyalty app is not installed in this database")
        program = self.env["loyalty.program"].create({
            "name": "Complaint vouchers", "program_type": "gift_card",
            "company_id": self.company.id})
        self.rule_voucher.loyalty_program_ref = str(program.id)
        compensation = self.approved(200, remedy=self.remedy_voucher)
        card = self.env["loyalty.card"].search([("program_id", "=", program.id)])
        self.assertEqual(card.partner_id, compensation.case_id.partner_id)
        self.assertAlmostEqual(card.points, 200.0)
        self.assertEqual(compensation.voucher_card_ref, card.code)
        self.assertFalse(compensation.sudo().account_move_ids)
        # Nothing in the ledger: finance hands the card over and records it as before.
        compensation.with_user(self.finance2).action_mark_paid(card.code)
        self.assertEqual(compensation.state, "paid")

    def test_changed_proposal_cancels_its_draft_documents(self):
        compensation = self.approved(300, remedy=self.remedy_refund)
        first = compensation.sudo().account_move_ids
        compensation.with_user(self.handler).amount = 350
        self.assertEqual(compensation.state, "to_approve")
        self.assertEqual(first.state, "cancel")
        compensation.with_user(self.manager).action_approve("Agreed again.")
        live = compensation.sudo().account_move_ids - first
        self.assertEqual(live.amount_total, 350.0)
        self.assertEqual(compensation.accounting_state, "draft")

    def test_posted_proposal_does_not_change(self):
        compensation = self.approved(300, remedy=self.remedy_refund)
        compensation.sudo().account_move_ids.with_user(self.accountant).action_post()
        with self.assertRaisesRegex(UserError, "already posted in Accounting"):
            compensation.with_user(self.handler).amount = 350
