from odoo import api, fields, models
from odoo.exceptions import UserError

from .complaint_guard_mixin import transition
from .complaint_sla_policy import LEVELS


class ComplaintAccountability(models.Model):
    """An accountability event: a deadline was missed without an approved extension. The
    direct party is the responsible employee, the indirect party their manager; the measure,
    points and amounts come from the policy's data for the case's level. The complaint office
    reviews each record; HR executes confirmed fines. Records roll up per person and
    department per month in the pivot view."""

    _name = "complaint.accountability"
    _description = "Complaint Accountability Record"
    _inherit = ["mail.thread", "complaint.guard.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # The missed deadline is a fact; who answers for it and the measure are the office's
    # review, until it confirms or cancels the record.
    _protected_fields = dict.fromkeys(
        ("case_id", "date", "reason", "stage", "date_due", "level"),
        "complaint.case._cron_scan_deadlines") | dict.fromkeys(
        ("state", "reviewed_by_id", "date_reviewed"), "action_confirm, action_cancel")
    _free_fields = {"review_note", "user_id", "manager_id", "department_id", "measure",
                    "points", "amount", "manager_amount"}

    case_id = fields.Many2one("complaint.case", required=True, ondelete="restrict", index=True,
                              check_company=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    reason = fields.Selection([("overdue", "Missed deadline")], required=True, default="overdue")
    stage = fields.Selection(selection=lambda self: self.env["complaint.sla.policy.line"]
                             ._fields["stage"].selection)
    date_due = fields.Datetime(string="Was Due")
    user_id = fields.Many2one("res.users", string="Responsible Employee", index=True)
    manager_id = fields.Many2one("res.users", index=True)
    department_id = fields.Many2one("complaint.department", index=True, check_company=True)
    level = fields.Selection(LEVELS, required=True)
    measure = fields.Selection(
        [("reminder", "Reminder"), ("reminder_manager", "Reminder to employee and manager"),
         ("fine", "Fine")],
        required=True, default="reminder")
    points = fields.Float(string="Appraisal Points")
    currency_id = fields.Many2one("res.currency", related="company_id.currency_id")
    amount = fields.Monetary(string="Employee Amount")
    manager_amount = fields.Monetary()
    state = fields.Selection(
        [("draft", "To review"), ("confirmed", "Confirmed"), ("cancelled", "Cancelled")],
        default="draft", required=True, tracking=True, index=True)
    reviewed_by_id = fields.Many2one("res.users", readonly=True)
    date_reviewed = fields.Datetime(readonly=True)
    review_note = fields.Text()

    _sql_constraints = [
        ("missed_once", "unique(case_id, reason, stage, date_due)",
         "This missed deadline already has its accountability record."),
    ]

    @api.depends("case_id.name", "stage")
    def _compute_display_name(self):
        stages = dict(self._fields["stage"]._description_selection(self.env))
        for record in self:
            record.display_name = f"{record.case_id.name} · {stages.get(record.stage) or ''}"

    def write(self, vals):
        if not self.env.su and any(record.state != "draft" for record in self) and any(
                not name.startswith("message_") for name in vals):
            raise UserError(self.env._("This accountability record has been reviewed."))
        return super().write(vals)

    @transition
    def action_confirm(self):
        self.env["complaint.case"]._ensure_office()
        self._review("confirmed")
        return True

    @transition
    def action_cancel(self):
        self.env["complaint.case"]._ensure_office()
        self._review("cancelled")
        return True

    def _review(self, state):
        for record in self:
            if record.state != "draft":
                raise UserError(self.env._("This accountability record has been reviewed."))
        self.write({"state": state, "reviewed_by_id": self.env.user.id,
                    "date_reviewed": fields.Datetime.now()})
