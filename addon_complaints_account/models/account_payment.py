from odoo import fields, models


class AccountPayment(models.Model):
    """An outbound payment created for approved compensation knows its complaint case and
    proposal; the proposal is paid once the payment is posted and reconciled."""

    _inherit = "account.payment"

    complaint_compensation_id = fields.Many2one(
        "complaint.compensation", string="Compensation Proposal", readonly=True, copy=False,
        index="btree_not_null", ondelete="restrict")
    complaint_case_ref = fields.Char(
        related="complaint_compensation_id.case_id.name", string="Complaint Case")

    def _is_settled_in_ledger(self):
        """Posted and reconciled (or validated when the journal books no outstanding entry)."""
        self.ensure_one()
        if self.state == "paid":
            return True
        return (self.state == "in_process" and self.move_id.state == "posted"
                and self.is_reconciled)

    def action_post(self):
        for payment in self.filtered("complaint_compensation_id"):
            payment.complaint_compensation_id._check_poster(self.env.user, payment)
        return super().action_post()

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            self.complaint_compensation_id._sync_state_from_ledger()
        return res
