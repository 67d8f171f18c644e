"""A stand-in for the ``Gateway`` interface, for testing the orchestration in sync.py.

It is deliberately not an imitation of Odoo: it keeps one dict of cases keyed by
``(source, external_ref)`` (the uniqueness the add-on enforces) and records calls.
Anything that depends on Odoo's own behaviour is tested against a real Odoo (``odoo``
marker). Failure injection: ``poison`` refs make a batch containing them fail as a whole,
like a refused ``create``; ``fail_next`` raises a given exception on the next calls.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

import pandas as pd

from reports import sources
from reports.sources import CaseData
from sync_worker.odoo_gateway import (
    ApplyOutcome,
    ModelMissing,
    OdooRecordError,
    QuarantineRow,
    RunContext,
)
from sync_worker.records import CaseSnapshot, InboundCase


@dataclass
class StoredCase:
    id: int
    case: InboundCase
    state: str = "draft"
    write_date: str = "2026-01-01 00:00:00"
    receipt: str = ""
    writes: int = 0


@dataclass
class MemoryGateway:
    calls: int = 0
    cases: dict[tuple[str, str], StoredCase] = field(default_factory=dict)
    quarantined: list[QuarantineRow] = field(default_factory=list)
    leases: dict[str, tuple[str, dt.datetime]] = field(default_factory=dict)
    poison: set[str] = field(default_factory=set)
    fail_next: list[BaseException] = field(default_factory=list)
    has_quarantine_model: bool = True
    company_name: str = "申城示范零售有限公司"
    crash_after_apply: int | None = None  # raise after this many successful applies
    creates: int = 0
    batch_sizes: list[int] = field(default_factory=list)  # records per apply_cases call
    seconds_per_case: float = 0.0  # how long Odoo takes per record of a create
    _applies: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _clock: int = 0

    def _tick(self) -> str:
        self._clock += 1
        return (dt.datetime(2026, 1, 1) + dt.timedelta(seconds=self._clock)).strftime("%Y-%m-%d %H:%M:%S")

    def _enter(self) -> None:
        self.calls += 1
        if self.fail_next:
            raise self.fail_next.pop(0)

    def resolve(self, channel_codes, company, category_map) -> RunContext:
        self._enter()
        return RunContext(company_id=1, channels={c: i for i, c in enumerate(channel_codes, 1)}, categories={})

    def apply_cases(self, ctx, channel_code, cases: list[InboundCase]) -> ApplyOutcome:
        self._enter()
        self.batch_sizes.append(len(cases))
        if self.seconds_per_case:
            time.sleep(self.seconds_per_case * len(cases))
        if any(c.external_ref in self.poison for c in cases):
            raise OdooRecordError("ValidationError: poisoned record")
        created, updated, unchanged = {}, [], []
        with self._lock:
            for case in cases:
                key = (case.source, case.external_ref)
                known = self.cases.get(key)
                if known is None:
                    self.creates += 1
                    stored = StoredCase(self.creates, case, write_date=self._tick())
                    self.cases[key] = stored
                    created[case.external_ref] = stored.id
                elif known.case.deadline != case.deadline or known.case.priority != case.priority:
                    known.case = case
                    known.writes += 1
                    known.write_date = self._tick()
                    updated.append(case.external_ref)
                else:
                    unchanged.append(case.external_ref)
        self._applies += 1
        if self.crash_after_apply is not None and self._applies >= self.crash_after_apply:
            self.crash_after_apply = None
            raise KeyboardInterrupt("simulated crash right after Odoo committed")
        return ApplyOutcome(created, updated, unchanged)

    def quarantine(self, ctx, rows: list[QuarantineRow]) -> None:
        self._enter()
        if not self.has_quarantine_model:
            raise ModelMissing("complaint.sync.quarantine")
        known = {(q.source, q.external_ref, q.reason) for q in self.quarantined}
        self.quarantined += [r for r in rows if (r.source, r.external_ref, r.reason) not in known]

    def acquire_lease(self, key: str, holder: str, ttl: float) -> bool:
        self._enter()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self._lock:
            current = self.leases.get(key)
            if current and current[0] != holder and current[1] > now:
                return False
            self.leases[key] = (holder, now + dt.timedelta(seconds=ttl))
            return True

    def release_lease(self, key: str, holder: str) -> None:
        self._enter()
        with self._lock:
            if key in self.leases and self.leases[key][0] == holder:
                del self.leases[key]

    def set_state(self, source: str, ref: str, state: str) -> None:
        stored = self.cases[(source, ref)]
        stored.state = state
        stored.write_date = self._tick()

    def cases_to_push(self, ctx, source, since, limit) -> list[CaseSnapshot]:
        self._enter()
        out = []
        for (src, ref), stored in sorted(self.cases.items(), key=lambda kv: kv[1].write_date):
            if src != source or stored.state not in ("feedback", "replied", "closed"):
                continue
            if since and stored.write_date < since:
                continue
            out.append(
                CaseSnapshot(
                    case_id=stored.id,
                    name=f"TS2026-{stored.id:06d}",
                    external_ref=ref,
                    state=stored.state,
                    write_date=stored.write_date,
                    external_deadline=stored.case.deadline,
                    handler="王经理",
                    handling_hours=5.5,
                    date_closed=dt.datetime(2026, 1, 3, 8) if stored.state == "closed" else None,
                    satisfaction="satisfied" if stored.state == "closed" else "",
                )
            )
        return out[:limit]

    def record_receipts(self, receipts) -> None:
        self._enter()
        by_id = {s.id: s for s in self.cases.values()}
        for case_id, receipt, _at in receipts:
            by_id[case_id].receipt = receipt
            by_id[case_id].write_date = self._tick()

    def report_data(self, ctx, period) -> tuple[str, CaseData]:
        """The stored cases as records with technical field names, read by ``reports.sources``
        like any other source (datetimes UTC)."""
        self._enter()
        rows = [
            {
                "name": f"TS2026-{stored.id:06d}",
                "company_id": self.company_name,
                "date_received": stored.case.date_received,
                "demand_type": stored.case.demand_type,
                "channel_id": src,
                "is_regulator_forwarded": src == "regulator",
                "subject": stored.case.subject,
                "priority": stored.case.priority,
                "affected_count": stored.case.affected_count,
                "is_emergency": stored.case.is_emergency,
                "state": stored.state,
                "external_ref": ref,
            }
            for (src, ref), stored in self.cases.items()
        ]
        return self.company_name, sources.from_frames(pd.DataFrame(rows), None, "memory", timezone="UTC")

    def refs(self, source: str) -> list[str]:
        return [ref for (src, ref) in self.cases if src == source]
