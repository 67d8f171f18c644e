from freezegun import freeze_time
from odoo.addons.addon_complaints.tests import test_closure
from odoo.addons.addon_complaints.tests.common import ComplaintCase
from odoo.tests import tagged

from .common import PortalHttpCase


class PortalRegistered:
    """Cases registered through the public form's registration, as a visitor without an
    account, instead of by a clerk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.public_user = cls.env.ref("base.public_user")

    def portal_form(self, **values):
        form = {
            "partner_name": "Zhang Wei", "partner_phone": "13800138000",
            "partner_email": "zhang@example.com", "category_id": self.cat_delivery.id,
            "location": "Warehouse 3",
            "description": "The order promised for Monday arrived on Wednesday.",
            "customer_demand": "Deliver on the agreed day.", "demand_type": "complaint",
        }
        form.update(values)
        return form

    def register(self, user=None, form=None, **values):
        if values:
            return super().register(user=user, **values)
        case = self.env["complaint.case"].with_user(self.public_user)._portal_register(
            self.portal_form(**(form or {})))
        # the office picks it up from here, as every registration of the complaint office
        return case.with_user(self.office)


@tagged("post_install", "-at_install")
class TestPortalCaseToClosure(PortalRegistered, test_closure.TestClosure):
    """The closure tests of the core, on cases filed online."""

    def test_registered_online(self):
        case = self.register()
        self.assertEqual(case.channel_id.code, "web")
        self.assertEqual(case.partner_id, self.partner, "found by phone")
        self.assertEqual(case.owner_user_id, self.office)
        self.assertEqual(case.create_uid, self.public_user)


@tagged("post_install", "-at_install")
class TestPortalDeadlines(PortalRegistered, ComplaintCase):
    """Deadlines of an online complaint start when it is submitted, counted on the
    company's calendar in its time zone, exactly as for a clerk's registration."""

    def test_deadlines_start_at_submission_in_company_time_zone(self):
        self.company.resource_calendar_id.tz = "Asia/Shanghai"
        # Friday 17:30 in Shanghai is 09:30 UTC: the clock starts then, not at the next
        # working day of another time zone.
        with freeze_time("2026-12-04 09:30:00"):
            online = self.register()
            by_clerk = ComplaintCase.register(self, partner_phone="13800138001",
                                              partner_id=False, partner_name="Other")
        self.assertEqual(str(online.date_received), "2026-12-04 09:30:00")
        self.assertTrue(online.date_deadline)
        self.assertEqual(online.date_deadline, by_clerk.date_deadline)
        self.assertEqual(online.date_stage_deadline, by_clerk.date_stage_deadline)
        with freeze_time("2026-12-07 02:00:00"):  # Monday 10:00 in Shanghai
            later = self.register(form={"partner_phone": "13800138002", "partner_name": "Later",
                                        "partner_email": "later@example.com"})
        self.assertGreater(later.date_deadline, online.date_deadline)


@tagged("post_install", "-at_install")
class TestPortalSurvey(PortalHttpCase):
    """The callback survey answered online feeds the callback of the case."""

    def answer(self, case, satisfaction, comment=""):
        url = case.get_portal_url()
        html = self.url_open(url).text
        self.assertIn("Are you satisfied", html)
        return self.url_open(f"/my/complaints/{case.id}/survey", data={
            "csrf_token": self.csrf(html), "access_token": case.access_token,
            "satisfaction": satisfaction, "comment": comment})

    def test_satisfied_customer_lets_the_office_close(self):
        case = self.walk_to_reply(self.submitted_case())
        self.new_visitor()
        page = self.url_open(case.get_portal_url()).text
        self.assertIn("We refunded the express fee", page)
        self.assertIn("Replied: tell us whether you are satisfied", page)
        response = self.answer(case, "basically_satisfied", "Took long but fine")
        self.assertNotIn("Are you satisfied", response.text, "answered once")
        self.assertEqual(case.satisfaction, "basically_satisfied")
        self.assertIn("Took long but fine", case.callback_note)
        self.assertTrue(case.date_callback)
        self.assertEqual(case.state, "replied")
        case.with_user(self.office2).action_close("customer_accepts", "Survey answered online.")
        self.assertEqual(case.state, "closed")
        closed = self.url_open(case.get_portal_url()).text
        self.assertIn("Closed", closed)
        self.assertNotIn("Add information", closed)

    def test_dissatisfied_customer_reopens_the_case(self):
        case = self.walk_to_reply(self.submitted_case())
        self.new_visitor()
        self.answer(case, "dissatisfied", "Still no refund")
        self.assertEqual(case.satisfaction, "dissatisfied")
        self.assertEqual(case.state, "accepted", "reopened as the callback rule says")
        self.assertEqual(case.reopen_count, 1)
        page = self.url_open(case.get_portal_url()).text
        self.assertIn("Accepted: being handled", page)
        self.assertNotIn("Are you satisfied", page)

    def test_logged_in_customer_answers_without_token(self):
        case = self.submitted_case(partner_phone="13900139000")
        self.walk_to_reply(case)
        self.authenticate("p_customer", "p_customer")
        html = self.url_open(f"/my/complaints/{case.id}").text
        self.url_open(f"/my/complaints/{case.id}/survey", data={
            "csrf_token": self.csrf(html), "satisfaction": "satisfied"})
        self.assertEqual(case.satisfaction, "satisfied")
        self.assertEqual(case.callback_user_id, self.portal_user)

    def test_unknown_answer_is_refused(self):
        case = self.walk_to_reply(self.submitted_case())
        self.new_visitor()
        response = self.answer(case, "delighted")
        self.assertIn("Choose how satisfied you are.", response.text)
        self.assertFalse(case.satisfaction)
