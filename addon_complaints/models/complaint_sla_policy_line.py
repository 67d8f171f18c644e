from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .complaint_sla_policy import LEVELS

# Each stage's clock: (the case field that starts it, the case field that stops it).
# "clock" is when the case was received, or when new facts restarted the clock.
STAGES = [
    ("acknowledge", "Acknowledge the customer"),
    ("acceptance", "Acceptance decision"),
    ("forward", "Forward to the handling department"),
    ("progress", "First progress recorded"),
    ("handling", "Department handling and feedback"),
    ("verification", "Office verification"),
    ("reply", "Reply to the customer"),
    ("callback", "Callback"),
    ("review", "Review (核查) decision"),
]
STAGE_CLOCKS = {
    "acknowledge": ("clock", "date_accepted"),
    "acceptance": ("clock", "date_accepted"),
    "forward": ("clock", "date_dispatched"),
    "progress": ("date_dispatched", "date_handover"),
    "handling": ("date_dispatched", "date_feedback"),
    "verification": ("date_feedback", "date_verified"),
    "reply": ("clock", "date_replied"),
    "callback": ("date_replied", "date_callback"),
    "review": ("date_review_requested", "date_review_decided"),
}
UNITS = [
    ("working_days", "Working days"),
    ("working_hours", "Working hours"),
    ("calendar_days", "Calendar days"),
    ("hours", "Hours (round the clock)"),
]


class ComplaintSlaPolicyLine(models.Model):
    """The time limit of one stage: how much time, in which unit, and how far extensions may
    take it. A line for one level replaces the general line of its stage for cases of that
    level, which is how a level tightens the deadlines."""

    _name = "complaint.sla.policy.line"
    _description = "Complaint Deadline Policy Stage"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one("complaint.sla.policy", required=True, ondelete="cascade",
                                index=True)
    sequence = fields.Integer(default=10)
    stage = fields.Selection(STAGES, required=True)
    level = fields.Selection(LEVELS, help="Only for cases of this level. Empty: every level.")
    unit = fields.Selection(UNITS, required=True, default="working_days",
                            help="Working days and hours follow the working calendar, with "
                            "public holidays and make-up working days.")
    time_limit = fields.Float(
        string="Limit", required=True, digits=(16, 2),
        help="0 working days: the same working day. The day the clock starts does not count.")
    ceiling = fields.Float(
        string="Ceiling with Extensions", digits=(16, 2),
        help="The absolute limit, extensions included, in the same unit. 0: cannot be extended.")
    roll_to_working_day = fields.Boolean(
        string="Last Day Moves off Holidays",
        help="Calendar days: when the last day is a day off, the limit ends on the next working "
        "day.")
    note = fields.Char(translate=True, help="The rule this limit comes from.")

    _sql_constraints = [
        ("time_limit_positive", "CHECK(time_limit >= 0)", "A time limit cannot be negative."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.policy_id._recompute_case_deadlines()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if vals.keys() - {"note"}:
            self.policy_id._recompute_case_deadlines()
        return res

    def unlink(self):
        policies = self.policy_id
        res = super().unlink()
        policies.exists()._recompute_case_deadlines()
        return res

    @api.constrains("time_limit", "ceiling")
    def _check_ceiling(self):
        for line in self:
            if line.ceiling and line.ceiling < line.time_limit:
                raise ValidationError(self.env._(
                    "The ceiling with extensions cannot be shorter than the limit itself."))
