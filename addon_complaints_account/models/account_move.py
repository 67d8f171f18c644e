from odoo import fields, models


class AccountMove(models.Model):
    """A customer credit note created for approved compensation knows its complaint case and
    proposal; posting, cancelling, resetting or reversing it moves the proposal along."""

    _inherit = "account.move"

    complaint_compensation_id = fields.Many2one(
        "complaint.compensation", string="Compensation Proposal", readonly=True, copy=False,
        index="btree_not_null", ondelete="restrict")
    complaint_case_ref = fields.Char(
        related="complaint_compensation_id.case_id.name", string="Complaint Case")

    def _complaint_compensations(self):
        """The proposals these entries pay: their own, or that of the payment they book."""
        return (self.complaint_compensation_id
                | self.origin_payment_id.complaint_compensation_id)

    def _post(self, soft=True):
        for move in self:
            compensations = move._complaint_compensations()
            if compensations:
                compensations._check_poster(self.env.user, move)
        posted = super()._post(soft=soft)
        compensations = posted._complaint_compensations()
        for compensation in compensations.sudo():
            compensation._reconcile_credit_note_with_payment()
        compensations._sync_state_from_ledger()
        return posted

    def button_cancel(self):
        res = super().button_cancel()
        self._complaint_compensations()._sync_state_from_ledger()
        return res

    def button_draft(self):
        res = super().button_draft()
        self._complaint_compensations()._sync_state_from_ledger()
        return res
