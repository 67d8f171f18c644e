from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .compensation_common import DEPUTY_GM, FINANCE, ComplaintCompensationCase


@tagged("post_install", "-at_install")
class TestCompensationTiers(ComplaintCompensationCase):

    def setUp(self):
        super().setUp()
        self.finance_group = self.env.ref(FINANCE)
        self.deputy_group = self.env.ref(DEPUTY_GM)
        self.leadership_group = self.env.ref("addon_complaints.group_complaint_leadership")

    def test_department_manager_up_to_the_limit_exactly(self):
        compensation = self.submitted(500.00)
        self.assertEqual(compensation.state, "to_approve")
        self.assertEqual(self.chain(compensation), [self.manager])

    def test_finance_one_cent_above_the_department_limit(self):
        self.assertEqual(self.chain(self.submitted(500.01)), [self.finance_group])

    def test_finance_up_to_its_limit_exactly(self):
        self.assertEqual(self.chain(self.submitted(5000.00)), [self.finance_group])

    def test_finance_then_deputy_one_cent_above_the_finance_limit(self):
        self.assertEqual(self.chain(self.submitted(5000.01)),
                         [self.finance_group, self.deputy_group])

    def test_a_free_replacement_costing_nothing_is_still_approved(self):
        compensation = self.submitted(0.0, remedy=self.remedy_replacement)
        self.assertEqual(self.chain(compensation), [self.manager])

    def test_crisis_cases_always_reach_the_leadership(self):
        case = self.case_in_handling(affected_count=12)
        self.assertEqual(case.level, "crisis")
        small = self.propose(100, case=case)
        small.with_user(self.handler).action_submit()
        self.assertEqual(self.chain(small), [self.manager, self.leadership_group])
        large = self.propose(8000, case=case)
        large.with_user(self.handler).action_submit()
        self.assertEqual(self.chain(large),
                         [self.finance_group, self.deputy_group, self.leadership_group])

    def test_remedy_condition_and_named_user(self):
        """A tier can be limited to some remedies and name a user as approver."""
        self.env["complaint.approval.tier"].create({
            "name": "Vouchers: the deputy general manager in person",
            "sequence": 25,
            "remedy_type_ids": [(6, 0, self.remedy_voucher.ids)],
            "step_ids": [(0, 0, {"approver_type": "user", "user_id": self.deputy.id})],
        })
        voucher = self.submitted(300, remedy=self.remedy_voucher)
        self.assertEqual(self.chain(voucher), [self.manager, self.deputy])
        self.assertEqual(self.chain(self.submitted(300)), [self.manager])

    def test_each_approver_appears_once_in_the_chain(self):
        self.tier_crisis.step_ids.group_id = self.finance_group
        case = self.case_in_handling(affected_count=12)
        compensation = self.propose(6000, case=case)
        compensation.with_user(self.handler).action_submit()
        self.assertEqual(self.chain(compensation), [self.finance_group, self.deputy_group])

    def test_the_chain_is_frozen_at_submission(self):
        compensation = self.submitted(3000)
        self.tier_finance.step_ids.group_id = self.deputy_group
        self.tier_finance.amount_max = 10000
        self.assertEqual(self.chain(compensation), [self.finance_group])
        with self.assertRaises(AccessError):
            compensation.with_user(self.deputy).action_approve()
        compensation.with_user(self.finance).action_approve()
        self.assertEqual(compensation.state, "approved")

    def test_department_manager_who_proposes_goes_up_the_tree(self):
        self.dept_root.manager_id = self.office
        case = self.case_in_handling()
        compensation = self.propose(200, case=case, user=self.manager)
        compensation.with_user(self.manager).action_submit()
        self.assertEqual(self.chain(compensation), [self.office])

    def test_no_tier_no_approval(self):
        self.tier_deputy.active = False
        compensation = self.propose(9000)
        with self.assertRaisesRegex(UserError, "No approval tier"):
            compensation.with_user(self.handler).action_submit()
        self.assertEqual(compensation.state, "draft")

    def test_a_step_nobody_can_approve_stops_the_submission(self):
        self.deputy.groups_id = [(3, self.deputy_group.id)]
        self.deputy_group.users.filtered(lambda user: user != self.handler).groups_id = [
            (3, self.deputy_group.id)]
        compensation = self.propose(6000)
        with self.assertRaisesRegex(UserError, "Nobody but the proposer"):
            compensation.with_user(self.handler).action_submit()
        self.assertFalse(compensation.approval_line_ids)

    def test_tier_range_must_make_sense(self):
        with self.assertRaises(ValidationError):
            self.env["complaint.approval.tier"].create({
                "name": "Upside down", "amount_min": 500, "amount_max": 100,
                "step_ids": [(0, 0, {"approver_type": "group", "group_id": self.finance_group.id})],
            })
        with self.assertRaises(ValidationError):
            self.env["complaint.approval.tier"].create({"name": "Nobody approves"})


@tagged("post_install", "-at_install")
class TestCompensationCurrency(ComplaintCompensationCase):

    def test_amount_converted_at_the_proposal_date(self):
        other = self.other_currency()
        compensation = self.propose(100, currency_id=other.id, date_proposal="2025-02-01")
        self.assertAlmostEqual(compensation.amount_company, 200.0)
        compensation.date_proposal = "2025-03-15"
        self.assertAlmostEqual(compensation.amount_company, 400.0)

    def test_tiers_read_the_company_currency_amount(self):
        """250 in the other currency is 500 company units: the department limit exactly;
        one cent more goes to finance."""
        other = self.other_currency()
        at_limit = self.propose(250, currency_id=other.id, date_proposal="2025-02-01")
        at_limit.with_user(self.handler).action_submit()
        self.assertEqual(self.chain(at_limit), [self.manager])
        above = self.propose(250.01, currency_id=other.id, date_proposal="2025-02-01")
        above.with_user(self.handler).action_submit()
        self.assertAlmostEqual(above.amount_company, 500.02)
        self.assertEqual(self.chain(above), [self.env.ref(FINANCE)])
        line = above.approval_line_ids
        self.assertEqual(line.currency_id, other)
        self.assertAlmostEqual(line.amount, 250.01)
        self.assertAlmostEqual(line.amount_company, 500.02)

    def test_stored_reporting_fields_come_from_the_case(self):
        compensation = self.propose(100)
        self.assertEqual(compensation.department_id, self.dept_logistics)
        self.assertEqual(compensation.cause_type, "company")
        self.assertEqual(compensation.level, "normal")
        for fname in ("department_id", "cause_type", "level", "amount_company", "date_submitted",
                      "date_approved", "date_paid", "state"):
            self.assertTrue(compensation._fields[fname].store, fname)
