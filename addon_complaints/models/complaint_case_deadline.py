"""Deadlines of a complaint: time limits from the deadline policy, counted on the working
calendar (public holidays and make-up working days included), moved by pauses and approved
extensions; overdue control, accountability and level notifications."""

import threading
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, format_datetime, split_every

from ..tools.working_time import CALENDAR_DAYS, HOURS
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
LEVEL_RANK = {"normal": 0, "urgent": 1, "major": 2, "crisis": 3}
# Writing these may raise a case's level, which notifies the people the level requires.
LEVEL_TRIGGERS = {"repeat_count", "channel_id", "affected_count"}
# Each stage's stored due date and outcome: met (done by its due date), late (done after it,
# or not done and past it) or pending (not done, not yet due); empty when the case's policy
# has no limit for the stage or its clock has not started. When a stage was met is the date
# that stops its clock (``STAGE_CLOCKS``).
STAGE_OUTCOMES = [("met", "Met"), ("late", "Late"), ("pending", "Not Yet Due")]
STAGE_DUE_FIELDS = {stage: f"date_{stage}_deadline" for stage, _label in STAGES}
STAGE_OUTCOME_FIELDS = {stage: f"{stage}_outcome" for stage, _label in STAGES}
CALENDAR_MARKS = [("provisional", "Provisional calendar"), ("missing", "No official calendar")]
# The stored results of planning, with their column types, and their values without a policy.
DEADLINE_COLUMNS = [("id", "int4"), ("date_deadline", "timestamp"),
                    ("date_stage_deadline", "timestamp"), ("deadline_stage", "varchar"),
                    *((STAGE_DUE_FIELDS[stage], "timestamp") for stage, _label in STAGES),
                    *((STAGE_OUTCOME_FIELDS[stage], "varchar") for stage, _label in STAGES),
                    ("deadline_calendar_mark", "varchar"), ("deadline_status", "varchar")]
DEADLINE_FIELDS = [name for name, _type in DEADLINE_COLUMNS[1:]]
NO_DEADLINES = dict(dict.fromkeys(DEADLINE_FIELDS, False), deadline_status="none")
# Cases planned per chunk of a batched recompute: the SQL reads and the UPDATE stay small.
DEADLINE_CHUNK_SIZE = 5000
# Cases per transaction of the scheduled scan: each commits in well under a second, so that
# the rows it locks are never what users wait on for long.
SCAN_RECOMPUTE_CHUNK = 250
SCAN_NOTIFY_CHUNK = 10
_ARRAY_CASTS = {"int4": "%s::int4[]", "timestamp": "%s::timestamp[]", "varchar": "%s::varchar[]",
                "bool": "%s::bool[]"}


def _stage_due_field(string):
    """When one stage's clock runs out, kept by the deadline recompute."""
    return fields.Datetime(string=string, compute="_compute_deadlines", store=True, copy=False)


def _stage_outcome_field(string):
    """The stored outcome of one stage's clock, kept by the deadline recompute."""
    return fields.Selection(
        STAGE_OUTCOMES, string=string, compute="_compute_deadlines", store=True, index=True,
        copy=False, help="Met on time, late, or pending; empty without a limit.")


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


def update_rows(cr, table, columns, rows):
    """Store ``rows`` (tuples: the id first, then one value per column after ``id``) into
    ``table`` with one UPDATE, only where a value changes. ``columns`` are ``(name, type)``
    pairs, ``("id", "int4")`` first. Returns how many rows changed."""
    if not rows:
        return 0
    names = [SQL.identifier(name) for name, _type in columns]
    values = [SQL(_ARRAY_CASTS[column_type], list(column))
              for (_name, column_type), column in zip(columns, zip(*rows, strict=True),
                                                      strict=True)]
    cr.execute(SQL(
        "UPDATE %(table)s AS t SET %(assign)s FROM unnest(%(values)s) AS v(%(names)s) "
        "WHERE t.id = v.id AND (%(changed)s)",
        table=SQL.identifier(table),
        assign=SQL(", ").join(SQL("%s = v.%s", name, name) for name in names[1:]),
        values=SQL(", ").join(values),
        names=SQL(", ").join(names),
        changed=SQL(" OR ").join(SQL("t.%s IS DISTINCT FROM v.%s", name, name)
                                 for name in names[1:]),
    ))
    return cr.rowcount


def plan_stage(working_time, start, stage, line, extensions, pauses):
    """Due date of one stage from ``start``: the limit and the approved extensions counted
    together from the start (so that no chain of extensions passes the ceiling), then the
    time spent in pauses, and only then the move off a day off."""
    unit, limit, roll = line
    total = limit + sum(amount for ext_stage, amount, decided in extensions
                        if ext_stage == stage and (not decided or decided >= start
                                                   or STAGE_CLOCKS[stage][0] != "clock"))
    due = working_time.plan(start, unit, total)
    for pause_start, pause_end, _open in pauses:
        if not due:
            break
        reach = working_time.roll_off_day_off(due) if roll and unit == CALENDAR_DAYS else due
        if pause_start < reach and pause_end > start:
            due = working_time.shift_by_pause(due, unit, max(pause_start, start), pause_end)
    if due and roll and unit == CALENDAR_DAYS:
        due = working_time.roll_off_day_off(due)
    return due


class DeadlineRun:
    """What one recomputation of due dates shares, created for each run and passed along:
    the working calendars, the policies' stage limits and one window of working time per
    (calendar, company), so that each calendar is read once per run, not once per case."""

    def __init__(self, env, now=None):
        self.env = env(su=True)
        self.now = now or fields.Datetime.now()
        self.low = self.high = None
        self._calendars = {}
        self._working_times = {}
        self._lines = {}
        self._due_soon = {}
        self._years = {}

    def cover(self, low, high):
        """Windows loaded from now on span the clocks starting between ``low`` and ``high``
        (a window still grows when a question falls outside it)."""
        if low and high:
            self.low, self.high = low - timedelta(days=7), high + timedelta(days=120)

    def calendar(self, department_id, company_id):
        """The working calendar: the department's, else the company's, else the standard one."""
        key = (department_id or False, company_id)
        if key not in self._calendars:
            department = self.env["complaint.department"].browse(department_id or ())
            company = self.env["res.company"].browse(company_id)
            self._calendars[key] = (department.resource_calendar_id
                                    or company.resource_calendar_id
                                    or self.env.ref("resource.resource_calendar_std"))
        return self._calendars[key]

    def working_time(self, department_id, company_id, start):
        calendar = self.calendar(department_id, company_id)
        key = (calendar.id, company_id)
        working_time = self._working_times.get(key)
        if working_time is None:
            low, high = ((self.low, self.high) if self.low
                         else (start - timedelta(days=7), start + timedelta(days=120)))
            working_time = self.env["complaint.calendar.day"]._working_time(
                calendar, self.env["res.company"].browse(company_id), low, high)
            self._working_times[key] = working_time
        return working_time

    def lines(self, policy_id, level):
        """``{stage: (unit, limit, roll to working day)}`` of a policy for a level."""
        key = (policy_id, level)
        if key not in self._lines:
            policy = self.env["complaint.sla.policy"].browse(policy_id or ())
            self._lines[key] = {}
            for stage in (STAGE_CLOCKS if policy else ()):
                line = policy._line_for(stage, level)
                if line:
                    self._lines[key][stage] = (line.unit, line.time_limit,
                                               line.roll_to_working_day)
        return self._lines[key]

    def calendar_mark(self, working_time, clocks):
        """"missing" when one of the clocks ``(start, due)`` runs through a year without
        official days, else "provisional" when through a year whose schedule is not yet
        published, else False."""
        years = set()
        for start, due in clocks:
            first = working_time.local_date(start).year
            last = working_time.local_date(due).year if due else first + 10
            years.update(range(first, last + 1))
        unknown = years - self._years.keys()
        if unknown:
            self._years.update(self.env["complaint.calendar.year"]._states(min(unknown),
                                                                             max(unknown)))
        states = {self._years[year] for year in years}
        return next((mark for mark in ("missing", "provisional") if mark in states), False)

    def due_soon_seconds(self, policy_id):
        if policy_id not in self._due_soon:
            policy = self.env["complaint.sla.policy"].browse(policy_id)
            self._due_soon[policy_id] = policy.due_soon_hours * 3600
        return self._due_soon[policy_id]

    def plan_case(self, case, extensions, pauses):
        """The stored deadline values of one case from its plain values ``case`` (see
        ``ComplaintCase._deadline_data``), approved extensions and pauses."""
        now = self.now
        working_time = self.working_time(case["department_id"], case["company_id"],
                                         case["date_received"])
        dates = dict(case, clock=max(case["date_received"],
                                     case["date_clock_restart"] or case["date_received"]))
        dues, open_dues = {}, {}
        locked = case["state"] in LOCKED_STATES
        values = dict.fromkeys(DEADLINE_FIELDS, False)
        lines = self.lines(case["sla_policy_id"], case["level"])
        for stage, line in lines.items():
            start_field, done_field = STAGE_CLOCKS[stage]
            start = dates[start_field]
            if not start:
                continue
            due = plan_stage(working_time, start, stage, line, extensions, pauses)
            dues[stage] = due
            done = dates[done_field]
            values[STAGE_DUE_FIELDS[stage]] = due or False
            if done:
                values[STAGE_OUTCOME_FIELDS[stage]] = "met" if not due or done <= due else "late"
            elif locked and stage != "review":
                # Closed, withdrawn, merged or not accepted before the stage was reached.
                pass
            else:
                values[STAGE_OUTCOME_FIELDS[stage]] = "late" if due and due < now else "pending"
            if due and not done and (not locked or stage == "review"):
                open_dues[stage] = due
        values.update(
            date_deadline=dues.get("reply") or dues.get("handling") or False,
            deadline_calendar_mark=self.calendar_mark(
                working_time, [(dates[STAGE_CLOCKS[stage][0]], dues[stage]) for stage in open_dues
                               if lines[stage][0] != HOURS]),
        )
        if open_dues:
            stage = min(open_dues, key=open_dues.get)
            due = open_dues[stage]
            values["date_stage_deadline"] = due
            values["deadline_stage"] = stage
            if any(is_open for _start, _end, is_open in pauses):
                values["deadline_status"] = "paused"
            elif due < now:
                values["deadline_status"] = "overdue"
            elif (due - now).total_seconds() <= self.due_soon_seconds(case["sla_policy_id"]):
                values["deadline_status"] = "due_soon"
            else:
                values["deadline_status"] = "on_time"
        else:
            values["deadline_status"] = "done" if dues else "none"
        return values

    def plan_assignment(self, assignment, case, extensions, pauses):
        """``(due, overdue)`` of one dispatch order: the policy's handling limit from the
        dispatch, on the department's calendar, moved by the case's pauses and extensions."""
        line = (self.lines(case["sla_policy_id"], case["level"]).get("handling")
                if case["sla_policy_id"] and assignment["date_dispatched"] else None)
        if not line:
            return False, False
        start = assignment["date_dispatched"]
        working_time = self.working_time(assignment["department_id"], case["company_id"], start)
        due = plan_stage(working_time, start, "handling", line, extensions, pauses)
        overdue = bool(due and due < self.now and assignment["state"] in ("pending", "accepted")
                       and not (assignment["is_lead"] and case["date_feedback"]))
        return due, overdue


class ComplaintCase(models.Model):
    _inherit = "complaint.case"
    _protected_fields = {
        "sla_policy_id": "action_set_sla_policy",
        "date_clock_restart": "action_record_new_facts",
        "date_review_requested": "action_request_review",
        "date_review_decided": "action_decide_review",
        "review_note": "action_request_review, action_decide_review",
        "deadline_overdue_done": "_cron_scan_deadlines",
        "deadline_soon_done": "_cron_scan_deadlines",
        "deadline_calendar_notified": "_cron_scan_deadlines",
    }
    _free_fields = {"pause_ids", "extension_ids", "accountability_ids"}

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
    date_handling_deadline = _stage_due_field("Handling Due")
    date_callback_deadline = _stage_due_field("Callback Due")
    date_review_deadline = _stage_due_field("Review Due")
    date_acknowledge_deadline = _stage_due_field("Acknowledgement Due")
    date_acceptance_deadline = _stage_due_field("Acceptance Due")
    date_forward_deadline = _stage_due_field("Forwarding Due")
    date_progress_deadline = _stage_due_field("First Progress Due")
    date_verification_deadline = _stage_due_field("Verification Due")
    date_reply_deadline = _stage_due_field("Reply Due")
    acknowledge_outcome = _stage_outcome_field("Acknowledgement")
    acceptance_outcome = _stage_outcome_field("Acceptance")
    forward_outcome = _stage_outcome_field("Forwarding")
    progress_outcome = _stage_outcome_field("First Progress")
    handling_outcome = _stage_outcome_field("Handling")
    verification_outcome = _stage_outcome_field("Verification")
    reply_outcome = _stage_outcome_field("Reply")
    callback_outcome = _stage_outcome_field("Callback")
    review_outcome = _stage_outcome_field("Review Decision")
    deadline_calendar_mark = fields.Selection(
        CALENDAR_MARKS, string="Calendar Warning", compute="_compute_deadlines", store=True,
        index=True, copy=False,
        help="A due date still open is counted through a year whose official calendar is "
        "provisional (the make-up working days are not yet published) or missing.")
    deadline_calendar_notified = fields.Selection(
        CALENDAR_MARKS, readonly=True, copy=False,
        help="The calendar warning the complaint office was already told about.")
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
    clock_paused = fields.Boolean(string="Clock Stopped", compute="_compute_clock_paused")
    has_requested_extension = fields.Boolean(string="Extension Awaiting Decision",
                                             compute="_compute_has_requested_extension")

    @api.depends("company_id", "demand_type", "level", "channel_id", "category_id",
                 "is_regulator_forwarded", "company_id.complaint_sla_policy_id")
    def _compute_sla_policy_id(self):
        found = self.env["complaint.sla.policy"]._find_for_cases(self)
        for case in self:
            case.sla_policy_id = found.get(case.id)

    @api.depends(
        "sla_policy_id", "company_id", "department_id", "level", "state", "date_received",
        "date_clock_restart", "date_accepted", "date_dispatched", "date_handover",
        "date_feedback", "date_verified", "date_replied", "date_callback",
        "date_review_requested", "date_review_decided", "pause_ids.date_start",
        "pause_ids.date_end", "extension_ids.state", "extension_ids.amount")
    def _compute_deadlines(self):
        """The on-save compute of the cases being edited. A change of a working calendar, of
        a company's or a department's calendar or of a policy's limits reaches many cases:
        it goes through the batched recompute instead (see ``_recompute_deadlines_where``)."""
        run = DeadlineRun(self.env)
        planned = self.filtered(lambda case: case.sla_policy_id and case.date_received)
        if planned:
            run.cover(min(planned.mapped("date_received")), max(planned.mapped("date_received")))
        planned_ids = set(planned._ids)
        for case in self:
            if case.id in planned_ids:
                case.update(run.plan_case(case._deadline_data(),
                                          *case._deadline_adjustments(run.now)))
            else:
                case.update(dict(NO_DEADLINES))

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

    @api.depends("pause_ids.date_end")
    def _compute_clock_paused(self):
        for case in self:
            case.clock_paused = any(not pause.date_end for pause in case.pause_ids)

    @api.depends("extension_ids.state")
    def _compute_has_requested_extension(self):
        for case in self:
            case.has_requested_extension = any(extension.state == "requested"
                                               for extension in case.extension_ids)

    @api.depends("extension_ids")
    def _compute_extension_count(self):
        for case in self:
            case.extension_count = len(case.extension_ids)

    @api.depends("accountability_ids")
    def _compute_accountability_count(self):
        for case in self:
            case.accountability_count = len(case.accountability_ids)

    # Planning --------------------------------------------------------------------------------
    def _deadline_data(self):
        """What planning needs of the case, as plain values (the batched recompute reads the
        same columns with SQL, see ``_deadline_rows``)."""
        self.ensure_one()
        data = {name: self[name] for name in DEADLINE_DATE_FIELDS}
        data.update(id=self.id, company_id=self.company_id.id,
                    department_id=self.department_id.id, sla_policy_id=self.sla_policy_id.id,
                    level=self.level, state=self.state, date_received=self.date_received,
                    date_clock_restart=self.date_clock_restart)
        return data

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
        run = DeadlineRun(self.env)
        line = run.lines(self.sla_policy_id.id, self.level).get(stage)
        start_field = STAGE_CLOCKS[stage][0]
        start = self._deadline_clock() if start_field == "clock" else self[start_field]
        if not line or not start:
            return False
        working_time = run.working_time(self.department_id.id, self.company_id.id, start)
        return plan_stage(working_time, start, stage, line,
                          *self._deadline_adjustments(run.now))

    def _granted_extensions(self, stage):
        self.ensure_one()
        clock = self._deadline_clock()
        return self.extension_ids.filtered(
            lambda e: e.stage == stage and e.state == "approved"
            and (STAGE_CLOCKS[stage][0] != "clock" or not e.date_decided or e.date_decided >= clock))

    # Batched recompute -------------------------------------------------------------------------
    def _recompute_deadlines(self, chunk_size=DEADLINE_CHUNK_SIZE):
        """Recompute the due dates and timeliness of the cases and of their dispatch orders,
        ``chunk_size`` cases at a time: a few SQL queries per chunk read what planning needs,
        due dates are planned in Python on working time read once per run, and one UPDATE per
        chunk and table stores what changed. Bulk refresh of stored computed fields: nothing is
        tracked in the chatter."""
        if not self:
            return 0
        self.env.flush_all()
        run = DeadlineRun(self.env)
        cr = self.env.cr
        cr.execute(SQL(
            "SELECT min(date_received), max(GREATEST(date_received, date_clock_restart, "
            "date_dispatched, date_feedback, date_replied, date_review_requested)) "
            "FROM complaint_case WHERE id = ANY(%s)", self.ids))
        run.cover(*cr.fetchone())
        Assignment = self.env["complaint.assignment"]
        changed = 0
        for ids in split_every(chunk_size, self.ids, list):
            rows = self._deadline_rows(ids)
            extensions, pauses = self._deadline_adjustment_rows(ids, run.now)
            updates = []
            for row in rows.values():
                if row["sla_policy_id"] and row["date_received"]:
                    values = run.plan_case(row, extensions.get(row["id"], ()),
                                           pauses.get(row["id"], ()))
                else:
                    values = NO_DEADLINES
                updates.append((row["id"], *(values[name] or None for name in DEADLINE_FIELDS)))
            changed += update_rows(cr, "complaint_case", DEADLINE_COLUMNS, updates)
            self.browse(ids).invalidate_recordset(list(DEADLINE_FIELDS))
            Assignment._recompute_deadline_rows(run, rows, extensions, pauses)
        self._notify_calendar_marks(self.ids)
        return changed

    @api.model
    def _deadline_rows(self, ids):
        """``{case id: row}`` with the columns planning needs, for ``ids``."""
        columns = ["id", "company_id", "department_id", "sla_policy_id", "level", "state",
                   "date_received", "date_clock_restart", *DEADLINE_DATE_FIELDS]
        self.env.cr.execute(SQL("SELECT %s FROM complaint_case WHERE id = ANY(%s)",
                                SQL(", ").join(map(SQL.identifier, columns)), list(ids)))
        return {row[0]: dict(zip(columns, row, strict=True)) for row in self.env.cr.fetchall()}

    @api.model
    def _deadline_adjustment_rows(self, ids, now):
        """Approved extensions and pauses of the cases ``ids``, by case, as
        ``_deadline_adjustments`` gives them for one case."""
        cr = self.env.cr
        extensions, pauses = defaultdict(list), defaultdict(list)
        cr.execute(SQL("SELECT case_id, stage, amount, date_decided FROM complaint_extension "
                       "WHERE state = 'approved' AND case_id = ANY(%s) ORDER BY id", list(ids)))
        for case_id, stage, amount, decided in cr.fetchall():
            extensions[case_id].append((stage, amount, decided))
        cr.execute(SQL("SELECT case_id, date_start, date_end FROM complaint_deadline_pause "
                       "WHERE case_id = ANY(%s)", list(ids)))
        for case_id, start, end in cr.fetchall():
            pauses[case_id].append((start, end or now, not end))
        for items in pauses.values():
            items.sort()
        return extensions, pauses

    # Steps: pauses, extensions, new facts, review ----------------------------------------------
    def _check_deadline_editor(self):
        """Pauses, new facts and extension requests: the office, or whoever handles the case."""
        if self.env.user.has_group("addon_complaints.group_complaint_office"):
            return
        self._check_handling_user()

    def action_pause_clock(self, reason=None, note="", evidence=False, evidence_name=False):
        """Stop the clock while the case waits on an appraisal, a test or a mediation."""
        self._pause_clock(reason, note, evidence=evidence, evidence_name=evidence_name)
        return True

    def _pause_clock(self, reason, note, evidence=False, evidence_name=False):
        """The pauses started (see ``action_pause_clock``)."""
        self._ensure_state(*OPEN_STATES)
        if reason not in dict(self.env["complaint.deadline.pause"]._fields["reason"].selection):
            raise UserError(self.env._("Say what the case is waiting for."))
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

    def action_request_extension(self, reason="", amount=0.0, stage="reply"):
        """Ask the complaint office for more time on one stage."""
        self._request_extension(reason, amount, stage=stage)
        return True

    def _request_extension(self, reason, amount, stage="reply"):
        """The extensions requested (see ``action_request_extension``)."""
        self._ensure_state(*OPEN_STATES)
        if stage not in dict(STAGES) or not isinstance(amount, (int, float)):
            raise UserError(self.env._("Ask for some extra time."))
        self._check_deadline_editor()
        if not (reason or "").strip():
            raise UserError(self.env._("An extension request gives its reason."))
        return self.env["complaint.extension"].sudo().create([
            {"case_id": case.id, "stage": stage, "amount": amount, "reason": reason,
             "requested_by_id": self.env.user.id} for case in self]).sudo(False)

    def action_record_new_facts(self, note=""):
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

    def action_request_review(self, note=""):
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

    def action_decide_review(self, decision=""):
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

    def action_set_sla_policy(self, policy=None):
        """The complaint office puts the case under another deadline policy of its company."""
        self._ensure_office()
        self._ensure_state(*OPEN_STATES)
        policy = self._as_records("complaint.sla.policy", policy)
        if len(policy) != 1:
            raise UserError(self.env._("Choose one deadline policy."))
        for case in self:
            if policy.company_id and policy.company_id != case.company_id:
                raise UserError(self.env._("The deadline policy belongs to another company."))
            with self._guard_transition():
                case.write({"sla_policy_id": policy.id})
            case.message_post(body=self.env._("Deadline policy set to %s.", policy.name))
        return True

    # Buttons that open dialogs ----------------------------------------------------------------
    def action_open_pause_wizard(self):
        self.ensure_one()
        return self.env["complaint.pause.wizard"]._open_for(
            self.env._("Stop the clock of %s", self.name), case_id=self.id)

    def action_open_new_facts_wizard(self):
        self.ensure_one()
        return self.env["complaint.new.facts.wizard"]._open_for(
            self.env._("New facts for %s", self.name), case_id=self.id)

    def action_open_extension_request_wizard(self):
        self.ensure_one()
        stage = (self.deadline_stage if self.deadline_stage
                 and self._deadline_line(self.deadline_stage).ceiling else "reply")
        return self.env["complaint.extension.request.wizard"]._open_for(
            self.env._("More time for %s", self.name), case_id=self.id, stage=stage)

    def action_open_extension_decision_wizard(self):
        self.ensure_one()
        requested = self.extension_ids.filtered(lambda e: e.state == "requested")
        if not requested:
            raise UserError(self.env._("%s has no extension waiting for a decision.", self.name))
        return self.env["complaint.extension.decision.wizard"]._open_for(
            self.env._("Extension for %s", self.name), case_id=self.id,
            extension_id=requested.sorted("date_requested")[0].id)

    def action_open_review_wizard(self):
        self.ensure_one()
        if self.date_review_requested and not self.date_review_decided:
            return self.env["complaint.review.wizard"]._open_for(
                self.env._("Review decision on %s", self.name), case_id=self.id, kind="decide")
        return self.env["complaint.review.wizard"]._open_for(
            self.env._("Review requested for %s", self.name), case_id=self.id, kind="request")

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
        what is overdue (activities, accountability, level notifications).

        Its e-mails go through Odoo's mail queue: a run escalates hundreds of cases at once,
        and sending each notification at the commit of its chunk made the run spend most of
        its time talking to the mail server."""
        return self.with_context(mail_notify_force_send=False)._scan_deadlines()

    @api.model
    def _scan_deadlines(self):
        self._cron_recompute_deadlines()
        self._notify_calendar_marks()
        for chunk in self._scan_chunks(self._to_escalate().ids, SCAN_NOTIFY_CHUNK):
            # read again in the chunk's own transaction: still overdue and not yet escalated
            chunk._to_escalate(chunk.ids)._escalate_overdue()
        soon = self.sudo().search([("deadline_status", "=", "due_soon")])
        soon = soon.filtered(lambda c: c.deadline_soon_done != c.date_stage_deadline)
        for chunk in self._scan_chunks(soon.ids, SCAN_NOTIFY_CHUNK):
            chunk.filtered(lambda c: c.deadline_status == "due_soon"
                           and c.deadline_soon_done != c.date_stage_deadline)._remind_due_soon()
        self.env["complaint.assignment"]._scan_overdue()
        return True

    @api.model
    def _scan_chunks(self, ids, size):
        """The cases ``ids`` in chunks, each worked on and committed in a transaction of its
        own when run by the scheduler (tests: one chunk, no commit).

        Each chunk's transaction starts by locking its cases and their dispatch orders,
        skipping rows a user is changing at that moment: the scan neither waits for users
        nor overwrites what they changed, and a user never waits on the scan for longer than
        one chunk. Skipped cases are tried once more at the end, then left to the next run
        (a user's save recomputes its own case meanwhile).
        """
        if getattr(threading.current_thread(), "testing", False):
            if ids:
                yield self.sudo().browse(ids)
            return
        cr = self.env.cr
        todo, skipped = list(ids), []
        for _round in range(2):
            for chunk in split_every(size, todo, list):
                # A scheduled batch commits per chunk, as Odoo's own batched crons do, so that
                # users never wait on its locks for longer than one chunk.
                cr.commit()  # pylint: disable=invalid-commit
                self.env.invalidate_all()
                # the first statement of the transaction: its snapshot sees every commit so far
                cr.execute(SQL("SELECT id FROM complaint_case WHERE id = ANY(%s) ORDER BY id "
                               "FOR NO KEY UPDATE SKIP LOCKED", chunk))
                locked = [row[0] for row in cr.fetchall()]
                cr.execute(SQL("SELECT case_id FROM complaint_assignment WHERE case_id = ANY(%s) "
                               "EXCEPT SELECT case_id FROM (SELECT case_id FROM complaint_assignment "
                               "WHERE case_id = ANY(%s) ORDER BY id FOR NO KEY UPDATE SKIP LOCKED) AS l",
                               locked, locked))
                busy = {row[0] for row in cr.fetchall()}
                ready = [case_id for case_id in locked if case_id not in busy]
                skipped += [case_id for case_id in chunk if case_id not in ready]
                if ready:
                    yield self.sudo().browse(ready)
            todo, skipped = skipped, []
            if not todo:
                break
        cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _to_escalate(self, ids=None):
        """The overdue cases whose step on the clock was not yet escalated (of ``ids``, else
        of every case), in one query."""
        self.env.flush_all()
        query = SQL("SELECT id FROM complaint_case WHERE deadline_status = 'overdue' "
                    "AND date_stage_deadline IS NOT NULL "
                    "AND deadline_overdue_done IS DISTINCT FROM date_stage_deadline")
        if ids is not None:
            query = SQL("%s AND id = ANY(%s)", query, list(ids))
        self.env.cr.execute(SQL("%s ORDER BY id", query))
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _cron_recompute_deadlines(self):
        """Recompute the due dates of every open case (and of their dispatch orders) in
        batches: the calendar is read once per batch, never once per case; run by the
        scheduler, each batch commits on its own (see ``_scan_chunks``)."""
        cases = self.sudo().search(self._deadline_open_domain())
        for chunk in self._scan_chunks(cases.ids, SCAN_RECOMPUTE_CHUNK):
            chunk._recompute_deadlines()
        return len(cases)

    @api.model
    def _deadline_open_domain(self):
        """The cases whose due dates still move: open, or with a review under way."""
        return [("sla_policy_id", "!=", False), "|", ("state", "in", OPEN_STATES),
                ("date_review_requested", "!=", False)]

    @api.model
    def _recompute_deadlines_where(self, domain):
        """Batched recompute of the open cases within ``domain`` (and of their dispatch
        orders), after a change of a working calendar, of the calendar of a company or a
        department, or of a policy's limits. Inside a write that already recomputes once at
        its end (context key ``complaint_deadline_deferred``), nothing is done."""
        if self.env.context.get("complaint_deadline_deferred"):
            return 0
        cases = self.sudo().search(expression.AND([self._deadline_open_domain(), domain]))
        return cases._recompute_deadlines()

    @api.model
    def _deadline_domain_for_calendars(self, calendars):
        """The cases counted on ``calendars``: those of the departments that use one of them
        (as the case's department or a dispatch order's), and those of the companies that
        use one of them (the standard calendar also stands in for a company without one)."""
        if not calendars:
            return expression.FALSE_DOMAIN
        departments = self.env["complaint.department"].sudo().with_context(
            active_test=False).search([("resource_calendar_id", "in", calendars.ids)])
        company_domain = [("resource_calendar_id", "in", calendars.ids)]
        standard = self.env.ref("resource.resource_calendar_std", raise_if_not_found=False)
        if standard and standard in calendars:
            company_domain = expression.OR([company_domain, [("resource_calendar_id", "=", False)]])
        companies = self.env["res.company"].sudo().with_context(active_test=False).search(
            company_domain)
        return expression.OR([self._deadline_domain_for_departments(departments),
                              [("company_id", "in", companies.ids)]])

    @api.model
    def _deadline_domain_for_departments(self, departments):
        if not departments:
            return expression.FALSE_DOMAIN
        return ["|", ("department_id", "in", departments.ids),
                ("assignment_ids.department_id", "in", departments.ids)]

    def _deadline_responsible(self, office=None):
        """Who answers for the step on the clock, and their manager (``office``: the company's
        complaint office, when the caller already looked it up)."""
        self.ensure_one()
        if office is None:
            office = self._complaint_office()
        stage = self.deadline_stage
        if stage in ("progress", "handling"):
            lead = self._lead_assignment()
            user = self.handler_user_id or lead.user_id or self.department_id.manager_id
            manager = self.department_id.manager_id or self._office_user(office)
        elif stage in ("acknowledge", "acceptance", "forward") and self.state in ("draft", "approval"):
            user = self.owner_user_id
            manager = (self.owner_user_id.complaint_department_ids._managers_up_the_tree()
                       - self.owner_user_id)[:1] or self._office_user(office)
        else:
            user = self._office_user(office)
            manager = office.manager_id or user
        return user, manager, (self.department_id if stage in ("progress", "handling") else
                               self.owner_user_id.complaint_department_ids[:1])

    def _format_local_datetime(self, value):
        """A moment as the company reads it: in its time zone, in the language of the
        message (the user's, else the company's)."""
        self.ensure_one()
        if not value:
            return "-"
        lang = self.env.context.get("lang") or self.company_id.partner_id.lang
        return format_datetime(self.env, value, tz=self.company_id.complaint_tz,
                               dt_format="short", lang_code=lang)

    def _stage_label(self):
        self.ensure_one()
        return dict(self._fields["deadline_stage"]._description_selection(self.env)).get(
            self.deadline_stage, "")

    @api.model
    def _complaint_offices(self, companies):
        """``{company id: complaint office}`` in one search."""
        offices = defaultdict(lambda: self.env["complaint.department"].sudo())
        for office in self.env["complaint.department"].sudo().search(
                [("is_complaint_office", "=", True), ("company_id", "in", companies.ids)]):
            offices.setdefault(office.company_id.id, office)
        return offices

    def _deadline_activity_vals(self, user, summary, date_deadline):
        """The values of one deadline activity on the case, as ``activity_schedule`` makes
        them, for a batched ``create``."""
        self.ensure_one()
        activity_type = self.env.ref(DEADLINE_ACTIVITY)
        return {"activity_type_id": activity_type.id, "summary": summary, "automated": True,
                "note": activity_type.default_note, "date_deadline": date_deadline,
                "res_model_id": self.env["ir.model"]._get_id(self._name), "res_id": self.id,
                "user_id": user.id}

    def _remind_due_soon(self):
        """A reminder to whoever answers for the step, once per due date: the activities in
        one ``create``, the steps marked in one UPDATE."""
        offices = self._complaint_offices(self.company_id)
        activities = []
        for case in self:
            user, _manager, _department = case._deadline_responsible(offices[case.company_id.id])
            if user:
                activities.append(case._deadline_activity_vals(
                    user, self.env._("Due soon: %s", case._stage_label()),
                    case.date_stage_deadline.date()))
        self.env["mail.activity"].sudo().create(activities)
        self._mark_deadline_done("deadline_soon_done")

    def _mark_deadline_done(self, field_name):
        """Store the step's due date in ``field_name`` of every case, in one UPDATE."""
        self.env.flush_all()
        update_rows(self.env.cr, "complaint_case", [("id", "int4"), (field_name, "timestamp")],
                    [(case.id, case.date_stage_deadline) for case in self])
        self.invalidate_recordset([field_name])

    def _escalate_overdue(self):
        """A missed step: activities for the responsible user and their manager, and an
        accountability record from the policy's data for the case's level. Per run, the
        activities are created in one ``create`` and the accountability records in another;
        a missed step that already has its record (same case, step and due date) gets none
        again, whatever ran before."""
        Accountability = self.env["complaint.accountability"].sudo()
        if not self:
            return Accountability
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "SELECT c.id FROM complaint_case c JOIN complaint_accountability a "
            "ON a.case_id = c.id AND a.reason = 'overdue' AND a.stage = c.deadline_stage "
            "AND a.date_due = c.date_stage_deadline WHERE c.id = ANY(%s)", self.ids))
        recorded = {row[0] for row in self.env.cr.fetchall()}
        offices = self._complaint_offices(self.company_id)
        today = fields.Date.context_today(self)
        activities, records, penalties = [], [], {}
        for case in self:
            user, manager, department = case._deadline_responsible(offices[case.company_id.id])
            summary = self.env._("Overdue: %s", case._stage_label())
            activities += [case._deadline_activity_vals(person, summary, today)
                           for person in (user | manager)]
            if case.id not in recorded:
                recorded.add(case.id)
                key = (case.sla_policy_id.id, case.level)
                if key not in penalties:
                    penalties[key] = case.sla_policy_id._penalty_for(case.level)
                penalty = penalties[key]
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
                                due=case._format_local_datetime(case.date_stage_deadline)),
                partner_ids=partners.ids, message_type="comment", subtype_xmlid="mail.mt_comment")
        self.env["mail.activity"].sudo().create(activities)
        self._mark_deadline_done("deadline_overdue_done")
        return Accountability.create(records)

    @api.model
    def _notify_calendar_marks(self, ids=None):
        """Tell the complaint office, once per mark, about each case whose open due date is
        counted through a year with a provisional or missing official calendar (of ``ids``,
        else of every case)."""
        self.env.flush_all()
        query = SQL("SELECT id, deadline_calendar_mark FROM complaint_case "
                    "WHERE deadline_calendar_mark IS NOT NULL "
                    "AND deadline_calendar_notified IS DISTINCT FROM deadline_calendar_mark")
        if ids is not None:
            if not ids:
                return self.browse()
            query = SQL("%s AND id = ANY(%s)", query, list(ids))
        self.env.cr.execute(query)
        rows = self.env.cr.fetchall()
        if not rows:
            return self.browse()
        update_rows(self.env.cr, "complaint_case",
                    [("id", "int4"), ("deadline_calendar_notified", "varchar")], rows)
        cases = self.sudo().browse([row[0] for row in rows])
        cases.invalidate_recordset(["deadline_calendar_notified"])
        offices = self._complaint_offices(cases.company_id)
        marks = dict(self._fields["deadline_calendar_mark"]._description_selection(self.env))
        for case in cases:
            office_user = case._office_user(offices[case.company_id.id])
            case.message_post(
                body=self.env._(
                    "%(step)s is due %(due)s, counted on a calendar year that is not published "
                    "(%(mark)s): the due date may move when the State Council publishes the "
                    "year's schedule. Check the official calendar years in the complaints "
                    "configuration.", step=case._stage_label() or "-",
                    due=case._format_local_datetime(case.date_stage_deadline),
                    mark=marks[case.deadline_calendar_mark]),
                partner_ids=office_user.partner_id.ids, message_type="comment",
                subtype_xmlid="mail.mt_comment")
        return cases

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
        self._notify_calendar_marks(cases.ids)
        return cases

    def write(self, vals):
        levels_before = self._levels_before(vals)
        res = super().write(vals)
        self._after_deadline_write(vals, levels_before)
        if (vals.keys() - {"deadline_calendar_notified", "deadline_overdue_done", "deadline_soon_done"}
                and not self.env.context.get("complaint_calendar_marks_deferred")):
            self._notify_calendar_marks(self.ids)
        return res
