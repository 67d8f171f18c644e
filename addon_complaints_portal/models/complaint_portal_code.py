import hashlib
import hmac
import secrets
from datetime import timedelta

from odoo import api, fields, models

CODE_VALIDITY = timedelta(minutes=15)
MAX_TRIES = 5
CODE_TEMPLATE = "addon_complaints_portal.mail_template_complaint_portal_code"


class ComplaintPortalCode(models.Model):
    """A one-time code that proves a visitor tracking a case by reference and phone also
    reads the e-mail on file. Only its hash is kept; it expires after fifteen minutes or
    five wrong tries, and works once."""

    _name = "complaint.portal.code"
    _description = "Complaint Tracking Code"
    _order = "id desc"

    case_id = fields.Many2one("complaint.case", required=True, ondelete="cascade", index=True)
    code_hash = fields.Char(required=True)
    date_expiry = fields.Datetime(required=True)
    tries = fields.Integer()
    used = fields.Boolean()

    @api.model
    def _hash(self, case, code):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret", "")
        return hmac.new(secret.encode(), f"{case.id}:{code}".encode(), hashlib.sha256).hexdigest()

    @api.model
    def _issue(self, case):
        """Send a new code to the e-mail on file of ``case``; earlier codes stop working."""
        codes = self.sudo()
        codes.search([("case_id", "=", case.id), ("used", "=", False)]).write({"used": True})
        code = f"{secrets.randbelow(10 ** 6):06d}"
        codes.create({"case_id": case.id, "code_hash": self._hash(case, code),
                      "date_expiry": fields.Datetime.now() + CODE_VALIDITY})
        template = self.env.ref(CODE_TEMPLATE).sudo()
        # The code goes by e-mail only, never into the case's discussion.
        template.with_context(tracking_code=code).send_mail(
            case.id, force_send=False,
            email_values={"email_to": case._portal_email_on_file(), "recipient_ids": [],
                          "model": False, "res_id": False})
        return True

    @api.model
    def _verify(self, case, code):
        """Whether ``code`` is the live code of ``case``; a right code is used up."""
        live = self.sudo().search([("case_id", "=", case.id), ("used", "=", False),
                                   ("date_expiry", ">", fields.Datetime.now())], limit=1)
        if not live or live.tries >= MAX_TRIES:
            return False
        if hmac.compare_digest(live.code_hash, self._hash(case, (code or "").strip())):
            live.used = True
            return True
        live.tries += 1
        return False

    @api.autovacuum
    def _gc_old_codes(self):
        self.sudo().search([("date_expiry", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
