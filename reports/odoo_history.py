"""The history before the reported quarter, read from Odoo as grouped counts.

The trend, forecast and year-on-year figures need the years before the period only as
counts: cases per day received (monthly and daily volume, coverage), per department and day
in the last twelve months (the expectation report's trend), and the open, closed and
reopened cases at the period boundaries (carried-in cases, the reopen rate). So PostgreSQL
counts them (``read_group``) and each group comes back as that many *stand-in rows* that
carry only the columns those figures read, at the precision they compare them:

* ``date_received``: the local day (periods, months and days are cut at local midnight);
* ``date_closed``: the first day of its local quarter — every boundary it is compared with
  is the start or end of a quarter or year, so the quarter decides; ``date_accepted`` the
  same, kept for the cases not accepted (only their decision date counts: it finishes them);
* ``state``, ``reopen_count``, ``company_id`` as stored;
* ``department_id`` where a figure splits the history by department: received within the
  last twelve months before the period end, or closed on or after the period start.

Every other column is empty. The stand-in rows never appear in a document row by row: the
periods whose cases are listed or broken down are read as rows (reports.odoo_source).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reports.period import LOCAL_TZ

log = logging.getLogger(__name__)

# Date parts rather than day or month buckets: read_group returns them as plain numbers
# (a bucket comes back as a formatted, language-dependent label).
_DAY = ("year_number", "day_of_year")
_QUARTER = ("year_number", "quarter_number")
# The columns a stand-in row carries.
COLUMNS = ("company_id", "date_received", "state", "reopen_count", "date_closed",
           "date_accepted", "department_id")


@dataclass(frozen=True)
class HistoryQuery:
    """Which cases are counted, and from when the department is kept."""

    domain: list  # the cases to count (UTC datetimes, as Odoo stores them)
    department_since_utc: str  # received on or after this: department kept
    closed_since_utc: str  # closed on or after this: department kept


def _groupby(department: bool, accepted: bool) -> list[str]:
    # Every group costs Odoo a domain per group-by: as few group-bys as the figures need.
    parts = [f"date_received:{p}" for p in _DAY] + [f"date_closed:{p}" for p in _QUARTER]
    if accepted:
        parts += [f"date_accepted:{p}" for p in _QUARTER]
    parts += ["company_id", "state", "reopen_count"]
    return parts + (["department_id"] if department else [])


def _count(odoo, domain: list, department: bool) -> list[dict]:
    # Grouped in local time: Odoo converts the stored UTC datetimes with the context's tz.
    context = dict(odoo.env.context, tz=LOCAL_TZ)
    groups = []
    for accepted, state in ((False, ("state", "!=", "not_accepted")),
                            (True, ("state", "=", "not_accepted"))):
        groups += odoo.execute_kw("complaint.case", "read_group",
                                  [[*domain, state], ["__count"],
                                   _groupby(department, accepted)],
                                  {"lazy": False, "context": context})
    log.info("complaint.case history: %d groups (%s department)", len(groups),
             "with" if department else "without")
    return groups


def _quarter(group: dict, field: str) -> pd.Timestamp:
    year, quarter = group.get(f"{field}:year_number"), group.get(f"{field}:quarter_number")
    if not year or not quarter:
        return pd.NaT
    return pd.Timestamp(int(year), 3 * int(quarter) - 2, 1)


def _name(value) -> str | None:
    """A many2one as read_group returns it: [id, display name], or False."""
    return value[1] if isinstance(value, (list, tuple)) and value else None


def _frame(groups: list[dict]) -> pd.DataFrame:
    if not groups:
        return pd.DataFrame({c: [] for c in COLUMNS})
    return pd.DataFrame({
        "company_id": [_name(g.get("company_id")) for g in groups],
        "date_received": [pd.Timestamp(int(g["date_received:year_number"]), 1, 1)
                          + pd.Timedelta(days=int(g["date_received:day_of_year"]) - 1)
                          for g in groups],
        "state": [g.get("state") or None for g in groups],
        "reopen_count": [int(g.get("reopen_count") or 0) for g in groups],
        "date_closed": [_quarter(g, "date_closed") for g in groups],
        "date_accepted": [_quarter(g, "date_accepted") for g in groups],
        "department_id": [_name(g.get("department_id")) for g in groups],
        "__count": [int(g["__count"]) for g in groups],
    })


def read(odoo, query: HistoryQuery) -> pd.DataFrame:
    """Stand-in rows (local time, columns COLUMNS) for the cases of ``query.domain``: one
    per case, in no particular order."""
    keep = ["|", ("date_received", ">=", query.department_since_utc),
            ("date_closed", ">=", query.closed_since_utc)]
    # The complement spelled out: Odoo negates a comparison into its opposite, which would
    # leave out the cases never closed.
    rest = [("date_received", "<", query.department_since_utc),
            "|", ("date_closed", "=", False), ("date_closed", "<", query.closed_since_utc)]
    with_dept = _count(odoo, [*query.domain, *keep], department=True)
    without = _count(odoo, [*query.domain, *rest], department=False)
    groups = _frame(with_dept + without)
    if groups.empty:
        return groups[list(COLUMNS)]
    repeat = groups.pop("__count").to_numpy()
    rows = groups.loc[np.repeat(groups.index.to_numpy(), repeat)].reset_index(drop=True)
    rows["date_received"] = rows["date_received"].astype("datetime64[ns]")
    for col in ("date_closed", "date_accepted"):
        rows[col] = pd.to_datetime(rows[col]).astype("datetime64[ns]")
    log.info("complaint.case history: %d cases counted", len(rows))
    return rows
