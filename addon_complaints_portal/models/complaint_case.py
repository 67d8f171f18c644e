import re
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import consteq
from odoo.tools.mail import email_normalize

PORTAL_RECEIPT_TEMPLATE = "addon_complaints_portal.mail_template_complaint_portal_receipt"
# How long the link in the receipt opens the case, unless the office revokes it earlier.
LINK_VALIDITY_DAYS = 365
# What a customer may state about their complaint online, and how long each text may be.
PORTAL_FIELD_LIMITS = {
    "partner_name": 64, "partner_phone": 32, "partner_email": 128, "partner_id_number": 32,
    "location": 200, "description": 5000, "customer_demand": 2000,
}
PORTAL_DEMAND_TYPES = ("complaint", "consultation", "suggestion", "help", "report")


def normalize_phone(number):
    """Digits only, without the Chinese country code, so that '+86 138-0013-8000' and
    '13800138000' are the same number."""
    digits = re.sub(r"\D", "", number or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


class ComplaintCase(models.Model):
    _name = "complaint.case"
    _inherit = ["complaint.case", "portal.mixin"]
    # The customer's link is issued with the receipt and revoked by the office (see
    # complaint.guard.mixin).
    _protected_fields = dict.fromkeys(("access_token", "portal_link_expiry"),
                                      "action_revoke_portal_link")

    portal_link_expiry = fields.Datetime(
        string="Customer Link Valid Until", readonly=True, copy=False,
        groups="addon_complaints.group_complaint_office",
        help="The link in the customer's receipt opens the case until then, unless revoked.")

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/complaints/{case.id}"
        return result

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=None):
        """No "View" button for the complainant in notification e-mails: Odoo's button
        carries the partner's id and a sign-up token; the receipts carry the case's own
        link, which says nothing about who complained."""
        groups = super()._notify_get_recipients_groups(message, model_description,
                                                       msg_vals=msg_vals)
        for name, _recipients, data in groups:
            if name == "portal_customer":
                data["has_button_access"] = False
        return groups

    def _portal_ensure_token(self):
        """A new link is valid for a year; the office can revoke it at any time."""
        if not self.access_token:
            self.sudo().write({
                "access_token": secrets.token_urlsafe(32),
                "portal_link_expiry": fields.Datetime.now() + timedelta(days=LINK_VALIDITY_DAYS),
            })
        return self.access_token

    def _portal_link_is_valid(self, access_token):
        """``access_token`` opens this case: it is the case's current token and not expired."""
        self.ensure_one()
        case = self.sudo()
        if not access_token or not case.access_token or not consteq(case.access_token, access_token):
            return False
        return not case.portal_link_expiry or case.portal_link_expiry > fields.Datetime.now()

    def action_revoke_portal_link(self):
        """The office withdraws the customer's link (lost phone, forwarded e-mail): the old
        link stops working at once; a new one goes out with the next receipt."""
        self._ensure_office()
        for case in self:
            # The link is not part of the case's record: it may be revoked on a closed case.
            case.sudo().write({"access_token": False, "portal_link_expiry": False})
            case.message_post(body=self.env._("The customer's access link was revoked."))
        return True

    # Registration from the public form ---------------------------------------------------
    @api.model
    def _portal_register(self, form, attachments=()):
        """Register a complaint filed online, through the same create() as a clerk's
        registration: reference, complainant found or created, repeats, emergencies.

        ``form`` holds the checked values of the public form; ``attachments`` are
        ``(filename, bytes, mimetype)`` already checked against the limits.

        This is the one place where a visitor without an account creates a case: the
        public user has no right on cases, so the creation (and only it) runs as superuser
        on an explicit list of fields; the state, owner and channel are not the visitor's
        to choose.
        """
        company = self.env.company
        office = self.env["complaint.department"].sudo().search(
            [("is_complaint_office", "=", True), ("company_id", "=", company.id)], limit=1)
        values = {key: form[key] for key in PORTAL_FIELD_LIMITS if form.get(key)}
        category = self.env["complaint.category"].browse(form["category_id"])
        first_line = (form["description"].strip().splitlines() or [""])[0]
        values.update({
            "company_id": company.id,
            "channel_id": self.env.ref("addon_complaints.complaint_channel_web").id,
            "demand_type": form.get("demand_type") if form.get("demand_type") in PORTAL_DEMAND_TYPES
            else "complaint",
            "category_id": category.id,
            "subject": f"{category.name}: {first_line}"[:80],
            "confidential": bool(form.get("confidential")),
            "owner_user_id": self.sudo()._intake_owner(company, office).id,
        })
        user = self.env.user
        if not user._is_public() and user.partner_id:
            values["partner_id"] = user.partner_id.id
        # Read before the create: a confidential complainant's details leave ``values`` then.
        email_given = bool(values.get("partner_email"))
        case = self.sudo().with_context(mail_create_nosubscribe=True).create(values)
        if attachments:
            case._portal_attach(attachments, self.env._("Attachments filed with the complaint."))
        case._portal_ensure_token()
        if email_given or case.partner_id.email:
            case._send_intake_acknowledgement(PORTAL_RECEIPT_TEMPLATE)
        return case.with_env(self.env)

    def _portal_attach(self, attachments, text):
        """Post ``text`` with the files in the chatter, as the customer (visible to the
        office, and on the customer's page)."""
        self.ensure_one()
        case = self.sudo()
        # A confidential complainant is not named, not even as the author of a message.
        author = case.partner_id if case.partner_id and not case.confidential else \
            self.env.user.partner_id
        return case.message_post(
            body=text, attachments=[(name, content) for name, content, _mimetype in attachments],
            author_id=author.id, message_type="comment", subtype_xmlid="mail.mt_comment")

    # What the customer sees ---------------------------------------------------------------
    def _portal_state_words(self):
        """The state in the customer's words."""
        self.ensure_one()
        words = {
            "draft": self.env._("Received: we are checking your complaint"),
            "approval": self.env._("Received: we are checking your complaint"),
            "accepted": self.env._("Accepted: being handled"),
            "dispatched": self.env._("Accepted: being handled"),
            "handling": self.env._("Accepted: being handled"),
            "feedback": self.env._("Accepted: being handled"),
            "verified": self.env._("Handled: the reply is being prepared"),
            "replied": self.env._("Replied: tell us whether you are satisfied"),
            "closed": self.env._("Closed"),
            "withdrawn": self.env._("Withdrawn at your request"),
            "not_accepted": self.env._("Not accepted"),
            "merged": self.env._("Recorded on your earlier complaint"),
        }
        return words[self.state]

    def _portal_messages(self):
        """The discussion the customer may read: what they wrote and what was sent to them;
        never internal notes nor the office's tracking."""
        self.ensure_one()
        return self.sudo().message_ids.filtered(
            lambda m: m.message_type in ("comment", "email")
            and m.subtype_id and not m.subtype_id.internal and not m.is_internal)

    def _portal_can_answer_survey(self):
        self.ensure_one()
        case = self.sudo()
        return case.state == "replied" and (
            not case.date_callback or case.date_callback < case.date_replied)

    def _portal_can_add(self):
        self.ensure_one()
        return self.state not in ("closed", "withdrawn", "not_accepted", "merged")

    # What the customer does ----------------------------------------------------------------
    def _portal_add_information(self, text, attachments=()):
        """More facts or evidence from the customer, into the case's discussion."""
        self.ensure_one()
        if not self._portal_can_add():
            raise UserError(self.env._("This complaint is finished; contact us to open a new one."))
        if not (text or "").strip() and not attachments:
            raise UserError(self.env._("Write something or attach a file."))
        return self._portal_attach(attachments, text or self.env._("Files added by the customer."))

    def _portal_withdraw(self, reason):
        """The customer withdraws online: the case's own withdrawal step does the rest."""
        self.ensure_one()
        reason = (reason or "").strip()
        note = self.env._("Withdrawn by the customer online.")
        return self.sudo().action_withdraw(f"{note} {reason}".strip())

    def _portal_answer_survey(self, satisfaction, comment=""):
        """The callback survey answered online feeds the same satisfaction and the same
        callback rule as a callback by phone (a dissatisfied customer reopens the case)."""
        self.ensure_one()
        if not self._portal_can_answer_survey():
            raise UserError(self.env._("There is no reply to rate yet."))
        note = self.env._("Answered the satisfaction survey online. %s", (comment or "").strip())
        return self.sudo().action_callback(satisfaction, note=note.strip())

    # Tracking by reference and phone --------------------------------------------------------
    @api.model
    def _portal_find_for_tracking(self, reference, phone):
        """The case with this reference whose complainant has this phone, if any.

        Searched as superuser because the visitor proves who they are only afterwards, with
        the code sent to the e-mail on file; nothing of the case is shown before that.
        """
        reference = (reference or "").strip()
        phone = normalize_phone(phone)
        if not reference or len(phone) < 5:
            return self.browse()
        case = self.sudo().search([("name", "=", reference),
                                   ("company_id", "=", self.env.company.id)], limit=1)
        numbers = {normalize_phone(n) for n in (case.partner_phone, case.partner_id.phone,
                                                case.partner_id.mobile) if n}
        return case if phone in numbers else self.browse()

    def _portal_email_on_file(self):
        self.ensure_one()
        case = self.sudo()
        return email_normalize(case.partner_email or case.partner_id.email or "") or False
