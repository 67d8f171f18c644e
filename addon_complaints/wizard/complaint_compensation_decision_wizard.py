from odoo import fields, models


class ComplaintCompensationDecisionWizard(models.TransientModel):
    """Approve or reject one or more compensation proposals with a comment."""

    _name = "complaint.compensation.decision.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Compensation Approval Decision"

    compensation_ids = fields.Many2many(
        "complaint.compensation", "complaint_compensation_decision_wizard_rel", "wizard_id", "compensation_id",
        string="Proposals", required=True, readonly=True)
    decision = fields.Selection([("approved", "Approve"), ("rejected", "Reject")], required=True,
                                readonly=True)
    comment = fields.Text(help="Why: required to reject.")

    def action_confirm(self):
        self.ensure_one()
        if self.decision == "approved":
            self.compensation_ids.action_approve(self.comment or "")
        else:
            self.compensation_ids.action_reject(self.comment)
        return {"type": "ir.actions.act_window_close"}
