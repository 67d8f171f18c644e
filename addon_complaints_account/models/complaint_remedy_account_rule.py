from odoo import api, fields, models
from odoo.exceptions import ValidationError

# What each kind of rule creates when the approval chain completes.
CREDIT_NOTE_KINDS = ("credit_note", "credit_note_payment", "voucher")
PAYMENT_KINDS = ("payment", "credit_note_payment")


class ComplaintRemedyAccountRule(models.Model):
    """What an approved compensation of one remedy creates in the accounting of one company:
    a customer credit note, an outbound customer payment, both, a voucher, or nothing.

    A remedy without a rule in a company creates nothing and keeps the manual payment flow."""

    _name = "complaint.remedy.account.rule"
    _description = "Compensation Accounting Rule"
    _order = "company_id, remedy_type_id, id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True,
                                 default=lambda self: self.env.company)
    remedy_type_id = fields.Many2one("complaint.remedy.type", string="Remedy", required=True,
                                     ondelete="cascade")
    document_kind = fields.Selection(
        [("credit_note", "Customer credit note"),
         ("payment", "Outbound customer payment"),
         ("credit_note_payment", "Credit note and its payment"),
         ("voucher", "Voucher (loyalty card, otherwise a credit note)"),
         ("none", "Nothing in accounting")],
        string="Creates", required=True, default="credit_note",
        help="Replacements and repairs usually create nothing in accounting.")
    journal_id = fields.Many2one(
        "account.journal", string="Credit Note Journal", check_company=True,
        domain="[('type', '=', 'sale')]",
        help="The sales journal of the customer credit notes.")
    account_id = fields.Many2one(
        "account.account", string="Compensation Account", check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other', 'expense', "
               "'expense_direct_cost')), ('deprecated', '=', False)]",
        help="Income or expense account of the credit note line; a payment without a credit "
             "note books its amount on it.")
    payment_journal_id = fields.Many2one(
        "account.journal", check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        help="Bank or cash journal the compensation is paid from.")
    reverse_invoice = fields.Boolean(
        string="Reverse the Invoice",
        help="The credit note reverses the invoice the complaint is about, when the proposal "
             "names one: all of it when the approved amount is the invoice total, otherwise "
             "the approved amount only.")
    loyalty_program_ref = fields.Selection(
        selection="_selection_loyalty_program", string="Voucher Program",
        help="The loyalty program (coupons, gift cards, eWallet) whose card is given as the "
             "voucher. Only when the Loyalty app is installed; otherwise vouchers are credit "
             "notes.")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("remedy_company_unique", "unique(company_id, remedy_type_id)",
         "A remedy has one accounting rule per company."),
    ]

    @api.model
    def _selection_loyalty_program(self):
        # Loyalty stays optional: its programs are offered only when its model is loaded.
        if "loyalty.program" not in self.env:
            return []
        programs = self.env["loyalty.program"].sudo().search(
            [("program_type", "in", ("coupons", "gift_card", "ewallet"))], limit=100)
        return [(str(program.id), program.display_name) for program in programs]

    @api.depends("remedy_type_id", "document_kind")
    def _compute_display_name(self):
        labels = dict(self._fields["document_kind"]._description_selection(self.env))
        for rule in self:
            rule.display_name = f"{rule.remedy_type_id.name or ''} → {labels.get(rule.document_kind, '')}"

    @api.constrains("document_kind", "journal_id", "account_id", "payment_journal_id")
    def _check_documents_configured(self):
        for rule in self:
            if rule.document_kind in CREDIT_NOTE_KINDS and not (rule.journal_id and rule.account_id):
                raise ValidationError(self.env._(
                    "Credit notes for %(remedy)s need a credit note journal and a compensation "
                    "account.", remedy=rule.remedy_type_id.name))
            if rule.document_kind in PAYMENT_KINDS and not rule.payment_journal_id:
                raise ValidationError(self.env._(
                    "Payments for %(remedy)s need a payment journal.",
                    remedy=rule.remedy_type_id.name))
            if rule.document_kind == "payment" and not rule.account_id:
                raise ValidationError(self.env._(
                    "A payment without a credit note books the compensation on an account: "
                    "choose it for %(remedy)s.", remedy=rule.remedy_type_id.name))

    @api.model
    def _find_for(self, compensation):
        """The active rule of ``compensation``'s company and remedy, if any."""
        return self.search([("company_id", "=", compensation.company_id.id),
                            ("remedy_type_id", "=", compensation.remedy_type_id.id)], limit=1)

    def _loyalty_program(self):
        """The loyalty program of a voucher rule, if Loyalty is installed and one is chosen."""
        self.ensure_one()
        if self.document_kind != "voucher" or not self.loyalty_program_ref \
                or "loyalty.program" not in self.env:
            return None
        program = self.env["loyalty.program"].sudo().browse(int(self.loyalty_program_ref))
        return program if program.exists() else None
