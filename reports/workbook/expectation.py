"""客户期望分析报告 — customer-expectation analysis, one sheet per department."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference

from reports import metrics, model
from reports.figures import CompanyFigures
from reports.workbook import definitions, style

TITLE_ZH, TITLE_EN = "客户期望分析报告", "Customer expectation analysis"
TREND_MONTHS = 12
DEPARTMENT_SHEETS = 40  # sheets of their own; every department is in the first sheet
# What a department's sheet reads of the period's cases.
CURRENT_COLUMNS = ["cause_type", "category_id", "customer_demand", "department_id"]


def _kpis_vs_company(fig: CompanyFigures, dept: dict[str, metrics.Kpi]) -> pd.DataFrame:
    rows = []
    for d in metrics.KPI_DEFS:
        k, c = dept[d.key], fig.kpis["current"][d.key]
        rows.append({"kpi": f"{d.zh} {d.en}", "numerator": k.numerator,
                     "denominator": k.denominator,
                     "value": k.value if k.value is not None else "n/a",
                     "company": c.value if c.value is not None else "n/a",
                     "gap": style.points(k.value, c.value)})
    return pd.DataFrame(rows)


def _department(frame: pd.DataFrame) -> pd.Series:
    return frame["department_id"].fillna("(空)")


def _by_department(frame: pd.DataFrame, names: list[str], columns: list[str]) -> dict:
    """{department: its rows}, for the departments that get a sheet and the columns their
    sheets read, split once (filtering the rows per department would cost a pass per
    sheet, and splitting every department whole would copy rows no sheet shows)."""
    key = _department(frame)
    shown = key.isin(names).to_numpy()
    part = frame.loc[shown, [c for c in columns if c in frame]]
    return {k: g for k, g in part.groupby(key[shown], sort=False)}


def _department_sheet(wb: Workbook, fig: CompanyFigures, dept: str, taken: set[str],
                      sub: str, parts: dict[str, dict], counts: dict[str, pd.Series],
                      dept_kpis: dict[str, metrics.Kpi]) -> None:
    ws = wb.create_sheet(style.sheet_name(dept, taken))
    dept_cases = parts["history"].get(dept, fig.cases.iloc[:0])
    cur = parts["current"].get(dept, fig.current.iloc[:0])
    row = style.title(ws, f"{TITLE_ZH} {TITLE_EN} — {dept}", sub, 6)
    row = style.section(ws, row, "一、受理量 Volume")
    vol = pd.DataFrame([{
        "item": "受理件数 Cases received", "current": len(cur),
        "previous": int(counts["previous"].get(dept, 0)),
        "last_year": int(counts["last_year"].get(dept, 0)),
        "share": len(cur) / len(fig.current) if len(fig.current) else None}])
    row = style.table(ws, row, [style.Col("item", "项目", "Item"),
                                style.Col("current", "本期", "This period", style.INT),
                                style.Col("previous", "上期", "Previous period", style.INT),
                                style.Col("last_year", "去年同期", "Same period last year",
                                          style.INT),
                                style.Col("share", "占全公司", "Share of company", style.PCT)],
                      vol) + 1
    row = style.section(ws, row, "二、原因 Causes")
    causes = metrics.count_by(cur, "cause_type", model.CAUSE_TYPES)
    cats = metrics.count_by(cur, "category_id").head(8)
    count_cols = [style.Col("label", "项目", "Item"),
                  style.Col("count", "件数", "Cases", style.INT),
                  style.Col("share", "占比", "Share", style.PCT)]
    row = style.table(ws, row, count_cols, causes)
    row = style.table(ws, row, [style.Col("label", "主要类别", "Top categories"),
                                *count_cols[1:]], cats) + 1
    row = style.section(ws, row, "三、客户诉求（按诉求文本归类） What customers asked for")
    row = style.table(ws, row, [style.Col("label", "诉求类别", "Demand group"),
                                style.Col("count", "件数", "Cases", style.INT),
                                style.Col("share", "占比", "Share", style.PCT),
                                style.Col("examples", "原文示例", "Examples", wrap=True)],
                      metrics.demand_groups(cur)) + 1
    row = style.section(ws, row, "四、关键指标与全公司对比 KPIs against the company")
    row = style.table(ws, row, [style.Col("kpi", "指标", "KPI"),
                                style.Col("numerator", "分子", "Numerator", style.INT),
                                style.Col("denominator", "分母", "Denominator", style.INT),
                                style.Col("value", "本部门", "Department", style.PCT),
                                style.Col("company", "全公司", "Company", style.PCT),
                                style.Col("gap", "差距(百分点)", "Gap (pp)", style.PP)],
                      _kpis_vs_company(fig, dept_kpis))
    ws.cell(row, 1, metrics.outcomes_note(dept_cases, fig.policy)).font = style.NOTE
    row += 2
    row = style.section(ws, row, f"五、近{TREND_MONTHS}个月趋势 Trend, last {TREND_MONTHS} "
                        "months")
    months = metrics.monthly_counts(dept_cases, fig.period.end, TREND_MONTHS)
    trend = pd.DataFrame({"month": [str(p) for p in months.index], "count": months.values})
    first = row + 1
    row = style.table(ws, row, [style.Col("month", "月份", "Month"),
                                style.Col("count", "件数", "Cases", style.INT)], trend)
    style.finish(ws, freeze="A4", title_rows="1:2")
    chart = LineChart()
    chart.title = f"{dept} 月度受理量 Monthly cases"
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=first - 1, max_row=first + len(trend) - 1),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=first + len(trend) - 1))
    style.fit_chart(chart, ws, len(trend))
    ws.add_chart(chart, f"A{row + 1}")


def build(fig: CompanyFigures, path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "各部门 Departments"
    sub = style.document_subtitle(fig)
    row = style.title(ws, f"{TITLE_ZH} {TITLE_EN}", sub, 5)
    depts = metrics.count_by(fig.current, "department_id")
    row = style.table(ws, row, [style.Col("label", "部门", "Department"),
                                style.Col("count", "本期受理", "Cases this period", style.INT),
                                style.Col("share", "占比", "Share", style.PCT)], depts)
    taken = {ws.title, "口径 Definitions"}
    # A department with cases in the period gets its sheet, also one that only has history;
    # beyond DEPARTMENT_SHEETS the largest ones (by cases this period, then name) do, and
    # the table above lists every department.
    names = list(depts["code"]) + sorted(
        set(_department(fig.previous)) - set(depts["code"]))
    if len(names) > DEPARTMENT_SHEETS:
        ws.cell(3, 1, f"共 {len(names):,} 个部门，前 {DEPARTMENT_SHEETS} 个（按本期受理量）各有分析表，"
                f"其余见上表 {len(names):,} departments: the {DEPARTMENT_SHEETS} largest by "
                "cases this period have a sheet each; the table lists them all").font = \
            style.NOTE
        names = names[:DEPARTMENT_SHEETS]
    style.finish(ws, freeze="A5", title_rows="4:4")
    parts = {"history": _by_department(fig.cases, names, [*metrics.KPI_FIELDS,
                                                          model.OUTCOMES_STORED]),
             "current": _by_department(fig.current, names, CURRENT_COLUMNS)}
    counts = {"previous": _department(fig.previous).value_counts(),
              "last_year": _department(fig.last_year).value_counts()}
    by_kpis = metrics.kpis_by(fig.cases, _department(fig.cases), fig.period, fig.as_of,
                              fig.policy)
    none = metrics.kpis(fig.cases.iloc[:0], fig.period, fig.as_of, fig.policy)
    for dept in names:
        _department_sheet(wb, fig, dept, taken, sub, parts, counts, by_kpis.get(dept, none))
    definitions.add_sheet(wb, fig)
    wb.save(path)
    return path
