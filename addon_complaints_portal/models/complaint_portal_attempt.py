import hashlib
from datetime import timedelta

from odoo import api, fields, models

# (what, per what) -> how many in the window; each overridable by a system parameter
# ``addon_complaints_portal.limit.<what>.<per>``.
DEFAULT_LIMITS = {
    ("submit", "ip"): 5,
    ("submit", "phone"): 3,
    ("track", "ip"): 10,
    ("track", "phone"): 5,
    ("code", "ip"): 10,
}
WINDOW = timedelta(hours=1)


class ComplaintPortalAttempt(models.Model):
    """One use of a public complaint form, kept an hour to enforce the rate limits.

    The address or phone number is stored as a salted hash: the log proves nothing about
    anyone, it only counts.
    """

    _name = "complaint.portal.attempt"
    _description = "Public Complaint Form Use"
    _order = "id desc"
    _log_access = True

    action = fields.Selection(
        [("submit", "Submission"), ("track", "Tracking request"), ("code", "Code entry")],
        required=True, index=True)
    key_type = fields.Selection([("ip", "IP address"), ("phone", "Phone")], required=True)
    key_hash = fields.Char(required=True, index=True)

    @api.model
    def _hash(self, key):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret", "")
        return hashlib.sha256(f"{secret}:{key}".encode()).hexdigest()

    @api.model
    def _limit(self, action, key_type):
        param = f"addon_complaints_portal.limit.{action}.{key_type}"
        value = self.env["ir.config_parameter"].sudo().get_param(param)
        return int(value) if value else DEFAULT_LIMITS[action, key_type]

    @api.model
    def _allow(self, action, **keys):
        """Record one ``action`` for each of ``keys`` (ip=..., phone=...) and say whether it
        stays within the limits. An attempt over a limit is not recorded, so that waiting
        the window out always works."""
        log = self.sudo()
        since = fields.Datetime.now() - WINDOW
        keys = {key_type: key for key_type, key in keys.items() if key}
        hashes = {key_type: self._hash(key) for key_type, key in keys.items()}
        for key_type, key_hash in hashes.items():
            used = log.search_count([("action", "=", action), ("key_type", "=", key_type),
                                     ("key_hash", "=", key_hash), ("create_date", ">=", since)])
            if used >= self._limit(action, key_type):
                return False
        log.create([{"action": action, "key_type": key_type, "key_hash": key_hash}
                    for key_type, key_hash in hashes.items()])
        return True

    @api.autovacuum
    def _gc_old_attempts(self):
        self.sudo().search([("create_date", "<", fields.Datetime.now() - WINDOW * 24)]).unlink()
