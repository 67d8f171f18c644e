from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_amount

APPROVAL_ACTIVITY = "addon_complaints.mail_activity_type_compensation_approval"
FINANCE_GROUP = "addon_complaints.group_complaint_finance"
# A change to one of these on a submitted or approved proposal restarts the approval chain.
RESTART_FIELDS = frozenset({"amount", "currency_id", "remedy_type_id", "date_proposal"})
# Open cases on which compensation may be proposed.
PROPOSAL_CASE_STATES = ("accepted", "dispatched", "handling", "feedback", "verified", "replied")


class ComplaintCompensation(models.Model):
    """A remedy proposed to the customer on a case, with its amount and the approval chain
    that must approve it before the customer is promised anything.

    The chain is computed from the approval tiers when the proposal is submitted and frozen
    on it as approval lines; approvers decide in order. The proposer never approves their
    own proposal, nobody approves twice in one chain and nobody outside the chain approves;
    every decision is kept in the chatter and in lines that are never changed."""

    _name = "complaint.compensation"
    _description = "Complaint Compensation Proposal"
    _inherit = ["mail.thread", "mail.activity.mixin", "complaint.guard.mixin"]
    _order = "date_proposal desc, id desc"
    _check_company_auto = True
    # Set only by the approval steps (which run as superuser once they have checked who
    # acts); the amount in company currency that picks the tiers is computed.
    _protected_fields = dict.fromkeys(
        ("state", "submitted_by_id", "date_submitted", "approval_round", "current_line_id",
         "approval_line_ids"), "action_submit") | dict.fromkeys(
        ("date_approved", "date_rejected", "amount_approved"),
        "action_approve, action_reject") | dict.fromkeys(
        ("date_paid", "paid_by_id", "payment_ref"), "action_mark_paid") | {
        "proposed_by_id": "create", "case_id": "create"}
    _initial_fields = {"case_id"}
    _free_fields = {"remedy_type_id", "currency_id", "amount", "date_proposal",
                    "amount_claimed", "justification", "attachment_ids"}
    # Approvers only read proposals; they still discuss them in the chatter.
    _mail_post_access = "read"

    case_id = fields.Many2one("complaint.case", required=True, index=True,
                              ondelete="restrict", check_company=True, tracking=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id",
                                          string="Company Currency")
    remedy_type_id = fields.Many2one("complaint.remedy.type", string="Remedy", required=True,
                                     index=True, tracking=True)
    remedy_code = fields.Char(related="remedy_type_id.code", string="Remedy Code")
    currency_id = fields.Many2one("res.currency", required=True, tracking=True,
                                  default=lambda self: self.env.company.currency_id)
    amount = fields.Monetary(currency_field="currency_id", tracking=True,
                             help="The cost of the remedy to the company, in its currency.")
    date_proposal = fields.Date(string="Proposal Date", required=True,
                                default=fields.Date.context_today,
                                help="The exchange rate of this day converts the amount.")
    amount_company = fields.Monetary(
        string="Amount (Company Currency)", currency_field="company_currency_id",
        compute="_compute_amount_company", store=True,
        help="The amount in company currency at the proposal date: the approval tiers read it.")
    amount_claimed = fields.Monetary(currency_field="currency_id",
                                     help="What the customer claimed.")
    justification = fields.Text(help="Why this remedy, in the light of the cause analysis.")
    attachment_ids = fields.Many2many("ir.attachment", "complaint_compensation_attachment_rel",
                                      "compensation_id", "attachment_id", string="Attachments",
                                      help="Receipts, quotes, photos, the customer's claim.")
    state = fields.Selection(
        [("draft", "Draft"),
         ("to_approve", "To Approve"),
         ("approved", "Approved"),
         ("rejected", "Rejected"),
         ("paid", "Paid")],
        default="draft", required=True, readonly=True, tracking=True, index=True, copy=False)
    proposed_by_id = fields.Many2one("res.users", string="Proposed by", required=True,
                                     readonly=True, copy=False,
                                     default=lambda self: self.env.user)
    submitted_by_id = fields.Many2one("res.users", string="Submitted by", readonly=True,
                                      copy=False)
    date_submitted = fields.Datetime(string="Submitted", readonly=True, copy=False, index=True)
    date_approved = fields.Datetime(string="Approved", readonly=True, copy=False, index=True)
    date_rejected = fields.Datetime(string="Rejected", readonly=True, copy=False)
    date_paid = fields.Datetime(string="Paid", readonly=True, copy=False, index=True)
    paid_by_id = fields.Many2one("res.users", string="Marked Paid by", readonly=True, copy=False)
    payment_ref = fields.Char(string="Payment Reference", readonly=True, copy=False)
    amount_approved = fields.Monetary(
        currency_field="currency_id", readonly=True, copy=False,
        help="The most the customer may be promised: set when the last approver approves.")
    approval_round = fields.Integer(readonly=True, copy=False,
                                    help="Goes up at each submission.")
    approval_line_ids = fields.One2many("complaint.approval.line", "compensation_id",
                                        string="Approval Trail", readonly=True, copy=False)
    current_line_id = fields.Many2one("complaint.approval.line", string="Waiting for",
                                      readonly=True, copy=False)
    current_approver = fields.Char(related="current_line_id.approver_label",
                                   string="Waiting for Approver")
    waiting_for_me = fields.Boolean(compute="_compute_waiting_for_me",
                                    search="_search_waiting_for_me")

    # From the case, stored so that reports read everything in one query.
    department_id = fields.Many2one(related="case_id.department_id", store=True, index=True,
                                    string="Department")
    cause_type = fields.Selection(related="case_id.cause_type", store=True, string="Cause")
    level = fields.Selection(related="case_id.level", store=True, string="Case Level")
    case_subject = fields.Char(related="case_id.subject", string="Case Subject")
    case_cause_analysis = fields.Text(related="case_id.cause_analysis", string="Cause Analysis")
    case_partner_name = fields.Char(related="case_id.partner_name", string="Customer")

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "The amount cannot be negative."),
        ("amount_claimed_positive", "CHECK(amount_claimed >= 0)",
         "The amount claimed cannot be negative."),
    ]

    # Computes --------------------------------------------------------------------------------
    @api.depends("case_id.name", "remedy_type_id.name")
    def _compute_display_name(self):
        # Approvers read proposals without reading the case itself.
        for compensation in self:
            compensation.display_name = " / ".join(
                filter(None, [compensation.case_id.sudo().name, compensation.remedy_type_id.name]))

    @api.depends("amount", "currency_id", "date_proposal", "company_id")
    def _compute_amount_company(self):
        for compensation in self:
            company = compensation.company_id or self.env.company
            if compensation.currency_id:
                compensation.amount_company = compensation.currency_id._convert(
                    compensation.amount, company.currency_id, company,
                    compensation.date_proposal or fields.Date.context_today(compensation))
            else:
                compensation.amount_company = compensation.amount

    @api.depends_context("uid")
    @api.depends("state", "current_line_id")
    def _compute_waiting_for_me(self):
        for compensation in self:
            compensation.waiting_for_me = (compensation.state == "to_approve"
                                           and not compensation._decision_refusal(self.env.user))

    def _search_waiting_for_me(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Unsupported search on approvals waiting for me."))
        user = self.env.user
        domain = [
            ("state", "=", "to_approve"),
            ("proposed_by_id", "!=", user.id),
            ("submitted_by_id", "!=", user.id),
            "|", ("current_line_id.user_id", "=", user.id),
            "&", ("current_line_id.user_id", "=", False),
            ("current_line_id.group_id", "in", user.groups_id.ids),
        ]
        if (operator == "=") == bool(value):
            return domain
        return [("id", "not in", self._search(domain))]

    # Constraints -----------------------------------------------------------------------------
    @api.constrains("case_id", "currency_id")
    def _check_currency_active(self):
        for compensation in self:
            if not compensation.currency_id.active:
                raise ValidationError(self.env._("The currency %s is not active.",
                                                 compensation.currency_id.name))

    # CRUD ------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        compensations = super().create(vals_list)
        for compensation in compensations:
            if compensation.case_id.state not in PROPOSAL_CASE_STATES:
                raise UserError(self.env._(
                    "Compensation is proposed on an open case that has been accepted; "
                    "%(case)s is not.", case=compensation.case_id.name))
        compensations._attach_attachments()
        return compensations

    def write(self, vals):
        if not self.env.su and any(compensation.state == "paid" for compensation in self) and any(
                not fname.startswith(("message_", "activity_")) for fname in vals):
            raise UserError(self.env._("Paid compensation is kept as it was paid."))
        before = {}
        if RESTART_FIELDS & set(vals):
            before = {c.id: (c.amount, c.currency_id, c.remedy_type_id, c.date_proposal)
                      for c in self if c.state in ("to_approve", "approved")}
        res = super().write(vals)
        if "attachment_ids" in vals:
            self._attach_attachments()
        for compensation in self.filtered(lambda c: c.id in before):
            amount, currency, remedy, date = before[compensation.id]
            changed = (currency != compensation.currency_id or remedy != compensation.remedy_type_id
                       or date != compensation.date_proposal
                       or currency.compare_amounts(amount, compensation.amount) != 0)
            if changed:
                compensation._restart_approval(amount, currency)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_unsubmitted(self):
        if any(compensation.state != "draft" or compensation.approval_line_ids
               for compensation in self):
            raise UserError(self.env._("Only a proposal that was never submitted can be deleted."))

    def _attach_attachments(self):
        """Attachments uploaded on the form belong to the proposal (for access and chatter)."""
        for compensation in self:
            orphans = compensation.attachment_ids.filtered(lambda a: not a.res_id)
            if orphans:
                orphans.sudo().write({"res_model": self._name, "res_id": compensation.id})

    # Submission --------------------------------------------------------------------------------
    def action_submit(self):
        """Submit the proposal: the approval chain is computed from the tiers and frozen."""
        self.check_access("write")
        for compensation in self:
            if compensation.state not in ("draft", "rejected"):
                raise UserError(self.env._("Only a draft or rejected proposal can be submitted."))
        self._start_approval()
        return True

    def _check_submittable(self):
        for compensation in self:
            case = compensation.case_id
            if case.state not in PROPOSAL_CASE_STATES:
                raise UserError(self.env._("%(case)s is no longer open for compensation.",
                                           case=case.name))
            if not case.cause_type:
                raise UserError(self.env._(
                    "Record the cause analysis on %(case)s before proposing compensation.",
                    case=case.name))
            if not (compensation.justification or "").strip():
                raise UserError(self.env._("Justify the proposal against the cause analysis."))

    def _start_approval(self):
        Line = self.env["complaint.approval.line"].sudo()
        self._check_submittable()
        for compensation in self:
            chain = compensation._approval_chain()
            if not chain:
                raise UserError(self.env._(
                    "No approval tier covers %(amount)s of %(remedy)s: ask the administrator to "
                    "configure one.",
                    amount=compensation._format_amount(compensation.amount_company,
                                                       compensation.company_currency_id),
                    remedy=compensation.remedy_type_id.name))
            compensation._check_chain_has_approvers(chain)
            approval_round = compensation.approval_round + 1
            lines = Line.create([dict(
                values, compensation_id=compensation.id, round=approval_round, sequence=index,
                currency_id=compensation.currency_id.id, amount=compensation.amount,
                amount_company=compensation.amount_company,
            ) for index, values in enumerate(chain, start=1)])
            compensation.sudo().write({
                "state": "to_approve",
                "approval_round": approval_round,
                "submitted_by_id": self.env.user.id,
                "date_submitted": fields.Datetime.now(),
                "date_approved": False,
                "date_rejected": False,
                "amount_approved": 0.0,
                "current_line_id": lines[0].id,
            })
            compensation.message_post(body=self.env._(
                "Submitted for approval: %(amount)s. Approval chain: %(chain)s.",
                amount=compensation._format_amount(),
                chain=" → ".join(lines.mapped("approver_label"))))
            compensation._schedule_approval()

    def _approval_chain(self):
        """The approval line values for this proposal: the steps of every matching tier, in
        order, each approver once."""
        self.ensure_one()
        tiers = self.env["complaint.approval.tier"].sudo()._find_for(self)
        steps = tiers.step_ids.sorted(
            lambda step: (step.tier_id.sequence, step.tier_id.id, step.sequence, step.id))
        chain, seen = [], set()
        for step in steps:
            values = step._line_values(self)
            key = (values["user_id"], values["group_id"])
            if key not in seen:
                seen.add(key)
                chain.append(values)
        return chain

    def _check_chain_has_approvers(self, chain):
        """Every step needs someone, other than the proposer, who may decide it."""
        self.ensure_one()
        Users = self.env["res.users"].sudo()
        proposers = self.proposed_by_id | self.env.user
        for values in chain:
            users = (Users.browse(values["user_id"]) if values["user_id"]
                     else self.env["res.groups"].sudo().browse(values["group_id"]).users)
            if not users.filtered(lambda u: u.active and not u.share) - proposers:
                raise UserError(self.env._(
                    "Nobody but the proposer can approve the step %(approver)s: ask the "
                    "administrator to give someone this role.", approver=values["approver_label"]))

    def _department_approver(self):
        """The manager of the case's lead department, or the first one above it, who is
        not the proposer."""
        self.ensure_one()
        proposers = self.proposed_by_id | self.env.user
        department = self.case_id.department_id
        while department:
            if department.manager_id and department.manager_id not in proposers:
                return department.manager_id
            department = department.parent_id
        return self.env["res.users"]

    def _restart_approval(self, old_amount, old_currency):
        """A changed amount (or remedy) is a new proposal: the chain starts again."""
        self.ensure_one()
        self._current_lines().filtered(lambda line: line.state == "pending").sudo().write(
            {"state": "cancelled"})
        self.sudo().activity_unlink([APPROVAL_ACTIVITY])
        self.message_post(body=self.env._(
            "The proposal changed from %(old)s to %(new)s: the approval chain starts again.",
            old=self._format_amount(old_amount, old_currency), new=self._format_amount()))
        self._start_approval()

    # Decisions ---------------------------------------------------------------------------------
    def _current_lines(self):
        self.ensure_one()
        return self.approval_line_ids.filtered(lambda line: line.round == self.approval_round)

    def _decision_refusal(self, user):
        """Why ``user`` may not decide the pending step now, as an exception; None if they may."""
        self.ensure_one()
        line = self.current_line_id
        if self.state != "to_approve" or not line:
            return UserError(self.env._("%(proposal)s is not waiting for approval.",
                                        proposal=self.display_name))
        if user in (self.proposed_by_id | self.submitted_by_id):
            return AccessError(self.env._(
                "%(user)s proposed %(proposal)s and cannot approve or reject it.",
                user=user.name, proposal=self.display_name))
        decided = self._current_lines().filtered(lambda ln: ln.state == "approved")
        if user in decided.decided_by_id:
            return AccessError(self.env._(
                "%(user)s has already approved %(proposal)s: each approver decides once in a "
                "chain.", user=user.name, proposal=self.display_name))
        if line._can_be_decided_by(user):
            return None
        later = self._current_lines().filtered(
            lambda ln: ln.state == "pending" and ln != line and ln._can_be_decided_by(user))
        if later:
            return UserError(self.env._(
                "%(proposal)s waits for %(approver)s first: approvers decide in order.",
                proposal=self.display_name, approver=line.approver_label))
        return AccessError(self.env._(
            "%(user)s may not decide on %(proposal)s: %(amount)s needs the approval of "
            "%(chain)s.", user=user.name, proposal=self.display_name,
            amount=self._format_amount(),
            chain=" → ".join(self._current_lines().mapped("approver_label"))))

    def _check_can_decide(self):
        user = self.env.user
        for compensation in self:
            refusal = compensation._decision_refusal(user)
            if refusal:
                raise refusal
            compensation.case_id.sudo()._check_recusal(user, self.env._("approve compensation on"))

    def action_approve(self, comment=""):
        """Approve the pending step; the last approval approves the proposal."""
        self._check_can_decide()
        for compensation in self:
            compensation._decide("approved", comment)
        return True

    def action_reject(self, comment=""):
        """Reject with a reason: the proposal goes back to the proposer."""
        if not (comment or "").strip():
            raise UserError(self.env._("Say why the proposal is rejected."))
        self._check_can_decide()
        for compensation in self:
            compensation._decide("rejected", comment)
        return True

    def _decide(self, decision, comment):
        self.ensure_one()
        line = self.current_line_id
        now = fields.Datetime.now()
        line.sudo().write({"state": decision, "decided_by_id": self.env.user.id,
                           "date_decided": now, "comment": comment or False})
        self.sudo().activity_unlink([APPROVAL_ACTIVITY])
        labels = dict(line._fields["state"]._description_selection(self.env))
        self.message_post(body=self.env._(
            "%(decision)s by %(user)s as %(approver)s on %(amount)s. %(comment)s",
            decision=labels[decision], user=self.env.user.name, approver=line.approver_label,
            amount=self._format_amount(), comment=comment or ""))
        pending = self._current_lines().filtered(lambda ln: ln.state == "pending")
        if decision == "rejected":
            pending.sudo().write({"state": "cancelled"})
            self.sudo().write({"state": "rejected", "date_rejected": now,
                               "current_line_id": False})
            self.sudo().activity_schedule(
                APPROVAL_ACTIVITY, user_id=self.submitted_by_id.id,
                summary=self.env._("Revise the rejected compensation proposal"), note=comment)
        elif pending:
            self.sudo().write({"current_line_id": pending[0].id})
            self._schedule_approval()
        else:
            self.sudo().write({"state": "approved", "date_approved": now,
                               "amount_approved": self.amount, "current_line_id": False})
            self.message_post(body=self.env._(
                "Approved: the customer may be offered %s.", self._format_amount()),
                partner_ids=self.submitted_by_id.partner_id.ids)

    def _schedule_approval(self):
        """One activity for each user who may decide the pending step."""
        for compensation in self.sudo():
            line = compensation.current_line_id
            excluded = (compensation.proposed_by_id | compensation.submitted_by_id
                        | compensation._current_lines().decided_by_id)
            users = line._approvers().filtered(
                lambda user, comp=compensation: comp.company_id in user.company_ids) - excluded
            for user in users:
                compensation.activity_schedule(
                    APPROVAL_ACTIVITY, user_id=user.id,
                    summary=self.env._("Approve compensation of %s", compensation._format_amount()))

    # Payment -----------------------------------------------------------------------------------
    def action_mark_paid(self, payment_ref="", date_paid=None):
        """Finance records the payment of approved compensation."""
        if not self.env.user.has_group(FINANCE_GROUP):
            raise AccessError(self.env._("Only finance marks compensation as paid."))
        if not (payment_ref or "").strip():
            raise UserError(self.env._("Give the payment reference."))
        for compensation in self:
            if compensation.state != "approved":
                raise UserError(self.env._("Only approved compensation can be paid."))
            compensation.sudo().write({
                "state": "paid", "payment_ref": payment_ref.strip(),
                "date_paid": date_paid or fields.Datetime.now(), "paid_by_id": self.env.user.id,
            })
            compensation.message_post(body=self.env._(
                "Paid %(amount)s, reference %(ref)s.", amount=compensation._format_amount(),
                ref=payment_ref.strip()))
        return True

    # Buttons that open dialogs -----------------------------------------------------------------
    def action_open_approve_wizard(self):
        return self.env["complaint.compensation.decision.wizard"]._open_for(
            self.env._("Approve"), compensation_ids=self.ids, decision="approved")

    def action_open_reject_wizard(self):
        return self.env["complaint.compensation.decision.wizard"]._open_for(
            self.env._("Reject"), compensation_ids=self.ids, decision="rejected")

    def action_open_payment_wizard(self):
        return self.env["complaint.compensation.payment.wizard"]._open_for(
            self.env._("Mark as Paid"), compensation_ids=self.ids)

    # Helpers -----------------------------------------------------------------------------------
    def _format_amount(self, amount=None, currency=None):
        self.ensure_one()
        return format_amount(self.env, self.amount if amount is None else amount,
                             currency or self.currency_id)
