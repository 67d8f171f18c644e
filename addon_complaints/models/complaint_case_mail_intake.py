"""E-mail intake: a message to a department's alias opens a case, replies join it.

Odoo's mail gateway does the routing, the bounce handling and the loop protection (a sender
who creates too many cases in a short time is bounced, see ``_detect_loop_sender``); this
file only says how a message becomes a registration and how the customer is told its
reference.
"""
from odoo import api, fields, models
from odoo.tools import html2plaintext
from odoo.tools.mail import email_normalize, parse_contact_from_email

ACKNOWLEDGEMENT_TEMPLATE = "addon_complaints.mail_template_complaint_acknowledgement"
# RFC 3834: well-behaved auto-responders do not answer these.
AUTO_REPLY_HEADERS = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}


# E-mail intake is kept apart from the case's workflow on purpose: one concern per file.
class ComplaintCase(models.Model):
    _inherit = "complaint.case"  # pylint: disable=consider-merging-classes-inherited
    # Odoo's loop protection counts the cases a sender created recently through this field.
    _primary_email = "partner_email"
    # The department that received the message, given when the case is created (see
    # complaint.guard.mixin).
    _protected_fields = {"intake_department_id": "create (e-mail intake)"}
    _initial_fields = {"intake_department_id"}

    intake_department_id = fields.Many2one(
        "complaint.department", string="Received by", readonly=True, copy=False,
        check_company=True,
        help="The department whose e-mail address received the complaint; proposed for "
        "dispatch when no routing rule matches.")

    @api.depends("category_id", "channel_id", "subject", "description", "customer_demand",
                 "company_id", "intake_department_id")
    def _compute_proposed_department_id(self):
        result = super()._compute_proposed_department_id()
        for case in self:
            addressed = case.intake_department_id
            if not case.proposed_department_id and addressed and not addressed.is_complaint_office:
                case.proposed_department_id = addressed
        return result

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Register the message as a case of the alias's company, as a clerk would: channel
        e-mail, the sender as complainant (found by address or created), the text as the
        complaint content, the category from the routing rules. Attachments stay on the
        incoming message in the chatter."""
        values = dict(custom_values or {})
        company = self.env["res.company"].browse(values.get("company_id")) or self.env.company
        department = self.env["complaint.department"].browse(values.get("intake_department_id"))
        name, email = parse_contact_from_email(msg_dict.get("email_from") or "")
        author = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        text = html2plaintext(msg_dict.get("body") or "").strip()
        subject = (msg_dict.get("subject") or "").strip() or self.env._("E-mail without subject")
        values.update({
            "company_id": company.id,
            "channel_id": self.env.ref("addon_complaints.complaint_channel_email").id,
            "subject": subject,
            "description": text or subject,
            "partner_email": email,
            "owner_user_id": self._intake_owner(company, department).id,
        })
        if author and author.company_id in (company, self.env["res.company"]):
            values.update({"partner_id": author.id, "partner_name": author.name,
                           "partner_phone": author.phone or author.mobile})
        else:
            values["partner_name"] = name or email
        if not values.get("category_id"):
            category = self.env["complaint.routing.rule"]._find_category(
                company, " ".join([subject, text]))
            values["category_id"] = category.id
        # Not super(): mail.thread would put the subject into the reference.
        case = self.create(values)
        case._send_intake_acknowledgement()
        return case

    @api.model
    def _intake_owner(self, company, department):
        """First-contact owner of a case that came by e-mail: the addressed department's
        manager, else the company's complaint office manager."""
        office = self.env["complaint.department"].sudo().search(
            [("is_complaint_office", "=", True), ("company_id", "=", company.id)], limit=1)
        return department.manager_id or office.manager_id or self.env.user

    def _send_intake_acknowledgement(self, template_xmlid=ACKNOWLEDGEMENT_TEMPLATE):
        """Tell the sender at once that the message arrived and under which reference.

        The message is marked as an automatic reply (RFC 3834) so that well-behaved
        auto-responders do not answer it; Odoo's loop protection stops the others.
        """
        template = self.env.ref(template_xmlid)
        system = self.env.ref("base.partner_root").id
        for case in self:
            who = case._complainant_values()
            partner = who["partner"]
            email = email_normalize(who["partner_email"] or partner.email or "")
            # A confidential complainant has no contact record: their address is enough.
            if not email or not (partner or case.confidential):
                continue
            with case._complainant_in_cache():
                subject = template._render_field("subject", case.ids, compute_lang=True)[case.id]
                body = template._render_field("body_html", case.ids, compute_lang=True)[case.id]
            if case.confidential:
                # The chatter of a confidential case says that the customer was told, not who:
                # the mail itself goes out apart from the message.
                message = case.message_post(
                    body=self.env._("%(subject)s: sent to the confidential complainant.",
                                    subject=subject),
                    subject=subject, author_id=system, message_type="notification",
                    subtype_xmlid="mail.mt_note")
                self.env["mail.mail"].sudo().create({
                    "mail_message_id": message.id, "body_html": body, "email_to": email,
                    "recipient_ids": partner.ids, "auto_delete": False,
                    "headers": repr(AUTO_REPLY_HEADERS)})
                continue
            # Sent by the system, whoever (or whatever gateway) registered the case.
            case.with_context(complaint_auto_reply=True).message_post(
                body=body, subject=subject, partner_ids=partner.ids, author_id=system,
                message_type="comment", subtype_xmlid="mail.mt_comment")

    def _notify_by_email_get_headers(self, headers=None):
        headers = super()._notify_by_email_get_headers(headers=headers)
        if self.env.context.get("complaint_auto_reply"):
            headers.update(AUTO_REPLY_HEADERS)
        return headers
