"""Trend and forecast: monthly and daily volume, forecasts with intervals, early warning."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference

from reports import forecast, metrics
from reports.figures import CompanyFigures
from reports.workbook import style

TITLE_ZH, TITLE_EN = "趋势与预测", "Trend and forecast"
HISTORY_MONTHS = 36
DAILY_HISTORY_DAYS = 365
DAILY_SHOWN_DAYS = 90

INTERVAL_COLS = [style.Col("forecast", "预测值", "Forecast", style.DEC1),
                 style.Col("lo80", "80%下限", "80% low", style.DEC1),
                 style.Col("hi80", "80%上限", "80% high", style.DEC1),
                 style.Col("lo95", "95%下限", "95% low", style.DEC1),
                 style.Col("hi95", "95%上限", "95% high", style.DEC1)]


def _backtest_frame(fc: forecast.Forecast) -> pd.DataFrame:
    return pd.DataFrame([{"horizon": h, "origins": b.origins,
                          "mape": b.mape if b.mape is not None else "n/a",
                          "mae": b.mae if b.mae is not None else "n/a", "sigma": b.sigma}
                         for h, b in fc.backtest.items()])


BT_COLS = [style.Col("horizon", "预测步长", "Horizon"),
           style.Col("origins", "回测次数", "Back-test origins", style.INT),
           style.Col("mape", "平均绝对百分比误差", "MAPE", style.PCT),
           style.Col("mae", "平均绝对误差(件)", "MAE (cases)", style.DEC1),
           style.Col("sigma", "对数误差标准差", "σ of log error", "0.000")]


def daily_counts(cases: pd.DataFrame, end: pd.Timestamp, days: int,
                 first: pd.Timestamp | None = None) -> pd.Series:
    """Cases per day for the ``days`` days before ``end``, from ``first`` at the earliest
    (zeros kept within, none before it)."""
    start = end - pd.Timedelta(days=days)
    if first is not None:
        start = max(start, first.normalize())
    rec = cases["date_received"]
    rec = rec[(rec >= start) & (rec < end)]
    idx = pd.date_range(start, end - pd.Timedelta(days=1), freq="D")
    return rec.dt.normalize().value_counts().reindex(idx, fill_value=0).astype(int)


def observed_end(fig: CompanyFigures) -> pd.Timestamp:
    """Where the observed history stops: the period end, or the end of the extraction day
    when the data were read before it — days after the extraction are not zeros."""
    return min(fig.period.end, fig.as_of.ceil("D"))


def observed_months(fig: CompanyFigures) -> pd.Series:
    """Cases per month for the complete months the data cover, the last HISTORY_MONTHS at
    most: from the first month that starts on or after the first case to the last month
    that ends by observed_end."""
    end = observed_end(fig).to_period("M").to_timestamp()  # the months before are complete
    first = fig.coverage.first_day if fig.coverage is not None else None
    if first is None:
        return pd.Series([], index=pd.PeriodIndex([], freq="M"), dtype=int)
    start = first if first.day == 1 else (first + pd.offsets.MonthBegin(1)).normalize()
    months = (end.year - start.year) * 12 + end.month - start.month
    if months <= 0:
        return pd.Series([], index=pd.PeriodIndex([], freq="M"), dtype=int)
    return metrics.monthly_counts(fig.cases, end, min(months, HISTORY_MONTHS))


def build(fig: CompanyFigures, path: Path) -> Path:
    wb = Workbook()
    sub = style.document_subtitle(fig)

    ws = wb.active
    ws.title = "月度 Monthly"
    row = style.title(ws, f"{TITLE_ZH}（月度） {TITLE_EN}, monthly", sub, 7)
    months = observed_months(fig)
    fc = forecast.monthly(months, last=observed_end(fig).to_period("M") - 1)
    ws.cell(row, 1, f"方法 Method: {fc.method}").font = style.SECTION
    row += 1
    ws.cell(row, 1, "预测区间由回测误差得出 Intervals from the back-test error: "
            "forecast × exp(±z·σ), at least the Poisson spread").font = style.NOTE
    row = style.section(ws, row + 2, "回测误差 Back-test error (rolling origin, last 12 months)")
    row = style.table(ws, row, BT_COLS, _backtest_frame(fc)) + 1
    row = style.section(ws, row, "月度受理量与下季度预测 Monthly cases and next-quarter forecast")
    table = pd.DataFrame({"label": [str(p) for p in months.index], "actual": months.values})
    table = pd.concat([table, fc.table], ignore_index=True)
    first = row + 1
    cols = [style.Col("label", "月份", "Month"), style.Col("actual", "实际", "Actual", style.INT),
            *INTERVAL_COLS]
    row = style.table(ws, row, cols, table)
    style.finish(ws, freeze="A4", landscape=True, title_rows="1:2")
    chart = LineChart()
    chart.title = "月度受理量与预测 Monthly cases and forecast"
    chart.y_axis.title = "件 cases"
    chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=first - 1,
                             max_row=first + len(table) - 1), titles_from_data=True)
    chart.add_data(Reference(ws, min_col=6, max_col=7, min_row=first - 1,
                             max_row=first + len(table) - 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=first + len(table) - 1))
    style.fit_chart(chart, ws, len(table), landscape=True)
    ws.add_chart(chart, f"A{row + 1}")

    ds = wb.create_sheet("日度 Daily")
    row = style.title(ds, f"{TITLE_ZH}（日度） {TITLE_EN}, daily", sub, 7)
    end = observed_end(fig)
    first = fig.coverage.first_day if fig.coverage is not None else None
    days = (daily_counts(fig.cases, end, DAILY_HISTORY_DAYS, first)
            if first is not None and first < end else
            pd.Series([], index=pd.DatetimeIndex([]), dtype=int))
    dfc, by_day = forecast.daily(days, fig.policy.calendar, start=end)
    ds.cell(row, 1, f"方法 Method: {dfc.method}").font = style.SECTION
    row = style.section(ws=ds, row=row + 2, text="未来2天、1周、1个自然月合计预测 Forecast "
                        "totals: 2 days, 1 week, the calendar month ahead")
    row = style.table(ds, row, [style.Col("label", "步长", "Horizon"), *INTERVAL_COLS],
                      dfc.table) + 1
    row = style.section(ds, row, "回测误差 Back-test error (weekly rolling origins)")
    row = style.table(ds, row, BT_COLS, _backtest_frame(dfc)) + 1
    row = style.section(ds, row, f"最近{DAILY_SHOWN_DAYS}天实际与未来一个月逐日预测 Last "
                        f"{DAILY_SHOWN_DAYS} days and each day of the month ahead")
    shown = days.iloc[-DAILY_SHOWN_DAYS:]
    daily = pd.concat([
        pd.DataFrame({"day": shown.index.date, "actual": shown.values}),
        by_day.drop(columns="workday")], ignore_index=True)
    first = row + 1
    row = style.table(ds, row, [style.Col("day", "日期", "Day", style.DATE),
                                style.Col("actual", "实际", "Actual", style.INT),
                                *INTERVAL_COLS], daily)
    style.finish(ds, freeze="A4", landscape=True, title_rows="1:2")
    chart = LineChart()
    chart.title = "日受理量与预测 Daily cases and forecast"
    chart.add_data(Reference(ds, min_col=2, max_col=3, min_row=first - 1,
                             max_row=first + len(daily) - 1), titles_from_data=True)
    chart.set_categories(Reference(ds, min_col=1, min_row=first, max_row=first + len(daily) - 1))
    style.fit_chart(chart, ds, len(daily), landscape=True)
    ds.add_chart(chart, f"A{row + 1}")

    ew = wb.create_sheet("预警 Early warning")
    row = style.title(ew, "预警 Early warning", sub, 7)
    month = (fig.period.end - pd.DateOffset(months=1)).strftime("%Y-%m")
    ew.cell(row, 1, f"{month} 受理量超出95%区间的类别与部门 Categories and departments "
            f"whose {month} volume leaves the 95% interval").font = style.SECTION
    ew.cell(row + 1, 1, "期望值 = 前3个月占比 × 本月全公司受理量；区间 = 期望值 ± 1.96√期望值 "
            "Expected = share in the 3 months before × company volume this month; interval "
            "= expected ± 1.96·√expected").font = style.NOTE
    row += 3
    warn_cols = [style.Col("dimension", "维度", "Dimension"),
                 style.Col("series", "名称", "Series"),
                 style.Col("observed", "实际", "Observed", style.INT),
                 style.Col("expected", "期望", "Expected", style.DEC1),
                 style.Col("lo95", "95%下限", "95% low", style.DEC1),
                 style.Col("hi95", "95%上限", "95% high", style.DEC1),
                 style.Col("direction", "方向", "Direction")]
    frames = []
    for column, name in (("category_id", "类别 Category"), ("department_id", "部门 Department"),
                         ("location", "地点 Location")):
        w = forecast.early_warning(fig.cases, fig.period.end, column)
        frames.append(w.assign(dimension=name))
    warnings = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    style.table(ew, row, warn_cols, warnings)
    for r in ew.iter_rows(min_row=row + 1, max_row=row + len(warnings)):
        for c in r:
            c.fill = style.WARN_FILL
    style.finish(ew, freeze="A8", landscape=True, title_rows="7:7")
    wb.save(path)
    return path
