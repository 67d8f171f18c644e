"""The figures of one company and period, computed once and shared by every document."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from reports import metrics
from reports.coverage import Coverage
from reports.normalize import DataIssue
from reports.period import Period


@dataclass
class CompanyFigures:
    company: str
    period: Period
    as_of: pd.Timestamp
    source: str
    policy: metrics.Policy
    cases: pd.DataFrame  # the company's whole history that was read
    compensations: pd.DataFrame  # proposals on those cases
    current: pd.DataFrame  # received in the period
    previous: pd.DataFrame  # received in the previous period
    last_year: pd.DataFrame  # received in the same period a year before
    kpis: dict[str, dict[str, metrics.Kpi]]  # "current" / "previous" / "last_year"
    issues: list[DataIssue] = field(default_factory=list)
    coverage: Coverage | None = None  # what the company's data cover (title rows)

    @property
    def uncovered(self) -> str | None:
        """Why the data do not cover the period (built anyway with --allow-empty)."""
        return self.coverage.problem(self.period) if self.coverage else None

    @property
    def periods(self) -> dict[str, Period]:
        return {"current": self.period, "previous": self.period.previous(),
                "last_year": self.period.same_last_year()}


def compute(company: str, cases: pd.DataFrame, comps: pd.DataFrame, period: Period,
            as_of: pd.Timestamp, source: str, policy: metrics.Policy,
            issues: list[DataIssue] | None = None) -> CompanyFigures:
    """``cases`` and ``comps`` of this company only."""
    coverage = Coverage.of(cases, as_of)
    cases = metrics.countable(cases)
    prev, ly = period.previous(), period.same_last_year()
    return CompanyFigures(
        company=company, period=period, as_of=as_of, source=source, policy=policy,
        cases=cases, compensations=comps,
        current=metrics.received(cases, period), previous=metrics.received(cases, prev),
        last_year=metrics.received(cases, ly),
        kpis={"current": metrics.kpis(cases, period, as_of, policy),
              "previous": metrics.kpis(cases, prev, as_of, policy),
              "last_year": metrics.kpis(cases, ly, as_of, policy)},
        issues=list(issues or []), coverage=coverage,
    )
