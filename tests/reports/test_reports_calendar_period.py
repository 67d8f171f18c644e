"""Periods and the working-day calendar with make-up working days (调休)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import chinese_calendar
import pandas as pd
import pytest

from reports import period
from reports.calendar import CalendarError, WorkCalendar, official_years


def test_quarter_bounds_previous_and_last_year():
    p = period.parse("2026Q3")
    assert (p.start, p.end) == (pd.Timestamp("2026-07-01"), pd.Timestamp("2026-10-01"))
    assert p.previous().code == "2026Q2"
    assert p.same_last_year().code == "2025Q3"
    assert period.parse("2026Q1").previous().code == "2025Q4"
    assert period.parse("2025").previous().code == "2024"
    assert period.parse("2025").last_day == pd.Timestamp("2025-12-31")


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 11, 30), "2026Q3"), (date(2026, 10, 1), "2026Q3"), (date(2026, 9, 30), "2026Q2"),
    (date(2026, 1, 1), "2025Q4"), (date(2026, 3, 31), "2025Q4"), (date(2026, 4, 1), "2026Q1"),
])
def test_last_complete_quarter(today, expected):
    assert period.last_complete_quarter(today).code == expected


def test_default_period_of_the_main_job_is_the_last_complete_quarter():
    # reports/main_job.sh without PERIOD asks ``python -m reports.period``.
    out = subprocess.run([sys.executable, "-m", "reports.period"], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    today = pd.Timestamp.now(tz="Asia/Shanghai").date()
    assert out.stdout.strip() == period.last_complete_quarter(today).code
    assert period.parse(out.stdout).end <= pd.Timestamp(today)


@pytest.mark.parametrize("text", ["2026Q5", "Q3 2026", "26Q3", ""])
def test_bad_period_is_refused(text):
    with pytest.raises(ValueError, match="expected a quarter"):
        period.parse(text)


def _due(received: str, n: int) -> pd.Timestamp:
    return WorkCalendar().due_dates(pd.Series([pd.Timestamp(received)]), n).iloc[0]


def test_makeup_sunday_is_a_working_day():
    # 2025-09-28 is a Sunday worked in exchange for the National Day holiday.
    cal = WorkCalendar()
    assert cal.is_workday(date(2025, 9, 28))
    assert not cal.is_workday(date(2025, 10, 1))
    assert not cal.is_workday(date(2025, 9, 27))  # a plain Saturday
    # Received Friday 26 September: the next working day is Sunday 28.
    assert _due("2025-09-26 10:00", 1) == pd.Timestamp("2025-09-29")


def test_holiday_week_pushes_the_deadline():
    # Received Tuesday 30 September 2025; 1–8 October are holidays, Thursday 9 is the first
    # working day after it.
    assert _due("2025-09-30 16:00", 1) == pd.Timestamp("2025-10-10")
    # Three working days: 9 Oct (Thu), 10 Oct (Fri), 11 Oct (Saturday, make-up day).
    assert _due("2025-09-30 16:00", 3) == pd.Timestamp("2025-10-12")


def test_deadline_across_the_year_change():
    # Received 31 December 2025; 1–3 January 2026 are holidays, Sunday 4 January is worked.
    assert _due("2025-12-31 09:00", 1) == pd.Timestamp("2026-01-05")


def test_received_on_a_holiday_counts_from_the_next_working_day():
    assert _due("2026-02-16 12:00", 1) == pd.Timestamp("2026-02-25")  # Spring Festival


def test_custom_calendar_replaces_the_official_one():
    plain = WorkCalendar(holidays=frozenset(), makeup_workdays=frozenset())
    due = plain.due_dates(pd.Series([pd.Timestamp("2025-09-30")]), 1).iloc[0]
    assert due == pd.Timestamp("2025-10-02")


def test_missing_dates_stay_missing():
    s = pd.Series([pd.NaT, pd.Timestamp("2026-07-01")])
    out = WorkCalendar().due_dates(s, 1)
    assert pd.isna(out.iloc[0]) and out.iloc[1] == pd.Timestamp("2026-07-03")


# The official calendar is chinese_calendar's: these dates are those of the State Council's
# holiday notices for 2025 and 2026, as the library records them.
@pytest.mark.parametrize(("day", "workday", "holiday_name"), [
    (date(2025, 1, 26), True, "Spring Festival"),   # Sunday worked for the Spring Festival
    (date(2025, 10, 8), False, "National Day"),      # Wednesday, last day of National Day
    (date(2026, 2, 14), True, "Spring Festival"),   # Saturday worked for the Spring Festival
    (date(2026, 2, 28), True, "Spring Festival"),
    (date(2026, 1, 4), True, "New Year's Day"),     # Sunday worked
    (date(2026, 2, 23), False, "Spring Festival"),  # Monday, ninth day of the holiday
    (date(2026, 9, 25), False, "Mid-autumn Festival"),
    (date(2026, 10, 10), True, "National Day"),     # Saturday worked
])
def test_known_dates_of_the_official_calendar(day, workday, holiday_name):
    assert chinese_calendar.is_workday(day) is workday
    assert chinese_calendar.get_holiday_detail(day) == (not workday, holiday_name)
    assert WorkCalendar().is_workday(day) is workday


def test_working_days_match_the_official_calendar_every_day():
    first, last = official_years()
    assert first <= 2023 and last >= 2026
    cal = WorkCalendar()
    days = pd.date_range("2023-01-01", f"{last}-12-31", freq="D")
    ours = [cal.is_workday(d) for d in days.date]
    assert ours == [chinese_calendar.is_workday(d) for d in days.date]
    # Due dates against a day-by-day count with the library, for every start day and N ≤ 5
    # whose due day the library knows.
    for n in (1, 3, 5):
        starts = days[days <= pd.Timestamp(f"{last}-12-10")]
        due = cal.due_dates(pd.Series(starts + pd.Timedelta(hours=15)), n)
        expected = []
        for s in starts:
            d, left = s, n
            while left:
                d += pd.Timedelta(days=1)
                left -= chinese_calendar.is_workday(d.date())
            expected.append(d + pd.Timedelta(days=1))
        assert list(due) == expected


def test_a_year_without_an_official_notice_is_refused():
    last = official_years()[1]
    after = date(last + 1, 1, 4)
    with pytest.raises(CalendarError, match=f"no official public holidays for {last + 1}"):
        WorkCalendar().is_workday(after)
    with pytest.raises(CalendarError, match="chinese-calendar"):
        WorkCalendar().is_workday(date(1999, 5, 3))
    # Up to the last known year deadlines work; one that would fall past it is refused.
    ok = WorkCalendar().due_dates(pd.Series([pd.Timestamp(f"{last}-12-01 10:00")]), 1)
    assert ok.iloc[0].year == last
    with pytest.raises(CalendarError, match=str(last + 1)):
        WorkCalendar().due_dates(pd.Series([pd.Timestamp(f"{last}-12-31 10:00")]), 1)
    with pytest.raises(CalendarError):
        WorkCalendar().due_dates(pd.Series([pd.Timestamp(after)]), 1)
    # A company calendar has no such limit.
    plain = WorkCalendar(holidays=frozenset(), makeup_workdays=frozenset())
    assert plain.due_dates(pd.Series([pd.Timestamp(after)]), 1).iloc[0] == pd.Timestamp(after) + pd.Timedelta(days=2)


def test_forecast_days_past_the_official_calendar_assume_weekdays():
    import pandas as pd

    from reports.calendar import WorkCalendar, official_years
    from reports.forecast import daily

    cal = WorkCalendar()
    last = official_years()[1]
    days = pd.date_range(f"{last}-09-01", f"{last}-12-31", freq="D")
    series = pd.Series([5.0 if cal.is_workday(d.date()) else 1.0 for d in days], index=days)
    forecast, by_day = daily(series, cal)
    first_day_after = by_day.iloc[0]
    assert str(first_day_after["day"]) == f"{last + 1}-01-01"
    assert by_day["workday"].tolist() == [d.weekday() < 5 for d in pd.to_datetime(by_day["day"])]
    assert f"{last + 1}" in forecast.method and "Monday–Friday assumed" in forecast.method
