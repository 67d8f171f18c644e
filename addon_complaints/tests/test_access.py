from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestAccess(ComplaintCase):

    def visible(self, user, case):
        return bool(self.env["complaint.case"].with_user(user).search([("id", "=", case.id)]))

    def test_intake_clerk_sees_only_what_they_registered(self):
        mine = self.register()
        theirs = self.register(user=self.clerk2, category_id=self.cat_quality.id)
        self.assertTrue(self.visible(self.clerk, mine))
        self.assertFalse(self.visible(self.clerk, theirs))
        with self.assertRaises(AccessError):
            theirs.with_user(self.clerk).read(["subject"])

    def test_handler_sees_only_cases_dispatched_to_their_department(self):
        case = self.dispatched()
        other = self.dispatched(department=self.dept_marketing, assignee=self.handler_mkt,
                                category_id=self.cat_quality.id)
        self.assertTrue(self.visible(self.handler, case))
        self.assertFalse(self.visible(self.handler, other))
        self.assertFalse(self.visible(self.handler, self.register(category_id=self.cat_quality.id,
                                                                  subject="x", partner_id=False,
                                                                  partner_name="Other")))
        with self.assertRaises(AccessError):
            other.with_user(self.handler).write({"facts": "meddling"})

    def test_handler_cannot_create_cases(self):
        with self.assertRaises(AccessError):
            self.register(user=self.handler)

    def test_manager_sees_departments_below(self):
        case = self.dispatched(department=self.dept_county, assignee=self.county_handler)
        self.assertTrue(self.visible(self.manager, case))
        self.assertFalse(self.visible(self.county_handler, self.dispatched(category_id=self.cat_quality.id)))

    def test_office_sees_everything_in_its_company(self):
        case = self.register(user=self.clerk2)
        self.assertTrue(self.visible(self.office, case))
        other_company = self.env["res.company"].create({"name": "Other Co"})
        foreign = self.env["complaint.case"].create({
            "subject": "elsewhere", "channel_id": self.channel_email.id, "partner_name": "X",
            "company_id": other_company.id})
        self.assertFalse(self.visible(self.office, foreign))

    def test_leadership_reads_but_does_not_write(self):
        case = self.register()
        self.assertTrue(self.visible(self.leader, case))
        with self.assertRaises(AccessError):
            case.with_user(self.leader).write({"subject": "x"})

    def test_a_plain_user_sees_no_case(self):
        case = self.register()
        with self.assertRaises(AccessError):
            self.env["complaint.case"].with_user(self.outsider).search([("id", "=", case.id)])

    def test_only_the_administrator_configures(self):
        with self.assertRaises(AccessError):
            self.env["complaint.channel"].with_user(self.office).create({"name": "x", "code": "x"})
        with self.assertRaises(AccessError):
            self.dept_logistics.with_user(self.manager).write({"name": "Renamed"})
        admin = self.env.ref("base.user_admin")
        self.env["complaint.category"].with_user(admin).create({"name": "New category"})

    def test_notices_cannot_be_edited(self):
        case = self.accepted()
        with self.assertRaises(AccessError):
            case.notice_ids.with_user(self.office).write({"content": "rewritten"})

    def test_confidential_complainant_hidden_from_all_but_the_office(self):
        case = self.dispatched(confidential=True)
        fields_ = ["partner_id", "partner_name", "partner_phone", "subject"]
        as_handler = case.with_user(self.handler).read(fields_)[0]
        self.assertFalse(as_handler["partner_name"])
        self.assertFalse(as_handler["partner_phone"])
        self.assertFalse(as_handler["partner_id"])
        self.assertEqual(as_handler["subject"], case.subject)
        as_office = case.with_user(self.office).confidential_identity_ids
        self.assertEqual(as_office.partner_name, "Zhang Wei")
        via_api = self.env["complaint.case"].with_user(self.handler).search_read(
            [("id", "=", case.id)], ["partner_name"])
        self.assertFalse(via_api[0]["partner_name"])
        web = case.with_user(self.handler).web_read({"partner_phone": {}})
        self.assertFalse(web[0]["partner_phone"])
