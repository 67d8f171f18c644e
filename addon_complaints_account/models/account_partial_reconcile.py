from odoo import api, models


class AccountPartialReconcile(models.Model):
    """Reconciling or unreconciling the entries of a compensation's documents is what pays
    it, or takes it back to approved."""

    _inherit = "account.partial.reconcile"

    def _complaint_compensations(self):
        moves = self.debit_move_id.move_id | self.credit_move_id.move_id
        return moves._complaint_compensations()

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._complaint_compensations()._sync_state_from_ledger()
        return partials

    def unlink(self):
        compensations = self._complaint_compensations()
        res = super().unlink()
        compensations._sync_state_from_ledger()
        return res
