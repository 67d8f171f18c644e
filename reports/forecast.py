"""Volume forecasts with prediction intervals, back-tested on the history, and early warnings.

Monthly: seasonal naive scaled by the year-on-year growth — next month = the same month
last year × (last 12 months / the 12 months before). It needs two years of history; with
less, the mean of the last three months is used and the sheet says so.

Daily: recent level × working-day factor — the mean of the last 28 days, times the ratio of
working-day to average volume (or non-working-day), from the last 16 weeks and the company
calendar, so a make-up Saturday counts as a working day.

Intervals come from the back-test: each model is refitted at rolling origins inside the
history and its log errors at each horizon give σ; the interval is forecast × exp(±z·σ),
widened to at least the Poisson spread. The error (MAPE, MAE) of the same back-test is
printed in the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reports.calendar import WorkCalendar

Z80, Z95 = 1.2816, 1.96


@dataclass(frozen=True)
class Backtest:
    origins: int
    mape: float | None  # mean absolute percentage error, over non-zero actuals
    mae: float | None
    sigma: float  # std of log(actual / forecast)


@dataclass(frozen=True)
class Forecast:
    method: str
    table: pd.DataFrame  # label, forecast, lo80, hi80, lo95, hi95
    backtest: dict[str, Backtest]  # per horizon label


def _interval(point: float, sigma: float) -> tuple[float, float, float, float]:
    # Poisson floor: even a perfect model cannot beat counting noise.
    s = max(sigma, 1.0 / np.sqrt(max(point, 1.0)))
    return (point * np.exp(-Z80 * s), point * np.exp(Z80 * s),
            point * np.exp(-Z95 * s), point * np.exp(Z95 * s))


def _monthly_point(history: np.ndarray, h: int) -> float:
    """Forecast h months after the end of ``history`` (h ≥ 1)."""
    n = len(history)
    if n >= 24 and h <= 12:
        last, before = history[-12:].sum(), history[-24:-12].sum()
        growth = last / before if before > 0 else 1.0
        return float(history[n - 12 + h - 1] * growth)
    tail = history[-3:] if n else np.array([0.0])
    return float(tail.mean())


def _errors(actual: list[float], pred: list[float]) -> Backtest:
    a, p = np.array(actual, float), np.array(pred, float)
    if len(a) == 0:
        return Backtest(0, None, None, 0.5)
    nz = a > 0
    mape = float(np.mean(np.abs(a[nz] - p[nz]) / a[nz])) if nz.any() else None
    logs = np.log((a + 1) / (p + 1))
    sigma = float(np.std(logs, ddof=1)) if len(a) > 1 else 0.5
    return Backtest(len(a), mape, float(np.mean(np.abs(a - p))), sigma)


def monthly(series: pd.Series, horizon: int = 3, backtest_origins: int = 12) -> Forecast:
    """``series``: counts per month (PeriodIndex), ending with the last full month."""
    y = series.to_numpy(float)
    bt: dict[str, Backtest] = {}
    for h in range(1, horizon + 1):
        actual, pred = [], []
        for origin in range(len(y) - backtest_origins - h + 1, len(y) - h + 1):
            if origin < 3:
                continue
            pred.append(_monthly_point(y[:origin], h))
            actual.append(y[origin + h - 1])
        bt[f"{h}M"] = _errors(actual, pred)
    rows = []
    last = series.index[-1] if len(series) else pd.Period(pd.Timestamp.now(), "M")
    for h in range(1, horizon + 1):
        point = _monthly_point(y, h)
        rows.append((str(last + h), point, *_interval(point, bt[f"{h}M"].sigma)))
    method = ("同比季节模型 Seasonal naive × year-on-year growth" if len(y) >= 24 else
              "近三月均值 Mean of last 3 months (history shorter than 24 months)")
    table = pd.DataFrame(rows, columns=["label", "forecast", "lo80", "hi80", "lo95", "hi95"])
    return Forecast(method, table, bt)


def _daily_point(counts: np.ndarray, work: np.ndarray, future_work: np.ndarray) -> np.ndarray:
    recent = counts[-28:]
    level = recent.mean() if len(recent) else 0.0
    window_c, window_w = counts[-112:], work[-len(counts[-112:]):]
    mean = window_c.mean() if len(window_c) else 0.0
    f_work = window_c[window_w].mean() / mean if mean and window_w.any() else 1.0
    f_off = window_c[~window_w].mean() / mean if mean and (~window_w).any() else 1.0
    # Normalise so the factors average to one over the level window.
    recent_w = work[-28:]
    norm = (f_work * recent_w.sum() + f_off * (~recent_w).sum()) / max(len(recent_w), 1)
    norm = norm or 1.0
    return level * np.where(future_work, f_work, f_off) / norm


DAILY_HORIZONS = {"2D": 2, "1W": 7, "1M": 30}


def daily(series: pd.Series, calendar: WorkCalendar, backtest_origins: int = 12,
          step: int = 7) -> tuple[Forecast, pd.DataFrame]:
    """``series``: counts per day (DatetimeIndex, zeros kept) up to the last full day.

    Returns the horizon totals (2 days, 1 week, 1 month) and the day-by-day forecast."""
    counts = series.to_numpy(float)
    days = series.index
    work = np.array([calendar.is_workday(d.date()) for d in days], bool)
    horizon = max(DAILY_HORIZONS.values())
    future = pd.date_range(days[-1] + pd.Timedelta(days=1), periods=horizon, freq="D") \
        if len(days) else pd.DatetimeIndex([])
    # The days ahead may lie in a year whose holidays are not published yet: the forecast
    # then assumes Monday to Friday for them and says so in its method.
    fwork = np.array([calendar.is_workday_or_weekday(d.date()) for d in future], bool)
    assumed = [d.date() for d in future if not calendar.knows(d.date())]
    bt: dict[str, Backtest] = {}
    per_day_sigma = []
    for label, h in DAILY_HORIZONS.items():
        actual, pred = [], []
        for k in range(backtest_origins):
            origin = len(counts) - h - k * step
            if origin < 56:
                break
            p = _daily_point(counts[:origin], work[:origin], work[origin:origin + h])
            pred.append(p.sum())
            actual.append(counts[origin:origin + h].sum())
        bt[label] = _errors(actual, pred)
        per_day_sigma.append(bt[label].sigma)
    point = _daily_point(counts, work, fwork) if len(counts) else np.zeros(horizon)
    rows = []
    for label, h in DAILY_HORIZONS.items():
        total = float(point[:h].sum())
        rows.append((f"{label} ({future[0].date()}–{future[h - 1].date()})" if len(future)
                     else label, total, *_interval(total, bt[label].sigma)))
    table = pd.DataFrame(rows, columns=["label", "forecast", "lo80", "hi80", "lo95", "hi95"])
    day_sigma = bt["2D"].sigma
    day_rows = [(d.date(), bool(w), float(p), *_interval(float(p), day_sigma))
                for d, w, p in zip(future, fwork, point, strict=True)]
    by_day = pd.DataFrame(day_rows, columns=["day", "workday", "forecast", "lo80", "hi80",
                                             "lo95", "hi95"])
    method = ("近28日水平×工作日系数 Level of last 28 days × working-day factor "
              "(company calendar incl. make-up working days)")
    if assumed:
        method += (f"；{assumed[0].year}年节假日尚未公布，按周一至周五工作日估算 "
                   f"(holidays of {assumed[0].year} not yet published: Monday–Friday assumed)")
    return Forecast(method, table, bt), by_day


def early_warning(cases: pd.DataFrame, end: pd.Timestamp, column: str,
                  months_base: int = 3, min_count: int = 5) -> pd.DataFrame:
    """Series of ``column`` whose volume in the last month before ``end`` leaves the 95 %
    interval expected from their share of the company's volume in the ``months_base``
    months before it.

    Expected = share in the base months × the company's volume this month, so seasonal
    swings of the whole company raise no warning; only a shift in the mix does. The
    interval is Poisson (expected ± 1.96·√expected)."""
    month_start = (end - pd.DateOffset(months=1)).normalize()
    base_start = month_start - pd.DateOffset(months=months_base)
    rec = cases["date_received"]
    cur = cases.loc[(rec >= month_start) & (rec < end), column].fillna("(空)")
    base = cases.loc[(rec >= base_start) & (rec < month_start), column].fillna("(空)")
    cols = ["series", "observed", "expected", "lo95", "hi95", "direction"]
    if cur.empty or base.empty:
        return pd.DataFrame(columns=cols)
    share = base.value_counts() / len(base)
    observed = cur.value_counts()
    keys = share.index.union(observed.index)
    rows = []
    for k in keys:
        exp = float(share.get(k, 0.0) * len(cur))
        obs = int(observed.get(k, 0))
        half = Z95 * np.sqrt(max(exp, 1.0))
        lo, hi = max(exp - half, 0.0), exp + half
        if obs > hi and obs >= min_count:
            rows.append((k, obs, exp, lo, hi, "上升 surge"))
        elif obs < lo and exp >= min_count:
            rows.append((k, obs, exp, lo, hi, "下降 drop"))
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("observed", ascending=False, kind="stable").reset_index(drop=True)
