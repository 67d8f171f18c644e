"""The companies' working calendars as Odoo counts them.

The add-on writes its working-calendar days into Odoo's ``resource`` records, with the rule
of which day wins already applied: a day off becomes public time off of each company it
concerns (``resource.calendar.leaves``), a make-up working day (调休) a working line of each
calendar it concerns (``resource.calendar.attendance``), both marked with the day they come
from (``complaint_calendar_day_id``). The reports read those records for each company and its
working calendar, so they count working days on exactly the days the deadlines are counted
on. A year the server has not published (``complaint.calendar.year``) is not known: the
forecast takes it as Monday to Friday and says so, as it does for the official calendar.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from reports.calendar import WorkCalendar

log = logging.getLogger(__name__)

DAY = "complaint_calendar_day_id"


@dataclass(frozen=True)
class CompanyDays:
    """The days the add-on wrote into one company's working time."""

    holidays: frozenset[date]
    makeup_workdays: frozenset[date]

    def calendar(self, known_years: frozenset[int]) -> WorkCalendar:
        return WorkCalendar(holidays=self.holidays, makeup_workdays=self.makeup_workdays,
                            known_years=known_years)


def _published_years(odoo, fallback: frozenset[int]) -> frozenset[int]:
    try:
        years = odoo.execute_kw("complaint.calendar.year", "search_read",
                                [[("state", "=", "published")]], {"fields": ["year"]})
        return frozenset(int(y["year"]) for y in years)
    except Exception as exc:  # an older add-on, or a user without access to the view
        log.warning("complaint.calendar.year not readable (%s): the years with days off "
                    "count as published", exc)
        return fallback


def days_by_company(companies: list[dict], leaves: list[dict], lines: list[dict],
                    dates: dict[int, date]) -> dict[int, CompanyDays]:
    """{company id: its days} from what search_read answers: ``companies`` (``id``,
    ``resource_calendar_id``), the derived public time off (``company_id``, the day) and
    working lines (``calendar_id``, the day), and the date of each day by id."""
    out = {}
    for company in companies:
        calendar = company["resource_calendar_id"] and company["resource_calendar_id"][0]
        out[company["id"]] = CompanyDays(
            holidays=frozenset(dates[leave[DAY][0]] for leave in leaves
                               if leave["company_id"] and leave["company_id"][0] == company["id"]),
            makeup_workdays=frozenset(dates[line[DAY][0]] for line in lines
                                      if calendar and line["calendar_id"][0] == calendar))
    return out


def read(odoo, companies: dict[str, int]) -> dict[str, WorkCalendar]:
    """{company name: its working calendar} for ``companies`` (name → id)."""
    ex = odoo.execute_kw
    ids = list(companies.values())
    rows = ex("res.company", "read", [ids, ["resource_calendar_id"]])
    calendars = [row["resource_calendar_id"][0] for row in rows if row["resource_calendar_id"]]
    leaves = ex("resource.calendar.leaves", "search_read",
                [[(DAY, "!=", False), ("resource_id", "=", False), ("company_id", "in", ids)]],
                {"fields": ["company_id", DAY]})
    lines = ex("resource.calendar.attendance", "search_read",
               [[(DAY, "!=", False), ("calendar_id", "in", calendars)]], {"fields": ["calendar_id", DAY]})
    day_ids = sorted({row[DAY][0] for row in leaves + lines})
    dates = {row["id"]: date.fromisoformat(row["date"])
             for row in ex("complaint.calendar.day", "read", [day_ids, ["date"]])} if day_ids else {}
    known = _published_years(odoo, frozenset(d.year for d in dates.values()))
    log.info("working calendar: %d public time off and %d make-up working lines from Odoo, "
             "published years %s", len(leaves), len(lines), ", ".join(map(str, sorted(known))) or "none")
    days = days_by_company(rows, leaves, lines, dates)
    return {name: days[cid].calendar(known) for name, cid in companies.items()}
