"""Pull -> apply -> push for one portal: the only place the three sides meet.

Order of effects, and why it gives exactly-once *effect*:

1. pull a page after the saved cursor;
2. validate; quarantine what cannot be applied;
3. apply the rest in Odoo (found by external_ref: created, updated or skipped);
4. one local transaction: advance the cursor, remember applied revisions, queue the
   acknowledgement and the quarantine rows;
5. send the acknowledgement from the outbox (idempotency key), copy quarantine to Odoo.

A crash before 4 re-pulls the page and step 3 finds the cases already there; a crash
after 4 resends from the outbox with the same idempotency key. Results go the same way:
a case snapshot becomes an outbox row whose key is ``source:external_ref:stage``, the
portal's receipt is stored locally first and then written on the case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from reports import regulator
from reports.calendar import CalendarError

from .odoo_gateway import (
    ApplyOutcome,
    Gateway,
    ModelMissing,
    OdooRecordError,
    QuarantineRow,
    RunContext,
)
from .portals import PortalClient
from .portals.reader import escaped_excerpt
from .portals.transport import BadAnswer, PermanentFailure
from .records import (
    PUSH_STAGES,
    AckItem,
    CaseResult,
    CaseSnapshot,
    InboundCase,
    Rejection,
    Summary,
    utc_now,
)
from .retry import Backoff, Interrupted, TemporaryFailure, call_with_retry
from .state import OutboxItem, StateStore
from .timetable import FilingPeriod
from .validation import Limits, validate

log = logging.getLogger(__name__)
BEIJING = dt.timezone(dt.timedelta(hours=8))


class LeaseBusy(Exception):
    """Another worker instance holds the lease for this portal."""


class LeaseLost(Exception):
    """Our lease expired or was taken over during the run; stop before applying more."""


class PageRefused(Exception):
    """A page answer could not be read within the limits, twice: it is quarantined with its
    first bytes and the run of this portal ends (the cursor cannot move past it)."""

    def __init__(self, reason: str, head: bytes, size: int):
        super().__init__(reason)
        self.reason = reason
        self.head = head
        self.size = size


class Progress(Protocol):
    def update(self, n: int) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SyncSettings:
    page_size: int = 200
    lease_ttl: float = 300.0
    push_batch: int = 2000
    push_overlap_s: int = 300
    deadline_warning_h: float = 24.0
    # Pages are applied in chunks sized so that one Odoo call takes about half of this.
    apply_call_s: float = 15.0
    max_chunk: int = 2000
    backoff: Backoff = field(default_factory=Backoff)
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class PortalBinding:
    client: PortalClient
    channel_code: str

    @property
    def source(self) -> str:
        return self.client.source


@dataclass
class RunReport:
    source: str
    pulled: int = 0
    pages: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    quarantined: int = 0
    sent: int = 0
    send_failures: int = 0
    dead: int = 0
    queued_results: int = 0
    receipts_recorded: int = 0
    filings: int = 0
    stopped: bool = False

    def as_fields(self) -> dict[str, Any]:
        return dict(self.__dict__)


def ack_key(source: str, items: list[AckItem]) -> str:
    # Sorted so a reshuffled re-delivery of the same page yields the same key.
    canon = sorted((i.external_ref, i.revision, i.status) for i in items)
    digest = hashlib.sha256(json.dumps(canon, ensure_ascii=False).encode()).hexdigest()[:32]
    return f"{source}:ack:{digest}"


def result_key(source: str, external_ref: str, stage: str) -> str:
    return f"{source}:result:{external_ref}:{stage}"


def summary_key(source: str, period: str) -> str:
    return f"{source}:summary:{period}"


def _beijing(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.replace(tzinfo=dt.UTC).astimezone(BEIJING).isoformat()


def result_body(snapshot: CaseSnapshot) -> dict[str, Any]:
    """The portal-neutral result of a case (PORTALS.md §4.3); clients add their ids."""
    return {
        "stage": snapshot.stage,
        "case_no": snapshot.name,
        "handled_by": snapshot.handler,
        "handling_hours": round(snapshot.handling_hours, 2),
        "feedback_at": _beijing(snapshot.date_feedback),
        "replied_at": _beijing(snapshot.date_replied),
        "closed_at": _beijing(snapshot.date_closed),
        "satisfaction": snapshot.satisfaction,
        "validity": snapshot.validity,
        "cause": snapshot.cause_type,
        "closure_criterion": snapshot.closure_criterion,
    }


class Synchronizer:
    def __init__(
        self,
        gateway: Gateway,
        state: StateStore,
        settings: SyncSettings,
        stop: threading.Event,
        holder: str,
        company: str | int | None = None,
        category_map: dict[str, str] | None = None,
        progress: Callable[[str, int | None], Progress] | None = None,
    ):
        self.gateway = gateway
        self.state = state
        self.settings = settings
        self.stop = stop
        self.holder = holder
        self.company = company
        self.category_map = category_map or {}
        self.progress = progress
        self._warned_missing_quarantine = False
        self._chunk = 50  # records per Odoo call, adapted to the measured time per record
        self._renewed = 0.0  # monotonic time of the last lease renewal
        self._lease = ""  # the lease of the portal being run

    # -- entry point ------------------------------------------------------------------
    def run(
        self,
        binding: PortalBinding,
        *,
        pull: bool = True,
        push: bool = True,
        filings: list[FilingPeriod] | None = None,
    ) -> RunReport:
        report = RunReport(binding.source)
        lease = f"sync_worker:{binding.source}"
        if not self._retry("lease", lambda: self.gateway.acquire_lease(lease, self.holder, self.settings.lease_ttl)):
            raise LeaseBusy(f"lease {lease} is held by another worker")
        self._renewed = time.monotonic()
        self._lease = lease
        try:
            ctx = self._retry(
                "resolve", lambda: self.gateway.resolve([binding.channel_code], self.company, self.category_map)
            )
            self._flush(binding, ctx, report)
            self._push_quarantine(binding.source, ctx)
            if pull:
                self._pull(binding, ctx, report, lease)
            if push and not self.stop.is_set():
                self._queue_results(binding, ctx, report)
            for period in filings or []:
                if not self.stop.is_set():
                    self._queue_filing(binding, ctx, period, report)
            self._flush(binding, ctx, report)
        finally:
            report.stopped = self.stop.is_set()
            self._lease = ""
            try:
                self.gateway.release_lease(lease, self.holder)
            except Exception as exc:  # noqa: BLE001 - the lease expires on its own; never mask the real error
                log.warning("lease release failed", extra={"kv": {"lease": lease, "error": str(exc)}})
        log.info("run finished", extra={"kv": report.as_fields()})
        return report

    def _retry(self, what: str, func: Callable[[], Any]) -> Any:
        return call_with_retry(what, func, self.settings.backoff, self.stop)

    # -- pull and apply ------------------------------------------------------------------
    def _pull(self, binding: PortalBinding, ctx: RunContext, report: RunReport, lease: str) -> None:
        source = binding.source
        cursor = self.state.get_cursor(source)
        bar: Progress | None = None
        try:
            while not self.stop.is_set():
                self._renew_lease()
                page = self._pull_page(binding, cursor)
                report.pages += 1
                report.pulled += len(page.records)
                if bar is None and self.progress is not None and (page.remaining or 0) > self.settings.page_size:
                    bar = self.progress(f"{source} import", len(page.records) + (page.remaining or 0))
                cases, rejections, skipped = self._sort(source, page.records)
                report.skipped += skipped
                outcome = ApplyOutcome()
                if cases:
                    outcome, refused = self._apply(ctx, binding.channel_code, cases)
                    rejections += refused
                refused_refs = {(r.external_ref, r.revision) for r in rejections}
                applied = {
                    c.external_ref: c.revision for c in cases if (c.external_ref, c.revision) not in refused_refs
                }
                items = [AckItem(ref, rev, "accepted") for ref, rev in applied.items()]
                # revision 0 = unknown (the record was too broken to tell); a record
                # without a usable reference cannot be acknowledged at all
                items += [
                    AckItem(r.external_ref, r.revision or 0, "rejected", r.reason[:500])
                    for r in rejections
                    if not r.external_ref.startswith("<")
                ]
                self.state.commit_page(
                    source, page.next_cursor, applied, (ack_key(source, items), items) if items else None, rejections
                )
                for r in rejections:
                    log.error(
                        "record quarantined",
                        extra={
                            "kv": {
                                "source": source,
                                "external_ref": r.external_ref,
                                "revision": r.revision,
                                "reason": r.reason,
                            }
                        },
                    )
                report.created += len(outcome.created)
                report.updated += len(outcome.updated)
                report.unchanged += len(outcome.unchanged)
                report.quarantined += len(rejections)
                log.info(
                    "page applied",
                    extra={
                        "kv": {
                            "source": source,
                            "records": len(page.records),
                            "created": len(outcome.created),
                            "updated": len(outcome.updated),
                            "quarantined": len(rejections),
                            "skipped": skipped,
                            "cursor": page.next_cursor,
                        }
                    },
                )
                cursor = page.next_cursor
                self._flush(binding, ctx, report, kinds=("ack",))
                self._push_quarantine(source, ctx)
                if bar is not None:
                    bar.update(len(page.records))
                if not page.has_more:
                    break
        finally:
            if bar is not None:
                bar.close()

    def _pull_page(self, binding: PortalBinding, cursor: str):
        """One page; an unreadable answer is asked for once more, then the page is refused."""
        unreadable = 0

        def attempt():
            nonlocal unreadable
            try:
                return binding.client.pull(cursor, self.settings.page_size)
            except BadAnswer as exc:
                unreadable += 1
                if unreadable >= 2:
                    raise PageRefused(str(exc), exc.head, exc.size) from exc
                raise

        try:
            return self._retry(f"{binding.source} pull", attempt)
        except PageRefused as exc:
            self._quarantine_page(binding.source, cursor, exc)
            raise

    def _quarantine_page(self, source: str, cursor: str, exc: PageRefused) -> None:
        ref = f"<page after cursor {escaped_excerpt(cursor, 40)}>"
        payload = json.dumps(
            {"cursor": cursor, "bytes": exc.size, "head": exc.head.decode("utf-8", "backslashreplace")},
            ensure_ascii=False,
        )
        rejection = Rejection(source, ref[:64], 0, f"page: {exc.reason} ({exc.size} bytes read)", payload)
        self.state.quarantine_page(source, rejection)
        log.error(
            "page quarantined",
            extra={"kv": {"source": source, "cursor": cursor, "reason": exc.reason, "bytes": exc.size}},
        )

    def _sort(self, source: str, raw: list) -> tuple[list[InboundCase], list[Rejection], int]:
        """Validate a page, drop repeats and revisions older than what was applied, and
        quarantine conflicting duplicates (same id and revision, different content)."""
        newest: dict[str, InboundCase] = {}
        rejections: list[Rejection] = []
        copies: dict[tuple[str, int], list[InboundCase]] = {}
        rejected_keys: set[tuple[str, int | None]] = set()
        for record in raw:
            checked = validate(source, record.payload, self.settings.limits)
            if isinstance(checked, Rejection):
                rejections.append(checked)
                rejected_keys.add((checked.external_ref, checked.revision))
                continue
            copies.setdefault((checked.external_ref, checked.revision), []).append(checked)
        conflicted: set[str] = set()
        for (ref, revision), same in copies.items():
            differing = _differing_fields(same)
            if differing or (ref, revision) in rejected_keys:
                conflicted.add(ref)
                what = ", ".join(differing) if differing else "one copy is invalid"
                times = len(same) + ((ref, revision) in rejected_keys)
                reason = (
                    f"{_REF_FIELD[source]}: {escaped_excerpt(ref)} revision {revision} delivered "
                    f"{times} times in one page with different content ({what})"
                )
                rejections += [
                    Rejection(source, ref, revision, f"{reason}, copy {n} of {len(same)}", _case_text(c))
                    for n, c in enumerate(same, 1)
                ]
                continue
            known = newest.get(ref)
            if known is None or revision > known.revision:
                newest[ref] = same[0]
        for ref in conflicted:
            # a conflicting revision must not be masked by an older one of the same page
            newest.pop(ref, None)
        applied = self.state.applied_revisions(source, list(newest))
        cases = [c for ref, c in newest.items() if c.revision > applied.get(ref, 0)]
        # dedupe identical rejections (a broken record delivered twice in one page)
        unique = list({(r.external_ref, r.revision, r.reason, r.payload_text): r for r in rejections}.values())
        return cases, unique, max(0, len(raw) - len(cases) - len(rejections))

    def _apply(self, ctx: RunContext, channel: str, cases: list[InboundCase]) -> tuple[ApplyOutcome, list[Rejection]]:
        """Apply a page in chunks sized by time, renewing the lease between chunks.

        Each chunk is sized from the time per record measured so far so that one Odoo
        call takes about half of ``apply_call_s``, far below the Odoo timeout, whatever the
        page size. Shutdown is honoured between chunks: the page is not committed, so the
        next run pulls it again and finds the cases already created.
        """
        created: dict[str, int] = {}
        updated: list[str] = []
        unchanged: list[str] = []
        refused: list[Rejection] = []
        start = 0
        while start < len(cases):
            if self.stop.is_set():
                raise Interrupted("shutdown requested while applying a page")
            self._renew_lease()
            chunk = cases[start : start + self._chunk]
            began = time.monotonic()
            outcome, chunk_refused = self._apply_bisect(ctx, channel, chunk)
            self._resize_chunk(len(chunk), time.monotonic() - began)
            created.update(outcome.created)
            updated += outcome.updated
            unchanged += outcome.unchanged
            refused += chunk_refused
            start += len(chunk)
        return ApplyOutcome(created=created, updated=updated, unchanged=unchanged), refused

    def _renew_lease(self) -> None:
        """The heartbeat: renew the lease once a third of its time has passed."""
        lease = self._lease
        if not lease or time.monotonic() - self._renewed < self.settings.lease_ttl / 3:
            return
        if not self._retry("lease", lambda: self.gateway.acquire_lease(lease, self.holder, self.settings.lease_ttl)):
            raise LeaseLost(f"lease {lease} lost before applying a chunk")
        self._renewed = time.monotonic()

    def _resize_chunk(self, size: int, seconds: float) -> None:
        per_record = max(seconds, 1e-6) / size
        wanted = int(self.settings.apply_call_s / 2 / per_record)
        # grow at most twofold per step: one fast chunk must not be followed by a huge one
        self._chunk = max(1, min(self.settings.max_chunk, wanted, max(size, self._chunk) * 2))

    def _apply_bisect(
        self, ctx: RunContext, channel: str, cases: list[InboundCase]
    ) -> tuple[ApplyOutcome, list[Rejection]]:
        # Odoo refuses a whole create() when one record is bad; halving finds the culprit
        # in log2(n) extra calls instead of falling back to one call per record.
        try:
            return self._retry("apply", lambda: self.gateway.apply_cases(ctx, channel, cases)), []
        except OdooRecordError as exc:
            if len(cases) == 1:
                case = cases[0]
                return ApplyOutcome(), [
                    Rejection(
                        case.source,
                        case.external_ref,
                        case.revision,
                        f"Odoo refused the record: {exc}",
                        _case_text(case),
                    )
                ]
        mid = len(cases) // 2
        left, left_refused = self._apply_bisect(ctx, channel, cases[:mid])
        right, right_refused = self._apply_bisect(ctx, channel, cases[mid:])
        merged = ApplyOutcome(
            created={**left.created, **right.created},
            updated=left.updated + right.updated,
            unchanged=left.unchanged + right.unchanged,
        )
        return merged, left_refused + right_refused

    def _push_quarantine(self, source: str, ctx: RunContext) -> None:
        items = self.state.unpushed_quarantine(source)
        if not items:
            return
        rows = [QuarantineRow(source, i.external_ref, i.reason, i.payload) for i in items]
        try:
            self._retry("quarantine", lambda: self.gateway.quarantine(ctx, rows))
        except ModelMissing as exc:
            if not self._warned_missing_quarantine:
                log.warning("quarantine kept local only", extra={"kv": {"reason": str(exc), "count": len(items)}})
                self._warned_missing_quarantine = True
            return
        self.state.mark_quarantine_pushed([i.id for i in items])

    # -- results and filings -------------------------------------------------------------
    def _queue_results(self, binding: PortalBinding, ctx: RunContext, report: RunReport) -> None:
        source = binding.source
        mark = f"push_since:{source}"
        watermark = self.state.get_meta(mark)
        since = None
        if watermark:
            # write_date is the transaction start; a long transaction can commit a
            # slightly older stamp after we read, so look back a little every time.
            since = (
                dt.datetime.fromisoformat(watermark) - dt.timedelta(seconds=self.settings.push_overlap_s)
            ).strftime("%Y-%m-%d %H:%M:%S")
        snapshots = self._retry(
            "cases to push", lambda: self.gateway.cases_to_push(ctx, source, since, self.settings.push_batch)
        )
        newest = watermark or ""
        soon = utc_now() + dt.timedelta(hours=self.settings.deadline_warning_h)
        for snap in snapshots:
            newest = max(newest, snap.write_date.replace(" ", "T"))
            if snap.state not in PUSH_STAGES:
                continue
            key = result_key(source, snap.external_ref, snap.stage)
            payload = {"external_ref": snap.external_ref, "stage": snap.stage, "body": result_body(snap)}
            due = snap.external_deadline.isoformat() if snap.external_deadline else None
            if self.state.enqueue(source, "result", key, payload, case_id=snap.case_id, due_at=due):
                report.queued_results += 1
                if snap.external_deadline and snap.external_deadline < soon:
                    log.warning(
                        "result close to portal deadline",
                        extra={"kv": {"source": source, "external_ref": snap.external_ref, "deadline": due}},
                    )
        if newest:
            self.state.set_meta(mark, newest)

    def _queue_filing(self, binding: PortalBinding, ctx: RunContext, period: FilingPeriod, report: RunReport) -> None:
        key = summary_key(binding.source, period.label)
        if self.state.has_outbox(key):
            return
        figures = self.filing_figures(ctx, period)
        if figures is None:
            return
        if self.state.enqueue(binding.source, "summary", key, {"period": period.label, "figures": figures}):
            report.filings += 1

    def filing_figures(self, ctx: RunContext, period: FilingPeriod) -> dict[str, Any] | None:
        """The filing's figures: ``reports.regulator.build_summary`` over the company's cases
        read by ``reports.sources`` — the numbers of the quarterly workbooks, one computation.
        None when they cannot be computed yet (logged; the next filing run tries again)."""
        report_period = period.report_period()
        company, data = self._retry("filing data", lambda: self.gateway.report_data(ctx, report_period))
        try:
            return regulator.build_summary(data.cases, data.compensations, report_period, company, data.as_of)
        except CalendarError as exc:
            log.error("filing postponed", extra={"kv": {"period": period.label, "reason": str(exc)}})
            return None

    # -- outbox --------------------------------------------------------------------------
    def _flush(
        self,
        binding: PortalBinding,
        ctx: RunContext,
        report: RunReport,
        kinds: tuple[str, ...] = ("ack", "result", "summary"),
    ) -> None:
        failures_in_a_row = 0
        while not self.stop.is_set():
            batch = self.state.due_outbox(binding.source, kinds)
            if not batch:
                break
            for item in batch:
                if self.stop.is_set():
                    break
                try:
                    receipt = self._send(binding, item)
                except TemporaryFailure as exc:
                    report.send_failures += 1
                    failures_in_a_row += 1
                    delay = self.settings.backoff.delay(item.attempts + 1)
                    if exc.retry_after is not None:
                        delay = max(delay, exc.retry_after)
                    self.state.mark_retry(item.key, str(exc), time.time() + delay)
                    log.warning(
                        "send failed, will retry",
                        extra={"kv": {"key": item.key, "attempt": item.attempts + 1, "error": str(exc)}},
                    )
                    if failures_in_a_row >= 3:
                        break  # the portal is down; the rest waits for the next run
                    continue
                except (PermanentFailure, NotImplementedError) as exc:
                    report.dead += 1
                    self.state.mark_dead(item.key, str(exc))
                    log.error("portal refused, not retried", extra={"kv": {"key": item.key, "error": str(exc)}})
                    continue
                failures_in_a_row = 0
                self._renew_lease()
                report.sent += 1
                self.state.mark_sent(item.key, receipt.__dict__)
                log.info(
                    "sent",
                    extra={"kv": {"key": item.key, "receipt": receipt.receipt_no, "duplicate": receipt.duplicate}},
                )
            if failures_in_a_row >= 3:
                break
        if "result" in kinds:
            self._record_receipts(binding.source, report)

    def _send(self, binding: PortalBinding, item: OutboxItem):
        client = binding.client
        if item.kind == "ack":
            return client.ack(item.key, [AckItem(**i) for i in item.payload["items"]])
        if item.kind == "result":
            payload = item.payload
            return client.push_result(
                CaseResult(
                    binding.source,
                    payload["external_ref"],
                    item.case_id or 0,
                    payload["stage"],
                    item.key,
                    payload["body"],
                )
            )
        return client.submit_summary(Summary(item.payload["period"], item.key, item.payload["figures"]))

    def _record_receipts(self, source: str, report: RunReport) -> None:
        items = [i for i in self.state.unrecorded_receipts(source) if i.case_id]
        if not items:
            return
        now = utc_now()
        receipts = [(i.case_id, (i.response or {}).get("receipt_no", ""), now) for i in items]
        try:
            self._retry("record receipts", lambda: self.gateway.record_receipts(receipts))  # type: ignore[arg-type]
        except OdooRecordError as exc:
            # the portal has the result; only our note of it is missing: keep it queued
            log.error(
                "receipts not recorded in Odoo, will retry", extra={"kv": {"count": len(items), "error": str(exc)}}
            )
            return
        self.state.mark_recorded([i.key for i in items])
        report.receipts_recorded += len(items)


_REF_FIELD = {"hotline": "order_no", "regulator": "case_id"}


def _differing_fields(copies: list[InboundCase]) -> list[str]:
    first = copies[0]
    return sorted(
        {name for other in copies[1:] for name in first.__dict__ if getattr(other, name) != getattr(first, name)}
    )


def _case_text(case: InboundCase) -> str:
    data = {k: v for k, v in case.__dict__.items() if k != "attachments"}
    data["attachments"] = [a.name for a in case.attachments]
    return json.dumps(data, ensure_ascii=False, default=str)
