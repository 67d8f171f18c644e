"""A complaint's page and the customer's actions on it, and *My account* for customers who
have one. A case opens to its complainant's portal user (record rule) or to whoever holds
the live link of the receipt (``access_token``, revocable, expiring)."""
from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from .public import ALLOWED_UPLOADS, MAX_UPLOAD_BYTES, check_uploads

SURVEY_ANSWERS = ("satisfied", "basically_satisfied", "dissatisfied")
SESSION_FLASH = "complaint_portal_flash"  # what the last action did, shown once


class ComplaintCustomerPortal(CustomerPortal):

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "complaint_count" in counters:
            cases = request.env["complaint.case"]
            values["complaint_count"] = cases.search_count([]) if cases.has_access("read") else 0
        return values

    def _complaint_check_access(self, case_id, access_token=None):
        """The case as superuser-readable record once the visitor may see it: its
        complainant's portal user, or the holder of its live link."""
        case = request.env["complaint.case"].browse(case_id)
        if not case.sudo().exists():
            raise MissingError(request.env._("This complaint does not exist."))
        try:
            case.check_access("read")
        except AccessError:
            if not case._portal_link_is_valid(access_token):
                raise
        # Not with_user(SUPERUSER) as the stock portal does: the customer's own steps
        # (withdrawal, survey) are recorded as theirs.
        return case.sudo()

    @http.route(["/my/complaints", "/my/complaints/page/<int:page>"], type="http", auth="user",
                website=True)
    def portal_my_complaints(self, page=1, **kw):
        Case = request.env["complaint.case"]
        total = Case.search_count([])
        pager = portal_pager(url="/my/complaints", total=total, page=page, step=self._items_per_page)
        cases = Case.search([], order="date_received desc, id desc", limit=self._items_per_page,
                            offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update({"cases": cases.sudo(), "pager": pager, "page_name": "complaints",
                       "default_url": "/my/complaints"})
        return request.render("addon_complaints_portal.portal_my_complaints", values)

    @http.route("/my/complaints/<int:case_id>", type="http", auth="public", methods=["GET"],
                website=True, sitemap=False)
    def portal_complaint_page(self, case_id, access_token=None, **kw):
        try:
            case = self._complaint_check_access(case_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/complaints/track")
        values = self._prepare_portal_layout_values()
        values.update({
            "case": case,
            "access_token": access_token or "",
            "page_name": "complaint",
            "messages": case._portal_messages(),
            "flash": request.session.pop(SESSION_FLASH, None),
            "survey_answers": [(key, label) for key, label in
                               case._fields["satisfaction"]._description_selection(request.env)],
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "accept": ",".join(ALLOWED_UPLOADS),
        })
        return request.render("addon_complaints_portal.portal_complaint_page", values)

    def _act(self, case_id, access_token, action):
        """Run ``action(case)`` for a visitor who may see the case; back to its page with
        a word on what happened."""
        try:
            case = self._complaint_check_access(case_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/complaints/track")
        try:
            with request.env.cr.savepoint():
                action(case)
            request.session[SESSION_FLASH] = {"ok": True, "text": request.env._("Thank you, recorded.")}
        except UserError as error:
            request.session[SESSION_FLASH] = {"ok": False, "text": str(error)}
        params = {"access_token": access_token} if access_token else {}
        return request.redirect_query(f"/my/complaints/{case.id}", params)

    @http.route("/my/complaints/<int:case_id>/information", type="http", auth="public",
                methods=["POST"], website=True)
    def portal_complaint_add_information(self, case_id, access_token=None, text="", **kw):
        def add(case):
            files = check_uploads(request.httprequest.files.getlist("attachments"))
            if len(text) > 5000:
                raise UserError(request.env._("Write at most 5000 characters at a time."))
            case._portal_add_information(text, files)
        return self._act(case_id, access_token, add)

    @http.route("/my/complaints/<int:case_id>/withdraw", type="http", auth="public",
                methods=["POST"], website=True)
    def portal_complaint_withdraw(self, case_id, access_token=None, reason="", **kw):
        return self._act(case_id, access_token,
                         lambda case: case._portal_withdraw(reason[:2000]))

    @http.route("/my/complaints/<int:case_id>/survey", type="http", auth="public",
                methods=["POST"], website=True)
    def portal_complaint_survey(self, case_id, access_token=None, satisfaction="", comment="",
                                **kw):
        def answer(case):
            if satisfaction not in SURVEY_ANSWERS:
                raise UserError(request.env._("Choose how satisfied you are."))
            case._portal_answer_survey(satisfaction, comment[:2000])
        return self._act(case_id, access_token, answer)
