from odoo.tests import tagged

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestRepeatAndLevel(ComplaintCase):

    def test_first_complaint_is_normal(self):
        self.assertEqual(self.register().level, "normal")

    def test_repeat_of_an_open_matter_is_recorded_on_the_original(self):
        original = self.accepted()
        repeat = self.register(user=self.clerk2, description="Still not delivered!")
        self.assertEqual(repeat.state, "merged")
        self.assertEqual(repeat.repeat_of_id, original)
        self.assertEqual(original.repeat_count, 2)
        self.assertEqual(original.level, "urgent")
        self.assertIn("Still not delivered!", original.message_ids[0].body)
        self.register(user=self.clerk2, description="Third call")
        self.assertEqual(original.repeat_count, 3)
        self.assertEqual(original.level, "major")
        self.assertEqual(len(original.sudo().repeat_ids), 2, "repeats from other clerks are linked too")

    def test_repeat_of_a_closed_matter_opens_a_linked_case(self):
        original = self.register()
        original.action_accept()
        original.with_user(self.office).action_rule_invalid()
        original.with_user(self.office).action_close("ruled_invalid", "Misunderstanding")
        repeat = self.register()
        self.assertEqual(repeat.state, "draft")
        self.assertEqual(repeat.repeat_of_id, original)
        self.assertEqual(repeat.repeat_count, 2)
        self.assertEqual(repeat.level, "urgent")

    def test_other_category_or_customer_is_not_a_repeat(self):
        self.accepted()
        other = self.register(category_id=self.cat_quality.id)
        self.assertFalse(other.repeat_of_id)
        someone_else = self.env["res.partner"].create({"name": "Li Lei"})
        third = self.register(partner_id=someone_else.id)
        self.assertFalse(third.repeat_of_id)

    def test_outside_the_window_is_not_a_repeat(self):
        from datetime import timedelta

        from odoo import fields

        self.company.complaint_repeat_window_days = 30
        self.accepted(date_received=fields.Datetime.now() - timedelta(days=40))
        self.assertFalse(self.register().repeat_of_id)

    def test_regulator_forwarded_is_a_crisis(self):
        self.assertEqual(self.register(channel_id=self.channel_regulator.id).level, "crisis")
        self.assertTrue(self.register(channel_id=self.channel_regulator.id,
                                      category_id=self.cat_quality.id).is_regulator_forwarded)

    def test_media_is_a_crisis(self):
        self.assertEqual(self.register(channel_id=self.channel_media.id).level, "crisis")

    def test_group_complaint_is_a_crisis(self):
        self.assertEqual(self.register(affected_count=9).level, "normal")
        self.assertEqual(self.register(affected_count=10, category_id=self.cat_quality.id).level,
                         "crisis")

    def test_a_batch_import_links_partners_and_repeats_like_one_by_one(self):
        base = {"subject": "Late", "demand_type": "complaint", "channel_id": self.channel_email.id,
                "partner_name": "Qian Hao", "partner_phone": "13700000001",
                "description": "Late again", "category_id": self.cat_delivery.id}
        cases = self.env["complaint.case"].with_user(self.clerk).create([
            dict(base, date_received="2026-03-02 09:00:00"),
            dict(base, date_received="2026-03-03 09:00:00"),
            dict(base, partner_name="Sun Yu", partner_phone="13700000002",
                 date_received="2026-03-03 10:00:00"),
        ])
        first, repeat, other = cases
        self.assertEqual(first.partner_id, repeat.partner_id, "one new partner per new customer")
        self.assertNotEqual(first.partner_id, other.partner_id)
        self.assertEqual(repeat.state, "merged")
        self.assertEqual(repeat.repeat_of_id, first)
        self.assertEqual(first.repeat_count, 2)
        self.assertFalse(other.repeat_of_id)
