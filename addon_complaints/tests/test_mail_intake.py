from odoo.addons.mail.tests.common import MailCommon
from odoo.tests import tagged

from .common import ComplaintCase

# A plain inbound e-mail, in the shape MailCase.format() fills in.
INBOUND = """Return-Path: {return_path}
To: {to}
cc: {cc}
Received: by mail1.example.com (Postfix, from userid 10002)
    id 5DF9ABFB2A; Fri, 10 Aug 2012 16:16:39 +0200 (CEST)
From: {email_from}
Subject: {subject}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_Part_4200734_24778174.1344608186754"
Date: Fri, 10 Aug 2012 14:16:26 +0000
Message-ID: {msg_id}
{extra}
------=_Part_4200734_24778174.1344608186754
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

The parcel promised for Monday arrived on Wednesday, the box was crushed.
Please refund the delivery fee.

------=_Part_4200734_24778174.1344608186754
Content-Type: image/png; name="box.png"
Content-Disposition: attachment; filename="box.png"
Content-Transfer-Encoding: base64

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==
------=_Part_4200734_24778174.1344608186754--
"""


@tagged("post_install", "-at_install")
class TestMailIntake(MailCommon, ComplaintCase):
    """A message to the complaint office's address opens a case, the sender gets its
    reference, replies land in the same case, and an auto-responder cannot loop."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Mail is routed to this company's complaint office, not to a demo one.
        (cls.env["complaint.department"].search([("is_complaint_office", "=", True)])
         - cls.dept_office).is_complaint_office = False
        cls.dept_office.alias_name = "complaints"
        cls.dept_logistics.alias_name = "logistics"
        cls.office_address = f"complaints@{cls.alias_domain}"
        cls.env["complaint.routing.rule"].create({
            "name": "Delivery words", "keywords": "parcel, 快递", "category_id": cls.cat_delivery.id,
            "department_id": cls.dept_logistics.id})

    def receive(self, subject, email_from="Wang Fang <wang.fang@example.com>", to=None, **kw):
        return self.format_and_process(
            INBOUND, email_from, to or self.office_address, subject=subject,
            target_model="complaint.case", target_field="subject", **kw)

    def test_new_message_opens_a_case(self):
        with self.mock_mail_gateway():
            case = self.receive("Crushed parcel")
        self.assertEqual(len(case), 1)
        self.assertEqual(case.channel_id, self.channel_email)
        self.assertEqual(case.state, "draft")
        self.assertEqual(case.company_id, self.company)
        self.assertNotEqual(case.name, "Crushed parcel", "the reference is not the subject")
        self.assertTrue(case.name)
        self.assertIn("box was crushed", case.description)
        self.assertEqual(case.partner_id.email_normalized, "wang.fang@example.com")
        self.assertEqual(case.partner_id.name, "Wang Fang")
        self.assertEqual(case.owner_user_id, self.office, "the office manager owns it first")
        self.assertEqual(case.category_id, self.cat_delivery, "classified by the routing rules")
        self.assertEqual(case.proposed_department_id, self.dept_logistics)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "complaint.case"), ("res_id", "=", case.id)])
        self.assertEqual(attachment.mapped("name"), ["box.png"])

    def test_known_sender_is_the_complainant(self):
        with self.mock_mail_gateway():
            case = self.receive("Rude driver", email_from="Zhang Wei <zhang@example.com>")
        self.assertEqual(case.partner_id, self.partner)
        self.assertEqual(case.partner_phone, "13800138000")

    def test_department_address_proposes_that_department(self):
        with self.mock_mail_gateway():
            case = self.receive("Question about an invoice", to=f"logistics@{self.alias_domain}")
        self.assertEqual(case.intake_department_id, self.dept_logistics)
        self.assertEqual(case.owner_user_id, self.manager)
        self.assertEqual(case.proposed_department_id, self.dept_logistics)

    def test_acknowledgement_gives_the_reference(self):
        with self.mock_mail_gateway():
            case = self.receive("Crushed parcel")
        self.assertEqual(len(self._mails), 1)
        sent = self._mails[0]
        self.assertEqual(sent["email_to"], ['"Wang Fang" <wang.fang@example.com>'])
        self.assertIn(case.name, sent["subject"])
        self.assertIn(case.name, sent["body"])
        self.assertEqual(sent["headers"].get("Auto-Submitted"), "auto-replied")

    def test_reply_lands_in_the_same_case(self):
        with self.mock_mail_gateway():
            case = self.receive("Crushed parcel")
            acknowledgement = self._new_mails.filtered(lambda m: m.res_id == case.id)
            self.format_and_process(
                INBOUND, "Wang Fang <wang.fang@example.com>", acknowledgement.reply_to,
                subject=f"Re: {acknowledgement.subject}",
                extra=f"In-Reply-To: {acknowledgement.message_id}\n",
                target_model="complaint.case", target_field="subject")
        self.assertEqual(self.env["complaint.case"].search_count(
            [("partner_email", "=", "wang.fang@example.com")]), 1)
        incoming = case.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(incoming), 2, "the first message and the reply")
        self.assertEqual(len(self._mails), 1, "a reply is not acknowledged again")

    def test_reply_to_a_closed_case_is_kept(self):
        with self.mock_mail_gateway():
            case = self.receive("Crushed parcel")
        case.with_user(self.office).write({"customer_demand": "Refund"})
        case.with_user(self.office).action_withdraw("The customer called to withdraw.")
        acknowledgement = case.message_ids.filtered(lambda m: m.subject and case.name in m.subject
                                                    and m.message_type == "comment")[-1:]
        with self.mock_mail_gateway():
            self.format_and_process(
                INBOUND, "wang.fang@example.com", self.office_address, subject="Re: thanks",
                extra=f"In-Reply-To: {acknowledgement.message_id}\n",
                target_model="complaint.case", target_field="subject")
        self.assertEqual(case.state, "withdrawn")
        self.assertIn("Re: thanks", case.message_ids.mapped("subject"))

    def test_auto_responder_cannot_loop(self):
        """An auto-responder answering every acknowledgement with a new message creates at
        most the loop threshold of cases, then Odoo bounces it."""
        self.env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", 3)
        robot = "Out of office <robot@example.com>"
        with self.mock_mail_gateway():
            for attempt in range(6):
                self.format_and_process(
                    INBOUND, robot, self.office_address, subject=f"Auto: away {attempt}",
                    target_model="complaint.case", target_field="subject")
        cases = self.env["complaint.case"].search([("partner_email", "=", "robot@example.com")])
        self.assertEqual(len(cases), 3)
        acknowledgements = [m for m in self._mails if "robot@example.com" in m["email_to"][0]
                            and m["headers"].get("Auto-Submitted") == "auto-replied"]
        self.assertEqual(len(acknowledgements), 3)

    def test_bounce_creates_no_case(self):
        with self.mock_mail_gateway():
            case = self.receive("Crushed parcel")
        before = self.env["complaint.case"].search_count([])
        bounce = INBOUND.replace("Content-Type: multipart/mixed;",
                                 "Content-Type: multipart/report; report-type=delivery-status;")
        with self.mock_mail_gateway():
            self.format_and_process(
                bounce, f"MAILER-DAEMON <{self.alias_bounce}@{self.alias_domain}>",
                f"{self.alias_bounce}@{self.alias_domain}", subject="Undelivered Mail",
                target_model="complaint.case", target_field="subject")
        self.assertEqual(self.env["complaint.case"].search_count([]), before)
        self.assertEqual(case.state, "draft")
