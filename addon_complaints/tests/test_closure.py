from dateutil.relativedelta import relativedelta
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestClosure(ComplaintCase):

    def close_accepted(self):
        case = self.replied()
        case.with_user(self.office2).action_callback("satisfied")
        case.with_user(self.office).action_close("customer_accepts", "Customer confirmed by phone.",
                                                 "Plan spare trucks in peak weeks.")
        return case

    def test_customer_accepts(self):
        case = self.close_accepted()
        self.assertEqual(case.state, "closed")
        self.assertEqual(case.closure_criterion, "customer_accepts")
        self.assertEqual(case.improvement_suggestion, "Plan spare trucks in peak weeks.")
        self.assertFalse(case.activity_ids)

    def test_customer_accepts_needs_a_satisfied_callback(self):
        case = self.replied()
        with self.assertRaisesRegex(UserError, "call back"):
            case.with_user(self.office).action_close("customer_accepts", "Said yes.")

    def test_law_supports_needs_evidence_and_a_callback(self):
        case = self.replied()
        with self.assertRaises(UserError):
            case.with_user(self.office).action_close("law_supports", "")
        with self.assertRaises(UserError):
            case.with_user(self.office).action_close("law_supports", "Contract clause 7.")
        case.with_user(self.office2).action_callback("basically_satisfied")
        case.with_user(self.office).action_close("law_supports", "Contract clause 7.")
        self.assertEqual(case.closure_criterion, "law_supports")

    def test_ruled_invalid_needs_the_ruling(self):
        case = self.handling()
        with self.assertRaisesRegex(UserError, "invalid"):
            case.with_user(self.office).action_close("ruled_invalid", "Customer's own mistake.")
        case.with_user(self.office).action_rule_invalid()
        case.with_user(self.office).action_close("ruled_invalid", "Customer's own mistake.")
        self.assertEqual(case.state, "closed")
        self.assertTrue(all(a.state == "done" for a in case.assignment_ids))

    def test_only_the_office_closes(self):
        case = self.replied()
        case.with_user(self.office2).action_callback("satisfied")
        with self.assertRaises(AccessError):
            case.with_user(self.manager).action_close("customer_accepts", "ok")

    def test_an_unknown_criterion_is_refused(self):
        case = self.replied()
        with self.assertRaises(UserError):
            case.with_user(self.office).action_close("tired_of_it", "ok")

    def test_malicious_complainant_is_flagged(self):
        case = self.handling()
        case.with_user(self.office).action_rule_malicious()
        case.with_user(self.office).action_close("ruled_invalid", "Fabricated receipts.")
        self.assertTrue(self.partner.complaint_malicious)

    def test_closed_cases_are_read_only_and_archived_for_twenty_years(self):
        case = self.close_accepted()
        self.assertEqual(case.archive_date, case.date_closed.date() + relativedelta(years=20))
        with self.assertRaises(UserError):
            case.with_user(self.office).subject = "Changed later"
        case.with_user(self.office).message_post(body="Archive consulted.")
        case.with_user(self.office).write({"external_receipt": "R-1", "external_pushed_at": case.date_closed})
        self.assertEqual(case.external_receipt, "R-1", "the portal's receipt still lands on a closed case")

    def test_retention_follows_the_company(self):
        self.company.complaint_retention_years = 30
        case = self.close_accepted()
        self.assertEqual(case.archive_date, case.date_closed.date() + relativedelta(years=30))

    def test_nobody_deletes_a_case(self):
        case = self.register()
        with self.assertRaises(AccessError):
            case.with_user(self.office).unlink()
        admin = self.env.ref("base.user_admin")
        with self.assertRaises(AccessError):
            case.with_user(admin).unlink()

    def test_withdrawal_ends_the_case_that_day(self):
        case = self.handling()
        with self.assertRaises(UserError):
            case.with_user(self.clerk).action_withdraw("")
        case.with_user(self.clerk).action_withdraw("Customer says the goods arrived.")
        self.assertEqual(case.state, "withdrawn")
        self.assertTrue(case.date_closed)
        self.assertEqual(case.withdrawal_reason, "Customer says the goods arrived.")
        self.assertEqual(case.notice_ids.filtered(lambda n: n.notice_type == "withdrawal").case_id, case)
        with self.assertRaises(UserError):
            case.with_user(self.clerk).action_withdraw("again")

    def test_close_wizard(self):
        case = self.replied()
        case.with_user(self.office2).action_callback("satisfied")
        action = case.with_user(self.office).action_open_close_wizard()
        wizard = self.open_wizard(action, self.office, {"criterion": "customer_accepts", "evidence": "Phone call"})
        wizard.action_confirm()
        self.assertEqual(case.state, "closed")
