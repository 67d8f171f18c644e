import uuid
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .complaint_sla_policy_line import STAGE_CLOCKS, STAGES

OPEN_STATES = ("draft", "approval", "accepted", "dispatched", "handling", "feedback", "verified",
               "replied")
# A case in one of these states is a record of what happened: nobody edits it any more.
LOCKED_STATES = ("not_accepted", "closed", "withdrawn", "merged")
# Fields that may still change on a locked case: the discussion, its activities, and the
# upstream portal's receipt for the result we sent it.
_WRITABLE_WHEN_LOCKED_PREFIXES = ("message_", "activity_", "website_message")
_WRITABLE_WHEN_LOCKED = ("external_receipt", "external_pushed_at")
# Shown only to the complaint office when a case is confidential (whistle-blowing).
CONFIDENTIAL_FIELDS = ("partner_id", "partner_name", "partner_phone", "partner_email",
                       "partner_address", "partner_id_number")
GROUP_COMPLAINT_SIZE = 10
STEP_ACTIVITY = "addon_complaints.mail_activity_type_complaint_step"
DEADLINE_ACTIVITY = "addon_complaints.mail_activity_type_complaint_deadline"
DEADLINE_STATUSES = [("none", "No time limit"), ("on_time", "On time"), ("due_soon", "Due soon"),
                     ("overdue", "Overdue"), ("paused", "Paused"), ("done", "Done")]
ACCOUNTABILITY_READERS = ("addon_complaints.group_complaint_handler,"
                          "addon_complaints.group_complaint_leadership")
# The stored dates that start or stop a stage's clock.
DEADLINE_DATE_FIELDS = sorted({name for clock in STAGE_CLOCKS.values() for name in clock
                               if name != "clock"})
# Working-time windows shared by the chunks of one batched recompute, by run.
_WORKING_TIMES = {}
LEVEL_RANK = {"normal": 0, "urgent": 1, "major": 2, "crisis": 3}
# Writing these may raise a case's level, which notifies the people the level requires.
LEVEL_TRIGGERS = {"repeat_count", "channel_id", "affected_count"}


def _format_duration(seconds, env):
    """"2 d 3 h", "5 h 20 min", "12 min": the time left at a glance."""
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return env._("%(days)s d %(hours)s h", days=days, hours=hours)
    if hours:
        return env._("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    return env._("%s min", minutes)


class ComplaintCase(models.Model):
    """A customer's complaint (or consultation, suggestion, help request, report) from intake
    to closure: registration, acceptance, dispatch, handling, verification, reply, callback,
    closure. Every step is a method named after what it does, checked on the server."""

    _name = "complaint.case"
    _description = "Customer Complaint"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_received desc, id desc"
    _check_company_auto = True

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
                                 check_company=True)
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
    confidential = fields.Boolean(
        tracking=True,
        help="Only the complaint office sees who complained (reports, whistle-blowing).")
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
    category_id = fields.Many2one("complaint.category", tracking=True, index=True)
    proposed_department_id = fields.Many2one(
        "complaint.department", compute="_compute_proposed_department_id",
        help="Proposed by the routing rules.")
    department_id = fields.Many2one("complaint.department", string="Lead Department",
                                    tracking=True, index=True, check_company=True, copy=False)
    assignment_ids = fields.One2many("complaint.assignment", "case_id", string="Dispatch Orders",
                                     copy=False)
    assignment_count = fields.Integer(compute="_compute_assignment_count")
    date_dispatched = fields.Datetime(readonly=True, copy=False)
    date_deadline = fields.Datetime(string="Due", tracking=True, copy=False,
                                    compute="_compute_deadlines", store=True, index=True,
                                    help="When the result is due to the customer: computed from "
                                    "the deadline policy, the working calendar, pauses and "
                                    "approved extensions.")

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

    # Deadlines (begin) -----------------------------------------------------------------------
    # Time limits from the deadline policy, counted on the working calendar (public holidays
    # and make-up working days included), moved by pauses and approved extensions; overdue
    # control, accountability and level notifications.
    sla_policy_id = fields.Many2one(
        "complaint.sla.policy", string="Deadline Policy", compute="_compute_sla_policy_id",
        store=True, readonly=False, tracking=True, index=True, copy=False,
        help="Chosen by the policies' criteria, else the company's default.")
    date_clock_restart = fields.Datetime(
        string="Clock Restarted", readonly=True, copy=False,
        help="New facts restarted the time limits at this moment.")
    date_stage_deadline = fields.Datetime(
        string="Step Due", compute="_compute_deadlines", store=True, index=True, copy=False,
        help="When the step now on the clock is due.")
    deadline_stage = fields.Selection(
        STAGES, string="Step on the Clock", compute="_compute_deadlines", store=True, copy=False)
    date_handling_deadline = fields.Datetime(
        string="Handling Due", compute="_compute_deadlines", store=True, copy=False)
    date_callback_deadline = fields.Datetime(
        string="Callback Due", compute="_compute_deadlines", store=True, copy=False)
    date_review_deadline = fields.Datetime(
        string="Review Due", compute="_compute_deadlines", store=True, copy=False)
    deadline_status = fields.Selection(
        DEADLINE_STATUSES, compute="_compute_deadlines", store=True, index=True, copy=False,
        string="Timeliness")
    deadline_remaining = fields.Char(string="Time Left", compute="_compute_deadline_remaining")
    pause_ids = fields.One2many("complaint.deadline.pause", "case_id", string="Clock Pauses",
                                copy=False)
    extension_ids = fields.One2many("complaint.extension", "case_id", string="Extensions",
                                    copy=False)
    extension_count = fields.Integer(compute="_compute_extension_count")
    accountability_ids = fields.One2many("complaint.accountability", "case_id",
                                         string="Accountability Records", copy=False,
                                         groups=ACCOUNTABILITY_READERS)
    accountability_count = fields.Integer(compute="_compute_accountability_count",
                                          groups=ACCOUNTABILITY_READERS)
    date_review_requested = fields.Datetime(string="Review Requested", readonly=True, copy=False)
    date_review_decided = fields.Datetime(string="Review Decided", readonly=True, copy=False)
    review_note = fields.Text(string="Review", readonly=True, copy=False)
    deadline_overdue_done = fields.Datetime(readonly=True, copy=False,
                                            help="The overdue step already escalated.")
    deadline_soon_done = fields.Datetime(readonly=True, copy=False,
                                         help="The step already reminded as due soon.")

    @api.depends("company_id", "demand_type", "level", "channel_id", "category_id",
                 "is_regulator_forwarded", "company_id.complaint_sla_policy_id")
    def _compute_sla_policy_id(self):
        found = self.env["complaint.sla.policy"]._find_for_cases(self)
        for case in self:
            case.sla_policy_id = found.get(case.id)

    @api.depends(
        "sla_policy_id", "sla_policy_id.line_ids", "sla_policy_id.line_ids.time_limit",
        "sla_policy_id.line_ids.unit", "sla_policy_id.line_ids.level",
        "sla_policy_id.line_ids.roll_to_working_day", "sla_policy_id.due_soon_hours",
        "level", "state", "date_received", "date_clock_restart", "date_accepted",
        "date_dispatched", "date_handover", "date_feedback", "date_verified", "date_replied",
        "date_callback", "date_review_requested", "date_review_decided",
        "pause_ids.date_start", "pause_ids.date_end", "extension_ids.state",
        "extension_ids.amount", "department_id.resource_calendar_id",
        "company_id.resource_calendar_id")
    def _compute_deadlines(self):
        now = fields.Datetime.now()
        calendars = {}
        planned = self.filtered("sla_policy_id")
        working_times = self._deadline_working_times(
            (case._deadline_calendar(cache=calendars), case.company_id, case.date_received or now)
            for case in planned)
        lines = {}
        empty = dict.fromkeys(("date_deadline", "date_stage_deadline", "deadline_stage",
                               "date_handling_deadline", "date_callback_deadline",
                               "date_review_deadline"), False)
        for case in self:
            values = dict(empty, deadline_status="none")
            if case.sla_policy_id and case.date_received:
                key = (case._deadline_calendar(cache=calendars), case.company_id)
                values.update(case._plan_deadlines(working_times[key], lines, now))
            case.update(values)

    def _compute_deadline_remaining(self):
        now = fields.Datetime.now()
        for case in self:
            due = case.date_stage_deadline
            if not due or case.deadline_status in ("none", "done"):
                case.deadline_remaining = False
                continue
            seconds = (due - now).total_seconds()
            left = _format_duration(abs(seconds), self.env)
            case.deadline_remaining = (left if seconds >= 0
                                       else self.env._("%s overdue", left))

    @api.depends("extension_ids")
    def _compute_extension_count(self):
        for case in self:
            case.extension_count = len(case.extension_ids)

    @api.depends("accountability_ids")
    def _compute_accountability_count(self):
        for case in self:
            case.accountability_count = len(case.accountability_ids)

    # Planning --------------------------------------------------------------------------------
    def _deadline_calendar(self, department=None, cache=None):
        """The working calendar: the department's, else the company's, else the standard one."""
        self.ensure_one()
        department = self.department_id if department is None else department
        key = (department.id, self.company_id.id)
        if cache is not None and key in cache:
            return cache[key]
        calendar = (department.sudo().resource_calendar_id
                    or self.company_id.sudo().resource_calendar_id
                    or self.env.ref("resource.resource_calendar_std").sudo())
        if cache is not None:
            cache[key] = calendar
        return calendar

    @api.model
    def _deadline_working_times(self, items):
        """One working-time window per (calendar, company) covering every start in ``items``:
        the calendar is read once per batch, never once per case. Within one batched
        recompute (see ``_recompute_deadlines``) the windows are shared by all the chunks
        the ORM computes."""
        shared = _WORKING_TIMES.get(self.env.context.get("complaint_deadline_run"))
        bounds = {}
        for calendar, company, start in items:
            low, high = bounds.get((calendar, company), (start, start))
            bounds[(calendar, company)] = (min(low, start), max(high, start))
        days = self.env["complaint.calendar.day"]
        result = {}
        for key, (low, high) in bounds.items():
            working_time = shared.get(key) if shared is not None else None
            if working_time is None:
                working_time = days._working_time(key[0], key[1], low - timedelta(days=7),
                                                  high + timedelta(days=120))
                if shared is not None:
                    shared[key] = working_time
            result[key] = working_time
        return result

    def _deadline_lines(self, cache):
        """``{stage: line values}`` for the case's policy and level, cached per batch."""
        key = (self.sla_policy_id.id, self.level)
        if key not in cache:
            policy = self.sla_policy_id.sudo()
            cache[key] = {}
            for stage in STAGE_CLOCKS:
                line = policy._line_for(stage, self.level)
                if line:
                    cache[key][stage] = (line.unit, line.time_limit, line.roll_to_working_day)
        return cache[key]

    def _deadline_clock(self):
        self.ensure_one()
        return max(self.date_received, self.date_clock_restart or self.date_received)

    def _deadline_adjustments(self, now):
        """Approved extensions ``(stage, amount, decided)`` and pauses ``(start, end, open)``."""
        extensions = [(e.stage, e.amount, e.date_decided) for e in self.extension_ids
                      if e.state == "approved"] if self.extension_ids else []
        pauses = sorted((p.date_start, p.date_end or now, not p.date_end) for p in self.pause_ids) \
            if self.pause_ids else []
        return extensions, pauses

    def _plan_stage(self, working_time, start, stage, line, now, adjustments=None):
        """Due date of one stage from ``start``: the limit, then approved extensions, then the
        time spent in pauses."""
        unit, limit, roll = line
        extensions, pauses = adjustments or self._deadline_adjustments(now)
        due = working_time.plan(start, unit, limit, roll)
        for ext_stage, amount, decided in extensions:
            if ext_stage == stage and (not decided or decided >= start
                                       or STAGE_CLOCKS[stage][0] != "clock"):
                due = working_time.extend(due, unit, amount, roll)
        for pause_start, pause_end, _open in pauses:
            if due and pause_start < due and pause_end > start:
                due = working_time.shift_by_pause(due, unit, max(pause_start, start), pause_end)
        return due

    def _plan_deadlines(self, working_time, lines_cache, now):
        self.ensure_one()
        clock = self._deadline_clock()
        dates = {name: self[name] for name in DEADLINE_DATE_FIELDS}
        dates["clock"] = clock
        adjustments = self._deadline_adjustments(now)
        dues, open_dues = {}, {}
        locked = self.state in LOCKED_STATES
        for stage, line in self._deadline_lines(lines_cache).items():
            start_field, done_field = STAGE_CLOCKS[stage]
            start = dates[start_field]
            if not start:
                continue
            due = self._plan_stage(working_time, start, stage, line, now, adjustments)
            dues[stage] = due
            if due and not dates[done_field] and (not locked or stage == "review"):
                open_dues[stage] = due
        values = {
            "date_deadline": dues.get("reply") or dues.get("handling") or False,
            "date_handling_deadline": dues.get("handling") or False,
            "date_callback_deadline": dues.get("callback") or False,
            "date_review_deadline": dues.get("review") or False,
        }
        if open_dues:
            stage = min(open_dues, key=open_dues.get)
            due = open_dues[stage]
            values["date_stage_deadline"] = due
            values["deadline_stage"] = stage
            if any(is_open for _start, _end, is_open in adjustments[1]):
                values["deadline_status"] = "paused"
            elif due < now:
                values["deadline_status"] = "overdue"
            elif (due - now).total_seconds() <= self.sla_policy_id.due_soon_hours * 3600:
                values["deadline_status"] = "due_soon"
            else:
                values["deadline_status"] = "on_time"
        else:
            values["deadline_status"] = "done" if dues else "none"
        return values

    def _deadline_line(self, stage):
        """The policy line that limits ``stage`` for this case."""
        self.ensure_one()
        if not self.sla_policy_id:
            return self.env["complaint.sla.policy.line"]
        return self.sla_policy_id.sudo()._line_for(stage, self.level)

    def _deadline_for_stage(self, stage):
        """The current due date of one stage (computed on demand, e.g. after an extension)."""
        self.ensure_one()
        stored = {"reply": self.date_deadline, "handling": self.date_handling_deadline,
                  "callback": self.date_callback_deadline, "review": self.date_review_deadline}
        if stage in stored:
            return stored[stage]
        line = self._deadline_lines({}).get(stage)
        start_field = STAGE_CLOCKS[stage][0]
        start = self._deadline_clock() if start_field == "clock" else self[start_field]
        if not line or not start:
            return False
        working_time = self._deadline_working_times(
            [(self._deadline_calendar(), self.company_id, start)])
        return self._plan_stage(next(iter(working_time.values())), start, stage, line,
                                fields.Datetime.now())

    def _granted_extensions(self, stage):
        self.ensure_one()
        clock = self._deadline_clock()
        return self.extension_ids.filtered(
            lambda e: e.stage == stage and e.state == "approved"
            and (STAGE_CLOCKS[stage][0] != "clock" or not e.date_decided or e.date_decided >= clock))

    def _recompute_deadlines(self, batch_size=20000):
        """Recompute due dates and timeliness in batches (the calendar is read once per batch)."""
        names = ["sla_policy_id", "date_deadline", "date_stage_deadline", "deadline_stage",
                 "date_handling_deadline", "date_callback_deadline", "date_review_deadline",
                 "deadline_status"]
        run = uuid.uuid4().hex
        _WORKING_TIMES[run] = {}
        try:
            for start in range(0, len(self), batch_size):
                batch = self[start:start + batch_size].sudo().with_context(
                    complaint_deadline_run=run)
                for name in names[1:]:
                    self.env.add_to_compute(self._fields[name], batch)
                batch.flush_recordset(names)
                batch.assignment_ids._recompute_deadlines()
                if len(self) > batch_size:
                    self.env.invalidate_all()
        finally:
            _WORKING_TIMES.pop(run, None)

    # Steps: pauses, extensions, new facts, review ----------------------------------------------
    def _check_deadline_editor(self):
        """Pauses, new facts and extension requests: the office, or whoever handles the case."""
        if self.env.user.has_group("addon_complaints.group_complaint_office"):
            return
        self._check_handling_user()

    def action_pause_clock(self, reason, note, evidence=False, evidence_name=False):
        """Stop the clock while the case waits on an appraisal, a test or a mediation."""
        self._ensure_state(*OPEN_STATES)
        self._check_deadline_editor()
        if not (note or "").strip():
            raise UserError(self.env._("Say what the case is waiting for."))
        pauses = self.env["complaint.deadline.pause"]
        for case in self:
            if any(not pause.date_end for pause in case.pause_ids):
                raise UserError(self.env._("The clock of %s is already stopped.", case.name))
            pauses |= pauses.sudo().create({
                "case_id": case.id, "reason": reason, "note": note, "evidence": evidence,
                "evidence_name": evidence_name, "user_id": self.env.user.id})
            case.message_post(body=self.env._("Clock stopped: %s", note))
        return pauses

    def action_resume_clock(self):
        for case in self:
            case.pause_ids.filtered(lambda p: not p.date_end).action_resume()
        return True

    def action_request_extension(self, reason, amount, stage="reply"):
        """Ask the complaint office for more time on one stage."""
        self._ensure_state(*OPEN_STATES)
        self._check_deadline_editor()
        if not (reason or "").strip():
            raise UserError(self.env._("An extension request gives its reason."))
        return self.env["complaint.extension"].sudo().create([
            {"case_id": case.id, "stage": stage, "amount": amount, "reason": reason,
             "requested_by_id": self.env.user.id} for case in self]).sudo(False)

    def action_record_new_facts(self, note):
        """The complainant brought new facts: recorded, and the clock restarts if the policy
        says so."""
        self._ensure_state(*OPEN_STATES)
        self._check_deadline_editor()
        if not (note or "").strip():
            raise UserError(self.env._("Record the new facts."))
        for case in self:
            if case.sla_policy_id.restart_on_new_facts:
                case.sudo().date_clock_restart = fields.Datetime.now()
                case.message_post(body=self.env._("New facts: %s — the time limits count again "
                                                  "from now.", note))
            else:
                case.message_post(body=self.env._("New facts: %s", note))
        return True

    def action_request_review(self, note):
        """The complainant asks for a review (核查) of the result: its own clocked stage."""
        self._ensure_office()
        for case in self:
            policy = case.sla_policy_id
            if not (policy.review_request_days and case.date_replied):
                raise UserError(self.env._("%s cannot be reviewed under its policy.", case.name))
            if case.date_review_requested:
                raise UserError(self.env._("%s has already been reviewed.", case.name))
            if fields.Datetime.now() > case.date_replied + timedelta(days=policy.review_request_days):
                raise UserError(self.env._("The review was requested more than %(days)s days "
                                           "after the reply.", days=policy.review_request_days))
            case.sudo().write({"date_review_requested": fields.Datetime.now(),
                               "review_note": note})
            case.message_post(body=self.env._("Review requested: %s", note or ""))
        return True

    def action_decide_review(self, decision):
        self._ensure_office()
        if not (decision or "").strip():
            raise UserError(self.env._("Record the review decision."))
        for case in self:
            if not case.date_review_requested or case.date_review_decided:
                raise UserError(self.env._("%s has no open review.", case.name))
            case.sudo().write({"date_review_decided": fields.Datetime.now(),
                               "review_note": "\n".join(filter(None, [case.review_note, decision]))})
            case.message_post(body=self.env._("Review decided: %s", decision))
        return True

    def action_view_extensions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "addon_complaints.complaint_extension_action")
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {"default_case_id": self.id}
        return action

    def action_view_accountability(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "addon_complaints.complaint_accountability_action")
        action["domain"] = [("case_id", "=", self.id)]
        return action

    # Overdue control ---------------------------------------------------------------------------
    @api.model
    def _cron_scan_deadlines(self):
        """Recompute every open case's due dates, then remind what is due soon and escalate
        what is overdue (activities, accountability, level notifications)."""
        self._cron_recompute_deadlines()
        overdue = self.sudo().search([("deadline_status", "=", "overdue")])
        overdue.filtered(lambda c: c.deadline_overdue_done != c.date_stage_deadline)._escalate_overdue()
        soon = self.sudo().search([("deadline_status", "=", "due_soon")])
        soon.filtered(lambda c: c.deadline_soon_done != c.date_stage_deadline)._remind_due_soon()
        self.env["complaint.assignment"]._scan_overdue()
        return True

    @api.model
    def _cron_recompute_deadlines(self):
        """Recompute the due dates of every open case (and of their dispatch orders) in
        batches: the calendar is read once per batch, never once per case."""
        cases = self.sudo().search([("sla_policy_id", "!=", False), "|",
                                    ("state", "in", OPEN_STATES),
                                    ("date_review_requested", "!=", False)])
        cases._recompute_deadlines()
        return len(cases)

    def _deadline_responsible(self):
        """Who answers for the step on the clock, and their manager."""
        self.ensure_one()
        stage = self.deadline_stage
        if stage in ("progress", "handling"):
            lead = self._lead_assignment()
            user = self.handler_user_id or lead.user_id or self.department_id.manager_id
            manager = self.department_id.manager_id or self._office_user()
        elif stage in ("acknowledge", "acceptance", "forward") and self.state in ("draft", "approval"):
            user = self.owner_user_id
            manager = (self.owner_user_id.complaint_department_ids._managers_up_the_tree()
                       - self.owner_user_id)[:1] or self._office_user()
        else:
            user = self._office_user()
            office = self.env["complaint.department"].sudo().search(
                [("is_complaint_office", "=", True), ("company_id", "=", self.company_id.id)],
                limit=1)
            manager = office.manager_id or user
        return user, manager, (self.department_id if stage in ("progress", "handling") else
                               self.owner_user_id.complaint_department_ids[:1])

    def _stage_label(self):
        self.ensure_one()
        return dict(self._fields["deadline_stage"]._description_selection(self.env)).get(
            self.deadline_stage, "")

    def _remind_due_soon(self):
        for case in self:
            user, _manager, _department = case._deadline_responsible()
            if user:
                case.activity_schedule(
                    DEADLINE_ACTIVITY, user_id=user.id, date_deadline=case.date_stage_deadline.date(),
                    summary=self.env._("Due soon: %s", case._stage_label()))
            case.deadline_soon_done = case.date_stage_deadline

    def _escalate_overdue(self):
        """A missed step: activities for the responsible user and their manager, and an
        accountability record from the policy's data for the case's level."""
        records = []
        for case in self:
            user, manager, department = case._deadline_responsible()
            summary = self.env._("Overdue: %s", case._stage_label())
            for person in (user | manager):
                case.activity_schedule(DEADLINE_ACTIVITY, user_id=person.id, summary=summary,
                                       date_deadline=fields.Date.context_today(case))
            penalty = case.sla_policy_id._penalty_for(case.level)
            records.append({
                "case_id": case.id, "reason": "overdue", "stage": case.deadline_stage,
                "date_due": case.date_stage_deadline, "user_id": user.id,
                "manager_id": manager.id, "department_id": department.id,
                "level": case.level, "measure": penalty.measure or "reminder",
                "points": penalty.points, "amount": penalty.amount,
                "manager_amount": penalty.manager_amount,
            })
            partners = case._level_recipients(case.level).partner_id
            case.message_post(
                body=self.env._("%(step)s was due %(due)s and is overdue.",
                                step=case._stage_label(),
                                due=fields.Datetime.to_string(case.date_stage_deadline)),
                partner_ids=partners.ids, message_type="comment", subtype_xmlid="mail.mt_comment")
            case.deadline_overdue_done = case.date_stage_deadline
        return self.env["complaint.accountability"].sudo().create(records)

    # Levels and emergencies --------------------------------------------------------------------
    def _level_recipients(self, level):
        """Who a level must reach: the manager from urgent on, the office from major on, the
        leadership group for a crisis."""
        self.ensure_one()
        users = self.env["res.users"]
        if LEVEL_RANK.get(level, 0) >= LEVEL_RANK["urgent"]:
            users |= self.department_id.manager_id or self._office_user()
        if LEVEL_RANK.get(level, 0) >= LEVEL_RANK["major"]:
            users |= self._office_user()
        if level == "crisis":
            users |= self.env.ref("addon_complaints.group_complaint_leadership").sudo().users
        return users

    def _levels_before(self, vals):
        """What a write may raise: the levels, and which cases were not yet emergencies."""
        before = {}
        if LEVEL_TRIGGERS & vals.keys():
            before["levels"] = {case.id: case.level for case in self}
        if vals.get("is_emergency"):
            before["new_emergencies"] = self.filtered(lambda case: not case.is_emergency)
        return before

    def _after_deadline_write(self, vals, before):
        if "levels" in before:
            self._notify_level_raised(before["levels"])
        if before.get("new_emergencies"):
            before["new_emergencies"]._notify_emergency()

    def _notify_level_raised(self, levels_before):
        for case in self.filtered(lambda c: c.state != "merged"):
            old = levels_before.get(case.id, "normal")
            if LEVEL_RANK.get(case.level, 0) <= LEVEL_RANK.get(old, 0):
                continue
            recipients = case._level_recipients(case.level)
            label = dict(self._fields["level"]._description_selection(self.env))[case.level]
            case.sudo().message_post(
                body=self.env._("The case is now %(level)s: the people this level requires "
                                "have been notified.", level=label),
                partner_ids=recipients.partner_id.ids, message_type="comment",
                subtype_xmlid="mail.mt_comment")
            for user in recipients:
                case.sudo().activity_schedule(
                    DEADLINE_ACTIVITY, user_id=user.id,
                    summary=self.env._("%(level)s complaint: %(case)s", level=label, case=case.name))

    @api.model
    def _cron_send_deadline_digest(self):
        """E-mail each department manager the cases of their department that are due soon or
        overdue; the office manager also gets the cases not yet dispatched."""
        template = self.env.ref("addon_complaints.mail_template_complaint_deadline_digest")
        cases = self.sudo().search([("deadline_status", "in", ("due_soon", "overdue"))],
                                   order="date_stage_deadline")
        by_department = defaultdict(lambda: self.sudo().browse())
        for case in cases:
            department = case.department_id or self.env["complaint.department"].sudo().search(
                [("is_complaint_office", "=", True), ("company_id", "=", case.company_id.id)],
                limit=1)
            if department:
                by_department[department] |= case
        for department, department_cases in by_department.items():
            manager = department.manager_id
            if manager.email:
                template.with_context(digest_rows=department_cases.with_context(
                    lang=manager.lang)._deadline_digest_rows()).send_mail(
                    department.id, email_values={"email_to": manager.email})
        return True

    def _deadline_digest_rows(self):
        """One row per case for the digest e-mail, labels in the reader's language."""
        labels = {name: dict(self._fields[name]._description_selection(self.env))
                  for name in ("deadline_stage", "deadline_status", "level")}
        return [{"name": case.name, "subject": case.subject,
                 "stage": labels["deadline_stage"].get(case.deadline_stage, ""),
                 "due": case.date_stage_deadline,
                 "status": labels["deadline_status"].get(case.deadline_status, ""),
                 "level": labels["level"].get(case.level, "")} for case in self]
    # Deadlines (end) -------------------------------------------------------------------------

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
    @api.constrains("handler_user_id", "respondent_user_id", "interested_user_ids")
    def _check_handler_recusal(self):
        for case in self:
            if case.handler_user_id:
                case._check_recusal(case.handler_user_id, self.env._("handle"))

    @api.constrains("partner_id", "partner_name")
    def _check_complainant(self):
        for case in self:
            if not case.partner_id and not case.partner_name and not case.confidential:
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
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if vals.get("name", self.env._("New")) == self.env._("New") or not vals.get("name"):
                vals["name"] = (self.env["ir.sequence"].with_company(company)
                                .next_by_code("complaint.case") or self.env._("New"))
        self._link_complainants(vals_list)
        cases = super().create(vals_list)
        cases._record_repeats()
        cases.filtered("is_emergency")._notify_emergency()
        cases._notify_level_raised({})
        return cases

    def write(self, vals):
        if any(case.state in LOCKED_STATES for case in self) and not self.env.su:
            blocked = [f for f in vals if not f.startswith(_WRITABLE_WHEN_LOCKED_PREFIXES)
                       and f not in _WRITABLE_WHEN_LOCKED]
            if blocked:
                raise UserError(self.env._(
                    "Closed, withdrawn, not-accepted and merged cases are kept as they are and "
                    "cannot be changed."))
        levels_before = self._levels_before(vals)
        res = super().write(vals)
        self._after_deadline_write(vals, levels_before)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._(
            "Complaint cases are never deleted: they are kept until their archive date."))

    def _read_format(self, fnames, load="_classic_read"):
        """Hide the complainant of confidential cases from everyone but the complaint office.

        ``read``, ``search_read`` and the web client all go through here, so the rule holds
        for the external API too.
        """
        result = super()._read_format(fnames, load=load)
        if self.env.su or self.env.user.has_group("addon_complaints.group_complaint_office"):
            return result
        hidden = [f for f in CONFIDENTIAL_FIELDS if f in fnames]
        if not hidden:
            return result
        confidential_ids = set(self.filtered("confidential").ids)
        for values in result:
            if values["id"] in confidential_ids:
                for fname in hidden:
                    values[fname] = False
        return result

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
        created = Partner.create(to_create)
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

    def _record_repeats(self):
        """A repeat of an open matter is recorded on the original; a repeat of a closed one
        opens a new case that carries the count on (it drives the level)."""
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

    def _office_user(self):
        """Who in the complaint office picks up the next office step: the owner when they
        belong to the office, else the manager of an office department."""
        self.ensure_one()
        if self.owner_user_id.has_group("addon_complaints.group_complaint_office"):
            return self.owner_user_id
        office = self.env["complaint.department"].sudo().search(
            [("is_complaint_office", "=", True), ("company_id", "=", self.company_id.id)], limit=1)
        return office.manager_id or self.owner_user_id

    def _send_notice(self, notice_type, template_xmlid, **notice_vals):
        """Tell the customer through the case's channel and keep the proof.

        The message is rendered from a mail template in the customer's language; it is
        e-mailed when the channel replies by e-mail and an address is known, else it is
        recorded for the clerk to read out on the phone or to send by post.
        """
        template = self.env.ref(template_xmlid)
        for case in self:
            subject = template._render_field("subject", case.ids, compute_lang=True)[case.id]
            body = template._render_field("body_html", case.ids, compute_lang=True)[case.id]
            email = case.partner_email or case.partner_id.email
            by_email = bool(case.channel_id.sends_email and email and case.partner_id)
            message = case.message_post(
                body=body, subject=subject,
                partner_ids=case.partner_id.ids if by_email else [],
                message_type="comment" if by_email else "notification",
                subtype_xmlid="mail.mt_comment" if by_email else "mail.mt_note",
            )
            # Users cannot create notices themselves, so none can be forged: the step that
            # sends the notice has already checked who may take it.
            self.env["complaint.notice"].sudo().create({
                "case_id": case.id,
                "notice_type": notice_type,
                "channel_id": case.channel_id.id,
                "recipient": " ".join(filter(None, [case.partner_name or case.partner_id.name,
                                                    email if by_email else case.partner_phone])),
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
            if not (case.partner_name or case.partner_id):
                missing.append(self.env._("complainant name"))
            if not (case.partner_phone or case.partner_email or case.partner_address):
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

    def action_not_accept(self, reason, note=""):
        """Decline the complaint for a listed reason and tell the customer why."""
        self._ensure_state("draft", "approval")
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
    def action_dispatch(self, lead_department, co_departments=None, assignee=None):
        """Send the case to its lead department (and co-handling departments)."""
        self._ensure_office()
        self._ensure_state("accepted")
        co_departments = (co_departments or self.env["complaint.department"]) - lead_department
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

    def action_send_back(self, reason):
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

    def action_callback(self, satisfaction, note="", problem_recurred=False):
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

    def action_close(self, criterion, evidence, improvement=""):
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
        if self.validity == "malicious" and self.partner_id:
            self.partner_id.sudo().complaint_malicious = True
        self.activity_unlink([STEP_ACTIVITY])
        self.write({
            "closure_criterion": criterion, "closure_evidence": evidence,
            "improvement_suggestion": improvement, "closed_by_id": self.env.user.id,
            "date_closed": fields.Datetime.now(), "state": "closed",
        })

    def action_withdraw(self, reason):
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

    def action_notify_delay(self, reason, new_expected_date):
        """Tell the customer in advance that the deadline will be missed, why, and when to
        expect the result; the notice is kept as proof."""
        self._ensure_state(*OPEN_STATES)
        if not (reason or "").strip() or not new_expected_date:
            raise UserError(self.env._("A delay notice gives the reason and the new expected date."))
        for case in self:
            if new_expected_date <= fields.Datetime.now():
                raise UserError(self.env._("The new expected date must be in the future."))
            case.with_context(delay_reason=reason, delay_date=new_expected_date)._send_notice(
                "delay", "addon_complaints.mail_template_complaint_delay",
                reason=reason, new_expected_date=new_expected_date)
        return True

    def action_declare_interest(self):
        """The current user declares an interest and steps aside from this case."""
        user = self.env.user
        for case in self:
            values = {"interested_user_ids": [fields.Command.link(user.id)]}
            if case.handler_user_id == user:
                values["handler_user_id"] = False
            # Stepping aside is always allowed, even to users who may not edit the case.
            case.sudo().write(values)
            if "handler_user_id" in values:
                manager = case.department_id.manager_id
                case.sudo()._schedule_step(manager, self.env._("Assign another handler"))
            case.message_post(body=self.env._("%s declared an interest and stepped aside.", user.name))
        return True

    # Buttons that open dialogs ----------------------------------------------------------------
    def action_open_dispatch_wizard(self):
        self.ensure_one()
        return self.env["complaint.dispatch.wizard"]._open_for(
            self.env._("Dispatch %s", self.name), case_id=self.id,
            department_id=(self.department_id or self.proposed_department_id).id)

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
