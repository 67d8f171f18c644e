from odoo import fields, models

ACTIONS = {
    # kind: (model, method) — each takes the reason as its only argument
    "send_back": ("complaint.case", "action_send_back"),
    "withdraw": ("complaint.case", "action_withdraw"),
    "return": ("complaint.assignment", "action_return"),
}


class ComplaintReasonWizard(models.TransientModel):
    """The steps that only need a written reason: send feedback back, record a withdrawal,
    return a dispatch order."""

    _name = "complaint.reason.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Give a Reason"

    kind = fields.Selection(
        [("send_back", "Send feedback back"), ("withdraw", "Customer withdraws"),
         ("return", "Return dispatch order")],
        required=True, readonly=True)
    res_id = fields.Integer(required=True, readonly=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        model, method = ACTIONS[self.kind]
        getattr(self.env[model].browse(self.res_id), method)(self.reason)
        return {"type": "ir.actions.act_window_close"}
