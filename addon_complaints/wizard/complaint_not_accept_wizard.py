from odoo import fields, models


class ComplaintNotAcceptWizard(models.TransientModel):
    """Decline a complaint for one of the listed reasons; the customer is told."""

    _name = "complaint.not.accept.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Do Not Accept a Complaint"

    case_id = fields.Many2one("complaint.case", required=True, readonly=True)
    reason_id = fields.Many2one("complaint.rejection.reason", required=True)
    note = fields.Text(help="Told to the customer with the reason.")

    def action_confirm(self):
        self.ensure_one()
        self.case_id.action_not_accept(self.reason_id, self.note)
        return {"type": "ir.actions.act_window_close"}
