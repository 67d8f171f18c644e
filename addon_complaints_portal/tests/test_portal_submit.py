import base64

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SCRIPT, PortalHttpCase

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@tagged("post_install", "-at_install")
class TestPortalSubmission(PortalHttpCase):
    """Filing a complaint without an account, and every rule that keeps the form safe."""

    def test_form_is_public_and_lists_the_category_tree(self):
        html = self.open_form()
        self.assertIn("Late parcel", html)
        self.assertIn('name="csrf_token"', html)
        self.assertIn(self.company.name, html)

    def test_submission_registers_a_case_like_a_clerk(self):
        response = self.submit(files=[("attachments", ("box.png", PNG, "image/png"))])
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/complaints/submitted"))
        case = self.last_case()
        self.assertEqual(case.channel_id, self.env.ref("addon_complaints.complaint_channel_web"))
        self.assertEqual(case.state, "draft")
        self.assertEqual(case.owner_user_id, self.office)
        self.assertEqual(case.category_id, self.cat_delivery)
        self.assertEqual(case.location, "Nanshan store")
        self.assertEqual(case.partner_id.name, "Li Na", "the complainant was created")
        self.assertEqual(case.customer_demand, "Refund the express fee.")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "complaint.case"), ("res_id", "=", case.id)])
        self.assertEqual(attachment.mapped("name"), ["box.png"])
        self.assertEqual(attachment.mimetype, "image/png")
        # the office accepts it with its usual step: the registration is complete
        case.with_user(self.office).action_accept()
        self.assertEqual(case.state, "accepted")

        confirmation = self.url_open("/complaints/submitted")
        self.assertIn(case.name, confirmation.text)
        self.assertIn(case.get_portal_url(), confirmation.text.replace("&amp;", "&"))

    def test_known_customer_is_found_by_phone(self):
        case = self.submitted_case(partner_phone="13900139000", partner_name="Someone")
        self.assertEqual(case.partner_id, self.portal_user.partner_id)

    def test_receipt_is_mailed_with_the_reference_and_link(self):
        case = self.submitted_case()
        receipt = case.message_ids.filtered(lambda m: case.name in (m.subject or ""))
        self.assertEqual(len(receipt), 1)
        self.assertEqual(receipt.partner_ids, case.partner_id)
        self.assertIn(case.access_token, receipt.body)

    def test_no_email_no_receipt(self):
        case = self.submitted_case(partner_email="")
        self.assertFalse(case.message_ids.filtered(lambda m: case.name in (m.subject or "")))
        confirmation = self.url_open("/complaints/submitted")
        self.assertIn(case.name, confirmation.text)

    def test_missing_fields_are_named_and_nothing_is_lost(self):
        before = self.env["complaint.case"].search_count([])
        response = self.submit(partner_name="", description="")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Tell us your name.", response.text)
        self.assertIn("Refund the express fee.", response.text, "what was typed is kept")
        self.assertEqual(self.env["complaint.case"].search_count([]), before)

    def test_script_in_every_text_field_is_escaped(self):
        fields = ("partner_name", "location", "description", "customer_demand")
        case = self.submitted_case(**{f: SCRIPT for f in fields}, partner_id_number="<b>1</b>")
        self.assertEqual(case.partner_id_number, "<b>1</b>")
        self.assertEqual(case.description, SCRIPT, "stored as the plain text it is")
        page = self.url_open(case.get_portal_url()).text
        self.assertNotIn(SCRIPT, page)
        self.assertIn("&lt;script&gt;alert(", page)
        # a refused form shows the typed text back, escaped too
        refused = self.submit(**{f: SCRIPT for f in fields}, partner_id_number=SCRIPT,
                              partner_email=SCRIPT, partner_phone=SCRIPT, challenge="0")
        self.assertEqual(refused.status_code, 400)
        self.assertNotIn(SCRIPT, refused.text)

    def test_csrf_token_is_required(self):
        data = self.submission()
        data.pop("csrf_token")
        before = self.env["complaint.case"].search_count([])
        with mute_logger("odoo.http"):  # Odoo logs the refused request
            response = self.url_open("/complaints/new", data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.env["complaint.case"].search_count([]), before)

    def test_honeypot_refuses_robots(self):
        before = self.env["complaint.case"].search_count([])
        response = self.submit(website_url="http://spam.example.com")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.env["complaint.case"].search_count([]), before)

    def test_wrong_challenge_answer_is_refused(self):
        before = self.env["complaint.case"].search_count([])
        response = self.submit(challenge="99")
        self.assertEqual(response.status_code, 400)
        self.assertIn("The answer to the question is not right.", response.text)
        self.assertEqual(self.env["complaint.case"].search_count([]), before)

    def test_challenge_answer_works_once(self):
        data = self.submission()
        self.assertEqual(self.url_open("/complaints/new", data=data, allow_redirects=False).status_code, 303)
        replay = self.url_open("/complaints/new", data=data, allow_redirects=False)
        self.assertEqual(replay.status_code, 400)

    def test_rate_limit_per_phone(self):
        for attempt in range(3):
            self.assertEqual(self.submit(partner_email=f"a{attempt}@example.com").status_code, 303)
        response = self.submit(partner_email="a9@example.com")
        self.assertEqual(response.status_code, 429)
        # another phone from the same address still gets through (the IP limit is higher)
        self.assertEqual(self.submit(partner_phone="13700137000").status_code, 303)

    def test_rate_limit_per_ip(self):
        self.env["ir.config_parameter"].set_param("addon_complaints_portal.limit.submit.ip", 2)
        self.assertEqual(self.submit(partner_phone="13700137001").status_code, 303)
        self.assertEqual(self.submit(partner_phone="13700137002").status_code, 303)
        self.assertEqual(self.submit(partner_phone="13700137003").status_code, 429)

    def test_oversize_upload_is_refused(self):
        big = PNG + b"\0" * (5 * 1024 * 1024)
        before = self.env["complaint.case"].search_count([])
        response = self.submit(files=[("attachments", ("big.png", big, "image/png"))])
        self.assertEqual(response.status_code, 400)
        self.assertIn("larger than 5 MB", response.text)
        self.assertEqual(self.env["complaint.case"].search_count([]), before)

    def test_disguised_file_is_refused(self):
        response = self.submit(files=[("attachments", ("photo.png", b"<html><script>1</script>",
                                                       "image/png"))])
        self.assertEqual(response.status_code, 400)
        self.assertIn("cannot be attached", response.text)
        response = self.submit(files=[("attachments", ("page.html", b"<html></html>", "text/html"))])
        self.assertEqual(response.status_code, 400)

    def test_too_many_files_are_refused(self):
        files = [("attachments", (f"p{i}.png", PNG, "image/png")) for i in range(6)]
        self.assertEqual(self.submit(files=files).status_code, 400)

    def test_confidential_case_never_shows_the_identity(self):
        case = self.submitted_case(confidential="1", partner_name="Whistle Blower",
                                   partner_phone="13612345678")
        self.assertTrue(case.confidential)
        for url in ("/complaints/submitted", case.get_portal_url()):
            page = self.url_open(url).text
            self.assertNotIn("Whistle Blower", page)
            self.assertNotIn("13612345678", page)
        self.assertNotIn("Whistle", case.get_portal_url())
        receipt = case.message_ids.filtered(lambda m: case.name in (m.subject or ""))
        self.assertNotIn("Whistle Blower", receipt.body)
        self.assertNotEqual(receipt.author_id, case.partner_id)
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", receipt.id)])
        self.assertEqual(len(mail), 1)
        self.assertIn(case.access_token, mail.body_html)
        self.assertNotIn("pid=", mail.body_html, "no link that names the recipient")
        self.assertNotIn("signup", mail.body_html)

    def test_logged_in_customer_files_as_themselves(self):
        self.authenticate("p_customer", "p_customer")
        html = self.open_form()
        self.assertIn("13900139000", html, "their details are filled in")
        case = self.submitted_case(partner_name="Portal Customer", partner_phone="13900139000",
                                   partner_email="customer@example.com")
        self.assertEqual(case.partner_id, self.portal_user.partner_id)
