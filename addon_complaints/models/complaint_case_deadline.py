"""Deadlines of a complaint: time limits from the deadline policy, counted on the working
calendar (public holidays and make-up working days included), moved by pauses and approved
extensions; overdue control, accountability and level notifications."""

import uuid
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .complaint_case import LOCKED_STATES, OPEN_STATES
from .complaint_sla_policy_line import STAGE_CLOCKS, STAGES

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
    _inherit = "complaint.case"

    date_deadline = fields.Datetime(string="Due", tracking=True, copy=False,
                                    compute="_compute_deadlines", store=True, index=True,
                                    help="When the result is due to the customer: computed from "
                                    "the deadline policy, the working calendar, pauses and "
                                    "approved extensions.")
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

    # Levels raised by a create or a write notify the people the level requires -----------
    @api.model_create_multi
    def create(self, vals_list):
        cases = super().create(vals_list)
        cases._notify_level_raised({})
        return cases

    def write(self, vals):
        levels_before = self._levels_before(vals)
        res = super().write(vals)
        self._after_deadline_write(vals, levels_before)
        return res
