import re
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PortalHttpCase

RANDBELOW = "odoo.addons.addon_complaints_portal.models.complaint_portal_code.secrets.randbelow"


@tagged("post_install", "-at_install")
class TestPortalTracking(PortalHttpCase):
    """Following a case by reference and phone needs the code sent to the e-mail on file;
    nothing tells a visitor whether a reference exists."""

    def request_code(self, reference, phone):
        html = self.open_form("/complaints/track")
        return self.url_open("/complaints/track", data={
            "csrf_token": self.csrf(html), "reference": reference, "phone": phone})

    def page_body(self, html):
        """What the page says, without the session's tokens."""
        return re.search(r'<div id="wrap" class="o_complaint_portal">(.*?)<form', html, re.S).group(1)

    def enter_code(self, code):
        html = self.open_form("/complaints/track/code")
        return self.url_open("/complaints/track/code", data={
            "csrf_token": self.csrf(html), "code": code}, allow_redirects=False)

    def codes_sent(self, case):
        return self.env["mail.mail"].sudo().search([("subject", "ilike", f"code to follow complaint {case.name}")])

    def test_reference_phone_and_code_open_the_case(self):
        case = self.submitted_case()
        self.new_visitor()
        with patch(RANDBELOW, return_value=424242):
            response = self.request_code(case.name, "+86 138-0013-8111")
        self.assertEqual(response.status_code, 200)
        sent = self.codes_sent(case)
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent.email_to, "li.na@example.com")
        self.assertIn("424242", sent.body_html)
        self.assertFalse(case.message_ids.filtered(lambda m: "424242" in (m.body or "")),
                         "the code never enters the case's discussion")
        response = self.enter_code("424242")
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"/my/complaints/{case.id}?access_token=", response.headers["Location"])
        page = self.url_open(response.headers["Location"])
        self.assertIn(case.name, page.text)
        # the code works once: the tracking request is used up with it
        again = self.enter_code("424242")
        self.assertEqual(again.status_code, 303)
        self.assertTrue(again.headers["Location"].endswith("/complaints/track"))

    def test_wrong_phone_sends_nothing_and_says_the_same(self):
        case = self.submitted_case()
        self.new_visitor()
        right = self.request_code(case.name, "13800138111").text
        self.assertEqual(len(self.codes_sent(case)), 1)
        wrong = self.request_code(case.name, "13000000000")
        self.assertEqual(len(self.codes_sent(case)), 1, "no code for a wrong phone")
        unknown = self.request_code("NO-SUCH-REF", "13800138111")
        for response in (wrong, unknown):
            self.assertEqual(response.status_code, 200)
            self.assertNotIn(case.name, response.text)
        self.assertEqual(self.page_body(right), self.page_body(wrong.text),
                         "the same page whether or not the phone matches")
        self.assertEqual(self.page_body(right), self.page_body(unknown.text))
        self.assertEqual(self.enter_code("000000").status_code, 400)

    def test_wrong_codes_lock_the_code(self):
        case = self.submitted_case()
        self.new_visitor()
        with patch(RANDBELOW, return_value=111111):
            self.request_code(case.name, "13800138111")
        for _attempt in range(5):
            self.assertEqual(self.enter_code("999999").status_code, 400)
        self.assertEqual(self.enter_code("111111").status_code, 400, "five wrong tries: dead")

    def test_expired_code_is_refused(self):
        case = self.submitted_case()
        self.new_visitor()
        with patch(RANDBELOW, return_value=222222):
            self.request_code(case.name, "13800138111")
        self.env["complaint.portal.code"].sudo().search([("case_id", "=", case.id)]).date_expiry = \
            "2000-01-01 00:00:00"
        self.assertEqual(self.enter_code("222222").status_code, 400)

    def test_tracking_rate_limit_per_phone_and_ip(self):
        case = self.submitted_case()
        self.new_visitor()
        for _attempt in range(5):
            self.assertEqual(self.request_code(case.name, "13800138111").status_code, 200)
        self.assertEqual(self.request_code(case.name, "13800138111").status_code, 429)
        self.env["ir.config_parameter"].set_param("addon_complaints_portal.limit.track.ip", 6)
        self.assertEqual(self.request_code(case.name, "13000000001").status_code, 200)
        self.assertEqual(self.request_code(case.name, "13000000002").status_code, 429)

    def test_code_entry_rate_limit_per_ip(self):
        self.env["ir.config_parameter"].set_param("addon_complaints_portal.limit.code.ip", 2)
        case = self.submitted_case()
        self.new_visitor()
        self.request_code(case.name, "13800138111")
        self.assertEqual(self.enter_code("1").status_code, 400)
        self.assertEqual(self.enter_code("2").status_code, 400)
        self.assertEqual(self.enter_code("3").status_code, 429)

    def test_code_page_needs_a_request_first(self):
        response = self.url_open("/complaints/track/code", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/complaints/track"))

    def test_csrf_on_tracking_forms(self):
        case = self.submitted_case()
        with mute_logger("odoo.http"):  # Odoo logs the refused request
            response = self.url_open("/complaints/track", data={"reference": case.name,
                                                                "phone": "13800138111"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.codes_sent(case))
