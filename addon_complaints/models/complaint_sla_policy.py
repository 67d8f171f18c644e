from odoo import api, fields, models
from odoo.exceptions import ValidationError

LEVELS = [("normal", "Normal"), ("urgent", "Urgent"), ("major", "Major"), ("crisis", "Crisis")]
DEMAND_TYPES = [("consultation", "Consultation"), ("suggestion", "Suggestion"),
                ("complaint", "Complaint"), ("help", "Help request"), ("report", "Report"),
                ("grumble", "Grumble")]
# Writing these changes the due dates of the cases under the policy.
DEADLINE_KEYS = {"line_ids", "due_soon_hours"}


class ComplaintSlaPolicy(models.Model):
    """Time limits for a kind of case: one line per stage that has a limit, in working days,
    working hours, calendar days or hours, plus how far the limit can be extended.

    The presets shipped with the product (tobacco, insurance claims, securities, airline, the
    banking and insurance regulation, a general one) are templates: a company picks one as
    its default, or duplicates one and narrows it to the cases it applies to. Policies with
    criteria are tried in sequence before the company's default; the first that matches wins.
    """

    _name = "complaint.sla.policy"
    _description = "Complaint Deadline Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True,
                                 help="Empty: available to every company.")
    is_preset = fields.Boolean(
        string="Preset", readonly=True, copy=False,
        help="Shipped with the product. A preset only applies as a company's default policy; "
        "duplicate it to apply it by criteria.")
    description = fields.Text(translate=True, help="Where the limits come from.")
    # Which cases ----------------------------------------------------------------------------
    demand_type = fields.Selection(DEMAND_TYPES, help="Empty: any type of demand.")
    level = fields.Selection(LEVELS, help="Empty: any level.")
    channel_ids = fields.Many2many("complaint.channel", string="Channels",
                                   help="Empty: any channel.")
    category_ids = fields.Many2many("complaint.category", string="Categories",
                                    help="Matches these categories and their children. Empty: any.")
    regulator_forwarded = fields.Selection(
        [("any", "Any case"), ("yes", "Forwarded by a regulator"), ("no", "Not forwarded")],
        string="Regulator-forwarded", required=True, default="any")
    # The limits -----------------------------------------------------------------------------
    line_ids = fields.One2many("complaint.sla.policy.line", "policy_id", string="Stage Limits",
                               copy=True)
    max_extensions = fields.Integer(
        string="Extensions Allowed", default=1,
        help="How many extensions a case may get; each one is approved by the complaint office.")
    senior_approval_from = fields.Integer(
        string="Senior Approval from Extension",
        help="From this extension on (e.g. 2 for the second), a complaints administrator must "
        "approve it. 0: the complaint office approves every extension.")
    restart_on_new_facts = fields.Boolean(
        string="New Facts Restart the Clock",
        help="When the complainant brings new facts, the time limits count again from then.")
    review_request_days = fields.Integer(
        string="Review Request Window (days)",
        help="The complainant may ask for a review (核查) within this many days of the reply. "
        "0: no review.")
    due_soon_hours = fields.Float(
        string="Warn Before (hours)", default=24.0,
        help="A step is flagged as due soon this many hours before its due date.")
    penalty_ids = fields.One2many("complaint.sla.penalty", "policy_id",
                                  string="Accountability for Missed Deadlines", copy=True)

    @api.constrains("max_extensions", "senior_approval_from", "review_request_days")
    def _check_counts(self):
        for policy in self:
            if min(policy.max_extensions, policy.senior_approval_from,
                   policy.review_request_days) < 0:
                raise ValidationError(self.env._("Counts of a deadline policy cannot be negative."))

    def write(self, vals):
        if not DEADLINE_KEYS & vals.keys():
            return super().write(vals)
        # Stage limits edited in the form arrive as line commands: one recompute at the end.
        res = super(ComplaintSlaPolicy, self.with_context(complaint_deadline_deferred=True)).write(
            vals)
        self._recompute_case_deadlines()
        return res

    def _recompute_case_deadlines(self):
        """The limits changed: batched recompute of the open cases under these policies."""
        if self:
            self.env["complaint.case"]._recompute_deadlines_where(
                [("sla_policy_id", "in", self.ids)])

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for policy, vals in zip(self, vals_list, strict=True):
            vals.setdefault("name", self.env._("%s (copy)", policy.name))
        return vals_list

    # Matching --------------------------------------------------------------------------------
    def _matches(self, case):
        self.ensure_one()
        if self.company_id and self.company_id != case.company_id:
            return False
        if self.demand_type and self.demand_type != case.demand_type:
            return False
        if self.level and self.level != case.level:
            return False
        if self.channel_ids and case.channel_id not in self.channel_ids:
            return False
        if self.regulator_forwarded != "any" and (
                (self.regulator_forwarded == "yes") != bool(case.is_regulator_forwarded)):
            return False
        return not self.category_ids or bool(case.category_id and any(
            case.category_id.parent_path.startswith(category.parent_path)
            for category in self.category_ids))

    @api.model
    def _find_for_cases(self, cases):
        """``{case id: policy}``: the first policy with criteria that matches, else the
        company's default. One search for the whole batch."""
        policies = self.sudo().search([("is_preset", "=", False),
                                       ("company_id", "in", [False] + cases.company_id.ids)])
        result = {}
        for case in cases:
            policy = next((p for p in policies if p._matches(case)), None)
            result[case.id] = policy or case.company_id.sudo().complaint_sla_policy_id
        return result

    # Lines -----------------------------------------------------------------------------------
    def _line_for(self, stage, level):
        """The line for ``stage``: the one written for the case's level, else the general one."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.stage == stage)
        return (lines.filtered(lambda line: line.level == level)[:1]
                or lines.filtered(lambda line: not line.level)[:1])

    def _penalty_for(self, level):
        self.ensure_one()
        return (self.penalty_ids.filtered(lambda p: p.level == level)[:1]
                or self.penalty_ids.filtered(lambda p: not p.level)[:1])
