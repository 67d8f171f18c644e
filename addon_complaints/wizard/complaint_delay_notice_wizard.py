from odoo import fields, models


class ComplaintDelayNoticeWizard(models.TransientModel):
    """Tell the customer in advance that the deadline will be missed."""

    _name = "complaint.delay.notice.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Complaint Delay Notice"

    case_id = fields.Many2one("complaint.case", required=True, readonly=True)
    reason = fields.Text(required=True)
    new_expected_date = fields.Datetime(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.case_id.action_notify_delay(self.reason, self.new_expected_date)
        return {"type": "ir.actions.act_window_close"}
