from odoo import fields, models


class ComplaintSyncLease(models.Model):
    """A lease that one sync worker holds while it works, so that two never apply the same
    batch. Creating the lease is the atomic step: the name is unique."""

    _name = "complaint.sync.lease"
    _description = "Sync Worker Lease"
    _order = "name"

    name = fields.Char(required=True, index=True)
    holder = fields.Char(required=True, help="Which worker instance holds the lease.")
    expires_at = fields.Datetime(required=True)

    _sql_constraints = [
        ("name_unique", "unique(name)", "A lease with this name is already held."),
    ]
