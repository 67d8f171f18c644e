"""What the data cover: from a company's first case received to the extraction moment.

A period the data do not cover would come out as a quarter of zeros that looks like a quiet
quarter. So every document states the covered range in its title row, and a period is
refused unless the data reach its last day and begin before its end. A period that starts
before the first case (a company's first quarter on the system) is covered from that case.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reports.period import Period


class CoverageError(ValueError):
    """The data do not cover the period; the message gives the covered range."""


@dataclass(frozen=True)
class Coverage:
    """The data of one company: cases received from ``first`` (None: no case at all), read
    at ``as_of``."""

    first: pd.Timestamp | None
    as_of: pd.Timestamp

    @classmethod
    def of(cls, cases: pd.DataFrame, as_of: pd.Timestamp) -> Coverage:
        received = cases["date_received"] if "date_received" in cases else pd.Series([])
        first = received.min() if len(received) else None
        return cls(None if first is None or pd.isna(first) else pd.Timestamp(first),
                   pd.Timestamp(as_of))

    @property
    def first_day(self) -> pd.Timestamp | None:
        return None if self.first is None else self.first.normalize()

    def label(self) -> str:
        """``2023-01-01 – 2026-10-12 12:00`` (or ``– … (no case)``)."""
        start = self.first_day.strftime("%Y-%m-%d") if self.first is not None else "无案件 no case"
        return f"{start} – {self.as_of.strftime('%Y-%m-%d %H:%M')}"

    def problem(self, period: Period) -> str | None:
        """Why the data do not cover ``period``, or None when they do.

        Covered: a case received before the period's end, and data read on or after the
        period's last day (a file's extraction moment is its latest timestamp, so a step
        on the last day counts)."""
        if self.first is None:
            return f"no case in the data (read {self.as_of:%Y-%m-%d %H:%M})"
        if self.first_day >= period.end:
            return (f"the data begin on {self.first_day:%Y-%m-%d}, after the period "
                    f"{period.code} ends")
        if self.as_of.normalize() < period.last_day:
            return (f"the data end on {self.as_of:%Y-%m-%d %H:%M} (extraction moment), before "
                    f"the period's last day {period.last_day:%Y-%m-%d}")
        return None

    def check(self, period: Period, who: str = "") -> None:
        """Raise CoverageError when the data do not cover ``period``."""
        why = self.problem(period)
        if why:
            prefix = f"{who}: " if who else ""
            raise CoverageError(f"{prefix}period {period.code} is not covered by the data "
                                f"({self.label()}): {why}")
