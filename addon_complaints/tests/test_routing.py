from odoo.tests import tagged

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestRouting(ComplaintCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Rule = cls.env["complaint.routing.rule"]
        Rule.search([]).active = False  # only the rules of this test
        cls.rule_driver = Rule.create({"name": "Driver", "sequence": 5, "keywords": "司机，送货员",
                                       "department_id": cls.dept_logistics.id})
        cls.rule_service = Rule.create({"name": "Service", "sequence": 10,
                                        "category_id": cls.cat_service.id,
                                        "department_id": cls.dept_marketing.id})
        cls.rule_regulator = Rule.create({"name": "Regulator", "sequence": 1,
                                          "channel_id": cls.channel_regulator.id,
                                          "department_id": cls.dept_office.id})

    def test_category_rule_matches_subcategories(self):
        case = self.register(category_id=self.cat_delivery.id)
        self.assertEqual(case.proposed_department_id, self.dept_marketing)

    def test_keywords_in_chinese_win_by_sequence(self):
        case = self.register(description="送货员态度恶劣")
        self.assertEqual(case.proposed_department_id, self.dept_logistics)

    def test_channel_rule(self):
        case = self.register(channel_id=self.channel_regulator.id)
        self.assertEqual(case.proposed_department_id, self.dept_office)

    def test_no_rule_no_proposal(self):
        case = self.register(category_id=self.cat_quality.id)
        self.assertFalse(case.proposed_department_id)

    def test_the_office_overrides_the_proposal(self):
        case = self.accepted(category_id=self.cat_delivery.id)
        action = case.with_user(self.office).action_open_dispatch_wizard()
        wizard = self.open_wizard(action, self.office, {})
        self.assertEqual(wizard.department_id, self.dept_marketing, "the proposal is pre-filled")
        wizard.department_id = self.dept_logistics
        wizard.action_confirm()
        self.assertEqual(case.department_id, self.dept_logistics)
