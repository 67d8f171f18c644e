"""The regulator summary: the period's numbers as a plain dict, ready to be sent as JSON.

``build_summary`` is the one function the sync worker calls; its structure is documented in
reports/README.md ("Regulator summary payload"). Counts use codes (not labels) as keys so a
portal client can map them to whatever the portal expects.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reports import metrics, model
from reports.coverage import Coverage, CoverageError
from reports.figures import CompanyFigures
from reports.period import Period

__all__ = ["SCHEMA", "CoverageError", "build_summary", "summary_of"]

SCHEMA = "complaints.regulator_summary/1"


def _counts(frame: pd.DataFrame, column: str,
            table: dict[str, model.Code] | None = None) -> dict[str, int]:
    counts = frame[column].fillna("unknown").astype(str).value_counts()
    out = {code: int(counts.get(code, 0)) for code in (table or {})}
    for k, v in counts.items():
        out.setdefault(str(k), int(v))
    return out


def _kpi(k: metrics.Kpi) -> dict[str, Any]:
    return {"value": None if k.value is None else round(k.value, 6),
            "numerator": k.numerator, "denominator": k.denominator}


def build_summary(cases: pd.DataFrame, compensations: pd.DataFrame, period: Period,
                  company: str, as_of: pd.Timestamp,
                  policy: metrics.Policy | None = None,
                  currency: str = "CNY") -> dict[str, Any]:
    """Summary of one company's cases received in ``period``.

    ``cases``/``compensations``: canonical frames (reports.model) of that company; history
    before the period may be included (it is needed for the carried-over counts).

    Raises CoverageError when the data do not cover the period (no case before its end, or
    read before its last day): a summary of zeros is never produced for a period the data
    know nothing about, so nothing can file one by mistake."""
    Coverage.of(cases, as_of).check(period, company)
    policy = policy or metrics.Policy()
    cases = metrics.countable(cases)
    return _payload(cases, metrics.received(cases, period),
                    metrics.kpis(cases, period, as_of, policy), compensations, period,
                    company, as_of, policy, currency)


def summary_of(fig: CompanyFigures, currency: str = "CNY") -> dict[str, Any]:
    """``build_summary`` of a company whose figures are computed already (the documents'
    run): the same payload, without computing the period's cases and KPIs again."""
    if fig.coverage is not None:
        fig.coverage.check(fig.period, fig.company)
    return _payload(fig.cases, fig.current, fig.kpis["current"], fig.compensations,
                    fig.period, fig.company, fig.as_of, fig.policy, currency)


def _payload(cases: pd.DataFrame, r: pd.DataFrame, kpis: dict[str, metrics.Kpi],
             compensations: pd.DataFrame, period: Period, company: str,
             as_of: pd.Timestamp, policy: metrics.Policy, currency: str) -> dict[str, Any]:
    """The payload of countable ``cases``, ``r`` those received in ``period``."""
    closure = metrics.closure(cases, period).set_index("code")["count"]
    comp = metrics.compensation(compensations, period)
    return {
        "schema": SCHEMA,
        "period": {"code": period.code, "start": period.start.date().isoformat(),
                   "end": period.last_day.date().isoformat()},
        "company": company,
        "as_of": as_of.isoformat(timespec="seconds"),
        "counts": {
            "received": len(r),
            "complaints": int((r["demand_type"] == "complaint").sum()),
            "regulator_forwarded": int(r["is_regulator_forwarded"].sum()),
            "group": int((r["affected_count"] >= policy.group_threshold).sum()),
            "not_accepted": int((r["state"] == "not_accepted").sum()),
            "closed_by_period_end": int(closure["received_closed"]),
            "open_at_period_end": int(closure["received_open"]),
            "by_demand_type": _counts(r, "demand_type", model.DEMAND_TYPES),
            "by_channel": _counts(r, "channel_id", model.CHANNELS),
            "by_category": _counts(r, "category_id"),
            "by_level": _counts(r, "level", model.LEVELS),
        },
        "kpis": {key: _kpi(k) for key, k in kpis.items()},
        # "odoo": the timeliness KPIs count the add-on's stored outcomes; "policy": computed
        # from a file with the default policy; "mixed": both.
        "timeliness_source": metrics.outcomes_source(r),
        "compensation": {
            "currency": currency,
            "proposed_count": int(comp["proposed_count"].sum()),
            "proposed_amount": round(float(comp["proposed_amount"].sum()), 2),
            "approved_count": int(comp["approved_count"].sum()),
            "approved_amount": round(float(comp["approved_amount"].sum()), 2),
            "paid_count": int(comp["paid_count"].sum()),
            "paid_amount": round(float(comp["paid_amount"].sum()), 2),
        },
    }
