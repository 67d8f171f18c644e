from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from .complaint_complainant import IDENTITY_FIELDS
from .complaint_guard_mixin import transition

OPEN_STATES = ("draft", "approval", "accepted", "dispatched", "handling", "feedback", "verified",
               "replied")
# A case in one of these states is a record of what happened: nobody edits it any more.
LOCKED_STATES = ("not_accepted", "closed", "withdrawn", "merged")
# Fields that may still change on a locked case: the discussion, its activities, and the
# upstream portal's receipt for the result we sent it.
_WRITABLE_WHEN_LOCKED_PREFIXES = ("message_", "activity_", "website_message")
_WRITABLE_WHEN_LOCKED = ("external_receipt", "external_pushed_at")
GROUP_COMPLAINT_SIZE = 10
# What a case refers to and keeps: deleting one of these would empty the case's record, so
# they are archived instead.
CASE_REFERENCES = {
    "res.partner": ("partner_id",),
    "complaint.department": ("department_id", "assignment_ids.department_id"),
    "complaint.category": ("category_id",),
    "res.users": ("owner_user_id", "handler_user_id", "respondent_user_id", "accepted_by_id",
                  "registration_approved_by_id", "feedback_signed_by_id", "verified_by_id",
                  "reply_user_id", "callback_user_id", "closed_by_id", "interested_user_ids"),
}
STEP_ACTIVITY = "addon_complaints.mail_activity_type_complaint_step"


class ComplaintCase(models.Model):
    """A customer's complaint (or consultation, suggestion, help request, report) from intake
    to closure: registration, acceptance, dispatch, handling, verification, reply, callback,
    closure. Every step is a method named after what it does, checked on the server."""

    _name = "complaint.case"
    _description = "Customer Complaint"
    _inherit = ["mail.thread", "mail.activity.mixin", "complaint.guard.mixin"]
    _order = "date_received desc, id desc"
    _check_company_auto = True
    # Set only by the steps named (see complaint.guard.mixin); computed fields are guarded
    # by themselves.
    _protected_fields = {
        "state": "action_accept, action_dispatch, action_submit_feedback, action_verify, "
                 "action_reply, action_callback, action_close, action_withdraw",
        "date_handover": "complaint.assignment.action_accept",
        "date_accepted": "action_accept, action_not_accept",
        "accepted_by_id": "action_accept, action_not_accept",
        "registration_approved_by_id": "action_approve_registration",
        "not_accepted_reason_id": "action_not_accept",
        "not_accepted_note": "action_not_accept",
        "validity": "action_rule_valid, action_rule_invalid, action_rule_malicious",
        "department_id": "action_dispatch",
        "date_dispatched": "action_dispatch",
        "handler_user_id": "action_dispatch, action_assign_handler",
        "feedback_signed_by_id": "action_sign_feedback",
        "date_feedback": "action_sign_feedback",
        "verified_by_id": "action_verify",
        "date_verified": "action_verify",
        "verification_note": "action_send_back",
        "reply_user_id": "action_reply",
        "date_replied": "action_reply",
        "callback_user_id": "action_callback",
        "date_callback": "action_callback",
        "satisfaction": "action_callback",
        "callback_note": "action_callback",
        "problem_recurred": "action_callback",
        "reopen_count": "action_callback",
        "closure_criterion": "action_close",
        "closure_evidence": "action_close",
        "improvement_suggestion": "action_close",
        "closed_by_id": "action_close",
        "date_closed": "action_close, action_withdraw",
        "withdrawal_reason": "action_withdraw",
        "interested_user_ids": "action_declare_interest, action_record_interest",
        "repeat_of_id": "create",
        "repeat_count": "create",
        "confidential": "action_mark_confidential, action_lift_confidential",
        "respondent_user_id": "create",
        "owner_user_id": "create",
        "name": "create",
        "company_id": "create",
        "date_received": "create",
        "external_source": "create",
        "external_ref": "create",
    }
    # Registration data: given when the case is created, then kept.
    _initial_fields = {"confidential", "respondent_user_id", "owner_user_id", "name",
                       "company_id", "date_received", "external_source", "external_ref",
                       "interested_user_ids"}
    _free_fields = {
        "subject", "description", "customer_demand", "demand_type", "channel_id",
        "readback_confirmed", "partner_id", "partner_name", "partner_phone", "partner_email",
        "partner_address", "partner_id_number", "respondent", "event_date", "location",
        "product_info", "negotiation_so_far", "priority", "is_emergency", "affected_count",
        "category_id", "assignment_ids", "facts", "cause_type", "cause_analysis",
        "handling_opinion", "handling_hours", "handling_process", "handling_result",
        "handling_satisfaction", "reply_text", "repeat_ids", "notice_ids", "compensation_ids",
        "external_deadline", "external_receipt", "external_pushed_at",
        "confidential_identity_ids", "is_anonymous",
    }

    # Registration -----------------------------------------------------------------------
    name = fields.Char(string="Reference", required=True, readonly=True, copy=False,
                       default=lambda self: self.env._("New"), index="trigram")
    company_id = fields.Many2one("res.company", required=True, index=True,
                                 default=lambda self: self.env.company)
    subject = fields.Char(required=True, tracking=True)
    description = fields.Text(string="Complaint Content", help="What the customer said.")
    customer_demand = fields.Text(help="What the customer asks for (诉求).")
    demand_type = fields.Selection(
        [("consultation", "Consultation"),
         ("suggestion", "Suggestion"),
         ("complaint", "Complaint"),
         ("help", "Help request"),
         ("report", "Report"),
         ("grumble", "Grumble")],
        required=True, default="complaint", tracking=True, index=True)
    channel_id = fields.Many2one("complaint.channel", required=True, tracking=True, index=True)
    is_regulator_forwarded = fields.Boolean(related="channel_id.is_regulator", store=True,
                                            string="Regulator-forwarded")
    readback_confirmed = fields.Boolean(
        string="Read Back and Confirmed",
        help="The record was read back to the caller and confirmed (复述确认).")
    partner_id = fields.Many2one("res.partner", string="Complainant", tracking=True, index=True,
                                 check_company=True, ondelete="restrict")
    partner_name = fields.Char(string="Complainant Name")
    partner_phone = fields.Char(string="Contact Phone")
    partner_email = fields.Char(string="Contact E-mail")
    partner_address = fields.Char(string="Address")
    partner_id_number = fields.Char(string="ID / Credit Code",
                                    help="ID number, or the unified social credit code of an organisation.")
    respondent = fields.Char(string="Complained About", help="Who or what is complained about.")
    respondent_user_id = fields.Many2one(
        "res.users", string="Employee Complained About", check_company=True,
        help="Can never handle, verify or call back this case.")
    event_date = fields.Datetime(string="Event Time")
    date_received = fields.Datetime(string="Received", required=True, default=fields.Datetime.now,
                                    index=True)
    location = fields.Char(help="Where it happened: store, district, route.")
    product_info = fields.Char(string="Product / Service",
                               help="Brand, model, specification, quantity, price, purchase date.")
    negotiation_so_far = fields.Text()
    priority = fields.Selection(
        [("normal", "Normal"), ("important", "Important"), ("urgent", "Urgent")],
        required=True, default="normal", tracking=True)
    is_emergency = fields.Boolean(
        string="Emergency", tracking=True,
        help="Personal safety or major property loss: escalated at once.")
    affected_count = fields.Integer(string="Customers Affected", default=1)
    level = fields.Selection(
        [("normal", "Normal"), ("urgent", "Urgent"), ("major", "Major"), ("crisis", "Crisis")],
        compute="_compute_level", store=True, index=True, tracking=True,
        help="Normal on a first complaint, urgent on the second about the same matter, major on "
        "the third and later; crisis when forwarded by a regulator, reported by media or on the "
        "internet, or when ten or more customers complain about the same event.")
    is_anonymous = fields.Boolean(
        string="Anonymous Complainant", tracking=True,
        help="The complainant gave no name (an anonymous hotline call); the case is handled like "
        "any other.")
    confidential = fields.Boolean(
        tracking=True, copy=False,
        help="Only the complaint office sees who complained (reports, whistle-blowing).")
    confidential_identity_ids = fields.One2many(
        "complaint.complainant", "case_id", string="Confidential Complainant", copy=False,
        groups="addon_complaints.group_complaint_office")
    owner_user_id = fields.Many2one(
        "res.users", string="First-contact Owner", required=True, index=True, tracking=True,
        default=lambda self: self.env.user, check_company=True,
        help="Whoever received the complaint owns it until a department accepts it (首问负责制).")
    date_handover = fields.Datetime(string="Handed Over", readonly=True)
    state = fields.Selection(
        [("draft", "Registered"),
         ("approval", "Awaiting Approval"),
         ("accepted", "Accepted"),
         ("not_accepted", "Not Accepted"),
         ("dispatched", "Dispatched"),
         ("handling", "Handling"),
         ("feedback", "Feedback"),
         ("verified", "Verified"),
         ("replied", "Replied"),
         ("closed", "Closed"),
         ("withdrawn", "Withdrawn"),
         ("merged", "Recorded on Original")],
        default="draft", required=True, readonly=True, tracking=True, index=True, copy=False,
        group_expand=True)

    # Acceptance ---------------------------------------------------------------------------
    date_accepted = fields.Datetime(string="Acceptance Decided", readonly=True, copy=False)
    accepted_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    registration_approved_by_id = fields.Many2one("res.users", string="Registration Approved by",
                                                  readonly=True, copy=False)
    not_accepted_reason_id = fields.Many2one("complaint.rejection.reason", readonly=True,
                                             copy=False, tracking=True)
    not_accepted_note = fields.Text(readonly=True, copy=False)
    validity = fields.Selection(
        [("valid", "Valid"), ("invalid", "Invalid"), ("malicious", "Malicious")],
        tracking=True, copy=False,
        help="Invalid: the customer's own cause or a misunderstanding. Malicious: the "
        "complainant is flagged.")

    # Routing and dispatch -----------------------------------------------------------------
    category_id = fields.Many2one("complaint.category", tracking=True, index=True,
                                  ondelete="restrict")
    proposed_department_id = fields.Many2one(
        "complaint.department", compute="_compute_proposed_department_id",
        help="Proposed by the routing rules.")
    department_id = fields.Many2one("complaint.department", string="Lead Department",
                                    tracking=True, index=True, check_company=True, copy=False,
                                    ondelete="restrict")
    assignment_ids = fields.One2many("complaint.assignment", "case_id", string="Dispatch Orders",
                                     copy=False)
    assignment_count = fields.Integer(compute="_compute_assignment_count")
    date_dispatched = fields.Datetime(readonly=True, copy=False)

    # Handling: the handling sheet and the four elements ---------------------------------
    handler_user_id = fields.Many2one("res.users", string="Handler", tracking=True, index=True,
                                      check_company=True, copy=False)
    facts = fields.Text(string="Facts and Evidence", copy=False)
    cause_type = fields.Selection(
        [("company", "Company at fault"), ("customer", "Customer's cause"),
         ("malicious", "Malicious")],
        string="Cause", tracking=True, copy=False)
    cause_analysis = fields.Text(copy=False)
    handling_opinion = fields.Text(copy=False)
    handling_hours = fields.Float(string="Time Taken (hours)", copy=False)
    handling_process = fields.Text(copy=False)
    handling_result = fields.Text(copy=False)
    handling_satisfaction = fields.Selection(
        [("satisfied", "Satisfied"), ("basically_satisfied", "Basically satisfied"),
         ("dissatisfied", "Dissatisfied")],
        string="Customer's Satisfaction with the Result", copy=False)
    feedback_signed_by_id = fields.Many2one("res.users", string="Feedback Signed by",
                                            readonly=True, copy=False)
    date_feedback = fields.Datetime(string="Feedback Signed", readonly=True, copy=False)
    verified_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_verified = fields.Datetime(readonly=True, copy=False)
    verification_note = fields.Text(copy=False)

    # Reply, callback, closure ---------------------------------------------------------------
    reply_text = fields.Text(string="Reply to the Customer", copy=False)
    reply_user_id = fields.Many2one("res.users", string="Replied by", readonly=True, copy=False)
    date_replied = fields.Datetime(readonly=True, copy=False)
    callback_user_id = fields.Many2one("res.users", string="Called Back by", readonly=True,
                                       copy=False)
    date_callback = fields.Datetime(readonly=True, copy=False)
    satisfaction = fields.Selection(
        [("satisfied", "Satisfied"), ("basically_satisfied", "Basically satisfied"),
         ("dissatisfied", "Dissatisfied")],
        string="Callback Satisfaction", readonly=True, tracking=True, copy=False)
    callback_note = fields.Text(readonly=True, copy=False)
    problem_recurred = fields.Boolean(readonly=True, copy=False,
                                      help="The callback found that the problem came back.")
    reopen_count = fields.Integer(readonly=True, copy=False)
    closure_criterion = fields.Selection(
        [("customer_accepts", "Customer accepts the result"),
         ("law_supports", "Law or regulation supports the company"),
         ("ruled_invalid", "Ruled invalid by the complaint office")],
        readonly=True, tracking=True, copy=False)
    closure_evidence = fields.Text(readonly=True, copy=False)
    improvement_suggestion = fields.Text(
        string="Management Improvement", readonly=True, copy=False,
        help="Suggestions written at closure and kept in the archive.")
    closed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_closed = fields.Datetime(readonly=True, copy=False, index=True)
    archive_date = fields.Date(compute="_compute_archive_date", store=True,
                               help="Kept at least until this date.")
    withdrawal_reason = fields.Text(readonly=True, copy=False)

    # Recusal, repeats ---------------------------------------------------------------------
    interested_user_ids = fields.Many2many(
        "res.users", "complaint_case_interested_user_rel", "case_id", "user_id",
        string="Declared Interests", copy=False,
        help="Users with an interest in the case: they can never handle, verify or call it back.")
    repeat_of_id = fields.Many2one("complaint.case", string="Repeat of", index=True, copy=False,
                                   readonly=True, check_company=True)
    repeat_ids = fields.One2many("complaint.case", "repeat_of_id", string="Repeats")
    repeat_count = fields.Integer(
        default=1, readonly=True, copy=False,
        help="How many times the customer raised this matter: 1 on the first complaint.")
    notice_ids = fields.One2many("complaint.notice", "case_id", string="Notices")
    notice_count = fields.Integer(compute="_compute_notice_count")

    # Compensation ---------------------------------------------------------------------------
    compensation_ids = fields.One2many("complaint.compensation", "case_id", copy=False)
    compensation_count = fields.Integer(compute="_compute_compensation_count")

    @api.depends("compensation_ids")
    def _compute_compensation_count(self):
        for case in self:
            case.compensation_count = len(case.compensation_ids)

    def action_view_compensations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "addon_complaints.complaint_compensation_action")
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {"default_case_id": self.id}
        return action


    # Integrations ---------------------------------------------------------------------------
    external_source = fields.Char(copy=False, readonly=True, index=True)
    external_ref = fields.Char(string="External Reference", copy=False, readonly=True, index=True)
    external_deadline = fields.Datetime(
        string="Due at the Portal", copy=False, readonly=True,
        help="The upstream portal expects the result by then.")
    external_receipt = fields.Char(string="Portal Receipt", copy=False, readonly=True,
                                   help="The portal's receipt for the last result sent.")
    external_pushed_at = fields.Datetime(string="Result Sent to Portal", copy=False, readonly=True)

    _sql_constraints = [
        ("name_company_unique", "unique(company_id, name)", "The case reference must be unique."),
        ("external_ref_unique", "unique(company_id, external_source, external_ref)",
         "A case with this external reference already exists."),
        ("affected_count_positive", "CHECK(affected_count >= 1)",
         "At least one customer is affected."),
    ]

    # Computes --------------------------------------------------------------------------------
    @api.depends("repeat_count", "channel_id.is_regulator", "channel_id.is_public_exposure",
                 "affected_count")
    def _compute_level(self):
        for case in self:
            if (case.channel_id.is_regulator or case.channel_id.is_public_exposure
                    or case.affected_count >= GROUP_COMPLAINT_SIZE):
                case.level = "crisis"
            elif case.repeat_count >= 3:
                case.level = "major"
            elif case.repeat_count == 2:
                case.level = "urgent"
            else:
                case.level = "normal"

    @api.depends("category_id", "channel_id", "subject", "description", "customer_demand",
                 "company_id")
    def _compute_proposed_department_id(self):
        rules = self.env["complaint.routing.rule"]
        for case in self:
            case.proposed_department_id = rules._find_department(case)

    @api.depends("assignment_ids")
    def _compute_assignment_count(self):
        for case in self:
            case.assignment_count = len(case.assignment_ids)

    @api.depends("notice_ids")
    def _compute_notice_count(self):
        for case in self:
            case.notice_count = len(case.notice_ids)

    @api.depends("date_closed", "company_id.complaint_retention_years")
    def _compute_archive_date(self):
        for case in self:
            if case.date_closed:
                years = case.company_id.complaint_retention_years or 20
                case.archive_date = case.date_closed.date() + relativedelta(years=years)
            else:
                case.archive_date = False

    # Constraints -------------------------------------------------------------------------
    @api.constrains("handler_user_id", "respondent_user_id", "interested_user_ids",
                    "feedback_signed_by_id", "verified_by_id", "callback_user_id")
    def _check_roles_recusal(self):
        """Whoever handles, signs, verifies or calls back a case is checked here, however
        they came to it; a role already done stays as it was recorded."""
        for case in self:
            roles = [(case.handler_user_id, self.env._("handle"))]
            if case.state in OPEN_STATES:
                roles += [(case.feedback_signed_by_id, self.env._("sign the feedback of")),
                          (case.verified_by_id, self.env._("verify")),
                          (case.callback_user_id, self.env._("call back"))]
            for user, role in roles:
                if user:
                    case._check_recusal(user, role)

    @api.constrains("partner_id", "partner_name", "is_anonymous")
    def _check_complainant(self):
        for case in self:
            if not (case.partner_id or case.partner_name or case.confidential or case.is_anonymous):
                raise ValidationError(self.env._("Record who complained (name or contact)."))

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        for case in self:
            partner = case.partner_id
            if partner:
                case.partner_name = partner.name
                case.partner_phone = partner.phone or partner.mobile
                case.partner_email = partner.email
                case.partner_address = partner._display_address(without_company=True).replace("\n", " ")

    # CRUD ----------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # Odoo replays a request after a concurrency failure with the same values: the
        # reference, complainant and identity set below must not stick to them.
        vals_list = [dict(vals) for vals in vals_list]
        unnamed = defaultdict(list)
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New") or not vals.get("name"):
                unnamed[vals.get("company_id") or self.env.company.id].append(vals)
        for company_id, company_vals in unnamed.items():
            references = self._reserve_references(self.env["res.company"].browse(company_id),
                                                  len(company_vals))
            for vals, reference in zip(company_vals, references, strict=True):
                vals["name"] = reference
        # A confidential complainant never touches the case: kept apart from the start.
        identities = [{name: vals.pop(name) for name in IDENTITY_FIELDS if name in vals}
                      if vals.get("confidential") else None for vals in vals_list]
        self._link_complainants(vals_list)
        cases = super().create(vals_list)
        self.env["complaint.complainant"].sudo().create([
            dict(identity, case_id=case.id)
            for case, identity in zip(cases, identities, strict=True) if identity is not None])
        cases._record_repeats()
        cases.filtered("is_emergency")._notify_emergency()
        return cases

    def write(self, vals):
        if any(case.state in LOCKED_STATES for case in self) and not self.env.su:
            blocked = [f for f in vals if not f.startswith(_WRITABLE_WHEN_LOCKED_PREFIXES)
                       and f not in _WRITABLE_WHEN_LOCKED]
            if blocked:
                raise UserError(self.env._(
                    "Closed, withdrawn, not-accepted and merged cases are kept as they are and "
                    "cannot be changed."))
        identity = {name: vals[name] for name in IDENTITY_FIELDS if name in vals}
        sealed = (self.filtered("confidential") if identity and "confidential" not in vals
                  else self.browse())
        if sealed:
            # The identity of a confidential complainant goes to its own record.
            if not (self.env.su or self.env.user.has_group(
                    "addon_complaints.group_complaint_office")):
                raise UserError(self.env._("The complainant of a confidential case is kept by "
                                           "the complaint office."))
            sealed.sudo().confidential_identity_ids.write(identity)
            rest = {name: value for name, value in vals.items() if name not in identity}
            if self - sealed:
                super(ComplaintCase, self - sealed).write(vals)
            if rest:
                super(ComplaintCase, sealed).write(rest)
            return True
        res = super().write(vals)
        if "confidential" in vals:
            self.filtered("confidential")._seal_identity()
            self.filtered(lambda case: not case.confidential)._unseal_identity()
        return res

    def _seal_identity(self):
        """Move the complainant of confidential cases to their own records, without a trace
        in the case's tracking."""
        Complainant = self.env["complaint.complainant"].sudo()
        for case in self:
            values = {name: case[name].id if name == "partner_id" else case[name]
                      for name in IDENTITY_FIELDS}
            if not any(values.values()):
                continue
            vault = case.sudo().confidential_identity_ids[:1]
            if vault:
                vault.write({name: value for name, value in values.items() if value})
            else:
                Complainant.create(dict(values, case_id=case.id))
            case.sudo().with_context(mail_notrack=True).write(
                dict(dict.fromkeys(IDENTITY_FIELDS, False), confidential=True))

    def _unseal_identity(self):
        """Bring the complainant back onto cases that are no longer confidential."""
        for case in self:
            vault = case.sudo().confidential_identity_ids
            if vault:
                identity = vault[:1]._identity_values()
                vault.unlink()
                case.sudo().write(dict(identity, confidential=False))

    def _complainant_values(self):
        """Who complained, for the server's own use (notices, flags): from the case, or
        from its confidential record."""
        self.ensure_one()
        vault = self.sudo().confidential_identity_ids[:1] if self.confidential else None
        if vault:
            values = vault._identity_values()
        else:
            values = {name: self[name].id if name == "partner_id" else self[name]
                      for name in IDENTITY_FIELDS}
        values["partner"] = self.env["res.partner"].sudo().browse(values["partner_id"] or ())
        return values

    @contextmanager
    def _complainant_in_cache(self):
        """Let a template addressed to the complainant of a confidential case read their
        name: in memory only, for the time of the rendering."""
        for case in self.filtered("confidential"):
            values = case._complainant_values()
            for name in IDENTITY_FIELDS:
                self.env.cache.update(case, self._fields[name], [values[name]])
        try:
            yield
        finally:
            self.invalidate_recordset(list(IDENTITY_FIELDS))

    @api.model
    def _check_unreferenced(self, records):
        """Refuse to delete ``records`` (partners, departments, categories, users) that a
        case refers to: they are archived instead."""
        fnames = CASE_REFERENCES[records._name]
        domain = expression.OR([[(fname, "in", records.ids)] for fname in fnames])
        referenced = self.sudo().with_context(active_test=False).search_count(domain, limit=1)
        if not referenced and records._name == "res.partner":
            referenced = self.env["complaint.complainant"].sudo().search_count(
                [("partner_id", "in", records.ids)], limit=1)
        if referenced:
            raise UserError(self.env._(
                "%(records)s is referred to by complaint cases, which keep it: archive it "
                "instead of deleting it.", records=", ".join(records.mapped("display_name"))))

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._(
            "Complaint cases are never deleted: they are kept until their archive date."))

    @api.model
    def _reserve_references(self, company, count):
        """``count`` references of the company's complaint sequence, never skipping a number.

        A gap-free sequence is one row that every registration updates. Updated inside the
        registering transaction (Odoo's ``no_gap``: ``FOR UPDATE NOWAIT``), two clerks saving
        at once, or a clerk saving while the sync worker imports a batch, fail with a lock or
        serialization error and Odoo replays the request after a random sleep of up to
        seconds. So the numbers are claimed in a separate transaction of a few milliseconds
        (``_claim_numbers``) and the registering transaction never touches the row.
        """
        sequence = self.env["ir.sequence"].with_company(company).search(
            [("code", "=", "complaint.case"), ("company_id", "in", [company.id, False])],
            order="company_id", limit=1)
        if not sequence:
            return [self.env._("New")] * count
        if sequence.use_date_range or sequence.implementation != "no_gap":
            return [sequence._next() for _ in range(count)]
        prefix, suffix = sequence._get_prefix_suffix()
        references = lambda numbers: [  # noqa: E731
            f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]
        # Tests run in one transaction that is rolled back, and an install creates the sequence
        # in a transaction not yet committed: there, the numbers are taken in place.
        if not self.env.registry.in_test_mode() and self.env.registry.ready:
            claimed = self._claim_numbers(sequence, count, references)
            if claimed is not None:
                return claimed
        return references(self._take_numbers_here(sequence, count))

    def _take_numbers_here(self, sequence, count):
        """``count`` numbers taken inside the current transaction (one locked update)."""
        sequence.flush_recordset(["number_next"])
        self.env.cr.execute(SQL("SELECT number_next FROM ir_sequence WHERE id = %s FOR UPDATE NOWAIT",
                                sequence.id))
        first = self.env.cr.fetchone()[0]
        step = sequence.number_increment
        self.env.cr.execute(SQL("UPDATE ir_sequence SET number_next = number_next + %s WHERE id = %s",
                                step * count, sequence.id))
        sequence.invalidate_recordset(["number_next"])
        return [first + i * step for i in range(count)]

    def _claim_numbers(self, sequence, count, references):
        """Claim ``count`` references for the current transaction in a transaction of their own.

        The claim transaction runs at READ COMMITTED: it waits for the sequence row instead of
        failing on it, and holds it for a few milliseconds only. Each claim records the
        references and the claiming transaction's id. A claim whose case exists is done and
        dropped. A claim whose transaction rolled back or died is handed out again, lowest
        number first, so that every number ends up on exactly one case; so is, after an hour,
        one whose transaction committed without the case (rolled back to a savepoint).
        None when the sequence is not visible outside the current transaction.
        """
        self.env.cr.execute(SQL("SELECT txid_current()"))
        txid = self.env.cr.fetchone()[0]
        with self.env.registry.cursor() as cr:
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            cr.execute(SQL("SELECT number_next, number_increment FROM ir_sequence WHERE id = %s FOR UPDATE",
                           sequence.id))
            row = cr.fetchone()
            if row is None:  # the sequence is not committed yet
                return None
            number_next, step = row
            # The state of each claiming transaction first, then (a later statement, so a
            # later snapshot) whether its case exists: a transaction seen finished here has
            # its case visible below.
            cr.execute(SQL("""
                SELECT number, reference, txid_status(claimed_by) = 'aborted'
                       OR claimed_at < (now() AT TIME ZONE 'UTC') - interval '1 hour'
                  FROM complaint_case_reference_claim
                 WHERE sequence_id = %s AND txid_status(claimed_by) IS DISTINCT FROM 'in progress'
                 ORDER BY number""", sequence.id))
            finished = cr.fetchall()
            cr.execute(SQL("SELECT name FROM complaint_case WHERE name = ANY(%s)",
                           [reference for _number, reference, _free in finished]))
            on_cases = {row[0] for row in cr.fetchall()}
            used = [number for number, reference, _free in finished if reference in on_cases]
            numbers = [number for number, reference, free in finished
                       if free and reference not in on_cases][:count]
            if used:
                cr.execute(SQL("DELETE FROM complaint_case_reference_claim WHERE sequence_id = %s "
                               "AND number = ANY(%s)", sequence.id, used))
            fresh = count - len(numbers)
            numbers += [number_next + i * step for i in range(fresh)]
            if fresh:
                cr.execute(SQL("UPDATE ir_sequence SET number_next = number_next + %s WHERE id = %s",
                               step * fresh, sequence.id))
            claimed = references(numbers)
            cr.execute(SQL("""
                INSERT INTO complaint_case_reference_claim (sequence_id, number, reference, claimed_by, claimed_at)
                SELECT %s, number, reference, %s, now() AT TIME ZONE 'UTC'
                  FROM unnest(%s::int[], %s::varchar[]) AS c(number, reference)
                ON CONFLICT (sequence_id, number) DO UPDATE
                   SET reference = EXCLUDED.reference, claimed_by = EXCLUDED.claimed_by,
                       claimed_at = EXCLUDED.claimed_at""", sequence.id, txid, numbers, claimed))
        sequence.invalidate_recordset(["number_next"])
        return claimed

    @api.model
    def _link_complainants(self, vals_list):
        """Give each new case its complainant as a partner: found by phone or e-mail, else
        created on the fly. One search and one create for the whole batch, so that a portal
        import of thousands of cases stays fast."""
        todo = [vals for vals in vals_list if not vals.get("partner_id") and vals.get("partner_name")]
        if not todo:
            return
        Partner = self.env["res.partner"]
        phones = {vals["partner_phone"] for vals in todo if vals.get("partner_phone")}
        emails = {vals["partner_email"].strip().lower() for vals in todo
                  if vals.get("partner_email") and not vals.get("partner_phone")}
        by_phone, by_email = {}, {}
        if phones or emails:
            known = Partner.search(["|", "|", ("phone", "in", list(phones)), ("mobile", "in", list(phones)),
                                    ("email_normalized", "in", list(emails))], order="id")
            for partner in known:
                for number in (partner.phone, partner.mobile):
                    if number:
                        by_phone.setdefault(number, partner)
                if partner.email_normalized:
                    by_email.setdefault(partner.email_normalized, partner)
        new_index = {}  # the same new customer twice in one batch is one partner
        to_create, waiting = [], []
        for vals in todo:
            company_id = vals.get("company_id") or self.env.company.id
            email = (vals.get("partner_email") or "").strip().lower()
            phone = vals.get("partner_phone")
            partner = by_phone.get(phone) if phone else by_email.get(email)
            if partner and partner.company_id.id in (False, company_id):
                vals["partner_id"] = partner.id
                continue
            key = phone or email or len(to_create)
            if key not in new_index:
                new_index[key] = len(to_create)
                to_create.append({
                    "name": vals["partner_name"],
                    "phone": phone,
                    "email": vals.get("partner_email"),
                    "street": vals.get("partner_address"),
                })
            waiting.append((vals, new_index[key]))
        # Whoever registers the case follows the case, not every customer it brings in.
        created = Partner.with_context(mail_create_nosubscribe=True).create(to_create)
        for vals, index in waiting:
            vals["partner_id"] = created[index].id

    # Repeats ---------------------------------------------------------------------------------
    def _earlier_same_matters(self):
        """For each case, the latest earlier case about the same matter (same customer, same
        category, same company, within the company's window), found in one search.

        Repeats are found across the whole company, whoever registered the earlier case: a
        clerk only sees their own cases, the rule must not.
        """
        found = {}
        candidates = self.filtered(lambda c: c.partner_id and c.category_id and not c.repeat_of_id)
        if candidates:
            oldest = min(c.date_received - timedelta(days=c.company_id.complaint_repeat_window_days or 365)
                         for c in candidates)
            pool = self.sudo().search([
                ("company_id", "in", candidates.company_id.ids),
                ("partner_id", "in", candidates.partner_id.ids),
                ("category_id", "in", candidates.category_id.ids),
                ("state", "not in", ("merged", "not_accepted")),
                ("date_received", ">=", oldest),
            ], order="date_received desc, id desc")
            same_matter = defaultdict(list)  # newest first, as searched
            for earlier in pool:
                same_matter[earlier.company_id.id, earlier.partner_id.id, earlier.category_id.id].append(earlier)
            for case in candidates:
                window = timedelta(days=case.company_id.complaint_repeat_window_days or 365)
                key = (case.company_id.id, case.partner_id.id, case.category_id.id)
                found[case.id] = next((
                    earlier for earlier in same_matter[key]
                    if (earlier.date_received, earlier.id) < (case.date_received, case.id)
                    and earlier.date_received >= case.date_received - window), None)
        for case in self.filtered("repeat_of_id"):
            found[case.id] = case.repeat_of_id
        return found

    def _record_repeats(self, earlier_of=None):
        """A repeat of an open matter is recorded on the original; a repeat of a closed one
        opens a new case that carries the count on (it drives the level). ``earlier_of``
        ({case id: original}) is given when the clerk confirmed the original, else found by
        the same-customer-same-category rule."""
        if earlier_of is None:
            earlier_of = self._earlier_same_matters()
        for case in self.sorted(lambda c: (c.date_received, c.id)):
            original = earlier_of.get(case.id)
            if not original:
                continue
            while original.state == "merged" and original.repeat_of_id:
                original = original.repeat_of_id
            # The escalation that follows is the system's doing, whoever registered the repeat.
            original_sys = original.sudo()
            if original.state in OPEN_STATES:
                original_sys.repeat_count += 1
                original_sys.message_post(body=self.env._(
                    "The customer raised this matter again (%(count)s times in all): %(ref)s — "
                    "%(content)s",
                    count=original_sys.repeat_count, ref=case.name,
                    content=case.description or case.subject))
                case.sudo().write({"repeat_of_id": original.id, "state": "merged",
                                   "repeat_count": original_sys.repeat_count})
            else:
                case.sudo().write({"repeat_of_id": original.id,
                                   "repeat_count": original_sys.repeat_count + 1})

    # Helpers -----------------------------------------------------------------------------
    def _ensure_state(self, *states):
        for case in self:
            if case.state not in states:
                labels = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(self.env._(
                    "%(case)s is %(state)s: this step needs it to be %(expected)s.",
                    case=case.name, state=labels[case.state],
                    expected=" / ".join(labels[s] for s in states)))

    def _ensure_office(self):
        if not self.env.user.has_group("addon_complaints.group_complaint_office"):
            raise AccessError(self.env._("Only the complaint office can do this."))

    def _lead_assignment(self):
        self.ensure_one()
        return self.assignment_ids.filtered(
            lambda a: a.is_lead and a.state in ("pending", "accepted"))[:1]

    def _involved_users(self):
        """Everyone who took part in handling: they cannot call the customer back."""
        self.ensure_one()
        return (self.handler_user_id | self.assignment_ids.user_id
                | self.feedback_signed_by_id | self.respondent_user_id | self.interested_user_ids
                | self.assignment_ids.accepted_by_id)

    def _finish_open_assignments(self):
        """The dispatch orders of a case that ends or starts over are done: departments
        no longer owe anything on them (whoever ends the case may not edit the orders)."""
        self.assignment_ids.filtered(lambda a: a.state in ("pending", "accepted")).sudo().write(
            {"state": "done"})

    def _check_recusal(self, user, role):
        self.ensure_one()
        if user == self.respondent_user_id or user in self.interested_user_ids:
            raise ValidationError(self.env._(
                "%(user)s is complained about in %(case)s or has declared an interest, and "
                "cannot %(role)s it.", user=user.name, case=self.name, role=role))

    def _schedule_step(self, user, summary, note=""):
        """Close the previous step's activities and open one for the next step."""
        self.activity_unlink([STEP_ACTIVITY])
        if user:
            self.activity_schedule(STEP_ACTIVITY, user_id=user.id, summary=summary, note=note)

    def _office_user(self, office=None):
        """Who in the complaint office picks up the next office step: the owner when they
        belong to the office, else the manager of an office department (``office`` when the
        caller already looked it up)."""
        self.ensure_one()
        if self.owner_user_id.has_group("addon_complaints.group_complaint_office"):
            return self.owner_user_id
        if office is None:
            office = self._complaint_office()
        return office.manager_id or self.owner_user_id

    def _complaint_office(self):
        """The complaint office department of the case's company."""
        self.ensure_one()
        return self.env["complaint.department"].sudo().search(
            [("is_complaint_office", "=", True), ("company_id", "=", self.company_id.id)], limit=1)

    def _send_notice(self, notice_type, template_xmlid, **notice_vals):
        """Tell the customer through the case's channel and keep the proof.

        The message is rendered from a mail template in the customer's language; it is
        e-mailed when the channel replies by e-mail and an address is known, else it is
        recorded for the clerk to read out on the phone or to send by post.
        """
        # The template shows what the notice records (a delay notice: its reason and date).
        template = self.env.ref(template_xmlid).with_context(
            delay_reason=notice_vals.get("reason"), delay_date=notice_vals.get("new_expected_date"))
        for case in self:
            with case._complainant_in_cache():
                subject = template._render_field("subject", case.ids, compute_lang=True)[case.id]
                body = template._render_field("body_html", case.ids, compute_lang=True)[case.id]
            who = case._complainant_values()
            partner = who["partner"]
            email = who["partner_email"] or partner.email
            by_email = bool(case.channel_id.sends_email and email and partner)
            if case.confidential:
                # The chatter of a confidential case says that the customer was told, not who.
                if by_email:
                    self.env["mail.mail"].sudo().create({
                        "subject": subject, "body_html": body, "email_to": email,
                        "recipient_ids": partner.ids, "model": case._name, "res_id": case.id,
                        "auto_delete": False})
                message = case.message_post(body=self.env._(
                    "%(subject)s: sent to the confidential complainant (see the notice).",
                    subject=subject), message_type="notification", subtype_xmlid="mail.mt_note")
            else:
                message = case.message_post(
                    body=body, subject=subject,
                    partner_ids=partner.ids if by_email else [],
                    message_type="comment" if by_email else "notification",
                    subtype_xmlid="mail.mt_comment" if by_email else "mail.mt_note",
                )
            # Users cannot create notices themselves, so none can be forged: the step that
            # sends the notice has already checked who may take it.
            self.env["complaint.notice"].sudo().create({
                "case_id": case.id,
                "notice_type": notice_type,
                "channel_id": case.channel_id.id,
                "recipient": " ".join(filter(None, [who["partner_name"] or partner.name,
                                                    email if by_email else who["partner_phone"]])),
                "subject": subject,
                "content": body,
                "mail_message_id": message.id,
                **notice_vals,
            })

    def _notify_emergency(self):
        leaders = self.env.ref("addon_complaints.group_complaint_leadership").sudo().users
        for case in self:
            case.message_post(
                body=self.env._("Emergency: personal safety or major property loss. "
                                "The leadership group has been notified."),
                partner_ids=leaders.partner_id.ids, message_type="comment",
                subtype_xmlid="mail.mt_comment")
            for leader in leaders:
                case.activity_schedule(STEP_ACTIVITY, user_id=leader.id,
                                       summary=self.env._("Emergency complaint"))

    # Intake and acceptance -----------------------------------------------------------------
    def _check_registration_complete(self):
        for case in self:
            missing = []
            who = case._complainant_values()
            if not (who["partner_name"] or who["partner_id"] or case.is_anonymous):
                missing.append(self.env._("complainant name"))
            if not (who["partner_phone"] or who["partner_email"] or who["partner_address"]
                    or case.is_anonymous):
                missing.append(self.env._("contact"))
            if not case.description:
                missing.append(self.env._("complaint content"))
            if not case.customer_demand and case.demand_type in ("complaint", "help"):
                missing.append(self.env._("customer demand"))
            if case.channel_id.requires_readback and not case.readback_confirmed:
                missing.append(self.env._("read-back confirmation"))
            if missing:
                raise UserError(self.env._("%(case)s is missing: %(fields)s.",
                                           case=case.name, fields=", ".join(missing)))

    @transition
    def action_accept(self):
        """Accept the complaint; where the company requires it, a department head approves
        the registration first. The customer gets an acceptance receipt."""
        self._ensure_state("draft")
        self._check_registration_complete()
        for case in self:
            values = {"date_accepted": fields.Datetime.now(), "accepted_by_id": self.env.user.id}
            if case.company_id.complaint_registration_approval:
                values["state"] = "approval"
                case.write(values)
                approvers = case._registration_approvers()
                case._schedule_step(approvers[:1], self.env._("Approve the registration"))
            else:
                values["state"] = "accepted"
                case.write(values)
                case._after_acceptance()
        return True

    def _registration_approvers(self):
        self.ensure_one()
        departments = self.owner_user_id.complaint_department_ids
        managers = departments._managers_up_the_tree() - self.owner_user_id
        return managers or self._office_user()

    @transition
    def action_approve_registration(self):
        self._ensure_state("approval")
        if not self.env.user.has_group("addon_complaints.group_complaint_manager"):
            raise AccessError(self.env._("Only a department head approves registrations."))
        for case in self:
            if case.owner_user_id == self.env.user:
                raise AccessError(self.env._("A registration is approved by someone other than "
                                             "the clerk who registered it."))
            case.write({"state": "accepted", "registration_approved_by_id": self.env.user.id})
            case._after_acceptance()
        return True

    def _after_acceptance(self):
        self._send_notice("receipt", "addon_complaints.mail_template_complaint_receipt")
        for case in self:
            case._schedule_step(case._office_user(), self.env._("Dispatch to a department"))

    @transition
    def action_not_accept(self, reason=None, note=""):
        """Decline the complaint for a listed reason (a record or its id) and tell the
        customer why."""
        self._ensure_state("draft", "approval")
        reason = self._as_records("complaint.rejection.reason", reason)
        if not reason:
            raise UserError(self.env._("Choose the reason for not accepting the complaint."))
        self.write({
            "state": "not_accepted",
            "not_accepted_reason_id": reason.id,
            "not_accepted_note": note,
            "date_accepted": fields.Datetime.now(),
            "accepted_by_id": self.env.user.id,
        })
        self.activity_unlink([STEP_ACTIVITY])
        self._send_notice("not_accepted", "addon_complaints.mail_template_complaint_not_accepted")
        return True

    @transition
    def action_answer_on_spot(self):
        """A consultation (or simple request) answered at once is closed in one step."""
        self._ensure_state("draft")
        for case in self:
            if case.demand_type == "report":
                raise UserError(self.env._("A report is always investigated; it cannot be "
                                           "answered on the spot."))
            if not case.reply_text:
                raise UserError(self.env._("Write the answer given to the customer first."))
            now = fields.Datetime.now()
            case.write({
                "state": "replied", "date_accepted": now, "accepted_by_id": self.env.user.id,
                "handler_user_id": self.env.user.id, "reply_user_id": self.env.user.id,
                "date_replied": now, "validity": case.validity or "valid",
            })
            case._send_notice("reply", "addon_complaints.mail_template_complaint_reply")
            case._close("customer_accepts", self.env._("Answered on the spot; the customer "
                                                       "accepted the answer."))
        return True

    # Dispatch ------------------------------------------------------------------------------
    @transition
    def action_dispatch(self, lead_department=None, co_departments=None, assignee=None):
        """Send the case to its lead department (and co-handling departments); each given
        as records or ids."""
        self._ensure_office()
        self._ensure_state("accepted")
        lead_department = self._as_records("complaint.department", lead_department)
        if len(lead_department) != 1:
            raise UserError(self.env._("Choose one lead department."))
        co_departments = self._as_records("complaint.department", co_departments) - lead_department
        assignee = self._as_records("res.users", assignee)
        for case in self:
            if lead_department.company_id != case.company_id:
                raise UserError(self.env._("The department belongs to another company."))
            if assignee:
                case._check_recusal(assignee, self.env._("handle"))
            orders = [{"case_id": case.id, "department_id": lead_department.id, "is_lead": True,
                       "user_id": assignee.id if assignee else False,
                       "round": case.reopen_count + 1}]
            orders += [{"case_id": case.id, "department_id": dept.id, "is_lead": False,
                        "round": case.reopen_count + 1} for dept in co_departments]
            self.env["complaint.assignment"].create(orders)
            case.write({
                "state": "dispatched",
                "department_id": lead_department.id,
                "date_dispatched": case.date_dispatched or fields.Datetime.now(),
            })
            case._schedule_step(lead_department.manager_id,
                                self.env._("Accept or return the dispatch order"))
        return True

    def _on_assignment_accepted(self, assignment):
        self.ensure_one()
        if not assignment.is_lead or self.state != "dispatched":
            return
        handler = assignment.user_id or self.env.user
        self.sudo().write({
            "state": "handling",
            "handler_user_id": handler.id,
            "date_handover": fields.Datetime.now(),
        })
        self.sudo()._schedule_step(handler, self.env._("Handle and feed back"))

    def _on_assignment_returned(self, assignment):
        self.ensure_one()
        self.sudo().message_post(body=self.env._(
            "%(department)s returned the dispatch order: %(reason)s",
            department=assignment.department_id.complete_name, reason=assignment.return_reason))
        if assignment.is_lead and self.state in ("dispatched", "handling"):
            self.sudo().write({"state": "accepted", "department_id": False,
                               "handler_user_id": False})
            self.sudo()._schedule_step(self._office_user(),
                                       self.env._("Dispatch again (returned)"))

    # Handling --------------------------------------------------------------------------------
    def _check_handling_user(self):
        user = self.env.user
        for case in self:
            lead = case._lead_assignment()
            in_department = lead and lead.department_id in user.complaint_department_ids
            if user != case.handler_user_id and not in_department:
                raise AccessError(self.env._("Only the handler or the lead department works "
                                             "on %(case)s.", case=case.name))

    @transition
    def action_submit_feedback(self):
        """Hand the result back: the handling sheet and the four elements must be complete."""
        self._ensure_state("handling")
        self._check_handling_user()
        for case in self:
            missing = [label for fname, label in (
                ("handler_user_id", self.env._("handler")),
                ("handling_hours", self.env._("time taken")),
                ("handling_process", self.env._("process")),
                ("handling_result", self.env._("result")),
                ("handling_satisfaction", self.env._("customer's satisfaction")),
                ("facts", self.env._("facts")),
                ("cause_type", self.env._("cause")),
                ("handling_opinion", self.env._("handling opinion")),
            ) if not case[fname]]
            if missing:
                raise UserError(self.env._("Complete the handling sheet before feedback: %s",
                                           ", ".join(missing)))
            case.write({"state": "feedback"})
            manager = case.department_id.manager_id
            case._schedule_step(manager, self.env._("Review and sign the feedback"))
        return True

    @transition
    def action_sign_feedback(self):
        """The department head reviews and signs the feedback."""
        self._ensure_state("feedback")
        for case in self:
            if self.env.user not in case.department_id._managers_up_the_tree():
                raise AccessError(self.env._("Only the lead department's manager signs the feedback."))
            if case.feedback_signed_by_id:
                raise UserError(self.env._("The feedback is already signed."))
            case.write({"feedback_signed_by_id": self.env.user.id,
                        "date_feedback": fields.Datetime.now()})
            case._schedule_step(case._office_user(), self.env._("Verify the feedback"))
        return True

    @transition
    def action_verify(self):
        """The complaint office accepts the handling result."""
        self._ensure_office()
        self._ensure_state("feedback")
        for case in self:
            if not case.feedback_signed_by_id:
                raise UserError(self.env._("The department head has not signed the feedback yet."))
            case._check_recusal(self.env.user, self.env._("verify"))
            if self.env.user == case.handler_user_id:
                raise AccessError(self.env._("The handler cannot verify their own work."))
            case.write({"state": "verified", "verified_by_id": self.env.user.id,
                        "date_verified": fields.Datetime.now(),
                        "validity": case.validity or ("malicious" if case.cause_type == "malicious"
                                                      else "valid")})
            case._schedule_step(case._office_user(), self.env._("Reply to the customer"))
        return True

    @transition
    def action_send_back(self, reason=""):
        """The complaint office sends the feedback back to the department with a reason."""
        self._ensure_office()
        self._ensure_state("feedback")
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the feedback is sent back."))
        for case in self:
            case.write({"state": "handling", "feedback_signed_by_id": False, "date_feedback": False,
                        "verification_note": reason})
            case.message_post(body=self.env._("Feedback sent back: %s", reason))
            case._schedule_step(case.handler_user_id, self.env._("Rework the feedback"), reason)
        return True

    # Reply, callback, closure --------------------------------------------------------------
    @transition
    def action_reply(self):
        """Tell the customer the result through the channel they used."""
        self._ensure_office()
        self._ensure_state("verified")
        for case in self:
            if not case.reply_text:
                raise UserError(self.env._("Write the reply to the customer first."))
            case.write({"state": "replied", "reply_user_id": self.env.user.id,
                        "date_replied": fields.Datetime.now()})
            case._send_notice("reply", "addon_complaints.mail_template_complaint_reply")
            case._schedule_step(case._office_user(),
                                self.env._("Call the customer back (not the handler)"))
        return True

    @transition
    def action_callback(self, satisfaction=None, note="", problem_recurred=False):
        """Record the callback. A dissatisfied customer sends the case round again."""
        self._ensure_state("replied")
        if satisfaction not in dict(self._fields["satisfaction"].selection):
            raise UserError(self.env._("Record how satisfied the customer is."))
        user = self.env.user
        for case in self:
            if user in case._involved_users() or user == case.handler_user_id:
                raise AccessError(self.env._(
                    "The callback is made by someone who neither handled %(case)s nor is "
                    "involved in it.", case=case.name))
            case._check_recusal(user, self.env._("call back"))
            case.write({"callback_user_id": user.id, "date_callback": fields.Datetime.now(),
                        "satisfaction": satisfaction, "callback_note": note,
                        "problem_recurred": problem_recurred})
            if satisfaction == "dissatisfied" or problem_recurred:
                case._reopen(note)
            else:
                case._schedule_step(case._office_user(), self.env._("Close the case"))
        return True

    def _reopen(self, note):
        self.ensure_one()
        self._finish_open_assignments()
        self.write({
            "state": "accepted",
            "reopen_count": self.reopen_count + 1,
            "feedback_signed_by_id": False, "date_feedback": False,
            "verified_by_id": False, "date_verified": False,
        })
        self.message_post(body=self.env._(
            "The customer is not satisfied: the case is reopened for round %(round)s. %(note)s",
            round=self.reopen_count + 1, note=note or ""))
        self._schedule_step(self._office_user(), self.env._("Dispatch again (reopened)"))

    @transition
    def action_close(self, criterion=None, evidence="", improvement=""):
        """Close by one of the three criteria, each with its evidence."""
        self._ensure_office()
        evidence = (evidence or "").strip()
        if not evidence:
            raise UserError(self.env._("Closing needs its evidence."))
        for case in self:
            if criterion == "customer_accepts":
                case._ensure_state("replied")
                if case.satisfaction not in ("satisfied", "basically_satisfied"):
                    raise UserError(self.env._(
                        "The customer has not accepted the result: call back first."))
            elif criterion == "law_supports":
                case._ensure_state("replied")
                if not case.date_callback:
                    raise UserError(self.env._("Call the customer back before closing on the "
                                               "legal position."))
            elif criterion == "ruled_invalid":
                case._ensure_state("accepted", "dispatched", "handling", "feedback", "verified",
                                   "replied")
                if case.validity not in ("invalid", "malicious"):
                    raise UserError(self.env._("Rule the complaint invalid or malicious first."))
            else:
                raise UserError(self.env._("Choose a closure criterion."))
            case._close(criterion, evidence, improvement)
        return True

    def _close(self, criterion, evidence, improvement=""):
        self.ensure_one()
        self._finish_open_assignments()
        partner = self._complainant_values()["partner"]
        if self.validity == "malicious" and partner:
            partner.complaint_malicious = True
        self.activity_unlink([STEP_ACTIVITY])
        self.write({
            "closure_criterion": criterion, "closure_evidence": evidence,
            "improvement_suggestion": improvement, "closed_by_id": self.env.user.id,
            "date_closed": fields.Datetime.now(), "state": "closed",
        })

    @transition
    def action_withdraw(self, reason=""):
        """The customer withdraws: the case ends that day, the withdrawal is recorded."""
        self._ensure_state(*OPEN_STATES)
        if not (reason or "").strip():
            raise UserError(self.env._("Record what the customer said when withdrawing."))
        for case in self:
            case._finish_open_assignments()
            case.activity_unlink([STEP_ACTIVITY])
            case.write({"withdrawal_reason": reason, "date_closed": fields.Datetime.now(),
                        "state": "withdrawn"})
            case._send_notice("withdrawal", "addon_complaints.mail_template_complaint_withdrawal")
        return True

    def action_notify_delay(self, reason="", new_expected_date=None):
        """Tell the customer in advance that the deadline will be missed, why, and when to
        expect the result; the notice is kept as proof."""
        self._ensure_state(*OPEN_STATES)
        if not (reason or "").strip() or not new_expected_date:
            raise UserError(self.env._("A delay notice gives the reason and the new expected date."))
        new_expected_date = fields.Datetime.to_datetime(new_expected_date)
        for case in self:
            if new_expected_date <= fields.Datetime.now():
                raise UserError(self.env._("The new expected date must be in the future."))
            case.with_context(delay_reason=reason, delay_date=new_expected_date)._send_notice(
                "delay", "addon_complaints.mail_template_complaint_delay",
                reason=reason, new_expected_date=new_expected_date)
        return True

    @transition
    def action_declare_interest(self):
        """The current user declares an interest and steps aside from this case."""
        user = self.env.user
        self.check_access("read")
        for case in self:
            values = {"interested_user_ids": [fields.Command.link(user.id)]}
            if case.handler_user_id == user:
                values["handler_user_id"] = False
            # Stepping aside is always allowed, even to users who may not edit the case.
            case.sudo().write(values)
            if "handler_user_id" in values:
                manager = case.department_id.manager_id
                case.sudo()._schedule_step(manager, self.env._("Assign another handler"))
            case.sudo().message_post(
                body=self.env._("%s declared an interest and stepped aside.", user.name),
                author_id=user.partner_id.id)
        return True

    @transition
    def action_record_interest(self, users=None):
        """The complaint office records that other users have an interest in the case."""
        self._ensure_office()
        users = self._as_records("res.users", users)
        if not users:
            raise UserError(self.env._("Choose who has an interest in the case."))
        self._ensure_state(*OPEN_STATES)
        for case in self:
            case.write({"interested_user_ids": [fields.Command.link(user.id) for user in users]})
            case.message_post(body=self.env._("Interest recorded for %s.",
                                              ", ".join(users.mapped("name"))))
        return True

    @transition
    def action_assign_handler(self, user=None):
        """The lead department's manager (or the office) gives the case to a handler of the
        department."""
        self._ensure_state("handling")
        user = self._as_records("res.users", user)
        if len(user) != 1:
            raise UserError(self.env._("Choose one handler."))
        for case in self:
            managers = case.department_id._managers_up_the_tree()
            if (self.env.user not in managers
                    and not self.env.user.has_group("addon_complaints.group_complaint_office")):
                raise AccessError(self.env._("Only the lead department's manager assigns the "
                                             "handler of %(case)s.", case=case.name))
            case._check_recusal(user, self.env._("handle"))
            case.write({"handler_user_id": user.id})
            case._schedule_step(user, self.env._("Handle and feed back"))
        return True

    def _rule_validity(self, validity):
        self._ensure_office()
        self._ensure_state("accepted", "dispatched", "handling", "feedback", "verified", "replied")
        labels = dict(self._fields["validity"]._description_selection(self.env))
        for case in self:
            case.write({"validity": validity})
            case.message_post(body=self.env._("Ruled %s by the complaint office.",
                                              labels[validity]))
        return True

    @transition
    def action_rule_valid(self):
        return self._rule_validity("valid")

    @transition
    def action_rule_invalid(self):
        """The customer's own cause or a misunderstanding: closable as ruled invalid."""
        return self._rule_validity("invalid")

    @transition
    def action_rule_malicious(self):
        """A malicious complaint: the complainant is flagged when the case closes."""
        return self._rule_validity("malicious")

    @transition
    def action_mark_confidential(self):
        """Only the complaint office will see who complained (whistle-blowing, reports)."""
        return self._set_confidential(True)

    @transition
    def action_lift_confidential(self):
        return self._set_confidential(False)

    def _set_confidential(self, confidential):
        self._ensure_office()
        for case in self.filtered(lambda c: c.confidential != confidential):
            case.write({"confidential": confidential})
            case.message_post(body=self.env._("The complainant is now confidential.")
                              if confidential else
                              self.env._("The complainant is no longer confidential."))
        return True

    @api.model
    def _as_records(self, model, value):
        """``value`` as records of ``model``: records, an id, a list of ids or nothing (as
        the external API passes them)."""
        if isinstance(value, models.BaseModel):
            if value._name != model:
                raise UserError(self.env._("Expected %(model)s records.", model=model))
            return value
        if not value:
            return self.env[model]
        ids = [value] if isinstance(value, int) else value
        if not isinstance(ids, (list, tuple)) or not all(isinstance(i, int) for i in ids):
            raise UserError(self.env._("Expected %(model)s records.", model=model))
        return self.env[model].browse(ids).exists()

    # Buttons that open dialogs ----------------------------------------------------------------
    def action_open_dispatch_wizard(self):
        self.ensure_one()
        return self.env["complaint.dispatch.wizard"]._open_for(
            self.env._("Dispatch %s", self.name), case_id=self.id,
            department_id=(self.department_id or self.proposed_department_id).id)

    def action_open_assign_handler_wizard(self):
        self.ensure_one()
        return self.env["complaint.assign.handler.wizard"]._open_for(
            self.env._("Assign the handler of %s", self.name), case_id=self.id)

    def action_open_not_accept_wizard(self):
        self.ensure_one()
        return self.env["complaint.not.accept.wizard"]._open_for(
            self.env._("Do not accept %s", self.name), case_id=self.id)

    def action_open_send_back_wizard(self):
        self.ensure_one()
        return self.env["complaint.reason.wizard"]._open_for(
            self.env._("Send back the feedback of %s", self.name), kind="send_back", res_id=self.id)

    def action_open_withdraw_wizard(self):
        self.ensure_one()
        return self.env["complaint.reason.wizard"]._open_for(
            self.env._("Withdrawal of %s", self.name), kind="withdraw", res_id=self.id)

    def action_open_close_wizard(self):
        self.ensure_one()
        return self.env["complaint.close.wizard"]._open_for(
            self.env._("Close %s", self.name), case_id=self.id, criterion=self._likely_closure_criterion())

    def _likely_closure_criterion(self):
        """The criterion the office most likely closes by, proposed in the dialog."""
        self.ensure_one()
        if self.validity in ("invalid", "malicious"):
            return "ruled_invalid"
        if self.satisfaction in ("satisfied", "basically_satisfied"):
            return "customer_accepts"
        return "law_supports" if self.date_callback else False

    def action_open_callback_wizard(self):
        self.ensure_one()
        return self.env["complaint.callback.wizard"]._open_for(
            self.env._("Call back %s", self.name), case_id=self.id)

    def action_open_delay_notice_wizard(self):
        self.ensure_one()
        return self.env["complaint.delay.notice.wizard"]._open_for(
            self.env._("Delay notice for %s", self.name), case_id=self.id)

    def action_view_assignments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "addon_complaints.complaint_assignment_action")
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {"default_case_id": self.id}
        return action

    def action_view_notices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("addon_complaints.complaint_notice_action")
        action["domain"] = [("case_id", "=", self.id)]
        return action
