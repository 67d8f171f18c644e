from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import ComplaintCase

DELIVERY = ["网上下单{n}天了还没送到，物流一直不更新，要求尽快处理",
            "约好上午送货，等到晚上也没有人来送货，快递员电话也打不通",
            "快递显示已签收，但是我根本没收到包裹，物流信息是假的"]
# Customers who mention both: the office filed some under delivery, some under quality.
MIXED = ["快递送来的冰箱开机没反应，物流也慢", "送货晚了三天，送来的洗衣机还是坏的"]
QUALITY = ["新买的电饭煲用了{n}天就坏了，开机没反应，要求换新",
           "冰箱运行时声音特别大，还有焦味，质量太差了",
           "洗衣机屏幕黑屏，送修以后还是坏的，质量有问题"]


@tagged("post_install", "-at_install")
class TestTriage(ComplaintCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["complaint.routing.rule"].search([]).active = False
        cls.company.write({"complaint_triage_min_cases": 12, "complaint_triage_threshold": 0.6})
        cls.serial = 0
        cls.history()
        cls.train()

    @classmethod
    def closed_case(cls, text, category, department, confidential=False):
        """A case closed as the office would close it, with its final category and the
        department that handled it."""
        cls.serial += 1
        case = cls.env["complaint.case"].with_user(cls.clerk).create({
            "subject": text[:10], "description": text, "customer_demand": "要求处理",
            "category_id": category.id, "demand_type": "complaint",
            "channel_id": cls.channel_email.id, "partner_name": f"客户{cls.serial}",
            "partner_phone": f"1390000{cls.serial:04d}", "confidential": confidential})
        case.action_accept()
        case.with_user(cls.office).action_dispatch(department)
        case.with_user(cls.office).action_rule_invalid()
        case.with_user(cls.office).action_close("ruled_invalid", "Misunderstanding")
        return case

    @classmethod
    def history(cls, rounds=3, **kw):
        for n in range(rounds):
            for text in DELIVERY:
                cls.closed_case(text.format(n=n + 2), cls.cat_delivery, cls.dept_logistics, **kw)
            for text in QUALITY:
                cls.closed_case(text.format(n=n + 2), cls.cat_quality, cls.dept_marketing, **kw)
            for i, text in enumerate(MIXED):
                delivery = (n + i) % 2
                cls.closed_case(text, cls.cat_delivery if delivery else cls.cat_quality,
                                cls.dept_logistics if delivery else cls.dept_marketing, **kw)

    @classmethod
    def train(cls, company=None):
        cls.env["complaint.triage.model"]._train_companies(company or cls.company)

    def new_case(self, text, **values):
        vals = {"subject": text[:10], "description": text, "customer_demand": "要求处理",
                "category_id": False, "partner_id": False, "partner_name": "新客户",
                "partner_phone": "13611112222"}
        vals.update(values)
        return self.register(**vals)

    def test_silent_with_too_little_history(self):
        self.company.complaint_triage_min_cases = 200
        self.train()
        models = self.env["complaint.triage.model"].search([("company_id", "=", self.company.id)])
        self.assertEqual(set(models.mapped("state")), {"silent"})
        case = self.new_case("快递三天还没送到，物流不更新")
        self.assertFalse(case.triage_category_id)
        self.assertFalse(case.category_id)
        self.assertIn("200", case.triage_explanation, "it says how much history it needs")

    def test_confident_suggestion_fills_the_category_and_proposes_the_department(self):
        case = self.new_case("我网上下单一周了还没送到，物流信息一直不动")
        self.assertEqual(case.triage_category_id, self.cat_delivery)
        self.assertGreaterEqual(case.triage_category_confidence, 0.6)
        self.assertEqual(case.category_id, self.cat_delivery, "pre-filled")
        self.assertEqual(case.triage_category_outcome, "kept")
        self.assertEqual(case.proposed_department_id, self.dept_logistics)
        self.assertTrue(case.proposed_department_suggested)
        self.assertIn("<mark>", case.triage_explanation)

    def test_the_form_suggests_while_the_clerk_types(self):
        with Form(self.env["complaint.case"].with_user(self.clerk)) as form:
            form.subject = "电饭煲坏了"
            form.channel_id = self.channel_phone
            form.partner_name = "王芳"
            form.description = "新买的电饭煲用了三天就坏了，开机没反应"
            self.assertEqual(form.category_id, self.cat_quality)
            form.category_id = self.cat_delivery  # the clerk knows better
        case = form.record
        self.assertEqual(case.category_id, self.cat_delivery)
        self.assertEqual(case.triage_category_id, self.cat_quality)
        self.assertEqual(case.triage_category_outcome, "changed")

    def test_below_the_threshold_the_top_three_are_offered(self):
        ambiguous = "送来的冰箱开机没反应，物流慢"
        confidence = self.new_case(ambiguous).triage_category_confidence
        self.assertLess(confidence, 0.999)
        self.company.complaint_triage_threshold = 0.999
        case = self.new_case(ambiguous, partner_phone="13611114444")
        self.assertFalse(case.category_id, "not confident enough to fill it")
        self.assertFalse(case.triage_prefilled)
        self.assertIn("%", case.triage_explanation)
        self.assertFalse(case.proposed_department_suggested)
        case.with_user(self.clerk).category_id = self.cat_quality
        self.assertEqual(case.triage_category_outcome, "offered")

    def test_the_clerks_change_is_recorded(self):
        case = self.new_case("快递显示签收了但是没收到包裹")
        self.assertEqual(case.category_id, self.cat_delivery)
        self.end_transaction()
        case.with_user(self.clerk).category_id = self.cat_quality
        self.end_transaction()
        self.assertEqual(case.triage_category_outcome, "changed")
        tracked = case.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "triage_category_outcome")
        self.assertTrue(tracked, "the change of the suggested category is in the history")
        self.assertEqual(tracked.mail_message_id.author_id, self.clerk.partner_id)

    def test_routing_rules_win_where_they_match(self):
        self.env["complaint.routing.rule"].create({
            "name": "Couriers", "keywords": "快递", "department_id": self.dept_county.id})
        case = self.new_case("快递显示已签收但是没收到")
        self.assertEqual(case.triage_department_id, self.dept_logistics)
        self.assertEqual(case.proposed_department_id, self.dept_county)
        self.assertFalse(case.proposed_department_suggested)
        other = self.new_case("物流一直不更新，下单十天了还没送到", partner_phone="13611113333")
        self.assertEqual(other.proposed_department_id, self.dept_logistics, "the model fills the gaps")

    def test_one_company_never_learns_from_another(self):
        company_b = self.env["res.company"].create({"name": "Company B", "complaint_triage_min_cases": 1})
        self.train(company_b)
        models_b = self.env["complaint.triage.model"].search([("company_id", "=", company_b.id)])
        self.assertEqual(models_b.mapped("training_cases"), [0, 0])
        self.assertEqual(set(models_b.mapped("state")), {"silent"})
        self.env.user.company_ids |= company_b
        case_b = self.env["complaint.case"].with_company(company_b).create({
            "company_id": company_b.id, "subject": "没送到", "description": "快递显示已签收但是没收到",
            "channel_id": self.channel_phone.id, "partner_name": "赵六"})
        self.assertFalse(case_b.triage_category_id)
        self.assertFalse(case_b.category_id)

    def test_confidential_text_is_learned_only_where_allowed(self):
        self.closed_case("举报店长私自收受回扣，回扣金额很大", self.cat_service, self.dept_office, confidential=True)
        self.train()
        model = self.env["complaint.triage.model"].search(
            [("company_id", "=", self.company.id), ("target", "=", "category")])
        self.assertEqual(model.training_cases, 24)
        self.assertNotIn("回扣", model.payload)
        self.company.complaint_triage_use_confidential = True
        self.train()
        self.assertEqual(model.training_cases, 25)
        self.assertIn("回扣", model.payload)

    def test_the_model_is_not_readable_by_clerks(self):
        with self.assertRaises(AccessError):
            self.env["complaint.triage.model"].with_user(self.clerk).search([]).read(["payload"])


@tagged("post_install", "-at_install")
class TestPossibleRepeats(ComplaintCase):

    def earlier(self, **values):
        vals = {"subject": "冰箱坏了", "description": "上周买的冰箱运行时声音特别大，还有焦味，要求退货",
                "partner_id": False, "partner_name": "钱七", "partner_phone": "13912345678",
                "partner_email": False, "category_id": self.cat_quality.id, "customer_demand": "要求退货",
                "date_received": fields.Datetime.now() - timedelta(days=3)}
        vals.update(values)
        return self.register(**vals)

    def test_a_paraphrase_with_another_phone_format_is_listed_with_its_reasons(self):
        original = self.earlier()
        original.action_accept()
        self.earlier(subject="手机", description="手机屏幕碎了", partner_name="孙八",
                     partner_phone="13700000000", customer_demand="要求赔偿")
        repeat = self.register(subject="冰箱问题", partner_id=False, partner_name="钱七",
                               partner_phone="+86 139-1234-5678", partner_email=False,
                               category_id=self.cat_delivery.id, customer_demand="要求处理",
                               description="我之前投诉过，上周购买的冰箱运行时声音特别大还有焦味，希望退货")
        self.assertFalse(repeat.repeat_of_id, "not the same category: the existing rule misses it")
        lines = repeat.with_user(self.clerk).repeat_candidate_ids
        self.assertEqual(lines[:1].candidate_id, original)
        self.assertTrue(lines[0].same_phone)
        self.assertGreater(lines[0].text_similarity, 0.3)
        self.assertIn("%", lines[0].reason)
        self.assertEqual(len(lines), 1, "the unrelated case is not listed")

    def test_confirming_links_and_counts_as_the_repeat_rule(self):
        original = self.earlier()
        original.action_accept()
        repeat = self.register(subject="冰箱", partner_id=False, partner_name="钱七",
                               partner_phone="139 12345678", partner_email=False,
                               category_id=self.cat_delivery.id, customer_demand="要求处理",
                               description="冰箱运行时声音特别大，还有焦味，到现在没人管")
        line = repeat.with_user(self.clerk).repeat_candidate_ids[:1]
        self.assertEqual(line.state, "proposed")
        self.assertFalse(repeat.repeat_of_id, "nothing is linked before the clerk decides")
        line.action_confirm()
        self.assertEqual(line.state, "confirmed")
        self.assertEqual(line.decided_by_id, self.clerk)
        self.assertEqual(repeat.repeat_of_id, original)
        self.assertEqual(repeat.state, "merged")
        self.assertEqual(original.repeat_count, 2)
        self.assertEqual(original.level, "urgent")

    def test_dismissing_links_nothing(self):
        original = self.earlier()
        repeat = self.register(subject="冰箱", partner_id=False, partner_name="钱七",
                               partner_phone="13912345678", partner_email=False,
                               category_id=self.cat_delivery.id, customer_demand="要求处理",
                               description="冰箱运行时声音特别大，还有焦味")
        line = repeat.with_user(self.clerk).repeat_candidate_ids[:1]
        line.action_dismiss()
        self.assertEqual(line.state, "dismissed")
        self.assertFalse(repeat.repeat_of_id)
        self.assertEqual(original.repeat_count, 1)

    def test_another_clerk_cannot_decide(self):
        self.earlier()
        repeat = self.register(subject="冰箱", partner_id=False, partner_name="钱七",
                               partner_phone="13912345678", partner_email=False,
                               category_id=self.cat_delivery.id, customer_demand="要求处理",
                               description="冰箱运行时声音特别大，还有焦味")
        self.assertTrue(repeat.sudo().repeat_candidate_ids)
        self.assertFalse(self.env["complaint.repeat.candidate"].with_user(self.clerk2).search(
            [("case_id", "=", repeat.id)]))

    def test_group_complaint_raises_the_level_and_notifies_the_office(self):
        now = fields.Datetime.now()
        cases = self.env["complaint.case"]
        for i in range(10):
            cases |= self.register(
                subject="食物中毒", partner_id=False, partner_name=f"顾客{i}",
                partner_phone=f"1350000{i:04d}", partner_email=False, location="南京东路店",
                category_id=self.cat_quality.id, date_received=now - timedelta(hours=i),
                description=f"在南京东路店吃了熟食以后上吐下泻，一起吃的{i + 2}个人都不舒服",
                customer_demand="要求赔偿医药费")
            if i < 8:
                self.assertEqual(cases[-1].level, "normal")
        self.assertEqual(set(cases.mapped("level")), {"crisis"})
        self.assertTrue(all(c.group_complaint_size >= 10 for c in cases))
        notice = cases[-1].message_ids.filtered(lambda m: "Group complaint" in (m.body or ""))
        self.assertTrue(notice)
        self.assertIn(self.office.partner_id, notice.partner_ids)
        unrelated = self.register(subject="价格", partner_id=False, partner_name="路人",
                                  partner_phone="13500009999", location="南京东路店",
                                  description="价签和结账价格不一致", customer_demand="要求退差价",
                                  category_id=self.cat_service.id)
        self.assertEqual(unrelated.level, "normal", "same store, other event")

    def _food_poisoning(self, i, now, **values):
        return {
            "subject": "食物中毒", "demand_type": "complaint", "channel_id": self.channel_email.id,
            "partner_name": f"顾客{i}", "partner_phone": f"1350000{i:04d}", "location": "南京东路店",
            "category_id": self.cat_quality.id, "date_received": now - timedelta(hours=i),
            "description": f"在南京东路店吃了熟食以后上吐下泻，一起吃的{i + 2}个人都不舒服",
            "customer_demand": "要求赔偿医药费", **values}

    def test_group_complaint_imported_in_one_batch(self):
        """The worker creates a page of orders in one call: the group is found among the cases
        of the batch itself, as when they are registered one by one, and only among them."""
        integration = new_test_user(self.env, "t_integration_group",
                                    groups="base.group_user,addon_complaints.group_complaint_integration")
        now = fields.Datetime.now()
        other_company = self.env["res.company"].create({"name": "Other Stores"})
        elsewhere = self.env["complaint.case"].create([
            self._food_poisoning(20 + i, now, company_id=other_company.id) for i in range(5)])
        vals_list = [self._food_poisoning(i, now) for i in range(9)] + [
            # same store, another matter; same matter, another store; out of the window
            self._food_poisoning(30, now, description="价签和结账价格不一致", subject="价格",
                                 customer_demand="要求退差价"),
            self._food_poisoning(31, now, location="人民广场店"),
            self._food_poisoning(32, now, date_received=now - timedelta(days=10)),
        ]
        batch = self.env["complaint.case"].with_user(integration).create([
            dict(vals, external_source="hotline", external_ref=f"GRP-{n}") for n, vals in enumerate(vals_list)])
        self.assertEqual(set(batch.mapped("level")), {"normal"}, "nine customers are not yet a group")
        self.assertEqual(set(elsewhere.mapped("level")), {"normal"})
        tenth = self.register(**{k: v for k, v in self._food_poisoning(9, now).items()
                                 if k not in ("demand_type", "channel_id")}, partner_id=False,
                              partner_email=False)
        group = batch[:9] | tenth
        self.assertEqual(set(group.mapped("level")), {"crisis"})
        self.assertEqual(set(group.mapped("group_complaint_size")), {10})
        self.assertEqual(set(batch[9:].mapped("level")), {"normal"})
        self.assertEqual(set(elsewhere.mapped("level")), {"normal"}, "another company's cases are not counted")
        # the same ten cases arriving together are the same group
        again = self.env["complaint.case"].with_user(integration).create([
            self._food_poisoning(i, now - timedelta(days=30), external_source="hotline",
                                 external_ref=f"GRP-AGAIN-{i}") for i in range(10)])
        self.assertEqual(set(again.mapped("group_complaint_size")), {10})
        self.assertEqual(set(again.mapped("level")), {"crisis"})
        self.assertEqual(len(again.message_ids.filtered(lambda m: "Group complaint" in (m.body or ""))), 1,
                         "the office is told once for the batch")

    def test_handlers_neither_see_nor_search_possible_repeats(self):
        self.earlier()
        repeat = self.register(subject="冰箱", partner_id=False, partner_name="钱七",
                               partner_phone="13912345678", partner_email=False,
                               category_id=self.cat_delivery.id, customer_demand="要求处理",
                               description="冰箱运行时声音特别大，还有焦味")
        with self.assertRaises(AccessError):
            self.env["complaint.repeat.candidate"].with_user(self.handler).search([])
        with self.assertRaises(AccessError):
            repeat.with_user(self.clerk2).action_find_possible_repeats()
        repeat.with_user(self.clerk).action_find_possible_repeats()
        self.assertEqual(len(repeat.sudo().repeat_candidate_ids), 1, "looking again lists nothing twice")
