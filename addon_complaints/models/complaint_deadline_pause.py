from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError


class ComplaintDeadlinePause(models.Model):
    """The clock stops while a case waits on an external appraisal, a test or a mediation:
    the time it waits does not count and the due dates move by it. A pause keeps its reason
    and evidence and stays visible on the case."""

    _name = "complaint.deadline.pause"
    _description = "Complaint Clock Pause"
    _inherit = ["complaint.guard.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    # A pause is kept as it was recorded; only resuming it ends it.
    _protected_fields = dict.fromkeys(
        ("case_id", "reason", "note", "evidence", "evidence_name", "date_start", "user_id"),
        "complaint.case.action_pause_clock") | dict.fromkeys(
        ("date_end", "ended_by_id"), "action_resume")

    case_id = fields.Many2one("complaint.case", required=True, ondelete="restrict", index=True,
                              check_company=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    reason = fields.Selection(
        [("appraisal", "External appraisal"), ("testing", "Testing"), ("mediation", "Mediation")],
        required=True)
    note = fields.Text(string="Details", required=True)
    evidence = fields.Binary(attachment=True, help="The request or report that proves the wait.")
    evidence_name = fields.Char()
    date_start = fields.Datetime(string="Paused", required=True, default=fields.Datetime.now)
    date_end = fields.Datetime(string="Resumed")
    user_id = fields.Many2one("res.users", string="Paused by", required=True, readonly=True,
                              default=lambda self: self.env.user)
    ended_by_id = fields.Many2one("res.users", string="Resumed by", readonly=True)
    duration_hours = fields.Float(compute="_compute_duration_hours", string="Duration (hours)")

    @api.depends("date_start", "date_end")
    def _compute_duration_hours(self):
        now = fields.Datetime.now()
        for pause in self:
            end = pause.date_end or now
            pause.duration_hours = max(0.0, (end - pause.date_start).total_seconds() / 3600.0)

    @api.constrains("date_start", "date_end", "case_id")
    def _check_dates(self):
        for pause in self:
            if pause.date_end and pause.date_end < pause.date_start:
                raise ValidationError(self.env._("A pause cannot end before it starts."))
            others = pause.case_id.pause_ids - pause
            for other in others:
                other_end = other.date_end or fields.Datetime.now()
                end = pause.date_end or fields.Datetime.now()
                if other.date_start < end and pause.date_start < other_end:
                    raise ValidationError(self.env._("The pauses of a case cannot overlap."))

    def action_resume(self):
        """The wait is over: the clock runs again."""
        for pause in self:
            if pause.date_end:
                raise UserError(self.env._("This pause has already ended."))
            pause.case_id._check_deadline_editor()
            # Whoever may pause the case may resume it, rights checked just above.
            pause.sudo().write({"date_end": fields.Datetime.now(), "ended_by_id": self.env.user.id})
            pause.case_id.message_post(body=self.env._("The clock runs again after %(hours).1f hours.",
                                                       hours=pause.duration_hours))
        return True

    def write(self, vals):
        if not self.env.su and {"date_start", "reason", "case_id"} & vals.keys():
            raise AccessError(self.env._("A pause is kept as it was recorded."))
        return super().write(vals)
