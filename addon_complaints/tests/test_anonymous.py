from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import ComplaintCase

INTEGRATION = "addon_complaints.group_complaint_integration"


@tagged("post_install", "-at_install")
class TestAnonymousComplainant(ComplaintCase):
    """An anonymous hotline call names no complainant and is handled like any other case."""

    def anonymous(self, user=None, **values):
        return self.register(user=user, partner_id=False, partner_name=False, partner_phone=False,
                             partner_email=False, is_anonymous=True, **values)

    def test_a_case_without_complainant_is_refused_unless_anonymous(self):
        with self.assertRaises(ValidationError):
            self.register(partner_id=False, partner_name=False)
        case = self.anonymous()
        self.assertTrue(case.is_anonymous)
        self.assertFalse(case.partner_id, "no partner is made up for an anonymous caller")
        with self.assertRaises(ValidationError):
            case.with_user(self.clerk).write({"is_anonymous": False})

    def test_the_portal_user_creates_anonymous_cases(self):
        sync = new_test_user(self.env, "t_sync", groups=f"base.group_user,{INTEGRATION}")
        cases = self.env["complaint.case"].with_user(sync).create([{
            "subject": "匿名来电", "channel_id": self.channel_phone.id, "demand_type": "complaint",
            "description": "来电人不愿留名", "external_source": "hotline", "external_ref": f"ANON-{n}",
            "is_anonymous": True,
        } for n in range(3)])
        self.assertEqual(len(cases), 3)
        self.assertEqual(set(cases.mapped("is_anonymous")), {True})

    def test_an_anonymous_case_is_accepted_and_dispatched_like_any_other(self):
        case = self.anonymous()
        case.with_user(self.clerk).action_accept()
        self.assertEqual(case.state, "accepted")
        case.with_user(self.office).action_dispatch(self.dept_logistics, assignee=self.handler)
        self.assertEqual(case.state, "dispatched")

    def test_a_named_case_still_needs_its_complainant_before_acceptance(self):
        case = self.register(partner_id=False, partner_name=False, confidential=True)
        with self.assertRaisesRegex(Exception, "complainant name"):
            case.with_user(self.clerk).action_accept()
