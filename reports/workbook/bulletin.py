"""客户投诉情况通报 — the complaint bulletin: KPIs, hot spots, notable cases, accountability."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from reports import metrics, model
from reports.figures import CompanyFigures
from reports.workbook import definitions, style

TITLE_ZH, TITLE_EN = "客户投诉情况通报", "Complaint bulletin"


def kpi_frame(fig: CompanyFigures) -> pd.DataFrame:
    rows = []
    for d in metrics.KPI_DEFS:
        cur, prev, ly = (fig.kpis[k][d.key] for k in ("current", "previous", "last_year"))
        rows.append({
            "kpi": f"{d.zh} {d.en}", "numerator": cur.numerator,
            "denominator": cur.denominator, "value": cur.value if cur.value is not None
            else "n/a",
            "previous": prev.value if prev.value is not None else "n/a",
            "last_year": ly.value if ly.value is not None else "n/a",
            "vs_previous": (cur.value - prev.value) if None not in (cur.value, prev.value)
            else None,
            "vs_last_year": (cur.value - ly.value) if None not in (cur.value, ly.value)
            else None,
        })
    return pd.DataFrame(rows)


KPI_COLS = [style.Col("kpi", "指标", "KPI"),
            style.Col("numerator", "分子", "Numerator", style.INT),
            style.Col("denominator", "分母", "Denominator", style.INT),
            style.Col("value", "本期", "This period", style.PCT),
            style.Col("previous", "上期", "Previous period", style.PCT),
            style.Col("last_year", "去年同期", "Same period last year", style.PCT),
            style.Col("vs_previous", "环比(百分点)", "vs previous (pp)", "+0.0%;-0.0%;0.0%"),
            style.Col("vs_last_year", "同比(百分点)", "vs last year (pp)", "+0.0%;-0.0%;0.0%")]


def volume_frame(fig: CompanyFigures) -> pd.DataFrame:
    def row(label: str, f) -> dict:
        return {"item": label, "current": f(fig.current), "previous": f(fig.previous),
                "last_year": f(fig.last_year)}
    paid = {k: float(fig.compensations.loc[
        metrics.in_period(fig.compensations["date_paid"], p)
        & (fig.compensations["state"] == "paid"), "amount_company"].sum())
        for k, p in fig.periods.items()}
    rows = [
        row("受理总量 Cases received", len),
        row("其中投诉 of which complaints", lambda f: int((f["demand_type"] == "complaint").sum())),
        row("监管转办 Regulator-forwarded", lambda f: int(f["is_regulator_forwarded"].sum())),
        row("危机级 Crisis level", lambda f: int((f["level"] == "crisis").sum())),
        {"item": "赔付金额(本位币) Compensation paid (company currency)",
         "current": paid["current"], "previous": paid["previous"],
         "last_year": paid["last_year"]},
    ]
    return pd.DataFrame(rows)


NOTABLE_COLS = [style.Col("name", "编号", "Reference"),
                style.Col("date_received", "受理时间", "Received", style.DATETIME),
                style.Col("why", "列入原因", "Why listed"),
                style.Col("level_label", "级别", "Level"),
                style.Col("channel_label", "渠道", "Channel"),
                style.Col("subject", "主题", "Subject", max_width=50),
                style.Col("department_id", "责任部门", "Department"),
                style.Col("location", "地点", "Location"),
                style.Col("affected_count", "涉及人数", "Customers", style.INT),
                style.Col("state_label", "状态", "Status")]


def build(fig: CompanyFigures, path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "指标 KPIs"
    sub = style.subtitle(fig.company, fig.period.code, fig.as_of, fig.source)
    row = style.title(ws, f"{TITLE_ZH} {TITLE_EN}", sub, 8)
    row = style.section(ws, row, "一、总体情况 Volume")
    first_volume = row + 1
    row = style.table(ws, row, [style.Col("item", "项目", "Item"),
                                style.Col("current", "本期", "This period", style.MONEY),
                                style.Col("previous", "上期", "Previous period", style.MONEY),
                                style.Col("last_year", "去年同期", "Same period last year",
                                          style.MONEY)],
                      volume_frame(fig)) + 1
    # The first four volume rows are counts, the last one money.
    for r in ws.iter_rows(min_row=first_volume, max_row=first_volume + 3, min_col=2,
                          max_col=4):
        for c in r:
            c.number_format = style.INT
    row = style.section(ws, row, "二、关键指标 KPIs (口径见 Definitions 表)")
    kpi_first = row + 1
    frame = kpi_frame(fig)
    row = style.table(ws, row, KPI_COLS, frame)
    ws.cell(row, 1, metrics.outcomes_note(fig.cases, fig.policy)).font = style.NOTE
    row += 2
    style.finish(ws, freeze="A4", landscape=True, title_rows="1:2")
    ws.column_dimensions["A"].width = 36
    chart = BarChart()
    chart.title = "关键指标 本期/上期/去年同期 KPIs"
    chart.style = 10
    chart.y_axis.numFmt = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.add_data(Reference(ws, min_col=4, max_col=6, min_row=kpi_first - 1,
                             max_row=kpi_first + len(frame) - 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=kpi_first,
                                   max_row=kpi_first + len(frame) - 1))
    chart.height, chart.width = 9, 22
    ws.add_chart(chart, f"A{row + 1}")

    hs = wb.create_sheet("热点 Hot spots")
    r = style.title(hs, f"前{fig.policy.top_n}热点（类别×部门×地点） Top {fig.policy.top_n} "
                    "hot spots (category × department × location)", sub, 6)
    top = metrics.hot_spots(fig.current, fig.previous, fig.policy.top_n)
    top.insert(0, "rank", range(1, len(top) + 1))
    top["spot"] = (top["category_id"].astype(str) + " | " + top["department_id"].astype(str)
                   + " | " + top["location"].astype(str)) if len(top) else []
    first = r + 1
    r = style.table(hs, r, [style.Col("rank", "排名", "Rank", style.INT),
                            style.Col("category_id", "类别", "Category"),
                            style.Col("department_id", "责任部门", "Department"),
                            style.Col("location", "地点", "Location"),
                            style.Col("count", "投诉件数", "Complaints", style.INT),
                            style.Col("share", "占投诉比", "Share of complaints", style.PCT),
                            style.Col("previous", "上期件数", "Previous period", style.INT),
                            style.Col("spot", "热点", "Hot spot", max_width=60)],
                    top)
    style.finish(hs, freeze="A5", landscape=True, title_rows="4:4")
    if len(top):
        bar = BarChart()
        bar.type = "bar"
        bar.title = "热点件数 Hot spot complaints"
        bar.legend = None
        bar.add_data(Reference(hs, min_col=5, min_row=first - 1, max_row=first + len(top) - 1),
                     titles_from_data=True)
        bar.set_categories(Reference(hs, min_col=8, min_row=first,
                                     max_row=first + len(top) - 1))
        bar.x_axis.scaling.orientation = "maxMin"  # rank 1 on top, as in the table
        bar.height, bar.width = 9, 24
        hs.add_chart(bar, f"A{r + 1}")

    ns = wb.create_sheet("重点案件 Notable cases")
    r = style.title(ns, "重点案件（危机、监管转办、群体、紧急） Notable cases (crisis, "
                    "regulator-forwarded, group, emergency)", sub, len(NOTABLE_COLS))
    notable = metrics.notable(fig.current, fig.policy)
    notable = notable.assign(
        level_label=notable["level"].map(lambda v: model.label(model.LEVELS, v)),
        channel_label=notable["channel_id"].map(lambda v: model.label(model.CHANNELS, v)),
        state_label=notable["state"].map(lambda v: model.label(model.STATES, v)))
    style.table(ns, r, NOTABLE_COLS, notable)
    style.finish(ns, freeze="B5", landscape=True, title_rows="4:4")

    acc = wb.create_sheet("问责 Accountability")
    r = style.title(acc, "问责汇总（有效且公司原因的投诉） Accountability summary (valid "
                    "complaints, company at fault)", sub, 8)
    table = metrics.accountability(fig.current, fig.as_of)
    cols = [style.Col("department_id", "责任部门", "Department")]
    cols += [style.Col(code, c.zh, c.en, style.INT) for code, c in model.LEVELS.items()]
    cols += [style.Col("total", "合计", "Total", style.INT),
             style.Col("with_employee", "涉及具体员工", "Employee named", style.INT),
             style.Col("overdue", "超期未办结", "Missed deadline", style.INT)]
    r = style.table(acc, r, cols, table)
    acc.cell(r, 1, "按 domain §4：普通→提醒，紧急→提醒员工及直接领导，重大/危机→按制度处罚；金额属公司"
             "政策，由人力资源确认执行。 Normal → reminder; urgent → reminder to employee and "
             "leader; major/crisis → penalties per company policy, confirmed by HR.").font = \
        style.NOTE
    acc.cell(r + 1, 1, metrics.outcomes_note(fig.cases, fig.policy)).font = style.NOTE
    style.finish(acc, freeze="B5", landscape=True, title_rows="4:4")
    definitions.add_sheet(wb, fig.policy, metrics.outcomes_note(fig.cases, fig.policy))
    wb.save(path)
    return path
