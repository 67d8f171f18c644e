"""Working days of the company calendar, with public holidays and make-up working days.

In China a weekend day can be a working day (调休), so "N working days" cannot be counted
with a plain business-day offset. The official calendar — the State Council's yearly holiday
notices — comes from the ``chinese-calendar`` package (module ``chinese_calendar``); a date
in a year it has no notice for is refused with :class:`CalendarError`, never guessed. A
company with its own calendar passes its holidays and make-up working days instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import chinese_calendar
import numpy as np
import pandas as pd


class CalendarError(ValueError):
    """A date outside the years the official calendar knows."""


def official_years() -> tuple[int, int]:
    """First and last year for which ``chinese_calendar`` has the State Council notice."""
    known = chinese_calendar.holidays.keys()
    return min(known).year, max(known).year


def _out_of_range(day: date) -> CalendarError:
    first, last = official_years()
    version = getattr(chinese_calendar, "__version__", "?")
    return CalendarError(
        f"working-day calendar: no official public holidays for {day.year} ({day.isoformat()}); "
        f"chinese-calendar {version} knows {first}–{last}. Upgrade chinese-calendar (pip install "
        f"-U chinese-calendar) once the State Council has announced the {day.year} holidays.")


@lru_cache(maxsize=8192)
def official_is_workday(day: date) -> bool:
    """``chinese_calendar.is_workday``; :class:`CalendarError` outside its known years."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise _out_of_range(day) from None


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar (``chinese_calendar``) when neither set is given; otherwise a
    company calendar: Monday to Friday except ``holidays``, plus ``makeup_workdays``."""

    holidays: frozenset[date] | None = None
    makeup_workdays: frozenset[date] | None = None
    # The years whose official days the company calendar has (read from Odoo: those the
    # server has published); None: every year. Another year is taken as Monday to Friday
    # with the company's own days, as the add-on does, and the forecast says so.
    known_years: frozenset[int] | None = None

    @property
    def is_official(self) -> bool:
        return self.holidays is None and self.makeup_workdays is None

    def last_known_day(self) -> pd.Timestamp | None:
        """Last day the calendar can answer for (None: any day)."""
        if not self.is_official:
            return None
        return pd.Timestamp(year=official_years()[1], month=12, day=31)

    def is_workday(self, day: date) -> bool:
        if self.is_official:
            return official_is_workday(day)
        if day in (self.makeup_workdays or ()):
            return True
        if day in (self.holidays or ()):
            return False
        return day.weekday() < 5

    def knows(self, day: date) -> bool:
        """Whether the calendar can answer for ``day`` (a company calendar can, in the
        years it knows)."""
        if self.known_years is not None:
            return day.year in self.known_years
        last = self.last_known_day()
        return last is None or pd.Timestamp(day) <= last

    def is_workday_or_weekday(self, day: date) -> bool:
        """For forecasts only: the calendar's answer, or Monday to Friday for a day in a year
        whose official holidays are not published yet. Deadlines never use this."""
        return self.is_workday(day) if self.knows(day) else day.weekday() < 5

    def due_dates(self, start: pd.Series, working_days: int) -> pd.Series:
        """End of the ``working_days``-th working day after each start day (the day of receipt
        does not count), as exclusive timestamps (midnight after the due day).

        :class:`CalendarError` when a start day, or a due day, lies in a year the official
        calendar does not know."""
        valid = start.notna()
        out = pd.Series(pd.NaT, index=start.index, dtype="datetime64[ns]")
        if not valid.any():
            return out
        days = start[valid].dt.normalize()
        lo, hi = days.min(), days.max() + pd.Timedelta(days=working_days * 3 + 60)
        last = self.last_known_day()
        capped = last is not None and hi > last
        if capped:
            hi = max(last, days.max())  # a start day past ``last`` raises in is_workday
        grid = pd.date_range(lo, hi, freq="D")
        work = np.fromiter((self.is_workday(d.date()) for d in grid), bool, len(grid))
        # cum[i] = working days in grid[0..i]; the due day is the first whose count reaches
        # cum(start) + N, found by binary search in the cumulative count.
        cum = np.cumsum(work)
        start_idx = ((days - lo) // pd.Timedelta(days=1)).to_numpy()
        due_idx = np.searchsorted(cum, cum[start_idx] + working_days, side="left")
        if capped and (due_idx >= len(grid)).any():
            raise _out_of_range((last + pd.Timedelta(days=1)).date())
        due = grid[np.minimum(due_idx, len(grid) - 1)] + pd.Timedelta(days=1)
        out[valid] = due.to_numpy()
        return out
