"""The 口径 (definitions) sheet: the same KPI formulas as reports/README.md, Chinese first."""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook

from reports import metrics
from reports.figures import CompanyFigures
from reports.workbook import style

SHEET = "口径 Definitions"

# Chinese wording of metrics.KPI_DEFS (numerator, denominator); {accept} and {feedback} are
# the policy's working days.
KPI_ZH: dict[str, tuple[str, str]] = {
    "acceptance_timeliness": (
        "受理决定时间（date_accepted）早于收到当日之后第{accept}个工作日结束",
        "本期受理且已作出受理决定，或未决定但受理时限在数据提取时已过的案件（已撤回的除外）"),
    "handling_timeliness": (
        "在办结期限（date_deadline）当时或之前答复（date_replied）",
        "本期受理、有办结期限，且已答复或期限在数据提取时已过的案件（不予受理、已撤回的除外）"),
    "feedback_timeliness": (
        "承办反馈（date_feedback）早于派单当日之后第{feedback}个工作日结束",
        "本期受理并已派单，且已反馈或反馈时限在数据提取时已过的案件"),
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
        "超过办结期限才答复，或未答复且办结期限在数据提取时已过",
        "本期受理且有办结期限的案件（不予受理、已撤回的除外）"),
}


def _policy_text(text: str, policy: metrics.Policy) -> str:
    """The English definition with the policy's working days written out."""
    return (text.replace("the policy's Nth working day after the day of receipt",
                         f"working day {policy.accept_working_days} after the day of receipt")
            .replace("the policy's Nth working day after the day of dispatch",
                     f"working day {policy.feedback_working_days} after the day of dispatch"))


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
        (f"受理时限：收到当日之后第{policy.accept_working_days}个工作日结束 Acceptance "
         f"deadline: end of working day {policy.accept_working_days} after the day of "
         "receipt"),
        (f"反馈时限：派单当日之后第{policy.feedback_working_days}个工作日结束 Feedback "
         f"deadline: end of working day {policy.feedback_working_days} after the day of "
         "dispatch"),
        ("工作日按公司日历（含法定节假日与调休上班日） Working days follow the company "
         "calendar incl. public holidays and make-up working days"),
        "期间按本地时间（Asia/Shanghai）划分 Periods are cut in local time (Asia/Shanghai)",
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
