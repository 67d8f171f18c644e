import os
import shutil
import subprocess
import tempfile
import unittest

from odoo.tests import tagged
from odoo.tools import mute_logger

from .compensation_common import ComplaintCompensationCase

REPORT = "addon_complaints.complaint_case_report_handling_sheet"


@tagged("post_install", "-at_install")
class TestHandlingSheetReport(ComplaintCompensationCase):

    def setUp(self):
        super().setUp()
        self.case = self.case_in_handling(subject="快递延误", partner_name="张伟",
                                          description="承诺周一送达，周三才到。")
        self.compensation = self.propose(8000, case=self.case)
        self.compensation.with_user(self.handler).action_submit()
        self.compensation.with_user(self.finance).action_approve("符合政策")
        self.compensation.with_user(self.deputy).action_approve("Agreed")

    def test_html_has_every_part_of_the_sheet(self):
        html, report_type = self.env["ir.actions.report"].with_user(self.office)._render_qweb_html(
            REPORT, self.case.ids)
        self.assertEqual(report_type, "html")
        html = html.decode()
        for text in ("客户投诉处理单", "Customer Complaint Handling Sheet", "快递延误", "张伟",
                     "Facts and evidence", "The truck broke down", "Cause analysis",
                     "No spare truck was planned.", "Handling opinion", "Verification",
                     "Four elements", "Handler Wang", "Compensation", "Cash compensation",
                     "符合政策", "Finance Qian", "Deputy GM Wu", "Signatures",
                     "Noto Sans CJK SC"):
            self.assertIn(text, html)

    def test_confidential_complainant_is_not_printed_outside_the_office(self):
        self.case.with_user(self.office).action_mark_confidential()
        html = self.env["ir.actions.report"].with_user(self.handler)._render_qweb_html(
            REPORT, self.case.ids)[0].decode()
        self.assertNotIn("张伟", html)
        html = self.env["ir.actions.report"].with_user(self.office)._render_qweb_html(
            REPORT, self.case.ids)[0].decode()
        self.assertIn("张伟", html)

    @unittest.skipUnless(shutil.which("wkhtmltopdf") and shutil.which("pdftotext")
                         and shutil.which("pdffonts"),
                         "wkhtmltopdf and poppler's pdftotext and pdffonts check the PDF")
    def test_pdf_renders_with_chinese_glyphs(self):
        # wkhtmltopdf builds without patched Qt report the options they ignore (headers and
        # footers) as warnings; a real failure raises.
        with mute_logger("odoo.addons.base.models.ir_actions_report"):
            pdf, report_type = self.env["ir.actions.report"].with_context(
                force_report_rendering=True)._render_qweb_pdf(REPORT, self.case.ids)
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sheet.pdf")
            with open(path, "wb") as handle:
                handle.write(pdf)
            text = subprocess.run(["pdftotext", "-layout", path, "-"], check=True,
                                  capture_output=True, text=True).stdout
            fonts = subprocess.run(["pdffonts", path], check=True, capture_output=True,
                                   text=True).stdout
        self.assertIn("CJK", fonts, "the Chinese text is set in a CJK font")
        # Some characters come back as their radical forms (⼾ for 户) from the font's
        # mapping: look for text without them.
        for expected in ("投诉处理单", "处理反馈表", "快递延误", "张伟", "Handling opinion", "符合政策",
                         "Finance Qian", "Deputy GM Wu"):
            self.assertIn(expected, text)
