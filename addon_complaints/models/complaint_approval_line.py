from odoo import api, fields, models
from odoo.exceptions import UserError

# What a decision may set on a pending line; nothing else ever changes once it is created.
DECISION_FIELDS = frozenset({"state", "decided_by_id", "date_decided", "comment"})


class ComplaintApprovalLine(models.Model):
    """One step of the approval chain frozen on a compensation proposal when it is
    submitted, and the decision taken on it: who, when, on what amount and why.

    Lines are created and decided only by the proposal's approval methods; once decided,
    nobody changes or deletes them."""

    _name = "complaint.approval.line"
    _description = "Compensation Approval Decision"
    _inherit = ["complaint.guard.mixin"]
    _order = "compensation_id, round desc, sequence, id"
    _check_company_auto = True
    _protected_fields = dict.fromkeys(
        ("compensation_id", "round", "sequence", "tier_name", "approver_type", "user_id",
         "group_id", "approver_label", "currency_id", "amount", "amount_company"),
        "complaint.compensation.action_submit") | dict.fromkeys(
        DECISION_FIELDS, "complaint.compensation.action_approve, action_reject")

    compensation_id = fields.Many2one("complaint.compensation", required=True, ondelete="cascade",
                                      index=True, readonly=True)
    company_id = fields.Many2one(related="compensation_id.company_id", store=True, index=True)
    round = fields.Integer(readonly=True, help="Approval round: a new chain at each submission.")
    sequence = fields.Integer(readonly=True)
    tier_name = fields.Char(string="Tier", readonly=True)
    approver_type = fields.Selection(
        [("department_manager", "Manager of the lead department"),
         ("group", "Any member of a group"),
         ("user", "Named user")],
        string="Approver Kind", readonly=True)
    user_id = fields.Many2one("res.users", string="Approving User", readonly=True)
    group_id = fields.Many2one("res.groups", string="Approving Group", readonly=True)
    approver_label = fields.Char(string="Approver", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(currency_field="currency_id", readonly=True,
                             help="The amount submitted for approval.")
    company_currency_id = fields.Many2one(related="company_id.currency_id",
                                          string="Company Currency")
    amount_company = fields.Monetary(string="Amount (Company Currency)",
                                     currency_field="company_currency_id", readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("approved", "Approved"), ("rejected", "Rejected"),
         ("cancelled", "Superseded")],
        default="pending", required=True, readonly=True, index=True)
    decided_by_id = fields.Many2one("res.users", string="Decided by", readonly=True)
    date_decided = fields.Datetime(string="Decided on", readonly=True)
    comment = fields.Text(readonly=True)

    def write(self, vals):
        self.check_access("write")
        if any(line.state != "pending" for line in self):
            raise UserError(self.env._("Approval decisions are kept as they were taken and "
                                       "cannot be changed."))
        if set(vals) - DECISION_FIELDS:
            raise UserError(self.env._("The approval chain is frozen when the proposal is "
                                       "submitted."))
        return super().write(vals)

    @api.constrains("decided_by_id", "state")
    def _check_decider_recusal(self):
        for line in self.filtered(lambda ln: ln.state == "approved" and ln.decided_by_id):
            line.compensation_id.case_id.sudo()._check_recusal(
                line.decided_by_id, self.env._("approve compensation on"))

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Approval decisions are never deleted."))

    def _can_be_decided_by(self, user):
        """Is ``user`` the approver this step waits for?"""
        self.ensure_one()
        if self.user_id:
            return user == self.user_id
        return bool(self.group_id) and self.group_id in user.groups_id

    def _approvers(self):
        """The users who may decide this step."""
        self.ensure_one()
        users = self.user_id or self.group_id.users
        return users.filtered(lambda user: user.active and not user.share)
