import re

from odoo.addons.addon_complaints.tests.common import HANDLER, MANAGER, OFFICE
from odoo.tests import HttpCase, new_test_user

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHALLENGE = re.compile(r'id="complaint_challenge_question">(\d+) \+ (\d+)<')
SCRIPT = "<script>alert('x')</script>"


class PortalHttpCase(HttpCase):
    """A company with a complaint office and a logistics department, a category tree, a
    known customer with a portal account, and helpers that use the public forms the way a
    browser does (CSRF token and security question read from the page)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.office = new_test_user(cls.env, "p_office", groups=f"base.group_user,{OFFICE}",
                                   name="Office Chen", email="office@example.com")
        cls.office2 = new_test_user(cls.env, "p_office2", groups=f"base.group_user,{OFFICE}",
                                    name="Office Liu")
        cls.handler = new_test_user(cls.env, "p_handler", groups=f"base.group_user,{HANDLER}",
                                    name="Handler Wang")
        cls.manager = new_test_user(cls.env, "p_manager", groups=f"base.group_user,{MANAGER}",
                                    name="Manager Zhao")
        Department = cls.env["complaint.department"]
        # This company's complaint office is the one below (not a demo one).
        Department.search([("is_complaint_office", "=", True)]).is_complaint_office = False
        cls.dept_office = Department.create({
            "name": "Portal Complaint Office", "is_complaint_office": True,
            "manager_id": cls.office.id, "member_ids": [(6, 0, [cls.office.id, cls.office2.id])]})
        cls.dept_logistics = Department.create({
            "name": "Portal Logistics", "manager_id": cls.manager.id,
            "member_ids": [(6, 0, [cls.handler.id])]})
        Category = cls.env["complaint.category"]
        cls.cat_service = Category.create({"name": "Portal Service"})
        cls.cat_delivery = Category.create({"name": "Late parcel", "parent_id": cls.cat_service.id})
        cls.portal_user = new_test_user(cls.env, "p_customer", groups="base.group_portal",
                                        name="Portal Customer", email="customer@example.com")
        cls.portal_user.partner_id.phone = "13900139000"
        cls.other_portal_user = new_test_user(cls.env, "p_other", groups="base.group_portal",
                                              name="Other Customer", email="other@example.com")

    # Browser-like helpers --------------------------------------------------------------
    def new_visitor(self):
        """Another browser: no session, no cookies."""
        self.opener.cookies.clear()

    def open_form(self, url="/complaints/new"):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response.text

    def csrf(self, html):
        return CSRF.search(html).group(1)

    def submission(self, **values):
        """The public form filled in like a customer would, with this session's CSRF token
        and the answer to its security question."""
        html = self.open_form()
        first, second = CHALLENGE.search(html).groups()
        data = {
            "csrf_token": self.csrf(html),
            "partner_name": "Li Na",
            "partner_phone": "138 0013 8111",
            "partner_email": "li.na@example.com",
            "category_id": str(self.cat_delivery.id),
            "location": "Nanshan store",
            "description": "The parcel promised for Monday came on Thursday.",
            "customer_demand": "Refund the express fee.",
            "demand_type": "complaint",
            "challenge": str(int(first) + int(second)),
        }
        data.update(values)
        return data

    def submit(self, files=None, **values):
        return self.url_open("/complaints/new", data=self.submission(**values), files=files,
                             allow_redirects=False)

    def last_case(self):
        return self.env["complaint.case"].search([], order="id desc", limit=1)

    def submitted_case(self, **values):
        response = self.submit(**values)
        self.assertEqual(response.status_code, 303, response.text[:2000])
        return self.last_case()

    def walk_to_reply(self, case):
        """The office and the department take ``case`` from registration to the reply,
        each step done by whoever does it inside."""
        if case.state == "draft":
            case.with_user(self.office).action_accept()
        case.with_user(self.office).action_dispatch(self.dept_logistics, assignee=self.handler)
        case._lead_assignment().with_user(self.manager).action_accept()
        case.with_user(self.handler).write({
            "facts": "The courier lost a day at the depot.", "cause_type": "company",
            "cause_analysis": "No depot backup.", "handling_opinion": "Refund the fee.",
            "handling_hours": 1.5, "handling_process": "Checked the courier log.",
            "handling_result": "Fee refunded.", "handling_satisfaction": "satisfied"})
        case.with_user(self.handler).action_submit_feedback()
        case.with_user(self.manager).action_sign_feedback()
        case.with_user(self.office).action_verify()
        case.with_user(self.office).reply_text = "We refunded the express fee and apologise."
        case.with_user(self.office).action_reply()
        return case
