from unittest.mock import patch

from odoo.tests import tagged

from .common import PortalHttpCase
from .test_portal_track import RANDBELOW


@tagged("post_install", "-at_install")
class TestPortalTour(PortalHttpCase):
    """A customer on a phone-sized screen, in Chinese, files, follows, adds to and rates a
    complaint in a real browser."""

    browser_size = "390x844"
    touch_enabled = True

    def test_customer_journey_in_chinese_on_a_phone(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search([("name", "in", ["addon_complaints", "addon_complaints_portal"])]) \
            ._update_translations(["zh_CN"], overwrite=True)
        self.cat_delivery.with_context(lang="zh_CN").name = "快递延误"

        self.start_tour("/zh_CN/complaints/new", "complaint_portal_zh_submit")
        case = self.env["complaint.case"].search([("partner_phone", "=", "13812345678")])
        self.assertEqual(len(case), 1)
        self.assertEqual(case.partner_id.name, "王芳")
        self.assertEqual(case.channel_id.code, "web")
        case.with_user(self.office).action_accept()

        with patch(RANDBELOW, return_value=135790):
            self.start_tour(f"/zh_CN/complaints/track?reference={case.name}",
                            "complaint_portal_zh_track")
        added = case.message_ids.filtered(lambda m: "SF1234567890" in (m.body or ""))
        self.assertEqual(len(added), 1)

        self.walk_to_reply(case)
        self.start_tour(f"/zh_CN{case.get_portal_url()}", "complaint_portal_zh_survey")
        self.assertEqual(case.satisfaction, "satisfied")
        self.assertIn("处理得很快", case.callback_note)
