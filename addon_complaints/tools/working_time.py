"""Deadline arithmetic on a window of working intervals.

The intervals come from Odoo's ``resource`` module (attendances minus leaves, see
``complaint.calendar.day._working_intervals``); this class only answers questions about them
quickly, so that a scheduled run can plan thousands of due dates from one read of the
calendar. All datetimes are naive UTC, as Odoo stores them.
"""

from bisect import bisect_left, bisect_right
from datetime import datetime, time, timedelta

import pytz

WORKING_DAYS = "working_days"
WORKING_HOURS = "working_hours"
CALENDAR_DAYS = "calendar_days"
HOURS = "hours"


class WorkingTime:
    """The working time of one calendar, loaded by windows.

    ``loader(start, end)`` returns the working intervals between two aware UTC datetimes as
    ``(start, stop)`` pairs of aware datetimes. The window grows (and the loader is called
    again) only when a question falls outside it.
    """

    def __init__(self, loader, tz, start, end):
        self._loader = loader
        self.tz = pytz.timezone(tz or "UTC")
        self.loads = 0
        self._load(start, end)

    # Loading -------------------------------------------------------------------------------
    def _load(self, start, end):
        self.window_start, self.window_end = start, end
        starts, stops, cumulated = [], [], [0.0]
        day_end = {}
        for begin, stop in self._loader(pytz.utc.localize(start), pytz.utc.localize(end)):
            begin = begin.astimezone(pytz.utc).replace(tzinfo=None)
            stop = stop.astimezone(pytz.utc).replace(tzinfo=None)
            if stop <= begin:
                continue
            starts.append(begin)
            stops.append(stop)
            cumulated.append(cumulated[-1] + (stop - begin).total_seconds())
            local_day = self.local_date(begin)
            day_end[local_day] = max(day_end.get(local_day, stop), stop)
        self._starts, self._stops, self._cumulated = starts, stops, cumulated
        self._days = sorted(day_end)
        self._day_end = day_end
        self.loads += 1

    def _ensure(self, start, end):
        if start >= self.window_start and end <= self.window_end:
            return
        # Grow by a quarter at least, so that a run of nearby questions loads once.
        margin = max(timedelta(days=60), (self.window_end - self.window_start) / 4)
        self._load(min(start, self.window_start) - (margin if start < self.window_start else timedelta()),
                   max(end, self.window_end) + (margin if end > self.window_end else timedelta()))

    # Helpers -------------------------------------------------------------------------------
    def local_date(self, dt):
        return pytz.utc.localize(dt).astimezone(self.tz).date()

    def local_day_end(self, day):
        """The last second of a local calendar day, in UTC."""
        end = self.tz.localize(datetime.combine(day, time(23, 59, 59)))
        return end.astimezone(pytz.utc).replace(tzinfo=None)

    def is_working_day(self, day):
        self._ensure_day(day)
        return day in self._day_end

    def _ensure_day(self, day):
        self._ensure(datetime.combine(day, time.min) - timedelta(days=1),
                     datetime.combine(day, time.max) + timedelta(days=1))

    def _position(self, dt):
        """Working seconds from the window start to ``dt``."""
        index = bisect_right(self._stops, dt)
        if index >= len(self._starts):
            return self._cumulated[-1]
        return self._cumulated[index] + max(0.0, (dt - self._starts[index]).total_seconds())

    def _at_position(self, position):
        """The moment when ``position`` working seconds have passed since the window start."""
        ends = self._cumulated[1:]
        index = bisect_left(ends, position)
        if index >= len(self._starts):
            return None
        return self._starts[index] + timedelta(seconds=position - self._cumulated[index])

    # Questions -----------------------------------------------------------------------------
    def working_seconds(self, start, end):
        if end <= start:
            return 0.0
        self._ensure(start, end)
        return self._position(end) - self._position(start)

    def add_working_hours(self, dt, hours):
        """``hours`` of working time after ``dt``: work starts at the next working moment."""
        horizon = dt + timedelta(days=14 + hours)
        while True:
            self._ensure(dt, horizon)
            due = self._at_position(self._position(dt) + hours * 3600.0)
            if due is not None and due <= self.window_end:
                return due
            if horizon - dt > timedelta(days=3660):
                return None
            horizon = dt + (horizon - dt) * 2

    def next_working_day(self, day, strictly_after=True):
        """The first working day after (or on, when not ``strictly_after``) a local date."""
        horizon = 31
        while True:
            self._ensure_day(day + timedelta(days=horizon))
            index = (bisect_right if strictly_after else bisect_left)(self._days, day)
            if index < len(self._days):
                return self._days[index]
            if horizon > 3660:
                return None
            horizon *= 2

    def add_working_days(self, dt, days):
        """The end of the ``days``-th working day after the local day of ``dt``.

        The day the clock starts never counts (a period starts the next day); a limit of 0
        means the end of the same working day, or of the next one when ``dt`` falls after
        working hours or on a day off.
        """
        day = self.local_date(dt)
        if days <= 0:
            self._ensure_day(day)
            if day in self._day_end and dt < self._day_end[day]:
                return self._day_end[day]
            day = self.next_working_day(day)
        else:
            day = self._nth_working_day_after(day, int(days))
        return self._day_end[day] if day else None

    def _nth_working_day_after(self, day, count):
        """The ``count``-th working day after a local date."""
        if count < 1:
            return day
        # Usually one look-up: a window reaching far enough holds the answer by position.
        self._ensure_day(day + timedelta(days=2 * count + 14))
        index = bisect_right(self._days, day) + count - 1
        if index < len(self._days):
            return self._days[index]
        for _step in range(count):
            day = self.next_working_day(day)
            if day is None:
                return None
        return day

    def add_calendar_days(self, dt, days, roll_to_working_day=False):
        """The end of the ``days``-th calendar day after the local day of ``dt`` ("within"
        includes the last day). With ``roll_to_working_day`` a last day that is a day off moves
        to the next working day, as the civil code counts periods."""
        due = self.local_day_end(self.local_date(dt) + timedelta(days=int(days)))
        return self.roll_off_day_off(due) if roll_to_working_day else due

    def roll_off_day_off(self, due):
        """A due date on a day off moves to the end of the next working day."""
        day = self.local_date(due)
        if self.is_working_day(day):
            return due
        day = self.next_working_day(day)
        return self.local_day_end(day) if day else due

    def plan(self, dt, unit, amount, roll_to_working_day=False):
        """Add ``amount`` of ``unit`` to ``dt``."""
        if unit == WORKING_DAYS:
            return self.add_working_days(dt, amount)
        if unit == WORKING_HOURS:
            return self.add_working_hours(dt, amount)
        if unit == CALENDAR_DAYS:
            return self.add_calendar_days(dt, amount, roll_to_working_day)
        return dt + timedelta(hours=amount)

    def shift_by_pause(self, due, unit, pause_start, pause_end):
        """Move a due date by the time a pause took, measured on the clock's own scale.

        A clock counted in days moves by whole days: the paused time is rounded to the
        nearest day (a pause of a few seconds leaves the due date where it was, a pause of a
        day moves it by one), and the due date stays at the end of a day."""
        if pause_end <= pause_start:
            return due
        if unit == WORKING_DAYS:
            shifted = self.add_working_hours(
                due, self.working_seconds(pause_start, pause_end) / 3600.0)
            return self._nearest_working_day_end(shifted) if shifted else shifted
        if unit == WORKING_HOURS:
            return self.add_working_hours(due, self.working_seconds(pause_start, pause_end) / 3600.0)
        if unit == CALENDAR_DAYS:
            days = round((pause_end - pause_start).total_seconds() / 86400.0)
            return self.local_day_end(self.local_date(due) + timedelta(days=days))
        return due + (pause_end - pause_start)

    def _nearest_working_day_end(self, dt):
        """The end of the working day of ``dt``, or of the working day before when ``dt`` is
        in the first half of its day's working time."""
        day = self.local_date(dt)
        self._ensure(dt - timedelta(days=31), dt + timedelta(days=2))
        end = self._day_end.get(day)
        if end is None or dt >= end:
            return dt
        index = bisect_right(self._stops, dt)
        # The first working moment of the day: the start of its first interval.
        first = index
        while first > 0 and self.local_date(self._starts[first - 1]) == day:
            first -= 1
        day_start = self._starts[first]
        if self.working_seconds(day_start, dt) * 2 > self.working_seconds(day_start, end):
            return end
        position = bisect_left(self._days, day)
        return self._day_end[self._days[position - 1]] if position > 0 else end
