"""Forecasts on series whose future is known, and the early warning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
