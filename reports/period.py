"""Reporting periods: a quarter (``2026Q3``) or a year (``2025``, the yearly report)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

LOCAL_TZ = "Asia/Shanghai"  # periods are cut in local time
_QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    """A half-open interval [start, end) of local time, with its label."""

    code: str
    start: pd.Timestamp
    end: pd.Timestamp  # exclusive

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.code

    @property
    def last_day(self) -> pd.Timestamp:
        return self.end - pd.Timedelta(days=1)

    def previous(self) -> Period:
        """The period just before (previous quarter, or previous year)."""
        if self.is_quarter:
            return quarter(self.start - pd.DateOffset(months=3))
        return parse(str(self.start.year - 1))

    def same_last_year(self) -> Period:
        if self.is_quarter:
            return quarter(self.start - pd.DateOffset(years=1))
        return parse(str(self.start.year - 1))

    def contains(self, ts: pd.Series) -> pd.Series:
        return (ts >= self.start) & (ts < self.end)


def quarter(day: pd.Timestamp) -> Period:
    q = (day.month - 1) // 3 + 1
    return parse(f"{day.year}Q{q}")


def last_complete_quarter(today: date | None = None) -> Period:
    """The last quarter that ended before ``today`` (default: today in local time,
    Asia/Shanghai): 2026-11-30 gives 2026Q3, 2026-10-01 gives 2026Q3, 2026-01-01 gives 2025Q4."""
    if today is None:
        today = pd.Timestamp.now(tz=LOCAL_TZ).date()
    return quarter(pd.Timestamp(today)).previous()


def parse(text: str) -> Period:
    """Parse ``2026Q3`` or ``2025``; raise ValueError with the accepted forms otherwise."""
    text = text.strip()
    m = _QUARTER.match(text)
    if m:
        year, q = int(m.group(1)), int(m.group(2))
        start = pd.Timestamp(year=year, month=3 * q - 2, day=1)
        return Period(f"{year}Q{q}", start, start + pd.DateOffset(months=3))
    m = _YEAR.match(text)
    if m:
        year = int(m.group(1))
        return Period(str(year), pd.Timestamp(year=year, month=1, day=1),
                      pd.Timestamp(year=year + 1, month=1, day=1))
    raise ValueError(f"period {text!r}: expected a quarter like 2026Q3 or a year like 2025")


if __name__ == "__main__":  # ``python -m reports.period`` prints the last complete quarter
    print(last_complete_quarter().code)
