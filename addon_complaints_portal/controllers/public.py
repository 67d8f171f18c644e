"""The public side: file a complaint without an account, follow it by reference and phone.

Every form is CSRF-protected (Odoo checks the token of each POST to an ``http`` route);
every text is rendered escaped by QWeb; the visitor acts as the public user, who may only
read the category tree. The few steps that must reach a case before the visitor has proved
who they are go through the model's ``_portal_*`` methods, which say why they elevate.
"""
import logging
import os
import secrets

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools.mail import email_normalize
from odoo.tools.mimetypes import guess_mimetype

from ..models.complaint_case import (
    PORTAL_DEMAND_TYPES,
    PORTAL_FIELD_LIMITS,
    normalize_phone,
)

_logger = logging.getLogger(__name__)

# File types a customer may attach, by extension, with the contents they must really have.
ALLOWED_UPLOADS = {
    ".jpg": {"image/jpeg"}, ".jpeg": {"image/jpeg"}, ".png": {"image/png"},
    ".gif": {"image/gif"}, ".webp": {"image/webp"}, ".pdf": {"application/pdf"},
    ".txt": {"text/plain"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/zip"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "application/zip"},
}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_FILES = 5
HONEYPOT = "website_url"  # hidden from people by CSS; robots fill it in
SESSION_CHALLENGE = "complaint_portal_challenge"
SESSION_SUBMITTED = "complaint_portal_submitted"
SESSION_TRACKING = "complaint_portal_tracking"


def client_ip():
    return request.httprequest.remote_addr or "unknown"


def check_uploads(files):
    """``(name, bytes, mimetype)`` of the uploaded files, or a UserError naming the first
    file that breaks a limit. The type is read from the content, not from the browser."""
    files = [f for f in files if f and f.filename]
    if len(files) > MAX_UPLOAD_FILES:
        raise UserError(request.env._("Attach at most %s files.", MAX_UPLOAD_FILES))
    checked = []
    for upload in files:
        name = os.path.basename(upload.filename.replace("\\", "/"))[:128]
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            raise UserError(request.env._("%(file)s is larger than %(size)s MB.",
                                          file=name, size=MAX_UPLOAD_BYTES // (1024 * 1024)))
        allowed = ALLOWED_UPLOADS.get(os.path.splitext(name)[1].lower())
        mimetype = guess_mimetype(content, default="application/octet-stream")
        if not allowed or mimetype not in allowed:
            raise UserError(request.env._(
                "%(file)s cannot be attached: send photos, PDF, text, Word or Excel files.",
                file=name))
        checked.append((name, content, mimetype))
    return checked


def new_challenge():
    """A small sum a person answers at a glance; the answer stays in the server session."""
    first, second = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    request.session[SESSION_CHALLENGE] = first + second
    return f"{first} + {second}"


class ComplaintPublic(http.Controller):

    # Submission -----------------------------------------------------------------------------
    def _form_values(self, form=None, errors=None):
        user = request.env.user
        defaults = {}
        if not user._is_public():
            defaults = {"partner_name": user.partner_id.name,
                        "partner_phone": user.partner_id.phone or user.partner_id.mobile or "",
                        "partner_email": user.partner_id.email or ""}
        return {
            "company": request.env.company,
            "categories": request.env["complaint.category"].search([]),
            "demand_types": [(key, label) for key, label in request.env["complaint.case"]
                             ._fields["demand_type"]._description_selection(request.env)
                             if key in PORTAL_DEMAND_TYPES],
            "form": {**defaults, **(form or {})},
            "errors": errors or [],
            "challenge": new_challenge(),
            "honeypot": HONEYPOT,
            "max_files": MAX_UPLOAD_FILES,
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "accept": ",".join(ALLOWED_UPLOADS),
        }

    @http.route("/complaints/new", type="http", auth="public", methods=["GET"], website=True,
                sitemap=True)
    def complaint_form(self, **kw):
        return request.render("addon_complaints_portal.complaint_portal_submit", self._form_values())

    def _check_submission(self, post):
        """The checked form, or a UserError with what to correct."""
        form = {key: (post.get(key) or "").strip() for key in PORTAL_FIELD_LIMITS}
        problems = []
        for key, limit in PORTAL_FIELD_LIMITS.items():
            if len(form[key]) > limit:
                problems.append(request.env._("%(field)s is too long (at most %(limit)s characters).",
                                  field=request.env["complaint.case"]._fields[key]._description_string(request.env),
                                  limit=limit))
        if not form["partner_name"]:
            problems.append(request.env._("Tell us your name."))
        phone = normalize_phone(form["partner_phone"])
        if not 5 <= len(phone) <= 20:
            problems.append(request.env._("Give a phone number we can call you on."))
        if form["partner_email"] and not email_normalize(form["partner_email"]):
            problems.append(request.env._("The e-mail address is not valid."))
        if not form["description"]:
            problems.append(request.env._("Describe what happened."))
        form["demand_type"] = post.get("demand_type") if post.get("demand_type") in PORTAL_DEMAND_TYPES \
            else "complaint"
        if form["demand_type"] in ("complaint", "help") and not form["customer_demand"]:
            problems.append(request.env._("Tell us what you expect from us."))
        category = request.env["complaint.category"]
        if (post.get("category_id") or "").isdigit():
            category = category.search([("id", "=", int(post["category_id"]))])
        if not category:
            problems.append(request.env._("Choose what your complaint is about."))
        form["category_id"] = category.id
        form["confidential"] = bool(post.get("confidential"))
        if problems:
            raise UserError("\n".join(problems))
        return form

    @http.route("/complaints/new", type="http", auth="public", methods=["POST"], website=True)
    def complaint_submit(self, **post):
        display_form = {key: post.get(key, "") for key in (*PORTAL_FIELD_LIMITS, "category_id",
                                                            "demand_type", "confidential")}
        expected = request.session.pop(SESSION_CHALLENGE, None)
        if post.get(HONEYPOT):
            _logger.info("Complaint form: honeypot filled in from %s", client_ip())
            return self._refuse(display_form, request.env._("Your complaint could not be sent."))
        if expected is None or (post.get("challenge") or "").strip() != str(expected):
            return self._refuse(display_form, request.env._("The answer to the question is not right."))
        ir_http = request.env["ir.http"]
        if hasattr(ir_http, "_verify_request_recaptcha_token"):  # a captcha app is installed
            try:
                if not ir_http._verify_request_recaptcha_token("complaint_submit"):
                    return self._refuse(display_form, request.env._("The security check failed."))
            except (UserError, ValidationError) as error:
                return self._refuse(display_form, str(error))
        phone = normalize_phone(post.get("partner_phone"))
        if not request.env["complaint.portal.attempt"]._allow("submit", ip=client_ip(), phone=phone):
            return self._refuse(display_form, request.env._("Too many complaints were sent from here: please "
                                                "try again in an hour or call us."), status=429)
        try:
            form = self._check_submission(post)
            files = check_uploads(request.httprequest.files.getlist("attachments"))
        except UserError as error:
            return self._refuse(display_form, str(error))
        case = request.env["complaint.case"]._portal_register(form, files)
        request.session[SESSION_SUBMITTED] = case.id
        return request.redirect("/complaints/submitted")

    def _refuse(self, form, message, status=400):
        values = self._form_values(form, errors=message.split("\n"))
        return request.render("addon_complaints_portal.complaint_portal_submit", values,
                              status=status)

    @http.route("/complaints/submitted", type="http", auth="public", methods=["GET"], website=True,
                sitemap=False)
    def complaint_submitted(self, **kw):
        """The confirmation right after filing, in the same browser session only."""
        case_id = request.session.get(SESSION_SUBMITTED)
        if not case_id:
            return request.redirect("/complaints/new")
        case = request.env["complaint.case"].browse(case_id).sudo()
        return request.render("addon_complaints_portal.complaint_portal_submitted", {
            "case": case,
            "case_url": case.get_portal_url(),
            "emailed": bool(case._portal_email_on_file()),
        })

    # Tracking by reference and phone ----------------------------------------------------------
    @http.route("/complaints/track", type="http", auth="public", methods=["GET"], website=True,
                sitemap=True)
    def track_form(self, reference="", **kw):
        return request.render("addon_complaints_portal.complaint_portal_track", {
            "errors": [], "reference": reference[:64]})

    @http.route("/complaints/track", type="http", auth="public", methods=["POST"], website=True)
    def track_request(self, reference="", phone="", **kw):
        """Send a code to the e-mail on file. The answer is the same whether or not the
        reference and phone match, so that references cannot be probed."""
        if not request.env["complaint.portal.attempt"]._allow(
                "track", ip=client_ip(), phone=normalize_phone(phone)):
            return request.render("addon_complaints_portal.complaint_portal_track", {
                "errors": [request.env._("Too many tries: please try again in an hour or call us.")],
                "reference": reference[:64]}, status=429)
        case = request.env["complaint.case"]._portal_find_for_tracking(reference, phone)
        if case and case._portal_email_on_file():
            request.env["complaint.portal.code"]._issue(case)
        request.session[SESSION_TRACKING] = case.id or False
        return request.redirect("/complaints/track/code")

    @http.route("/complaints/track/code", type="http", auth="public", methods=["GET"],
                website=True, sitemap=False)
    def track_code_form(self, **kw):
        if SESSION_TRACKING not in request.session:
            return request.redirect("/complaints/track")
        return request.render("addon_complaints_portal.complaint_portal_track_code", {"errors": []})

    @http.route("/complaints/track/code", type="http", auth="public", methods=["POST"],
                website=True)
    def track_code_check(self, code="", **kw):
        if SESSION_TRACKING not in request.session:
            return request.redirect("/complaints/track")
        if not request.env["complaint.portal.attempt"]._allow("code", ip=client_ip()):
            return request.render("addon_complaints_portal.complaint_portal_track_code", {
                "errors": [request.env._("Too many tries: please try again in an hour or call us.")]},
                status=429)
        case = request.env["complaint.case"].browse(request.session[SESSION_TRACKING] or [])
        if case and request.env["complaint.portal.code"]._verify(case, code):
            request.session.pop(SESSION_TRACKING, None)
            case_sudo = case.sudo()
            case_sudo._portal_ensure_token()
            return request.redirect(case_sudo.get_portal_url())
        return request.render("addon_complaints_portal.complaint_portal_track_code", {
            "errors": [request.env._("This code is not right or has expired. Ask for a new one if needed.")]},
            status=400)

