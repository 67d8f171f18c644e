import polib
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

MODULE = "addon_complaints_account"


@tagged("post_install", "-at_install")
class TestChineseTranslation(TransactionCase):
    """Every user-facing string of the accounting bridge ships with its Chinese translation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms([MODULE], ["zh_CN"], overwrite=True)

    def test_every_exported_term_is_translated(self):
        po = polib.pofile(file_path(f"{MODULE}/i18n/zh_CN.po"))
        translated = {entry.msgid for entry in po if entry.msgstr.strip()}
        reader = TranslationModuleReader(self.env.cr, modules=[MODULE], lang="zh_CN")
        missing = sorted({source for _m, _t, _n, _r, source, _v, _c in reader} - translated)
        self.assertFalse(missing, "terms without a Chinese translation:\n" + "\n".join(missing[:50]))

    def test_the_accounting_state_speaks_chinese(self):
        fields_zh = self.env["complaint.compensation"].with_context(lang="zh_CN").fields_get(
            ["accounting_state"])
        labels = dict(fields_zh["accounting_state"]["selection"])
        self.assertRegex(labels["paid"], r"[\u4e00-\u9fff]")
        self.assertRegex(fields_zh["accounting_state"]["string"], r"[\u4e00-\u9fff]")
