"""季度客户意见汇总表 — the quarterly summary table."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from reports import metrics, model
from reports.figures import CompanyFigures
from reports.normalize import DataIssue
from reports.workbook import definitions, style

TITLE_ZH, TITLE_EN = "季度客户意见汇总表", "Quarterly summary of customer feedback"

COUNT_COLS = [style.Col("label", "项目", "Item"),
              style.Col("count", "本期", "This period", style.INT),
              style.Col("share", "占比", "Share", style.PCT),
              style.Col("previous", "上期", "Previous period", style.INT),
              style.Col("last_year", "去年同期", "Same period last year", style.INT),
              style.Col("change", "环比", "vs previous", style.PCT)]

BREAKDOWNS: list[tuple[str, str, dict[str, model.Code] | None]] = [
    ("demand_type", "一、按诉求类型 By demand type", model.DEMAND_TYPES),
    ("channel_id", "二、按渠道 By channel", model.CHANNELS),
    ("department_id", "四、按责任部门 By department", None),
    ("level", "五、按投诉级别 By level", model.LEVELS),
    ("validity", "六、按有效性 By validity", model.VALIDITIES),
    ("cause_type", "七、按原因类型 By cause", model.CAUSE_TYPES),
]


def _with_history(cur: pd.DataFrame, prev: pd.DataFrame, ly: pd.DataFrame,
                  key: str) -> pd.DataFrame:
    out = cur.copy()
    out["previous"] = out[key].map(dict(zip(prev[key], prev["count"], strict=True))).fillna(0).astype(int)
    out["last_year"] = out[key].map(dict(zip(ly[key], ly["count"], strict=True))).fillna(0).astype(int)
    out["change"] = [(c - p) / p if p else None for c, p in zip(out["count"], out["previous"], strict=True)]
    return out


def breakdown(fig: CompanyFigures, column: str,
              table: dict[str, model.Code] | None) -> pd.DataFrame:
    frames = [metrics.count_by(f, column, table)
              for f in (fig.current, fig.previous, fig.last_year)]
    # Values seen only in earlier periods still get a row, so the comparison is complete.
    cur = frames[0]
    extra = sorted((set(frames[1]["code"]) | set(frames[2]["code"])) - set(cur["code"]))
    if extra:
        cur = pd.concat([cur, pd.DataFrame({"code": extra, "label": extra, "count": 0,
                                            "share": 0.0})], ignore_index=True)
    return _with_history(cur, frames[1], frames[2], "code")


def category_breakdown(fig: CompanyFigures) -> pd.DataFrame:
    trees = [metrics.category_tree(f) for f in (fig.current, fig.previous, fig.last_year)]
    cur = trees[0]
    out = _with_history(cur, trees[1], trees[2], "path")
    out["label"] = ["    " * d + p.split(" / ")[-1] if d else p
                    for p, d in zip(out["path"], out["depth"], strict=True)]
    return out


ISSUES_PER_COLUMN = 50


def issues_frame(issues: list[DataIssue], per_column: int = ISSUES_PER_COLUMN) -> pd.DataFrame:
    """One row per problem, the most frequent first; beyond ``per_column`` distinct values
    of one column and problem, one row sums up the rest (a million free-typed dates must not
    make a million rows)."""
    cols = ["table", "column", "value", "count", "problem"]
    frame = pd.DataFrame([vars(i) for i in issues], columns=cols)
    if frame.empty:
        return frame
    frame = frame.sort_values("count", ascending=False, kind="stable")
    keys = ["table", "column", "problem"]
    rank = frame.groupby(keys, sort=False).cumcount()
    kept = frame[rank < per_column]
    rest = frame[rank >= per_column].groupby(keys, sort=False).agg(
        values=("value", "size"), count=("count", "sum")).reset_index()
    rest["value"] = rest["values"].map(lambda n: f"(另有 {n:,} 个值 {n:,} more values)")
    out = pd.concat([kept, rest[cols]], ignore_index=True)
    order = {k: i for i, k in enumerate(dict.fromkeys(zip(*(frame[k] for k in keys), strict=True)))}
    out["_o"] = [order[k] for k in zip(*(out[k] for k in keys), strict=True)]
    return out.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def build(fig: CompanyFigures, path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总表 Summary"
    heading = (f"{TITLE_ZH} {TITLE_EN}" if fig.period.is_quarter else
               "年度客户意见汇总表 Yearly summary of customer feedback")
    row = style.title(ws, heading,
                      style.document_subtitle(fig), 6)
    total, previous = len(fig.current), len(fig.previous)
    totals = pd.DataFrame([{"label": "本期受理合计 Cases received in period", "count": total,
                            "share": 1.0 if total else None, "previous": previous,
                            "last_year": len(fig.last_year),
                            "change": (total - previous) / previous if previous else None}])
    row = style.table(ws, row, COUNT_COLS, totals) + 1
    chart_rows: dict[str, tuple[int, int]] = {}
    for column, heading, table in BREAKDOWNS[:2]:
        row = style.section(ws, row, heading)
        frame = breakdown(fig, column, table)
        chart_rows[column] = (row + 1, row + len(frame))
        row = style.table(ws, row, COUNT_COLS, frame) + 1
    row = style.section(ws, row, "三、按类别（含小计） By category, with subtotals")
    cat = category_breakdown(fig)
    row = style.table(ws, row, COUNT_COLS, cat, subtotal=cat["is_subtotal"]) + 1
    for column, heading, table in BREAKDOWNS[2:]:
        row = style.section(ws, row, heading)
        row = style.table(ws, row, COUNT_COLS, breakdown(fig, column, table)) + 1
    row = style.section(ws, row, "八、受理情况 Acceptance (不予受理原因 with reasons)")
    cols = [style.Col("label", "项目", "Item"), style.Col("count", "件数", "Cases", style.INT)]
    row = style.table(ws, row, cols, metrics.acceptance(fig.current)) + 1
    row = style.section(ws, row, "九、办结情况 Closed / open at period end")
    row = style.table(ws, row, cols, metrics.closure(fig.cases, fig.period)) + 1

    row = style.section(ws, row, "十、赔偿补偿（本位币） Compensation by remedy, company currency")
    comp_cols = [style.Col("label", "补救方式", "Remedy"),
                 style.Col("proposed_count", "提出件数", "Proposed", style.INT),
                 style.Col("proposed_amount", "提出金额", "Proposed amount", style.MONEY),
                 style.Col("approved_count", "批准件数", "Approved", style.INT),
                 style.Col("approved_amount", "批准金额", "Approved amount", style.MONEY),
                 style.Col("paid_count", "支付件数", "Paid", style.INT),
                 style.Col("paid_amount", "支付金额", "Paid amount", style.MONEY)]
    comp = metrics.compensation(fig.compensations, fig.period)
    comp_total = comp.drop(columns=["code", "label"]).sum()
    comp = pd.concat([comp, pd.DataFrame([{"code": "total", "label": "合计 Total",
                                           **comp_total.to_dict()}])], ignore_index=True)
    row = style.table(ws, row, comp_cols, comp,
                      subtotal=comp["code"] == "total") + 1
    ws.cell(row, 1, "金额按提议日折算的本位币 (amount_company) 汇总 Amounts are "
            "amount_company: company currency at the proposal date").font = style.NOTE
    style.finish(ws, freeze="A4", landscape=True, title_rows="1:2")
    # Under the tables, not beside them: the page keeps the tables' width and prints at
    # 100 %.
    row += 2
    for column, label in (("demand_type", "诉求类型 Demand type"),
                          ("channel_id", "渠道 Channel")):
        row = _chart(ws, row, label, *chart_rows[column])

    issues = wb.create_sheet("数据问题 Data issues")
    r = style.title(issues, "数据问题 Data issues", style.document_subtitle(fig), 5)
    issues.cell(3, 1, "无法识别的值原样保留并列于此，不作猜测 Unknown values are kept as they "
                "are and listed here, never guessed").font = style.NOTE
    style.table(issues, r, [style.Col("table", "表", "Table"),
                            style.Col("column", "列", "Column"),
                            style.Col("value", "值", "Value"),
                            style.Col("count", "行数", "Rows", style.INT),
                            style.Col("problem", "问题", "Problem")],
                issues_frame(fig.issues))
    style.finish(issues, freeze="A5", landscape=True, title_rows="4:4")
    definitions.add_sheet(wb, fig)
    wb.save(path)
    return path


def _chart(ws, row: int, title: str, first: int, last: int) -> int:
    """A bar chart of rows first..last at ``row``; returns the row after it."""
    if last < first:
        return row
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.style = 10
    chart.legend = None
    data = Reference(ws, min_col=2, min_row=first - 1, max_row=last)
    cats = Reference(ws, min_col=1, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    style.fit_chart(chart, ws, last - first + 1, landscape=True, ncols=len(COUNT_COLS))
    ws.add_chart(chart, f"A{row}")
    return row + math.ceil(chart.height / 0.53) + 2  # rows of 15 pt ≈ 0.53 cm
