"""Forecasts on series whose future is known, and the early warning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reports import forecast
from reports.calendar import WorkCalendar


def _monthly(values) -> pd.Series:
    idx = pd.period_range("2023-10", periods=len(values), freq="M")
    return pd.Series(values, index=idx)


def test_seasonal_naive_with_growth():
    pattern = np.array([100, 80, 90, 95, 100, 105, 110, 100, 95, 120, 200, 150], float)
    # Two years: the second 10 % above the first, then the model should carry the pattern
    # forward with the same 10 % growth.
    y = np.concatenate([pattern, pattern * 1.1, pattern * 1.21])
    fc = forecast.monthly(_monthly(y))
    expected = pattern[:3] * 1.21 * 1.1
    assert fc.table["forecast"].to_numpy() == pytest.approx(expected)
    assert list(fc.table["label"]) == ["2026-10", "2026-11", "2026-12"]
    # A series that follows the model exactly is forecast without error in the back-test.
    assert fc.backtest["1M"].mape == pytest.approx(0, abs=1e-9)
    assert fc.backtest["1M"].origins == 12
    row = fc.table.iloc[0]
    assert row["lo95"] < row["lo80"] < row["forecast"] < row["hi80"] < row["hi95"]


def test_short_history_falls_back_to_the_recent_mean():
    fc = forecast.monthly(_monthly([10, 20, 30, 40, 50]))
    assert fc.table["forecast"].iloc[0] == pytest.approx(40)
    assert "last 3 months" in fc.method


def test_interval_is_never_narrower_than_counting_noise():
    lo80, hi80, lo95, hi95 = forecast._interval(100.0, 0.0)
    assert lo95 == pytest.approx(100 * np.exp(-1.96 * 0.1))
    assert hi95 == pytest.approx(100 * np.exp(1.96 * 0.1))


def test_daily_level_and_working_day_factor():
    cal = WorkCalendar(holidays=frozenset(), makeup_workdays=frozenset())
    days = pd.date_range("2026-01-05", periods=16 * 7, freq="D")  # starts on a Monday
    counts = np.where(days.day_of_week < 5, 10, 3)  # 10 on working days, 3 at weekends
    fc, by_day = forecast.daily(pd.Series(counts, index=days), cal)
    # After the history: Monday 27 April 2026 onward.
    assert by_day["forecast"].iloc[0] == pytest.approx(10)
    assert by_day.loc[~by_day["workday"], "forecast"].iloc[0] == pytest.approx(3)
    week = fc.table.set_index(fc.table["label"].str[:2])
    assert week.loc["1W", "forecast"] == pytest.approx(5 * 10 + 2 * 3)
    assert fc.backtest["1W"].mape == pytest.approx(0, abs=1e-9)


def test_early_warning_flags_a_shift_in_the_mix():
    rows = []
    # Three quiet months, then September with the same company volume but one category
    # tripled.
    for month in ("2026-06", "2026-07", "2026-08"):
        rows += [(f"{month}-10", "甲")] * 20 + [(f"{month}-11", "乙")] * 20
    rows += [("2026-09-10", "甲")] * 10 + [("2026-09-11", "乙")] * 30
    cases = pd.DataFrame(rows, columns=["date_received", "category_id"])
    cases["date_received"] = pd.to_datetime(cases["date_received"])
    w = forecast.early_warning(cases, pd.Timestamp("2026-10-01"), "category_id")
    by = w.set_index("series")
    # Expected 20 each (half of 40); interval 20 ± 1.96·√20 = [11.2, 28.8].
    assert by.loc["乙", "direction"].startswith("上升")
    assert by.loc["甲", "direction"].startswith("下降")
    assert by.loc["乙", "expected"] == pytest.approx(20)


def test_no_warning_when_only_the_season_changes():
    rows = []
    for month, n in (("2026-06", 20), ("2026-07", 20), ("2026-08", 20), ("2026-09", 60)):
        rows += [(f"{month}-10", "甲")] * n + [(f"{month}-11", "乙")] * n
    cases = pd.DataFrame(rows, columns=["date_received", "category_id"])
    cases["date_received"] = pd.to_datetime(cases["date_received"])
    assert forecast.early_warning(cases, pd.Timestamp("2026-10-01"), "category_id").empty


def test_daily_month_ahead_is_the_calendar_month():
    cal = WorkCalendar(holidays=frozenset(), makeup_workdays=frozenset())
    days = pd.date_range("2026-01-01", "2026-01-31", freq="D")
    fc, by_day = forecast.daily(pd.Series(5, index=days), cal)
    month = fc.table.set_index(fc.table["label"].str[:2]).loc["1M"]
    assert month["label"] == "1M (2026-02-01–2026-02-28)"
    assert month["forecast"] == pytest.approx(28 * 5)
    assert len(by_day) == 28
    assert forecast.daily_horizons(pd.Timestamp("2026-10-01"))["1M"] == 31
    assert forecast.daily_horizons(pd.Timestamp("2026-02-15"))["1M"] == 28


def test_no_history_gives_no_forecast_and_says_so():
    fc = forecast.monthly(pd.Series([], index=pd.PeriodIndex([], freq="M"), dtype=int),
                          last=pd.Period("2026-09", "M"))
    assert fc.table["forecast"].isna().all() and "no forecast" in fc.method
    assert list(fc.table["label"]) == ["2026-10", "2026-11", "2026-12"]
    cal = WorkCalendar(holidays=frozenset(), makeup_workdays=frozenset())
    dfc, by_day = forecast.daily(pd.Series([], index=pd.DatetimeIndex([]), dtype=int), cal,
                                 start=pd.Timestamp("2026-10-01"))
    assert dfc.table["forecast"].isna().all() and "no forecast" in dfc.method
    assert len(by_day) == 31


# Histories of the four shapes that broke forecasts on real data.
@st.composite
def day_counts(draw):
    shape = draw(st.sampled_from(["short", "long", "sparse", "bursty"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if shape == "short":
        counts = rng.poisson(rng.uniform(0.5, 80), draw(st.integers(1, 60)))
    elif shape == "long":
        n = draw(st.integers(120, 420))
        weekly = np.where(np.arange(n) % 7 < 5, 1.0, 0.4)
        counts = rng.poisson(rng.uniform(2, 300) * weekly * np.linspace(1, 1.3, n))
    elif shape == "sparse":
        counts = rng.poisson(rng.uniform(0.02, 0.3), draw(st.integers(1, 400)))
    else:
        n = draw(st.integers(1, 400))
        counts = np.zeros(n, int)
        bursts = rng.integers(0, n, draw(st.integers(1, 5)))
        counts[bursts] = rng.integers(50, 5000, len(bursts))
    start = pd.Timestamp("2025-01-01") + pd.Timedelta(days=draw(st.integers(0, 300)))
    return pd.Series(counts, index=pd.date_range(start, periods=len(counts), freq="D"))


def _spread(totals) -> float:
    """The observed spread, computed here from its definition: standard deviation of the
    observed totals plus the Poisson variance of their mean."""
    t = pd.Series(totals, dtype=float)
    var = t.var(ddof=1) if len(t) > 1 else 0.0
    return float(np.sqrt(var + t.mean()))


def _sane(row, spread: float, ceiling: float) -> None:
    lo95, lo80, point, hi80, hi95 = (row[k] for k in ("lo95", "lo80", "forecast", "hi80",
                                                      "hi95"))
    assert np.isfinite([lo95, hi95]).all()
    assert 0 <= lo95 <= lo80 <= point <= hi80 <= hi95
    # Chebyshev: a 95 % interval is never wider than √20 observed spreads either side.
    assert hi95 - lo95 <= 2 * np.sqrt(20) * spread + 1e-9
    assert point <= ceiling


@settings(max_examples=60, deadline=None)
@given(day_counts())
def test_daily_intervals_are_sane_on_any_history(series):
    cal = WorkCalendar(holidays=frozenset(), makeup_workdays=frozenset())
    fc, by_day = forecast.daily(series, cal)
    counts = series.to_numpy(float)
    for _, row in fc.table.iterrows():
        first, last = row["label"].split("(")[1].rstrip(")").split("–")
        h = (pd.Timestamp(last) - pd.Timestamp(first)).days + 1
        totals = (pd.Series(counts).rolling(h).sum().dropna() if len(counts) >= h
                  else [counts.mean() * h])
        # Level × working-day factor never goes far beyond the busiest day observed.
        _sane(row, _spread(totals), 4 * h * counts.max() + 1e-9)
    for _, row in by_day.iterrows():
        _sane(row, _spread(counts), 4 * counts.max() + 1e-9)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["short", "long", "sparse", "bursty"]), st.integers(1, 60),
       st.integers(0, 2**32 - 1))
@example("bursty", 24, 24)  # a burst of 913 then 9,157 + 5,104: growth ×15.6 unbounded
def test_monthly_intervals_are_sane_on_any_history(shape, n, seed):
    rng = np.random.default_rng(seed)
    if shape == "short":
        y = rng.poisson(rng.uniform(1, 500), min(n, 23))
    elif shape == "long":
        y = rng.poisson(rng.uniform(5, 3000) * (1 + 0.3 * np.sin(np.arange(max(n, 24)) / 2)))
    elif shape == "sparse":
        y = rng.poisson(0.3, n)
    else:
        y = np.where(rng.random(n) < 0.1, rng.integers(100, 10000, n), 0)
    series = pd.Series(y, index=pd.period_range("2021-01", periods=len(y), freq="M"))
    fc = forecast.monthly(series)
    assert ("Seasonal" in fc.method) == (len(y) >= 24)
    for _, row in fc.table.iterrows():
        _sane(row, _spread(y), 4 * y.max() + 1e-9)
