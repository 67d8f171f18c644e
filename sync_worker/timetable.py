"""When things run: the sync loop, hourly result pushes and the regulator filings.

Filing dates follow the quarterly reporting rule: the quarterly summary by the 20th of the quarter's
last month (001 第十二条), covering the quarter from its first day to the filing day;
the annual report by April 30 for the previous calendar year (004 第7篇 第二十一条).
A filing missed because the worker was down is caught up within ``catch_up_days``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import schedule

from reports.period import Period

log = logging.getLogger(__name__)
BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class FilingPeriod:
    label: str  # "2026Q1" or "2025"
    start: dt.datetime  # naive UTC, inclusive
    end: dt.datetime  # naive UTC, exclusive
    due: dt.date

    def report_period(self) -> Period:
        """The same period in local (Beijing) time, as ``reports`` counts it: a quarter's
        filing runs from its first day to the filing day, a year's is the whole year."""
        to_local = dt.timedelta(hours=8)
        return Period(self.label, pd.Timestamp(self.start + to_local), pd.Timestamp(self.end + to_local))


def _utc(day: dt.date) -> dt.datetime:
    """Midnight Beijing time of ``day`` as naive UTC."""
    local = dt.datetime.combine(day, dt.time(0), BEIJING)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def filing_periods(year: int) -> list[FilingPeriod]:
    periods = [
        FilingPeriod(
            label=str(year - 1),
            start=_utc(dt.date(year - 1, 1, 1)),
            end=_utc(dt.date(year, 1, 1)),
            due=dt.date(year, 4, 30),
        )
    ]
    for quarter in range(1, 5):
        first_month = 3 * quarter - 2
        due = dt.date(year, first_month + 2, 20)
        periods.append(
            FilingPeriod(
                label=f"{year}Q{quarter}",
                start=_utc(dt.date(year, first_month, 1)),
                end=_utc(due + dt.timedelta(days=1)),
                due=due,
            )
        )
    return periods


def filings_due(today: dt.date, catch_up_days: int = 14) -> list[FilingPeriod]:
    """Filings whose due date is today or within the last ``catch_up_days``."""
    candidates = filing_periods(today.year) + filing_periods(today.year - 1)
    return sorted(
        (p for p in candidates if today - dt.timedelta(days=catch_up_days) <= p.due <= today),
        key=lambda p: p.due,
    )


def beijing_today() -> dt.date:
    return dt.datetime.now(BEIJING).date()


@dataclass(frozen=True)
class Cadence:
    sync_minutes: int = 5
    push_minutes: int = 60
    filing_time: str = "09:00"  # host local time; run the service with TZ=Asia/Shanghai


def build_scheduler(
    cadence: Cadence, sync: Callable[[], None], push: Callable[[], None], file: Callable[[], None]
) -> schedule.Scheduler:
    scheduler = schedule.Scheduler()  # an instance, not the module-level default one
    scheduler.every(cadence.sync_minutes).minutes.do(sync).tag("sync")
    scheduler.every(cadence.push_minutes).minutes.do(push).tag("push")
    scheduler.every().day.at(cadence.filing_time).do(file).tag("file")
    return scheduler


def run_until_stopped(scheduler: schedule.Scheduler, stop: threading.Event, *, run_first: bool = True) -> None:
    """Run due jobs until ``stop`` is set; a job in progress always finishes first."""
    if run_first:
        for job in list(scheduler.jobs):
            if stop.is_set():
                return
            if "file" not in job.tags:
                job.run()
    while not stop.is_set():
        scheduler.run_pending()
        idle = scheduler.idle_seconds
        stop.wait(min(max(idle if idle is not None else 1.0, 0.2), 30.0))
