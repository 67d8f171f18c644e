"""What the regulator portal accepts as ``figures`` of ``summaries.submit`` (PORTALS.md §4.5).

The figures are the ``complaints.regulator_summary/1`` payload, as XML-RPC delivers it (an
absent KPI value arrives as ``""``, PORTALS.md §1). :func:`problems` lists what is wrong with
a submission, each naming the field; an empty list means it is accepted.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

SCHEMA = "complaints.regulator_summary/1"
COUNTS = ("received", "complaints", "regulator_forwarded", "group", "not_accepted",
          "closed_by_period_end", "open_at_period_end")
BREAKDOWNS = ("by_demand_type", "by_channel", "by_category", "by_level")
KPIS = ("acceptance_timeliness", "handling_timeliness", "feedback_timeliness", "satisfaction_rate",
        "repeat_rate", "reopen_rate", "overdue_rate")
COMPENSATION_COUNTS = ("proposed_count", "approved_count", "paid_count")
COMPENSATION_AMOUNTS = ("proposed_amount", "approved_amount", "paid_amount")
TOP_LEVEL = ("schema", "period", "company", "as_of", "counts", "kpis", "compensation")


def _is_count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _date(v: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 else None
    except ValueError:
        return None


def _struct(out: list[str], figures: dict, name: str) -> dict:
    value = figures.get(name)
    if not isinstance(value, dict):
        out.append(f"{name}: struct required")
        return {}
    return value


def problems(period: Any, figures: Any) -> list[str]:
    if not isinstance(period, str) or not isinstance(figures, dict):
        return ["period (string) and figures (struct) are required"]
    out: list[str] = []
    missing = [k for k in TOP_LEVEL if k not in figures]
    if missing:
        return [f"figures: missing {', '.join(missing)}"]
    if figures["schema"] != SCHEMA:
        out.append(f"schema: expected {SCHEMA!r}")
    p = _struct(out, figures, "period")
    if p:
        if p.get("code") != period:
            out.append(f"period.code: {p.get('code')!r} is not the period filed ({period!r})")
        start, end = _date(p.get("start")), _date(p.get("end"))
        if start is None or end is None:
            out.append("period.start, period.end: dates YYYY-MM-DD required")
        elif end < start:
            out.append("period.end: before period.start")
    if not isinstance(figures["company"], str) or not figures["company"].strip():
        out.append("company: non-empty string required")
    try:
        dt.datetime.fromisoformat(figures["as_of"])
    except (TypeError, ValueError):
        out.append("as_of: ISO 8601 date-time required")

    counts = _struct(out, figures, "counts")
    if counts:
        for k in COUNTS:
            if not _is_count(counts.get(k)):
                out.append(f"counts.{k}: integer >= 0 required")
        received = counts.get("received")
        for k in BREAKDOWNS:
            table = counts.get(k)
            if not isinstance(table, dict) or not all(isinstance(n, str) and n for n in table):
                out.append(f"counts.{k}: struct of code -> count required")
                continue
            if not all(_is_count(v) for v in table.values()):
                out.append(f"counts.{k}: counts must be integers >= 0")
            elif _is_count(received) and sum(table.values()) != received:
                out.append(f"counts.{k}: adds up to {sum(table.values())}, not received ({received})")
        closed, still_open = counts.get("closed_by_period_end"), counts.get("open_at_period_end")
        if _is_count(received) and _is_count(closed) and _is_count(still_open) and closed + still_open != received:
            out.append("counts.closed_by_period_end + counts.open_at_period_end: not received")
        for k in ("complaints", "regulator_forwarded", "group", "not_accepted"):
            if _is_count(received) and _is_count(counts.get(k)) and counts[k] > received:
                out.append(f"counts.{k}: more than received")

    kpis = _struct(out, figures, "kpis")
    if kpis:
        for k in KPIS:
            kpi = kpis.get(k)
            if not isinstance(kpi, dict):
                out.append(f"kpis.{k}: struct {{value, numerator, denominator}} required")
                continue
            num, den, value = kpi.get("numerator"), kpi.get("denominator"), kpi.get("value")
            if not (_is_count(num) and _is_count(den) and num <= den):
                out.append(f"kpis.{k}: integers 0 <= numerator <= denominator required")
            elif den == 0:
                if value != "":
                    out.append(f'kpis.{k}.value: "" required when the denominator is 0')
            elif not _is_number(value) or abs(value - num / den) > 1e-6:
                out.append(f"kpis.{k}.value: must be numerator / denominator ({num}/{den})")

    comp = _struct(out, figures, "compensation")
    if comp:
        currency = comp.get("currency")
        if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha() and currency.isupper()):
            out.append("compensation.currency: ISO 4217 code required")
        for k in COMPENSATION_COUNTS:
            if not _is_count(comp.get(k)):
                out.append(f"compensation.{k}: integer >= 0 required")
        for k in COMPENSATION_AMOUNTS:
            if not _is_number(comp.get(k)):
                out.append(f"compensation.{k}: number required")
    return out
