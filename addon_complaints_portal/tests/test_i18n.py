import polib
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install")
class TestPortalChineseTranslation(TransactionCase):
    """Every string of the portal ships with its Chinese translation."""

    def test_every_exported_term_is_translated(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        po = polib.pofile(file_path("addon_complaints_portal/i18n/zh_CN.po"))
        translated = {entry.msgid for entry in po if entry.msgstr.strip()}
        reader = TranslationModuleReader(self.env.cr, modules=["addon_complaints_portal"],
                                         lang="zh_CN")
        missing = sorted({source for _m, _t, _n, _r, source, _v, _c in reader} - translated)
        self.assertFalse(missing, "terms without a Chinese translation:\n" + "\n".join(missing[:50]))

    def test_the_customer_reads_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search([("name", "=", "addon_complaints_portal")]) \
            ._update_translations(["zh_CN"], overwrite=True)
        case = self.env["complaint.case"].with_context(lang="zh_CN").new({"state": "replied"})
        self.assertRegex(case._portal_state_words(), r"[\u4e00-\u9fff]")
