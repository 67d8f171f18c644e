from odoo import fields, models


class ComplaintCompensationPaymentWizard(models.TransientModel):
    """Finance records the payment of approved compensation."""

    _name = "complaint.compensation.payment.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Compensation Payment"

    compensation_ids = fields.Many2many(
        "complaint.compensation", "complaint_compensation_payment_wizard_rel", "wizard_id", "compensation_id",
        string="Proposals", required=True, readonly=True)
    payment_ref = fields.Char(string="Payment Reference", required=True)
    date_paid = fields.Datetime(string="Paid on", required=True, default=fields.Datetime.now)

    def action_confirm(self):
        self.ensure_one()
        self.compensation_ids.action_mark_paid(self.payment_ref, self.date_paid)
        return {"type": "ir.actions.act_window_close"}
