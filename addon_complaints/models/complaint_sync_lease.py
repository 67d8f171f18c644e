from odoo import api, fields, models
from odoo.exceptions import UserError


class ComplaintSyncLease(models.Model):
    """A lease that one sync worker holds while it works, so that two never apply the same
    batch. Creating the lease is the atomic step: the name is unique. The worker renews
    ``expires_at`` while it works (its heartbeat); a lease whose time ran out belongs to a
    worker that stopped, and an administrator may clear it. A live lease is never cleared
    by hand: only its worker releases it."""

    _name = "complaint.sync.lease"
    _description = "Sync Worker Lease"
    _order = "name"

    name = fields.Char(required=True, index=True)
    holder = fields.Char(required=True, help="Which worker instance holds the lease (host:process:token).")
    expires_at = fields.Datetime(required=True, help="Renewed by the worker while it works.")
    is_lapsed = fields.Boolean(string="Lapsed", compute="_compute_is_lapsed",
                               help="The holder stopped renewing the lease: it no longer works.")

    _sql_constraints = [
        ("name_unique", "unique(name)", "A lease with this name is already held."),
    ]

    @api.depends("expires_at")
    def _compute_is_lapsed(self):
        now = fields.Datetime.now()
        for lease in self:
            lease.is_lapsed = bool(lease.expires_at and lease.expires_at < now)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_lapsed(self):
        """The worker itself releases its lease and takes over lapsed ones; anyone else may
        only clear a lease whose holder stopped renewing it."""
        if self.env.su or self.env.user.has_group("addon_complaints.group_complaint_integration"):
            return
        if self.filtered(lambda lease: not lease.is_lapsed):
            raise UserError(self.env._(
                "This lease is held by a running sync worker: it is released when the worker "
                "stops, or can be cleared once it has lapsed."))

    def action_clear_lapsed(self):
        """Clear leases left by a worker that stopped without releasing them."""
        self.unlink()
        return True
