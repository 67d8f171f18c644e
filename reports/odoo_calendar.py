"""The companies' working calendars as stored in Odoo (``complaint.calendar.day``).

Reading from Odoo, the reports count working days on the same days as the add-on: the
official mainland days (no company), and each company's own days, which win over an
official day on the same date; archived days do not count. A year the server has not
published (``complaint.calendar.year``) is not known: the forecast takes it as Monday to
Friday and says so, as it does for the official calendar.
"""

from __future__ import annotations

import logging
from datetime import date

from reports.calendar import WorkCalendar

log = logging.getLogger(__name__)


def _published_years(odoo, days: list[dict]) -> frozenset[int]:
    try:
        years = odoo.execute_kw("complaint.calendar.year", "search_read",
                                [[("state", "=", "published")]], {"fields": ["year"]})
        return frozenset(int(y["year"]) for y in years)
    except Exception as exc:  # an older add-on, or a user without access to the view
        log.warning("complaint.calendar.year not readable (%s): the years with official "
                    "days count as published", exc)
        return frozenset(date.fromisoformat(d["date"]).year for d in days
                         if not d["company_id"])


def calendar_of(days: list[dict], company_id: int, known_years: frozenset[int]) -> WorkCalendar:
    """The working calendar of one company from the stored days (dicts with ``date``,
    ``day_type`` and ``company_id`` as search_read answers them)."""
    kind: dict[date, str] = {}
    for own in (False, True):  # official first, then the company's own on top
        for d in days:
            ours = bool(d["company_id"]) and d["company_id"][0] == company_id
            if (ours if own else not d["company_id"]):
                kind[date.fromisoformat(d["date"])] = d["day_type"]
    return WorkCalendar(
        holidays=frozenset(day for day, k in kind.items() if k == "holiday"),
        makeup_workdays=frozenset(day for day, k in kind.items() if k == "workday"),
        known_years=known_years)


def read(odoo, companies: dict[str, int]) -> dict[str, WorkCalendar]:
    """{company name: its working calendar} for ``companies`` (name → id)."""
    days = odoo.execute_kw("complaint.calendar.day", "search_read",
                           [[("company_id", "in", [False, *companies.values()])]],
                           {"fields": ["date", "day_type", "company_id"],
                            "context": dict(odoo.env.context, active_test=True)})
    known = _published_years(odoo, days)
    log.info("working calendar: %d days from Odoo, published years %s", len(days),
             ", ".join(map(str, sorted(known))) or "none")
    return {name: calendar_of(days, cid, known) for name, cid in companies.items()}
