"""The 口径 (definitions) sheet: the same KPI formulas as reports/README.md, Chinese first."""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook

from reports import metrics
from reports.figures import CompanyFigures
from reports.period import LOCAL_TZ
from reports.workbook import style

SHEET = "口径 Definitions"

# Chinese wording of metrics.KPI_DEFS (numerator, denominator); {accept} and {feedback} are
# the policy's working days.
KPI_ZH: dict[str, tuple[str, str]] = {
    "acceptance_timeliness": (
        "受理时效达标：Odoo 数据取系统存储的结果（acceptance_outcome）；文件数据为受理决定"
        "（date_accepted）早于收到当日之后第{accept}个工作日结束",
        "本期受理且受理时效为达标或超时的案件（已决定，或未决定但已过时限；已撤回的除外）"),
    "handling_timeliness": (
        "答复时效达标：Odoo 数据取系统存储的结果（reply_outcome）；文件数据为在办结期限"
        "（date_deadline）当时或之前答复（date_replied）",
        "本期受理且答复时效为达标或超时的案件（不予受理、已撤回的除外）"),
    "feedback_timeliness": (
        "办理时效达标：Odoo 数据取系统存储的结果（handling_outcome）；文件数据为承办反馈"
        "（date_feedback）早于派单当日之后第{feedback}个工作日结束",
        "本期受理且办理时效为达标或超时的案件"),
    "satisfaction_rate": (
        "回访结果为满意或基本满意",
        "本期受理且有回访结果（satisfaction）的案件"),
    "repeat_rate": (
        "多次投诉（repeat_count ≥ 2 或有 repeat_of_id）的投诉",
        "本期受理的投诉（demand_type = complaint）"),
    "reopen_rate": (
        "至少重开一次（reopen_count ≥ 1）的已结案件",
        "本期结案（date_closed 在本期内）的案件，不论受理时间"),
    "overdue_rate": (
        "答复超时（超过办结期限才答复，或已过期限仍未答复）",
        "本期受理且有答复时效结果的案件（不予受理、已撤回的除外）"),
}


def _policy_text(text: str, policy: metrics.Policy) -> str:
    """The English definition with the policy's working days written out."""
    return (text.replace("policy's Nth working day after the day of receipt",
                         f"policy's working day {policy.accept_working_days} after the day of "
                         "receipt")
            .replace("policy's Nth working day after the day of dispatch",
                     f"policy's working day {policy.feedback_working_days} after the day of "
                     "dispatch"))


def frame(policy: metrics.Policy) -> pd.DataFrame:
    rows = []
    for d in metrics.KPI_DEFS:
        num_zh, den_zh = KPI_ZH[d.key]
        fill = {"accept": policy.accept_working_days, "feedback": policy.feedback_working_days}
        rows.append({
            "kpi": f"{d.zh}\n{d.en}", "formula": "分子 ÷ 分母\nnumerator ÷ denominator",
            "numerator": f"{num_zh.format(**fill)}\n{_policy_text(d.numerator, policy)}",
            "denominator": f"{den_zh}\n{_policy_text(d.denominator, policy)}"})
    return pd.DataFrame(rows)


WIDTHS = {"A": 20, "B": 14, "C": 48, "D": 56}  # 26 cm: A4 landscape at 100 %


def add_sheet(wb: Workbook, fig: CompanyFigures) -> None:
    policy = fig.policy
    ws = wb.create_sheet(SHEET)
    style.title(ws, "指标口径 KPI definitions", style.document_subtitle(fig), len(WIDTHS))
    ws.cell(3, 1, "公式与 reports/README.md 一致 Formulas as in reports/README.md").font = \
        style.NOTE
    cols = [style.Col("kpi", "指标", "KPI"), style.Col("formula", "公式", "Formula"),
            style.Col("numerator", "分子", "Numerator"),
            style.Col("denominator", "分母", "Denominator")]
    first = 5
    row = style.table(ws, 4, cols, frame(policy))
    notes = [
        metrics.outcomes_note(fig.cases, policy),
        (f"文件数据的默认受理时限 Default acceptance deadline for files: "
         f"{policy.accept_working_days} 个工作日 working day(s) after the day of receipt"),
        (f"文件数据的默认反馈时限 Default feedback deadline for files: "
         f"{policy.feedback_working_days} 个工作日 working day(s) after the day of dispatch"),
        ("文件数据的工作日按报表自带的中国大陆日历（含法定节假日与调休上班日），不含公司自定日 "
         "For files, working days follow the reports' mainland China calendar (public "
         "holidays and make-up working days), without company days"),
        f"期间按本地时间（{LOCAL_TZ}）划分 Periods are cut in local time ({LOCAL_TZ})",
        "分母为 0 时显示 n/a A KPI with an empty denominator shows n/a",
    ]
    for note in notes:
        ws.cell(row, 1, note).font = style.NOTE
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(WIDTHS))
        row += 1
    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width
    for r in ws.iter_rows(min_row=first, max_row=row - 1):
        for c in r:
            c.alignment = style.WRAP
    style.fit_row_heights(ws)
    ws.freeze_panes = "A5"
    style.print_a4(ws, landscape=True, title_rows="4:4")
