from odoo import fields, models


class ComplaintExtensionDecisionWizard(models.TransientModel):
    """The complaint office approves or refuses a requested extension."""

    _name = "complaint.extension.decision.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Decide an Extension"

    case_id = fields.Many2one("complaint.case", required=True, readonly=True)
    extension_id = fields.Many2one(
        "complaint.extension", required=True,
        domain="[('case_id', '=', case_id), ('state', '=', 'requested')]")
    reason = fields.Text(related="extension_id.reason", string="Reason Given")
    requested_by_id = fields.Many2one(related="extension_id.requested_by_id")
    decision = fields.Selection([("approve", "Approve"), ("refuse", "Refuse")], required=True,
                                default="approve")
    note = fields.Text(string="Decision Note")

    def action_confirm(self):
        self.ensure_one()
        extension = self.extension_id
        if self.decision == "refuse":
            extension.action_refuse(self.note or "")
        else:
            extension.action_approve()
            if self.note:
                extension.decision_note = self.note
        return {"type": "ir.actions.act_window_close"}
