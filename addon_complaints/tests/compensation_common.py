from odoo import fields
from odoo.tests import new_test_user

from .common import ComplaintCase

FINANCE = "addon_complaints.group_complaint_finance"
DEPUTY_GM = "addon_complaints.group_complaint_deputy_gm"


class ComplaintCompensationCase(ComplaintCase):
    """The lifecycle fixture plus the people who approve and pay compensation, with the
    approval tiers shipped as presets: up to 500 the department manager, up to 5,000
    finance, above that finance then the deputy general manager, crisis cases the
    leadership as well."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.finance = new_test_user(cls.env, "t_finance", groups=f"base.group_user,{FINANCE}",
                                    name="Finance Qian")
        cls.finance2 = new_test_user(cls.env, "t_finance2", groups=f"base.group_user,{FINANCE}",
                                     name="Finance Zhou")
        cls.deputy = new_test_user(cls.env, "t_deputy", groups=f"base.group_user,{DEPUTY_GM}",
                                   name="Deputy GM Wu")
        cls.currency = cls.company.currency_id
        cls.remedy_cash = cls.env.ref("addon_complaints.complaint_remedy_type_cash")
        cls.remedy_voucher = cls.env.ref("addon_complaints.complaint_remedy_type_voucher")
        cls.remedy_replacement = cls.env.ref(
            "addon_complaints.complaint_remedy_type_free_replacement")
        cls.tier_department = cls.env.ref("addon_complaints.complaint_approval_tier_department")
        cls.tier_finance = cls.env.ref("addon_complaints.complaint_approval_tier_finance")
        cls.tier_deputy = cls.env.ref("addon_complaints.complaint_approval_tier_deputy_gm")
        cls.tier_crisis = cls.env.ref("addon_complaints.complaint_approval_tier_crisis")
        # The presets belong to the main company; the tests run in it.
        cls.env["complaint.approval.tier"].search(
            [("company_id", "=", cls.company.id)]).filtered(
            lambda tier: tier not in (cls.tier_department | cls.tier_finance | cls.tier_deputy
                                      | cls.tier_crisis)).active = False

    def case_in_handling(self, **values):
        """A case in handling with its handling sheet filled in, for a customer of its own
        (the same customer twice would be a repeat complaint)."""
        self._customers = getattr(self, "_customers", 0) + 1
        customer = {"partner_id": False, "partner_name": f"Customer {self._customers}",
                    "partner_phone": f"1390000{self._customers:04d}", "partner_email": False}
        customer.update(values)
        case = self.handling(**customer)
        self.fill_handling_sheet(case)
        return case

    def propose(self, amount, case=None, user=None, remedy=None, **values):
        case = case or self.case_in_handling()
        vals = {
            "case_id": case.id,
            "remedy_type_id": (remedy or self.remedy_cash).id,
            "amount": amount,
            "amount_claimed": amount * 2,
            "justification": "The delay was the company's fault (no spare truck).",
        }
        vals.update(values)
        return self.env["complaint.compensation"].with_user(user or self.handler).create(vals)

    def submitted(self, amount, user=None, **values):
        compensation = self.propose(amount, user=user, **values)
        compensation.with_user(user or self.handler).action_submit()
        return compensation

    def chain(self, compensation):
        """The approvers of the current round, in order."""
        lines = compensation.approval_line_ids.filtered(
            lambda line: line.round == compensation.approval_round).sorted("sequence")
        return [line.user_id or line.group_id for line in lines]

    def other_currency(self):
        """A currency other than the company's, active, with a rate history."""
        other = self.env.ref("base.EUR")
        if other == self.currency:
            other = self.env.ref("base.USD")
        other.active = True
        self.env["res.currency.rate"].search([("currency_id", "in", (other | self.currency).ids)]).unlink()
        Rate = self.env["res.currency.rate"]
        # 1 company unit = 0.5 other units on 1 January, 0.25 from 1 March.
        Rate.create({"name": "2025-01-01", "rate": 0.5, "currency_id": other.id,
                     "company_id": self.company.id})
        Rate.create({"name": "2025-03-01", "rate": 0.25, "currency_id": other.id,
                     "company_id": self.company.id})
        return other

    @staticmethod
    def today():
        return fields.Date.today()
