import polib
from odoo.tests import tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestChineseTranslation(ComplaintCase):
    """Every user-facing string of the add-on ships with its Chinese translation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["addon_complaints"], ["zh_CN"], overwrite=True)

    def test_every_exported_term_is_translated(self):
        po = polib.pofile(file_path("addon_complaints/i18n/zh_CN.po"))
        translated = {entry.msgid for entry in po if entry.msgstr.strip()}
        reader = TranslationModuleReader(self.env.cr, modules=["addon_complaints"], lang="zh_CN")
        missing = sorted({source for _m, _t, _n, _r, source, _v, _c in reader} - translated)
        self.assertFalse(missing, "terms without a Chinese translation:\n" + "\n".join(missing[:50]))

    def test_the_interface_speaks_chinese(self):
        fields_zh = self.env["complaint.case"].with_context(lang="zh_CN").fields_get(["state", "subject"])
        labels = dict(fields_zh["state"]["selection"])
        self.assertNotEqual(labels["closed"], "Closed")
        self.assertRegex(labels["closed"], r"[\u4e00-\u9fff]")
        self.assertRegex(fields_zh["subject"]["string"], r"[\u4e00-\u9fff]")

    def test_a_chinese_customer_gets_a_chinese_receipt(self):
        self.partner.lang = "zh_CN"
        case = self.accepted()
        self.assertRegex(case.notice_ids.subject, r"[\u4e00-\u9fff]")
        self.assertIn(case.name, case.notice_ids.content)

    def test_messages_raised_to_users_are_translated(self):
        case = self.register(description=False)
        case = case.with_context(lang="zh_CN")
        with self.assertRaisesRegex(Exception, r"[\u4e00-\u9fff]"):
            case.action_accept()
