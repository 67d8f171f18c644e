"""Volume forecasts with prediction intervals, back-tested on the history, and early warnings.

Monthly: seasonal naive scaled by the year-on-year growth — next month = the same month
last year × (last 12 months / the 12 months before, held between ½ and 2). It needs two
years of history; with less, the mean of the last three months is used and the sheet says so.

Daily: recent level × working-day factor — the mean of the last 28 days, times the ratio of
working-day to average volume (or non-working-day), from the last 16 weeks and the company
calendar, so a make-up Saturday counts as a working day.

Both start at the company's first case and stop where the data stop (the extraction
moment): a day or month before the first case, or after the extraction, is not observed and
is never counted as zero.

Intervals come from the back-test: each model is refitted at rolling origins inside the
history and its log errors at each horizon give σ; the interval is forecast × exp(±z·σ),
widened to at least the Poisson spread and never wider than Chebyshev's bound on the spread
actually observed. The error (MAPE, MAE) of the same back-test is printed in the sheet.
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


# Chebyshev: whatever the distribution, at most 1/k² of it lies beyond k standard
# deviations, so k = 1/√(1 − coverage) bounds an interval without any model.
K80, K95 = np.sqrt(1 / 0.2), np.sqrt(1 / 0.05)
SEASONAL_MONTHS = 24  # the seasonal model needs two complete years
# A burst in one year must not multiply the next: the year-on-year growth is held between
# half and double (a desk whose volume really doubles reaches it within the year).
GROWTH_FLOOR, GROWTH_CEILING = 0.5, 2.0


def observed_spread(totals: np.ndarray) -> float:
    """The spread of what was observed: standard deviation of the totals plus the Poisson
    variance of their mean (a perfectly steady count still varies by counting noise)."""
    t = np.asarray(totals, float)
    if len(t) == 0:
        return 0.0
    var = float(np.var(t, ddof=1)) if len(t) > 1 else 0.0
    return float(np.sqrt(var + max(float(t.mean()), 0.0)))


def _interval(point: float, sigma: float,
              spread: float | None = None) -> tuple[float, float, float, float]:
    """(lo80, hi80, lo95, hi95): forecast × exp(±z·σ), σ at least the Poisson spread; never
    further from the forecast than Chebyshev's bound on the observed ``spread`` allows, so a
    back-test thrown by a burst cannot claim an interval the history never showed."""
    s = max(sigma, 1.0 / np.sqrt(max(point, 1.0)))  # counting noise
    lo80, hi80 = point * np.exp(-Z80 * s), point * np.exp(Z80 * s)
    lo95, hi95 = point * np.exp(-Z95 * s), point * np.exp(Z95 * s)
    if spread is not None:
        lo80, hi80 = max(lo80, point - K80 * spread), min(hi80, point + K80 * spread)
        lo95, hi95 = max(lo95, point - K95 * spread), min(hi95, point + K95 * spread)
    return lo80, hi80, lo95, hi95


def _monthly_point(history: np.ndarray, h: int) -> float:
    """Forecast h months after the end of ``history`` (h ≥ 1); see monthly_method."""
    n = len(history)
    if n >= SEASONAL_MONTHS and h <= 12:
        last, before = history[-12:].sum(), history[-24:-12].sum()
        growth = min(max(last / before, GROWTH_FLOOR), GROWTH_CEILING) if before > 0 else 1.0
        return float(history[n - 12 + h - 1] * growth)
    tail = history[-3:] if n else np.array([0.0])
    return float(tail.mean())


def monthly_method(months: int, since: str = "") -> str:
    """The method _monthly_point uses on ``months`` complete months of history."""
    if months >= SEASONAL_MONTHS:
        return "同比季节模型 Seasonal naive × year-on-year growth"
    if months == 0:
        return "无完整月份，无法预测 No complete month of history: no forecast"
    k = min(months, 3)
    since_zh, since_en = (f"，自{since}起", f" since {since}") if since else ("", "")
    return (f"近{k}月均值 Mean of the last {k} month{'s' if k > 1 else ''} "
            f"(历史仅{months}个完整月{since_zh}，不足{SEASONAL_MONTHS}个月 {months} complete "
            f"month{'s' if months > 1 else ''} of history{since_en}, fewer than "
            f"{SEASONAL_MONTHS})")


def _errors(actual: list[float], pred: list[float]) -> Backtest:
    a, p = np.array(actual, float), np.array(pred, float)
    if len(a) == 0:
        return Backtest(0, None, None, 0.5)
    nz = a > 0
    mape = float(np.mean(np.abs(a[nz] - p[nz]) / a[nz])) if nz.any() else None
    logs = np.log((a + 1) / (p + 1))
    sigma = float(np.std(logs, ddof=1)) if len(a) > 1 else 0.5
    return Backtest(len(a), mape, float(np.mean(np.abs(a - p))), sigma)


def monthly(series: pd.Series, horizon: int = 3, backtest_origins: int = 12,
            last: pd.Period | None = None) -> Forecast:
    """``series``: counts per month (PeriodIndex) from the first complete month observed to
    the last complete one (``last`` when the series is empty)."""
    y = series.to_numpy(float)
    if len(y) == 0:
        last = last if last is not None else pd.Period(pd.Timestamp.now(), "M")
        table = pd.DataFrame([(str(last + h), None, None, None, None, None)
                              for h in range(1, horizon + 1)],
                             columns=["label", "forecast", "lo80", "hi80", "lo95", "hi95"])
        return Forecast(monthly_method(0), table,
                        {f"{h}M": _errors([], []) for h in range(1, horizon + 1)})
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
    last = series.index[-1]
    spread = observed_spread(y)
    for h in range(1, horizon + 1):
        point = _monthly_point(y, h)
        rows.append((str(last + h), point, *_interval(point, bt[f"{h}M"].sigma, spread)))
    method = monthly_method(len(y), str(series.index[0]))
    table = pd.DataFrame(rows, columns=["label", "forecast", "lo80", "hi80", "lo95", "hi95"])
    return Forecast(method, table, bt)


LEVEL_DAYS, FACTOR_DAYS, MIN_BACKTEST_DAYS = 28, 112, 56


def _daily_point(counts: np.ndarray, work: np.ndarray, future_work: np.ndarray) -> np.ndarray:
    recent = counts[-LEVEL_DAYS:]
    level = recent.mean() if len(recent) else 0.0
    window_c, window_w = counts[-FACTOR_DAYS:], work[-len(counts[-FACTOR_DAYS:]):]
    mean = window_c.mean() if len(window_c) else 0.0
    f_work = window_c[window_w].mean() / mean if mean and window_w.any() else 1.0
    f_off = window_c[~window_w].mean() / mean if mean and (~window_w).any() else 1.0
    # Normalise so the factors average to one over the level window.
    recent_w = work[-LEVEL_DAYS:]
    norm = (f_work * recent_w.sum() + f_off * (~recent_w).sum()) / max(len(recent_w), 1)
    norm = norm or 1.0
    return level * np.where(future_work, f_work, f_off) / norm


def daily_horizons(first: pd.Timestamp) -> dict[str, int]:
    """Days in each horizon from ``first``: 2 days, a week, and the calendar month (1 Oct →
    31 Oct is 31 days; 15 Feb → 14 Mar is 28)."""
    month = (first + pd.DateOffset(months=1) - first).days
    return {"2D": 2, "1W": 7, "1M": month}


def _window_totals(counts: np.ndarray, h: int) -> np.ndarray:
    """Totals of every h consecutive days observed (fewer days than h: their total scaled
    to h days)."""
    if len(counts) == 0:
        return np.array([])
    if len(counts) < h:
        return np.array([counts.mean() * h])
    c = np.concatenate([[0.0], np.cumsum(counts)])
    return c[h:] - c[:-h]


def daily(series: pd.Series, calendar: WorkCalendar, backtest_origins: int = 12,
          step: int = 7, start: pd.Timestamp | None = None) -> tuple[Forecast, pd.DataFrame]:
    """``series``: counts per day (DatetimeIndex, zeros kept) from the first day observed to
    the last one (``start``: the first day ahead, when the series is empty).

    Returns the horizon totals (2 days, 1 week, the calendar month) and the day-by-day
    forecast of that month."""
    counts = series.to_numpy(float)
    days = series.index
    work = np.array([calendar.is_workday(d.date()) for d in days], bool)
    first = days[-1] + pd.Timedelta(days=1) if len(days) else pd.Timestamp(start).normalize()
    horizons = daily_horizons(first)
    horizon = max(horizons.values())
    future = pd.date_range(first, periods=horizon, freq="D")
    # The days ahead may lie in a year whose holidays are not published yet: the forecast
    # then assumes Monday to Friday for them and says so in its method.
    fwork = np.array([calendar.is_workday_or_weekday(d.date()) for d in future], bool)
    assumed = [d.date() for d in future if not calendar.knows(d.date())]
    bt: dict[str, Backtest] = {}
    for label, h in horizons.items():
        actual, pred = [], []
        for k in range(backtest_origins):
            origin = len(counts) - h - k * step
            if origin < MIN_BACKTEST_DAYS:
                break
            p = _daily_point(counts[:origin], work[:origin], work[origin:origin + h])
            pred.append(p.sum())
            actual.append(counts[origin:origin + h].sum())
        bt[label] = _errors(actual, pred)
    point = _daily_point(counts, work, fwork) if len(counts) else None
    rows = []
    for label, h in horizons.items():
        name = f"{label} ({future[0].date()}–{future[h - 1].date()})"
        if point is None:
            rows.append((name, None, None, None, None, None))
            continue
        total = float(point[:h].sum())
        spread = observed_spread(_window_totals(counts, h))
        rows.append((name, total, *_interval(total, bt[label].sigma, spread)))
    table = pd.DataFrame(rows, columns=["label", "forecast", "lo80", "hi80", "lo95", "hi95"])
    day_sigma, day_spread = bt["2D"].sigma, observed_spread(counts)
    if point is None:
        day_rows = [(d.date(), bool(w), None, None, None, None, None)
                    for d, w in zip(future, fwork, strict=True)]
    else:
        day_rows = [(d.date(), bool(w), float(p), *_interval(float(p), day_sigma, day_spread))
                    for d, w, p in zip(future, fwork, point, strict=True)]
    by_day = pd.DataFrame(day_rows, columns=["day", "workday", "forecast", "lo80", "hi80",
                                             "lo95", "hi95"])
    return Forecast(daily_method(days, assumed), table, bt), by_day


def daily_method(days: pd.DatetimeIndex, assumed: list) -> str:
    """The method daily() uses on the days observed."""
    n = len(days)
    if n == 0:
        return "无历史数据，无法预测 No day of history: no forecast"
    level = min(n, LEVEL_DAYS)
    method = (f"近{level}日水平×工作日系数 Level of the last {level} days × working-day factor "
              "(company calendar incl. make-up working days)")
    if n < FACTOR_DAYS:
        method += (f"；历史仅{n}天（自{days[0].date()}起） only {n} days of history since "
                   f"{days[0].date()}")
    if assumed:
        method += (f"；{assumed[0].year}年节假日尚未公布，按周一至周五工作日估算 "
                   f"(holidays of {assumed[0].year} not yet published: Monday–Friday assumed)")
    return method


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
