"""A quarter spanning a calendar change: holidays and make-up working days move deadlines."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pandas as pd
from reports_cases import case, load

from reports import metrics, period
from reports.calendar import WorkCalendar

Q4 = period.parse("2025Q4")


def _cases():
    return [
        # Received Tuesday 30 Sep, before the 1–8 Oct holiday; accepted Thursday 9 Oct, the
        # first working day after it: on time.
        case("N1", "2025-09-30 18:00", date_accepted="2025-10-09 10:00"),
        # Received Thursday 9 Oct; Friday 10 Oct is the first working day after: accepted on
        # Saturday 11 Oct (a make-up working day) is one day late.
        case("N2", "2025-10-09 09:00", date_accepted="2025-10-11 10:00"),
        # Received during the holiday (3 Oct), accepted on 9 Oct: on time.
        case("N3", "2025-10-03 12:00", date_accepted="2025-10-09 16:00"),
        # Received 31 Dec 2025 (the quarter's last day); 1–3 Jan 2026 are holidays and
        # Sunday 4 Jan is worked: accepted on Monday 5 Jan is late.
        case("N4", "2025-12-31 10:00", date_accepted="2026-01-05 09:00"),
        # Dispatched Thursday 9 Oct; the three working days after it are Fri 10, Sat 11
        # (make-up) and Mon 13: feedback on Monday 13 is in time, on Tuesday 14 (N6) late —
        # a Monday-to-Friday count would wrongly accept Tuesday.
        case("N5", "2025-10-09 08:00", date_accepted="2025-10-09 08:30",
             date_dispatched="2025-10-09 09:00", date_feedback="2025-10-13 17:00"),
        case("N6", "2025-10-09 08:00", date_accepted="2025-10-09 08:30",
             date_dispatched="2025-10-09 09:00", date_feedback="2025-10-14 09:00"),
    ]


def test_acceptance_and_feedback_follow_the_company_calendar(tmp_path):
    data = load(tmp_path / "in", _cases(), as_of="2026-01-20")
    k = metrics.kpis(data.cases, Q4, data.as_of, metrics.Policy())
    # N1 is a Q3 case. Q4: N2 late, N3 on time, N4 late, N5 and N6 on time.
    assert (k["acceptance_timeliness"].numerator,
            k["acceptance_timeliness"].denominator) == (3, 5)
    # N5 in time (Mon 13); N6 on Tue 14 is late because Saturday 11 was a working day.
    assert (k["feedback_timeliness"].numerator, k["feedback_timeliness"].denominator) == (1, 2)
    q3 = metrics.kpis(data.cases, period.parse("2025Q3"), data.as_of, metrics.Policy())
    assert (q3["acceptance_timeliness"].numerator,
            q3["acceptance_timeliness"].denominator) == (1, 1)


def test_without_make_up_days_the_same_cases_score_differently(tmp_path):
    data = load(tmp_path / "in", _cases(), as_of="2026-01-20")
    days = pd.date_range("2025-09-01", "2026-02-28").date
    official_holidays = frozenset(d for d in days if chinese_calendar.is_holiday(d) and d.weekday() < 5)
    assert date(2025, 10, 8) in official_holidays and date(2026, 1, 2) in official_holidays
    plain = metrics.Policy(calendar=WorkCalendar(holidays=official_holidays,
                                                 makeup_workdays=frozenset()))
    k = metrics.kpis(data.cases, Q4, pd.Timestamp("2026-01-20"), plain)
    # Without the make-up Saturday, N6's three working days end on Tuesday 14: in time;
    # and N4 (no worked Sunday 4 Jan) is due at the end of Monday 5: in time.
    assert k["feedback_timeliness"].numerator == 2
    assert k["acceptance_timeliness"].numerator == 4
