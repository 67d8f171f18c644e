"""Working days of the company calendar, with public holidays and make-up working days.

In China a weekend day can be a working day (调休), so "N working days" cannot be counted
with a plain business-day offset. The bundled table holds the State Council holiday
announcements; a company with its own calendar passes a different one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd


def _days(*spans: tuple[str, str]) -> frozenset[date]:
    out: set[date] = set()
    for first, last in spans:
        out.update(d.date() for d in pd.date_range(first, last, freq="D"))
    return frozenset(out)


# Public holidays and make-up working days (调休上班), State Council announcements.
CN_HOLIDAYS = _days(
    ("2023-01-02", "2023-01-02"), ("2023-01-21", "2023-01-27"), ("2023-04-05", "2023-04-05"),
    ("2023-04-29", "2023-05-03"), ("2023-06-22", "2023-06-24"), ("2023-09-29", "2023-10-06"),
    ("2024-01-01", "2024-01-01"), ("2024-02-10", "2024-02-17"), ("2024-04-04", "2024-04-06"),
    ("2024-05-01", "2024-05-05"), ("2024-06-10", "2024-06-10"), ("2024-09-15", "2024-09-17"),
    ("2024-10-01", "2024-10-07"),
    ("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"), ("2025-04-04", "2025-04-06"),
    ("2025-05-01", "2025-05-05"), ("2025-05-31", "2025-06-02"), ("2025-10-01", "2025-10-08"),
    ("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"), ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"), ("2026-06-19", "2026-06-21"), ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
)
CN_MAKEUP_WORKDAYS = _days(
    ("2023-01-28", "2023-01-29"), ("2023-04-23", "2023-04-23"), ("2023-05-06", "2023-05-06"),
    ("2023-06-25", "2023-06-25"), ("2023-10-07", "2023-10-08"),
    ("2024-02-04", "2024-02-04"), ("2024-02-18", "2024-02-18"), ("2024-04-07", "2024-04-07"),
    ("2024-04-28", "2024-04-28"), ("2024-05-11", "2024-05-11"), ("2024-09-14", "2024-09-14"),
    ("2024-09-29", "2024-09-29"), ("2024-10-12", "2024-10-12"),
    ("2025-01-26", "2025-01-26"), ("2025-02-08", "2025-02-08"), ("2025-04-27", "2025-04-27"),
    ("2025-09-28", "2025-09-28"), ("2025-10-11", "2025-10-11"),
    ("2026-01-04", "2026-01-04"), ("2026-02-14", "2026-02-14"), ("2026-02-28", "2026-02-28"),
    ("2026-05-09", "2026-05-09"), ("2026-09-20", "2026-09-20"), ("2026-10-10", "2026-10-10"),
)


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default=CN_HOLIDAYS)
    makeup_workdays: frozenset[date] = field(default=CN_MAKEUP_WORKDAYS)

    def is_workday(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def due_dates(self, start: pd.Series, working_days: int) -> pd.Series:
        """End of the ``working_days``-th working day after each start day (the day of receipt
        does not count), as exclusive timestamps (midnight after the due day)."""
        valid = start.notna()
        out = pd.Series(pd.NaT, index=start.index, dtype="datetime64[ns]")
        if not valid.any():
            return out
        days = start[valid].dt.normalize()
        lo, hi = days.min(), days.max() + pd.Timedelta(days=working_days * 3 + 60)
        grid = pd.date_range(lo, hi, freq="D")
        work = np.fromiter((self.is_workday(d.date()) for d in grid), bool, len(grid))
        # cum[i] = working days in grid[0..i]; the due day is the first whose count reaches
        # cum(start) + N, found by binary search in the cumulative count.
        cum = np.cumsum(work)
        start_idx = ((days - lo) // pd.Timedelta(days=1)).to_numpy()
        due_idx = np.searchsorted(cum, cum[start_idx] + working_days, side="left")
        due = grid[np.minimum(due_idx, len(grid) - 1)] + pd.Timedelta(days=1)
        out[valid] = due.to_numpy()
        return out
