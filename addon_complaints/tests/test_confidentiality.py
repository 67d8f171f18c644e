"""A confidential complainant, looked for through every generic route, as the handler of
the case, as finance approving its compensation and as the clerk who registered it."""

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged

from .compensation_common import ComplaintCompensationCase

NAME = "Whistle Blower"
PHONE = "13712345678"
EMAIL = "blower@example.com"
ADDRESS = "12 Quiet Lane"
ID_NUMBER = "110101199001011234"
SECRETS = (NAME, PHONE, EMAIL, ADDRESS, ID_NUMBER)


@tagged("post_install", "-at_install")
class TestConfidentiality(ComplaintCompensationCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.blower = cls.env["res.partner"].create({"name": NAME, "phone": PHONE,
                                                    "email": EMAIL})

    def setUp(self):
        super().setUp()
        self.case = self.case_in_handling(
            confidential=True, partner_id=self.blower.id, partner_name=NAME,
            partner_phone=PHONE, partner_email=EMAIL, partner_address=ADDRESS,
            partner_id_number=ID_NUMBER)
        # Up to 5,000 finance approves: finance reads the proposal, not the case.
        self.compensation = self.submitted(3000, case=self.case)
        self.end_transaction()
        self.readers = {"handler": self.handler, "finance": self.finance, "clerk": self.clerk}
        # They may export what they see: exporting must not reveal more.
        export = self.env.ref("base.group_allow_export")
        for user in self.readers.values():
            user.groups_id = [Command.link(export.id)]

    def assert_hidden(self, text, route):
        for secret in SECRETS:
            self.assertNotIn(secret, str(text), f"{route} reveals {secret}")

    def each_reader(self):
        return self.readers.items()

    # The office keeps the identity --------------------------------------------------------
    def test_the_office_sees_the_complainant_and_the_case_keeps_no_trace(self):
        vault = self.case.with_user(self.office).confidential_identity_ids
        self.assertEqual(vault.partner_name, NAME)
        self.assertEqual(vault.partner_id, self.blower)
        self.assertFalse(self.case.sudo().partner_id)
        self.assertFalse(self.case.sudo().partner_name)
        self.assertIn(NAME, self.case.sudo().notice_ids.recipient)

    # Routes -------------------------------------------------------------------------------
    def test_read_search_read_and_web_read(self):
        fnames = ["partner_id", "partner_name", "partner_phone", "partner_email",
                  "partner_address", "partner_id_number"]
        for _role, user in self.each_reader():
            Case = self.env["complaint.case"].with_user(user)
            try:
                rows = [self.case.with_user(user).read(fnames),
                        Case.search_read([("id", "=", self.case.id)], fnames),
                        self.case.with_user(user).web_read({name: {} for name in fnames})]
            except AccessError:
                continue  # cannot read the case at all
            self.assert_hidden(rows, "read, search_read, web_read")

    def test_grouping_by_the_complainant(self):
        for _role, user in self.each_reader():
            Case = self.env["complaint.case"].with_user(user)
            for groupby in ("partner_name", "partner_id", "partner_phone", "partner_email"):
                try:
                    groups = Case.read_group([], ["partner_name"], [groupby], lazy=False)
                    web_groups = Case.web_read_group([], ["partner_name"], [groupby])
                except AccessError:
                    continue
                self.assert_hidden(groups, f"read_group by {groupby}")
                self.assert_hidden(web_groups, f"web_read_group by {groupby}")

    def test_search_domain_on_each_hidden_field_is_no_oracle(self):
        guesses = [("partner_id", "=", self.blower.id), ("partner_name", "=", NAME),
                   ("partner_phone", "=", PHONE), ("partner_email", "=", EMAIL),
                   ("partner_address", "=", ADDRESS), ("partner_id_number", "=", ID_NUMBER),
                   ("partner_id.phone", "=", PHONE),
                   ("confidential_identity_ids.partner_phone", "=", PHONE)]
        for _role, user in self.each_reader():
            Case = self.env["complaint.case"].with_user(user)
            for leaf in guesses:
                try:
                    found = Case.search_count([("id", "=", self.case.id), leaf])
                except AccessError:
                    continue
                self.assertEqual(found, 0, f"search on {leaf[0]} confirms the guess")

    def test_copy_data(self):
        for _role, user in self.each_reader():
            try:
                values = self.case.with_user(user).copy_data()
            except AccessError:
                continue
            self.assert_hidden(values, "copy_data")

    def test_export_data(self):
        fields_ = ["partner_id/name", "partner_name", "partner_phone", "partner_email",
                   "partner_address", "partner_id_number"]
        for _role, user in self.each_reader():
            try:
                rows = self.case.with_user(user).export_data(fields_)
            except AccessError:
                continue
            self.assert_hidden(rows, "export_data")
        for _role, user in self.each_reader():
            try:
                rows = self.compensation.with_user(user).export_data(
                    ["case_partner_name", "case_id/partner_name"])
            except AccessError:
                continue
            self.assert_hidden(rows, "export_data of the compensation")

    def test_related_fields_on_other_models(self):
        for _role, user in self.each_reader():
            try:
                values = self.compensation.with_user(user).read(["case_partner_name"])
            except AccessError:
                continue
            self.assert_hidden(values, "complaint.compensation.case_partner_name")

    def test_partner_reverse_lookup(self):
        for _role, user in self.each_reader():
            Partner = self.env["res.partner"].with_user(user)
            try:
                found = Partner.search([("complaint_case_ids", "in", self.case.ids)])
            except AccessError:
                continue
            self.assertNotIn(self.blower, found, "res.partner searched by complaint_case_ids")
            self.assertEqual(self.blower.with_user(user).complaint_case_count, 0)

    def test_notices(self):
        self.assertTrue(self.case.sudo().notice_ids, "the receipt was sent")
        for _role, user in self.each_reader():
            Notice = self.env["complaint.notice"].with_user(user)
            try:
                notices = Notice.search([("case_id", "=", self.case.id)])
                found = Notice.search_count([("recipient", "ilike", NAME)])
            except AccessError:
                continue
            self.assertFalse(notices, "notices of a confidential case")
            self.assertEqual(found, 0)
            with self.assertRaises(AccessError):
                self.case.sudo().notice_ids.with_user(user).read(["recipient", "content"])

    def test_chatter_and_tracking(self):
        messages = self.env["mail.message"].sudo().search(
            [("model", "=", "complaint.case"), ("res_id", "=", self.case.id)])
        self.assert_hidden(messages.mapped("body"), "chatter")
        self.assert_hidden(messages.tracking_value_ids.mapped("old_value_char")
                           + messages.tracking_value_ids.mapped("new_value_char"), "tracking")
        self.assertNotIn(self.blower, messages.partner_ids)
        for _role, user in self.each_reader():
            try:
                thread = self.case.with_user(user).message_ids.read(["body", "partner_ids"])
            except AccessError:
                continue
            self.assert_hidden(thread, "chatter read")

    def test_activities(self):
        activities = self.env["mail.activity"].sudo().search(
            [("res_model", "=", "complaint.case"), ("res_id", "=", self.case.id)])
        self.assert_hidden(activities.mapped("summary") + activities.mapped("note")
                           + activities.mapped("res_name"), "activities")

    def test_pdf(self):
        report = self.env.ref("addon_complaints.complaint_case_report_handling_sheet")
        for _role, user in self.each_reader():
            try:
                html, _type = self.env["ir.actions.report"].with_user(user)._render_qweb_html(
                    report.report_name, self.case.ids)
            except AccessError:
                continue
            self.assert_hidden(html, "the handling sheet")
        html = self.env["ir.actions.report"].with_user(self.office)._render_qweb_html(
            report.report_name, self.case.ids)[0].decode()
        self.assertIn(NAME, html, "the office prints the complainant")

    def test_the_confidential_record_is_closed_to_everyone_but_the_office(self):
        for _role, user in self.each_reader():
            with self.assertRaises(AccessError):
                self.env["complaint.complainant"].with_user(user).search([])
            with self.assertRaises(AccessError):
                self.case.sudo().confidential_identity_ids.with_user(user).read(["partner_name"])

    # Switching confidentiality ----------------------------------------------------------------
    def test_only_the_office_switches_it_and_the_chatter_records_it(self):
        for user in (self.handler, self.clerk, self.manager):
            with self.assertRaises(UserError):
                self.case.with_user(user).write({"confidential": False})
            with self.assertRaises(AccessError):
                self.case.with_user(user).action_lift_confidential()
        self.case.with_user(self.office).action_lift_confidential()
        self.assertFalse(self.case.confidential)
        self.assertEqual(self.case.partner_name, NAME)
        self.assertEqual(self.case.partner_id, self.blower)
        self.assertFalse(self.case.sudo().confidential_identity_ids)
        self.case.with_user(self.office).action_mark_confidential()
        self.assertFalse(self.case.partner_name)
        self.assertEqual(self.case.sudo().confidential_identity_ids.partner_phone, PHONE)
        bodies = " ".join(self.case.message_ids.mapped("body"))
        self.assertIn("no longer confidential", bodies)
        self.assertIn("now confidential", bodies)

    def test_a_handler_cannot_put_an_identity_back_on_the_case(self):
        with self.assertRaises(UserError):
            self.case.with_user(self.handler).write({"partner_name": "Guess"})
        self.case.with_user(self.office).write({"partner_phone": "13700000000"})
        self.assertFalse(self.case.partner_phone)
        self.assertEqual(self.case.sudo().confidential_identity_ids.partner_phone, "13700000000")


@tagged("post_install", "-at_install")
class TestNothingDetaches(ComplaintCompensationCase):

    def test_the_complainant_of_a_case_cannot_be_deleted(self):
        case = self.register()
        with self.assertRaises(UserError):
            self.partner.with_user(self.clerk).unlink()
        self.assertEqual(case.partner_id, self.partner)

    def test_referenced_department_category_and_users_cannot_be_deleted(self):
        case = self.handling()
        admin = self.env.ref("base.user_admin")
        for record in (self.dept_logistics, self.cat_delivery, self.handler):
            with self.assertRaises(UserError, msg=record.display_name), self.env.cr.savepoint():
                record.with_user(admin).unlink()
        self.assertEqual(case.department_id, self.dept_logistics)
        self.assertEqual(case.handler_user_id, self.handler)
