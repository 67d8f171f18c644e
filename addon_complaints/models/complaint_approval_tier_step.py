from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class ComplaintApprovalTierStep(models.Model):
    """One approver in a tier's chain: the manager of the case's lead department, any member
    of a group (such as Finance), or a named user (such as the deputy general manager)."""

    _name = "complaint.approval.tier.step"
    _description = "Compensation Approval Step"
    _order = "tier_id, sequence, id"
    _check_company_auto = True

    tier_id = fields.Many2one("complaint.approval.tier", required=True, ondelete="cascade",
                              index=True)
    company_id = fields.Many2one(related="tier_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    approver_type = fields.Selection(
        [("department_manager", "Manager of the lead department"),
         ("group", "Any member of a group"),
         ("user", "Named user")],
        string="Approver", required=True, default="group")
    group_id = fields.Many2one("res.groups", ondelete="restrict")
    user_id = fields.Many2one("res.users", ondelete="restrict", check_company=True)

    @api.depends("approver_type", "group_id", "user_id")
    def _compute_display_name(self):
        labels = dict(self._fields["approver_type"]._description_selection(self.env))
        for step in self:
            if step.approver_type == "group":
                step.display_name = step.group_id.name or labels["group"]
            elif step.approver_type == "user":
                step.display_name = step.user_id.name or labels["user"]
            else:
                step.display_name = labels["department_manager"]

    @api.constrains("approver_type", "group_id", "user_id")
    def _check_approver(self):
        for step in self:
            if step.approver_type == "group" and not step.group_id:
                raise ValidationError(self.env._("Choose the group that approves this step."))
            if step.approver_type == "user" and not step.user_id:
                raise ValidationError(self.env._("Choose the user who approves this step."))

    def _line_values(self, compensation):
        """The frozen approval line this step gives ``compensation``."""
        self.ensure_one()
        values = {
            "tier_name": self.tier_id.name,
            "approver_type": self.approver_type,
            "user_id": False,
            "group_id": False,
        }
        if self.approver_type == "group":
            values.update(group_id=self.group_id.id, approver_label=self.group_id.name)
        elif self.approver_type == "user":
            values.update(user_id=self.user_id.id, approver_label=self.user_id.name)
        else:
            manager = compensation._department_approver()
            if not manager:
                raise UserError(self.env._(
                    "No manager of %(department)s (or above it) can approve this proposal.",
                    department=compensation.case_id.department_id.complete_name or "-"))
            values.update(user_id=manager.id, approver_label=self.env._(
                "%s (department manager)", manager.name))
        return values
