"""The 口径 (definitions) sheet: the same KPI formulas as reports/README.md."""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook

from reports import metrics
from reports.workbook import style


def add_sheet(wb: Workbook, policy: metrics.Policy, outcomes_note: str | None = None) -> None:
    ws = wb.create_sheet("口径 Definitions")
    row = style.title(ws, "指标口径 KPI definitions",
                      "公式与 reports/README.md 一致 Formulas as in reports/README.md", 4)
    frame = pd.DataFrame([{
        "kpi": f"{d.zh}\n{d.en}", "formula": "numerator / denominator",
        "numerator": d.numerator, "denominator": d.denominator} for d in metrics.KPI_DEFS])
    cols = [style.Col("kpi", "指标", "KPI"), style.Col("formula", "公式", "Formula"),
            style.Col("numerator", "分子", "Numerator"),
            style.Col("denominator", "分母", "Denominator")]
    row = style.table(ws, row, cols, frame)
    notes = [
        outcomes_note or metrics.outcomes_note(pd.DataFrame(), policy),
        (f"文件数据的默认受理时限 Default acceptance deadline for files: "
         f"{policy.accept_working_days} 个工作日 working day(s) after the day of receipt"),
        (f"文件数据的默认反馈时限 Default feedback deadline for files: "
         f"{policy.feedback_working_days} 个工作日 working day(s) after the day of dispatch"),
        ("文件数据的工作日按报表自带的中国大陆日历（含法定节假日与调休上班日），不含公司自定日 "
         "For files, working days follow the reports' mainland China calendar (public "
         "holidays and make-up working days), without company days"),
        "期间按本地时间（Asia/Shanghai）划分 Periods are cut in local time",
        "分母为 0 时显示 n/a A KPI with an empty denominator shows n/a",
    ]
    for note in notes:
        ws.cell(row, 1, note).font = style.NOTE
        row += 1
    for r in ws.iter_rows(min_row=5):
        for c in r:
            c.alignment = style.WRAP
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 50
    ws.column_dimensions["D"].width = 60
    ws.freeze_panes = "A5"
    style.print_a4(ws, landscape=True, title_rows="4:4")
