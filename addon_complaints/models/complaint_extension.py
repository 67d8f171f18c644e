from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class ComplaintExtension(models.Model):
    """A request for more time on one stage of a case, with its reason; the complaint office
    approves or refuses it, and an approved extension is told to the customer in advance, the
    notice kept as proof. The total can never pass the policy's ceiling."""

    _name = "complaint.extension"
    _description = "Complaint Deadline Extension"
    _inherit = ["mail.thread"]
    _order = "date_requested desc, id desc"
    _check_company_auto = True

    case_id = fields.Many2one("complaint.case", required=True, ondelete="cascade", index=True,
                              check_company=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    stage = fields.Selection(selection=lambda self: self.env["complaint.sla.policy.line"]
                             ._fields["stage"].selection, required=True, default="reply")
    amount = fields.Float(string="Extra Time", required=True, digits=(16, 2))
    unit = fields.Selection(related="line_id.unit", string="Unit")
    line_id = fields.Many2one("complaint.sla.policy.line", string="Stage Limit", readonly=True)
    reason = fields.Text(required=True)
    requested_by_id = fields.Many2one("res.users", required=True, readonly=True,
                                      default=lambda self: self.env.user)
    date_requested = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    state = fields.Selection(
        [("requested", "Requested"), ("approved", "Approved"), ("refused", "Refused")],
        default="requested", required=True, readonly=True, tracking=True, index=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    date_decided = fields.Datetime(readonly=True, index=True)
    decision_note = fields.Text(readonly=True)
    new_due_date = fields.Datetime(readonly=True, help="The due date once extended.")
    notice_id = fields.Many2one("complaint.notice", string="Notice to the Customer", readonly=True)

    @api.depends("case_id.name", "stage", "amount")
    def _compute_display_name(self):
        stages = dict(self._fields["stage"]._description_selection(self.env))
        for extension in self:
            extension.display_name = f"{extension.case_id.name} · {stages.get(extension.stage)} +{extension.amount:g}"

    @api.model_create_multi
    def create(self, vals_list):
        extensions = super().create(vals_list)
        for extension in extensions:
            extension.line_id = extension.case_id._deadline_line(extension.stage)
            extension._check_within_ceiling()
            extension.case_id.message_post(body=self.env._(
                "More time requested for %(stage)s: %(reason)s",
                stage=extension._stage_label(), reason=extension.reason))
        return extensions

    def _stage_label(self):
        self.ensure_one()
        return dict(self._fields["stage"]._description_selection(self.env))[self.stage]

    def _check_within_ceiling(self):
        """No extension past the policy: its count and the stage's absolute ceiling."""
        for extension in self:
            case = extension.case_id
            policy = case.sla_policy_id
            line = extension.line_id
            if not policy or not line:
                raise UserError(self.env._("%(stage)s of %(case)s has no time limit to extend.",
                                           stage=extension._stage_label(), case=case.name))
            if extension.amount <= 0:
                raise UserError(self.env._("Ask for some extra time."))
            granted = case._granted_extensions(extension.stage) - extension
            if len(granted) + 1 > policy.max_extensions:
                raise UserError(self.env._(
                    "%(case)s already had the %(count)s extension(s) its policy allows.",
                    case=case.name, count=policy.max_extensions))
            total = line.time_limit + sum(granted.mapped("amount")) + extension.amount
            if not line.ceiling or total > line.ceiling + 1e-6:
                raise UserError(self.env._(
                    "The extension would take %(stage)s to %(total)g, past its ceiling of "
                    "%(ceiling)g.", stage=extension._stage_label(), total=total,
                    ceiling=line.ceiling))

    def action_approve(self):
        """The complaint office approves; the customer is told in advance with the new date."""
        self.env["complaint.case"]._ensure_office()
        for extension in self:
            if extension.state != "requested":
                raise UserError(self.env._("Only a requested extension can be decided."))
            if extension.requested_by_id == self.env.user:
                raise AccessError(self.env._("An extension is approved by someone other than "
                                             "the person who asked for it."))
            policy = extension.case_id.sla_policy_id
            number = len(extension.case_id._granted_extensions(extension.stage)) + 1
            if (policy.senior_approval_from and number >= policy.senior_approval_from
                    and not self.env.user.has_group("addon_complaints.group_complaint_admin")):
                raise AccessError(self.env._("Extension number %s needs a senior approval.",
                                             number))
            extension._check_within_ceiling()
            extension.write({"state": "approved", "decided_by_id": self.env.user.id,
                             "date_decided": fields.Datetime.now()})
            case = extension.case_id
            case._recompute_deadlines()
            due = case._deadline_for_stage(extension.stage)
            extension.new_due_date = due
            if extension.stage in ("reply", "review") and due:
                case.sudo()._send_notice(
                    "delay", "addon_complaints.mail_template_complaint_delay",
                    reason=extension.reason, new_expected_date=due)
                extension.notice_id = case.sudo().notice_ids.sorted("id")[-1:]
            case.message_post(body=self.env._(
                "Extension approved for %(stage)s: due %(due)s.", stage=extension._stage_label(),
                due=case._format_local_datetime(due)))
        return True

    def action_refuse(self, note=""):
        self.env["complaint.case"]._ensure_office()
        for extension in self:
            if extension.state != "requested":
                raise UserError(self.env._("Only a requested extension can be decided."))
            extension.write({"state": "refused", "decided_by_id": self.env.user.id,
                             "date_decided": fields.Datetime.now(), "decision_note": note})
        return True
