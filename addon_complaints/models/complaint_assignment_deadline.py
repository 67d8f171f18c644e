"""Deadlines of a dispatch order: the policy's handling limit from the dispatch, on the
department's working calendar, and the overdue alert to the department's manager."""

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from .complaint_case_deadline import DEADLINE_CHUNK_SIZE, DeadlineRun, update_rows


class ComplaintAssignment(models.Model):
    _inherit = "complaint.assignment"
    _protected_fields = {"overdue_done": "complaint.case._cron_scan_deadlines"}

    date_deadline = fields.Datetime(
        string="Due", compute="_compute_date_deadline", store=True, index=True,
        help="When the department's handling and feedback are due: the policy's handling limit "
        "from the dispatch, on the department's working calendar, moved by the case's pauses "
        "and approved handling extensions.")
    is_overdue = fields.Boolean(compute="_compute_date_deadline", store=True, index=True)
    overdue_done = fields.Datetime(readonly=True, copy=False,
                                   help="The due date already escalated.")

    @api.depends("date_dispatched", "state", "department_id", "case_id.sla_policy_id",
                 "case_id.level", "case_id.pause_ids.date_start", "case_id.pause_ids.date_end",
                 "case_id.extension_ids.state", "case_id.date_feedback")
    def _compute_date_deadline(self):
        """The on-save compute of the dispatch orders being edited; calendar and policy
        changes recompute them in batches with their cases."""
        run = DeadlineRun(self.env)
        for assignment in self:
            case = assignment.case_id
            assignment.date_deadline, assignment.is_overdue = run.plan_assignment(
                assignment._deadline_data(), case._deadline_data(),
                *case._deadline_adjustments(run.now))

    def _deadline_data(self):
        self.ensure_one()
        return {"id": self.id, "case_id": self.case_id.id, "department_id": self.department_id.id,
                "date_dispatched": self.date_dispatched, "state": self.state,
                "is_lead": self.is_lead}

    def _recompute_deadlines(self, chunk_size=DEADLINE_CHUNK_SIZE):
        """Recompute the due dates of these dispatch orders in chunks, as
        ``complaint.case._recompute_deadlines`` does for cases."""
        if not self:
            return
        self.env.flush_all()
        run = DeadlineRun(self.env)
        Case = self.env["complaint.case"]
        for ids in split_every(chunk_size, self.ids, list):
            rows = self._deadline_rows(SQL("id = ANY(%s)", ids))
            case_ids = list({row["case_id"] for row in rows})
            extensions, pauses = Case._deadline_adjustment_rows(case_ids, run.now)
            self._store_deadline_rows(run, rows, Case._deadline_rows(case_ids), extensions, pauses)

    @api.model
    def _recompute_deadline_rows(self, run, cases, extensions, pauses):
        """Recompute the dispatch orders of ``cases`` (``{case id: row}``, see
        ``complaint.case._deadline_rows``) within a batched recompute of the cases."""
        rows = self._deadline_rows(SQL("case_id = ANY(%s)", list(cases)))
        self._store_deadline_rows(run, rows, cases, extensions, pauses)

    @api.model
    def _deadline_rows(self, where):
        columns = ["id", "case_id", "department_id", "date_dispatched", "state", "is_lead"]
        self.env.cr.execute(SQL("SELECT %s FROM complaint_assignment WHERE %s",
                                SQL(", ").join(map(SQL.identifier, columns)), where))
        return [dict(zip(columns, row, strict=True)) for row in self.env.cr.fetchall()]

    @api.model
    def _store_deadline_rows(self, run, rows, cases, extensions, pauses):
        updates = []
        for row in rows:
            case_id = row["case_id"]
            due, overdue = run.plan_assignment(row, cases[case_id], extensions.get(case_id, ()),
                                               pauses.get(case_id, ()))
            updates.append((row["id"], due or None, overdue))
        update_rows(self.env.cr, "complaint_assignment",
                    [("id", "int4"), ("date_deadline", "timestamp"), ("is_overdue", "bool")],
                    updates)
        self.browse([row["id"] for row in rows]).invalidate_recordset(
            ["date_deadline", "is_overdue"])

    @api.model
    def _scan_overdue(self):
        """Overdue dispatch orders: an activity for the department's manager, once per due date."""
        orders = self.sudo().search([("state", "in", ("pending", "accepted")),
                                     ("date_deadline", "!=", False)])
        orders._recompute_deadlines()
        todo = orders.filtered(lambda a: a.is_overdue and a.overdue_done != a.date_deadline)
        if not todo:
            return
        offices = self.env["complaint.case"]._complaint_offices(todo.case_id.company_id)
        today = fields.Date.context_today(self)
        activities = []
        for order in todo:
            case = order.case_id
            manager = (order.department_id.manager_id
                       or case._office_user(offices[case.company_id.id]))
            activities.append(case._deadline_activity_vals(
                manager, self.env._("Dispatch order overdue: %s",
                                    order.department_id.complete_name), today))
        self.env["mail.activity"].sudo().create(activities)
        self.env.flush_all()
        update_rows(self.env.cr, "complaint_assignment",
                    [("id", "int4"), ("overdue_done", "timestamp")],
                    [(order.id, order.date_deadline) for order in todo])
        todo.invalidate_recordset(["overdue_done"])
