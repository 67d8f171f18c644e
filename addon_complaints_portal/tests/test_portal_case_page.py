import base64

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SCRIPT, PortalHttpCase

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@tagged("post_install", "-at_install")
class TestPortalCasePage(PortalHttpCase):
    """The case's page opens by its live link or to its complainant's portal account, and
    the customer's actions on it use the case's own steps."""

    def setUp(self):
        super().setUp()
        self.case = self.submitted_case()
        self.new_visitor()
        self.url = self.case.get_portal_url()

    def page(self, url=None):
        response = self.url_open(url or self.url)
        self.assertEqual(response.status_code, 200)
        return response.text

    def post_action(self, action, **data):
        html = self.page()
        data.update({"csrf_token": self.csrf(html), "access_token": self.case.access_token})
        files = data.pop("files", None)
        return self.url_open(f"/my/complaints/{self.case.id}/{action}", data=data, files=files)

    def test_page_shows_state_in_plain_words_and_the_deadline(self):
        self.case.with_user(self.office).action_accept()
        html = self.page()
        self.assertIn("Accepted: being handled", html)
        self.assertIn("We promised an answer by", html)
        self.assertNotIn("Portal Logistics", html, "how the office routes it stays inside")

    def test_link_without_token_or_with_a_wrong_one_is_refused(self):
        for url in (f"/my/complaints/{self.case.id}",
                    f"/my/complaints/{self.case.id}?access_token=wrong",
                    f"/my/complaints/{self.case.id + 1000}?access_token={self.case.access_token}"):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertTrue(response.headers["Location"].endswith("/complaints/track"))

    def test_revoked_link_stops_working(self):
        old_url = self.url
        self.case.with_user(self.office).action_revoke_portal_link()
        response = self.url_open(old_url, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.case.access_token)

    def test_expired_link_stops_working(self):
        self.case.sudo().portal_link_expiry = "2000-01-01 00:00:00"
        response = self.url_open(self.url, allow_redirects=False)
        self.assertEqual(response.status_code, 303)

    def test_internal_notes_never_reach_the_portal(self):
        self.case.with_user(self.office).message_post(body="Secret internal remark",
                                                      subtype_xmlid="mail.mt_note")
        self.case.with_user(self.office).message_post(body="Public answer to the customer",
                                                      message_type="comment",
                                                      subtype_xmlid="mail.mt_comment")
        html = self.page()
        self.assertNotIn("Secret internal remark", html)
        self.assertIn("Public answer to the customer", html)

    def test_add_information_goes_to_the_chatter(self):
        response = self.post_action("information", text=f"Tracking number SF123 {SCRIPT}",
                                    files=[("attachments", ("proof.png", PNG, "image/png"))])
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you, recorded.", response.text)
        self.assertNotIn(SCRIPT, response.text)
        message = self.case.message_ids.filtered(lambda m: "SF123" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertNotIn("<script>", message.body)
        self.assertEqual(message.attachment_ids.mapped("name"), ["proof.png"])
        self.assertFalse(message.subtype_id.internal, "the office sees it as a customer message")
        self.assertEqual(message.author_id, self.case.partner_id)

    def test_oversize_information_upload_is_refused(self):
        big = PNG + b"\0" * (5 * 1024 * 1024)
        response = self.post_action("information", text="big",
                                    files=[("attachments", ("big.png", big, "image/png"))])
        self.assertIn("larger than 5 MB", response.text)
        self.assertFalse(self.case.message_ids.filtered(lambda m: m.body and "big" in m.body
                                                        and m.attachment_ids))

    def test_withdraw_uses_the_withdrawal_step(self):
        response = self.post_action("withdraw", reason=f"Solved with the shop {SCRIPT}")
        self.assertNotIn(SCRIPT, response.text)
        self.assertEqual(self.case.state, "withdrawn")
        self.assertIn("Solved with the shop", self.case.withdrawal_reason)
        self.assertIn("Withdrawn at your request", response.text)
        self.assertNotIn("Add information", response.text)

    def test_survey_is_offered_only_once_replied(self):
        self.assertNotIn("Are you satisfied", self.page())
        response = self.post_action("survey", satisfaction="satisfied")
        self.assertIn("There is no reply to rate yet.", response.text)
        self.assertFalse(self.case.satisfaction)

    def test_actions_need_the_csrf_token(self):
        with mute_logger("odoo.http"):  # Odoo logs the refused request
            response = self.url_open(f"/my/complaints/{self.case.id}/withdraw", data={
                "access_token": self.case.access_token, "reason": "x"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.case.state, "draft")

    def test_actions_need_access(self):
        html = self.page()
        response = self.url_open(f"/my/complaints/{self.case.id}/withdraw", data={
            "csrf_token": self.csrf(html), "access_token": "guess", "reason": "x"},
            allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.case.state, "draft")

    def test_my_account_lists_only_my_complaints(self):
        mine = self.submitted_case(partner_phone="13900139000", partner_name="Portal Customer")
        self.new_visitor()
        self.authenticate("p_customer", "p_customer")
        listing = self.page("/my/complaints")
        self.assertIn(mine.name, listing)
        self.assertNotIn(self.case.name, listing)
        self.assertIn(mine.name, self.page(f"/my/complaints/{mine.id}"), "no token needed")
        refused = self.url_open(f"/my/complaints/{self.case.id}", allow_redirects=False)
        self.assertEqual(refused.status_code, 303, "another customer's case stays closed")
        home = self.page("/my/home")
        self.assertIn("/my/complaints", home)

    def test_my_complaints_needs_login(self):
        response = self.url_open("/my/complaints", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_portal_user_cannot_write_or_read_others_over_the_orm(self):
        Case = self.env["complaint.case"].with_user(self.other_portal_user)
        self.assertFalse(Case.search([]))
        with self.assertRaises(AccessError):
            self.case.with_user(self.portal_user).write({"subject": "changed"})
