from odoo import api, fields, models
from odoo.addons.addon_complaints.models.complaint_compensation import RESTART_FIELDS
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_amount

ACCOUNTING_GROUP = "account.group_account_invoice"
# Documents that no longer count: cancelled, rejected, or reversed by another entry.
DEAD_MOVE_PAYMENT_STATES = ("reversed",)
DEAD_PAYMENT_STATES = ("canceled", "rejected")
# A customer credit note is settled when something is reconciled against all of it.
SETTLED_MOVE_PAYMENT_STATES = ("paid", "in_payment")


class ComplaintCompensation(models.Model):
    """Approved compensation becomes documents in Odoo Accounting, as the company's
    accounting rule for its remedy says, and is paid when the ledger says so."""

    _inherit = "complaint.compensation"
    # Set from the approval and the ledger, never by hand (see complaint.guard.mixin).
    _protected_fields = dict.fromkeys(
        ("amount_approved_company", "date_accounting", "voucher_card_ref", "account_move_ids",
         "account_payment_ids"), "action_approve, action_create_accounting_documents")
    _free_fields = {"invoice_id"}

    invoice_id = fields.Many2one(
        "account.move", string="Invoice Complained About", index="btree_not_null",
        check_company=True, ondelete="restrict", tracking=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
               "('company_id', '=', company_id)]",
        help="The customer invoice the complaint is about: a refund may reverse it, in part "
             "or in full.")
    account_move_ids = fields.One2many(
        "account.move", "complaint_compensation_id", string="Credit Notes", readonly=True,
        groups=ACCOUNTING_GROUP)
    account_payment_ids = fields.One2many(
        "account.payment", "complaint_compensation_id", string="Payments", readonly=True,
        groups=ACCOUNTING_GROUP)
    accounting_state = fields.Selection(
        [("none", "No accounting document"),
         ("draft", "Draft"),
         ("posted", "Posted"),
         ("paid", "Paid"),
         ("reversed", "Cancelled or reversed")],
        compute="_compute_accounting", store=True, index=True, compute_sudo=True,
        help="Where the accounting documents of this compensation stand in the ledger.")
    accounting_summary = fields.Char(
        string="Accounting Documents", compute="_compute_accounting_summary", compute_sudo=True,
        help="Each accounting document of this compensation with its state.")
    amount_approved_company = fields.Monetary(
        string="Approved (Company Currency)", currency_field="company_currency_id",
        readonly=True, copy=False,
        help="The approved amount at the company's exchange rate of the approval date: the "
             "amount the accounting documents are booked at.")
    date_accounting = fields.Date(
        string="Accounting Date", readonly=True, copy=False,
        help="The approval date, in the company's time zone: the date of the documents and of "
             "their exchange rate.")
    amount_paid_company = fields.Monetary(
        string="Paid (Company Currency)", currency_field="company_currency_id",
        compute="_compute_accounting", store=True, compute_sudo=True,
        help="What the ledger shows as paid: the company-currency amount of the reconciled "
             "payments, or of the reconciled credit notes when there is no payment.")
    voucher_card_ref = fields.Char(string="Voucher", readonly=True, copy=False,
                                   help="The code of the loyalty card given as the voucher.")

    @api.depends("account_move_ids.state", "account_move_ids.payment_state",
                 "account_move_ids.amount_total_signed", "account_move_ids.name",
                 "account_payment_ids.state", "account_payment_ids.is_reconciled",
                 "account_payment_ids.move_id.state", "account_payment_ids.name",
                 "account_payment_ids.amount_company_currency_signed")
    def _compute_accounting(self):
        for compensation in self:
            moves, payments = compensation._accounting_documents()
            live_moves, live_payments = compensation._live_documents(moves, payments)
            if not (moves or payments):
                state = "none"
            elif not (live_moves or live_payments):
                state = "reversed"
            elif (all(move.state == "posted"
                      and move.payment_state in SETTLED_MOVE_PAYMENT_STATES
                      for move in live_moves)
                  and all(payment._is_settled_in_ledger() for payment in live_payments)):
                state = "paid"
            elif any(doc.state != "draft" for doc in [*live_moves, *live_payments]):
                state = "posted"
            else:
                state = "draft"
            compensation.accounting_state = state
            if state != "paid":
                compensation.amount_paid_company = 0.0
            elif live_payments:
                compensation.amount_paid_company = sum(
                    abs(payment.amount_company_currency_signed) for payment in live_payments)
            else:
                compensation.amount_paid_company = sum(
                    abs(move.amount_total_signed) for move in live_moves)

    @api.depends("accounting_state", "voucher_card_ref")
    def _compute_accounting_summary(self):
        for compensation in self:
            compensation.accounting_summary = compensation._describe_documents(
                *compensation._accounting_documents())

    @api.constrains("invoice_id", "case_id")
    def _check_invoice_of_customer(self):
        for compensation in self.sudo().filtered("invoice_id"):
            partner = compensation.case_id.partner_id.commercial_partner_id
            invoice = compensation.invoice_id
            if invoice.move_type != "out_invoice" or invoice.state != "posted":
                raise ValidationError(self.env._("%(invoice)s is not a posted customer invoice.",
                                           invoice=invoice.display_name))
            if partner and invoice.commercial_partner_id != partner:
                raise ValidationError(self.env._(
                    "%(invoice)s was not issued to the customer of %(case)s.",
                    invoice=invoice.display_name, case=compensation.case_id.name))

    def write(self, vals):
        if RESTART_FIELDS & set(vals):
            self._cancel_draft_documents_before_restart(vals)
        return super().write(vals)

    def _cancel_draft_documents_before_restart(self, vals):
        """A changed proposal is approved again: its draft documents go, posted ones stay in
        the way until Accounting cancels or reverses them."""
        for compensation in self.filtered(lambda c: c.state == "approved"):
            fields_ = [self._fields[fname] for fname in RESTART_FIELDS & set(vals)]
            if all(field.convert_to_record(field.convert_to_cache(vals[field.name], compensation),
                                           compensation) == compensation[field.name]
                   for field in fields_):
                continue
            moves, payments = compensation._live_documents(*compensation._accounting_documents())
            if any(doc.state != "draft" for doc in [*moves, *payments]):
                raise UserError(self.env._(
                    "%(proposal)s is already posted in Accounting (%(documents)s): cancel or "
                    "reverse the documents there before changing the proposal.",
                    proposal=compensation.display_name,
                    documents=compensation.accounting_summary))
            if moves or payments:
                moves.button_cancel()
                payments.action_cancel()
                compensation.message_post(body=self.env._(
                    "The proposal changed: its draft accounting documents were cancelled."))

    # Approval --------------------------------------------------------------------------------
    def action_approve(self, comment=""):
        pending = self.filtered(lambda compensation: compensation.state == "to_approve")
        res = super().action_approve(comment)
        approved = pending.filtered(lambda compensation: compensation.state == "approved")
        approved._record_approval_rate()
        approved._create_accounting_documents()
        return res

    def _record_approval_rate(self):
        """The approved amount at the company's exchange rate of the approval date."""
        for compensation in self:
            company = compensation.company_id
            date = fields.Date.context_today(compensation.with_context(tz=company.partner_id.tz
                                                                       or self.env.user.tz),
                                             compensation.date_approved)
            compensation.sudo().write({
                "date_accounting": date,
                "amount_approved_company": compensation.currency_id._convert(
                    compensation.amount_approved, company.currency_id, company, date),
            })

    def action_mark_paid(self, payment_ref, date_paid=None):
        for compensation in self:
            if compensation._creates_accounting_documents():
                raise UserError(self.env._(
                    "%(proposal)s is paid in Accounting: it is marked paid when its payment or "
                    "credit note is reconciled in the ledger.", proposal=compensation.display_name))
        return super().action_mark_paid(payment_ref, date_paid)

    def action_create_accounting_documents(self):
        """An accountant creates the documents again, e.g. after they were cancelled."""
        if not self.env.user.has_group(ACCOUNTING_GROUP):
            raise AccessError(self.env._("Only accounting users create accounting documents."))
        for compensation in self:
            if compensation.state != "approved":
                raise UserError(self.env._("Only approved compensation is paid in Accounting."))
            moves, payments = compensation.sudo()._accounting_documents()
            if any(compensation._live_documents(moves, payments)):
                raise UserError(self.env._(
                    "%(proposal)s already has accounting documents: %(documents)s",
                    proposal=compensation.display_name,
                    documents=compensation.accounting_summary))
        self._create_accounting_documents()
        return True

    # Documents ---------------------------------------------------------------------------------
    def _accounting_documents(self):
        """(credit notes, payments) of this compensation, whatever their state."""
        self.ensure_one()
        compensation = self.sudo()
        return compensation.account_move_ids, compensation.account_payment_ids

    @api.model
    def _live_documents(self, moves, payments):
        return (moves.filtered(lambda move: move.state != "cancel"
                               and move.payment_state not in DEAD_MOVE_PAYMENT_STATES),
                payments.filtered(lambda payment: payment.state not in DEAD_PAYMENT_STATES))

    def _describe_documents(self, moves, payments):
        move_states = dict(moves._fields["state"]._description_selection(self.env))
        paid_states = dict(moves._fields["payment_state"]._description_selection(self.env))
        payment_states = dict(payments._fields["state"]._description_selection(self.env))
        draft_move, draft_payment = self.env._("Draft credit note"), self.env._("Draft payment")
        parts = [f"{move.name if move.name not in (False, '/') else draft_move} "
                 f"({move_states[move.state]}, {paid_states.get(move.payment_state, '')})"
                 for move in moves]
        parts += [f"{payment.name or draft_payment} ({payment_states[payment.state]})"
                  for payment in payments]
        if self.voucher_card_ref:
            parts.append(self.env._("Voucher %s", self.voucher_card_ref))
        return "; ".join(parts) or False

    def _accounting_rule(self):
        self.ensure_one()
        return self.env["complaint.remedy.account.rule"].sudo()._find_for(self)

    def _creates_accounting_documents(self):
        """Is this compensation paid through the ledger rather than by a payment reference?"""
        self.ensure_one()
        moves, payments = self._accounting_documents()
        if moves or payments:
            return True
        rule = self._accounting_rule()
        return bool(rule) and rule.document_kind != "none" and not (
            rule.document_kind == "voucher" and rule._loyalty_program())

    def _create_accounting_documents(self):
        """The draft documents the company's accounting rule asks for, linked to this proposal.

        They are created by the system on behalf of the approver, who need not be an
        accountant; posting them stays with Accounting's own groups."""
        for compensation in self:
            rule = compensation._accounting_rule()
            if not rule or rule.document_kind == "none" \
                    or any(compensation._live_documents(*compensation._accounting_documents())):
                continue
            partner = compensation.case_id.sudo().partner_id
            if not partner:
                compensation.message_post(body=self.env._(
                    "No accounting document was created: the case has no customer contact. "
                    "Link the customer on the case, then let Accounting create the documents."))
                continue
            created = []
            program = rule._loyalty_program()
            if program:
                created.append(compensation._create_voucher_card(program, partner))
            else:
                if rule.document_kind in ("credit_note", "credit_note_payment", "voucher"):
                    created.append(compensation._create_credit_note(rule, partner))
                if rule.document_kind in ("payment", "credit_note_payment"):
                    created.append(compensation._create_payment(rule, partner))
            compensation.message_post(body=self.env._(
                "Created in Accounting for %(amount)s: %(documents)s.",
                amount=compensation._format_amount(compensation.amount_approved),
                documents=", ".join(created)))

    def _document_label(self):
        self.ensure_one()
        return self.env._("Compensation %(proposal)s", proposal=self.display_name)

    def _create_credit_note(self, rule, partner):
        self.ensure_one()
        Move = self.env["account.move"].sudo().with_company(self.company_id)
        invoice = self.invoice_id.sudo() if rule.reverse_invoice else self.env["account.move"]
        date = self.date_accounting or fields.Date.context_today(self)
        common = {
            "invoice_date": date,
            "date": date,
            "ref": self._document_label(),
            "complaint_compensation_id": self.id,
        }
        if invoice and invoice.currency_id == self.currency_id and not \
                self.currency_id.compare_amounts(invoice.amount_total, self.amount_approved):
            credit_note = invoice._reverse_moves([dict(common)])
        else:
            credit_note = Move.create(dict(
                common,
                move_type="out_refund",
                partner_id=partner.id,
                journal_id=rule.journal_id.id,
                currency_id=self.currency_id.id,
                reversed_entry_id=invoice.id or False,
                invoice_line_ids=[fields.Command.create({
                    "name": self._document_label(),
                    "account_id": rule.account_id.id,
                    "quantity": 1.0,
                    "price_unit": self.amount_approved,
                    "tax_ids": [fields.Command.clear()],
                })],
            ))
        return self.env._("credit note of %s",
                          format_amount(self.env, credit_note.amount_total,
                                        credit_note.currency_id))

    def _create_payment(self, rule, partner):
        self.ensure_one()
        values = {
            "payment_type": "outbound",
            "partner_type": "customer",
            "partner_id": partner.id,
            "amount": self.amount_approved,
            "currency_id": self.currency_id.id,
            "date": self.date_accounting or fields.Date.context_today(self),
            "journal_id": rule.payment_journal_id.id,
            "memo": self._document_label(),
            "complaint_compensation_id": self.id,
        }
        if rule.document_kind == "payment":
            # Nothing on the customer's account to settle: the payment books the cost itself.
            values["destination_account_id"] = rule.account_id.id
        payment = self.env["account.payment"].sudo().with_company(self.company_id).create(values)
        return self.env._("outbound payment of %s",
                          format_amount(self.env, payment.amount, payment.currency_id))

    def _create_voucher_card(self, program, partner):
        self.ensure_one()
        amount = self.currency_id._convert(
            self.amount_approved, program.currency_id, self.company_id,
            self.date_accounting or fields.Date.context_today(self))
        card = self.env["loyalty.card"].sudo().create({
            "program_id": program.id,
            "partner_id": partner.id,
            "points": amount,
        })
        self.sudo().write({"voucher_card_ref": card.code})
        return self.env._("voucher %(code)s of %(program)s", code=card.code, program=program.name)

    # Paid from the ledger ----------------------------------------------------------------------
    def _sync_state_from_ledger(self):
        """Follow the ledger: paid once every live document is reconciled; back to approved
        when a document of paid compensation is cancelled, reset or reversed."""
        for compensation in self.sudo():
            state = compensation.accounting_state
            if compensation.state == "approved" and state == "paid":
                compensation._mark_paid_from_ledger()
            elif compensation.state == "paid" and state != "paid" and state != "none":
                compensation._reopen_from_ledger()

    def _reconcile_credit_note_with_payment(self):
        """A posted credit note and its posted payment settle each other on the customer's
        account, as Accounting's register-payment would."""
        self.ensure_one()
        moves, payments = self._live_documents(*self._accounting_documents())
        moves = moves.filtered(lambda move: move.state == "posted")
        payment_moves = payments.move_id.filtered(lambda move: move.state == "posted")
        if not (moves and payment_moves):
            return
        lines = (moves.line_ids | payment_moves.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
            and not line.reconciled and line.partner_id.commercial_partner_id
            == moves[0].commercial_partner_id)
        if lines.filtered(lambda line: line.balance > 0) and lines.filtered(
                lambda line: line.balance < 0):
            lines.reconcile()

    def _mark_paid_from_ledger(self):
        self.ensure_one()
        moves, payments = self._live_documents(*self._accounting_documents())
        documents = payments or moves
        # Settling the documents (e.g. Register Payment on the credit note) pays the money out.
        self._check_poster(self.env.user, documents[:1])
        self.sudo().write({
            "state": "paid",
            "date_paid": fields.Datetime.now(),
            "paid_by_id": self.env.user.id,
            "payment_ref": ", ".join(filter(None, documents.mapped("name"))),
        })
        self.message_post(body=self.env._(
            "Paid in Accounting: %(documents)s reconciled, %(amount)s.",
            documents=", ".join(filter(None, documents.mapped("name"))),
            amount=format_amount(self.env, self.amount_paid_company, self.company_currency_id)))

    def _reopen_from_ledger(self):
        self.ensure_one()
        self.sudo().write({"state": "approved", "date_paid": False, "paid_by_id": False,
                           "payment_ref": False})
        self.message_post(body=self.env._(
            "Back to approved: an accounting document was cancelled, reset to draft or "
            "reversed (%(documents)s).", documents=self.accounting_summary or "-"))

    # Segregation of duties ---------------------------------------------------------------------
    def _last_approver(self):
        """Who approved the last step of the chain that approved this compensation."""
        self.ensure_one()
        lines = self.sudo()._current_lines().filtered(lambda line: line.state == "approved")
        return lines.sorted(lambda line: (line.sequence, line.id))[-1:].decided_by_id

    def _check_poster(self, user, document):
        """The user who approved the last tier does not post its money out."""
        for compensation in self.sudo():
            if user and user == compensation._last_approver():
                raise AccessError(self.env._(
                    "%(user)s approved the last tier of %(proposal)s and cannot also post "
                    "%(document)s: another accountant posts it.",
                    user=user.name, proposal=compensation.display_name,
                    document=document.display_name))
