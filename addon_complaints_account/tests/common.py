from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.addon_complaints.tests.compensation_common import (
    FINANCE,
    ComplaintCompensationCase,
)
from odoo.tests import new_test_user

ACCOUNTANT = "account.group_account_invoice"


class AccountCompensationCase(ComplaintCompensationCase, AccountTestInvoicingCommon):
    """The compensation fixture in a company with a chart of accounts: an accountant who
    posts, a finance approver who is an accountant as well, and the accounting rules of
    the remedies (refund → credit note, cash → payment, voucher → credit note,
    replacement → nothing)."""

    @classmethod
    def setup_independent_user(cls):
        # The complaint fixture builds departments and users as the superuser.
        return None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The shipped tiers belong to the main company: the same tiers for this one.
        for name in ("tier_department", "tier_finance", "tier_deputy", "tier_crisis"):
            tier = getattr(cls, name)
            setattr(cls, name, tier.copy({"company_id": cls.company.id, "name": tier.name}))
        cls.accountant = new_test_user(cls.env, "t_accountant", name="Accountant Feng",
                                       groups=f"base.group_user,{ACCOUNTANT}")
        cls.finance_accountant = new_test_user(
            cls.env, "t_fin_accountant", name="Finance Accountant Jiang",
            groups=f"base.group_user,{FINANCE},{ACCOUNTANT}")
        cls.remedy_refund = cls.env.ref("addon_complaints.complaint_remedy_type_refund")
        cls.journal_sale = cls.company_data["default_journal_sale"]
        cls.journal_bank = cls.company_data["default_journal_bank"]
        cls.account_expense = cls.company_data["default_account_expense"]
        Rule = cls.env["complaint.remedy.account.rule"]
        common = {"company_id": cls.company.id, "journal_id": cls.journal_sale.id,
                  "account_id": cls.account_expense.id,
                  "payment_journal_id": cls.journal_bank.id}
        cls.rule_refund = Rule.create(dict(common, remedy_type_id=cls.remedy_refund.id,
                                           document_kind="credit_note", reverse_invoice=True))
        cls.rule_cash = Rule.create(dict(common, remedy_type_id=cls.remedy_cash.id,
                                         document_kind="payment"))
        cls.rule_voucher = Rule.create(dict(common, remedy_type_id=cls.remedy_voucher.id,
                                            document_kind="voucher"))
        cls.rule_replacement = Rule.create(dict(common, remedy_type_id=cls.remedy_replacement.id,
                                                document_kind="none"))

    # Helpers ---------------------------------------------------------------------------------
    def customer(self):
        self._partners = getattr(self, "_partners", 0) + 1
        return self.env["res.partner"].create({"name": f"Account Customer {self._partners}",
                                               "phone": f"1370000{self._partners:04d}"})

    def approved(self, amount, remedy=None, partner=None, approver=None, **values):
        """A proposal on a case of its own customer, approved through its whole chain."""
        partner = partner or self.customer()
        case = self.case_in_handling(partner_id=partner.id, partner_name=partner.name,
                                     partner_phone=partner.phone)
        compensation = self.propose(amount, case=case, remedy=remedy, **values)
        compensation.with_user(self.handler).action_submit()
        while compensation.state == "to_approve":
            line = compensation.current_line_id
            user = approver or line.user_id or (line.group_id.users - self.finance_accountant
                                                 - compensation.proposed_by_id)[:1]
            compensation.with_user(user).action_approve("Agreed.")
        return compensation

    def invoice(self, partner, amount, currency=None):
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": "2025-01-15",
            "currency_id": (currency or self.company.currency_id).id,
            "invoice_line_ids": [Command.create({
                "name": "Delivery", "quantity": 1, "price_unit": amount,
                "account_id": self.company_data["default_account_revenue"].id,
                "tax_ids": [Command.clear()]})],
        })
        invoice.action_post()
        return invoice

    def pay_credit_note(self, credit_note, user=None):
        """An accountant pays the refund out with Accounting's register-payment dialog."""
        wizard = self.env["account.payment.register"].with_user(user or self.accountant).with_context(
            active_model="account.move", active_ids=credit_note.ids).create({
                "journal_id": self.journal_bank.id})
        return wizard._create_payments()

    def receivable_lines(self, moves):
        return moves.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    def last_message(self, compensation):
        return compensation.message_ids.sorted("id")[-1].body
