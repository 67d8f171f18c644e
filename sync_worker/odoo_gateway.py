"""The only module that speaks to Odoo (through odoorpc / JSON-RPC).

Models and fields written against (provided by the ``addon_complaints`` add-on):

* ``complaint.case``: the fields of ``readme/DATA_MODEL.md`` plus ``external_receipt``
  (char) and ``external_pushed_at`` (datetime), where the portal's receipt of the last
  result is recorded. ``(external_source, external_ref, company_id)`` is unique.
* ``complaint.channel`` (``code``), ``complaint.category`` (``complete_name``).
* ``complaint.sync.quarantine``: ``source``, ``external_ref``, ``reason``, ``payload``
  (text), ``company_id``. Optional: without it the quarantine stays local.
* ``complaint.sync.lease``: ``name`` (unique), ``holder`` (char), ``expires_at``
  (datetime). The worker user needs create, write and unlink on it.

Filings read through ``reports.sources`` over the same connection (``report_data``), so
the regulator summary is computed once, by ``reports.regulator.build_summary``.

Every method costs a fixed number of RPC calls independent of the batch size; ``calls``
counts them so the benchmark can report calls per case.

Lease protocol. Each RPC call is its own transaction, so "search for a free lease, then
write it" is a check-then-act race: two workers can both see an expired lease and both
write. The unique constraint on ``name`` is the one atomic primitive available over
RPC, so taking a lease is a *create*: a free lease is created; an expired lease is
first unlinked (by id) and then created again - of two racing workers only one create
succeeds. Renewal writes ``expires_at`` on the record id we created and checks the
holder; if another worker took the lease over after it expired, our id no longer
exists (or holds another holder) and renewal fails, so the id works as a fencing token.
Expiry uses the worker's UTC clock: keep the TTL well above any clock skew.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import http.client
import logging
import os
import socket
import urllib.error
from dataclasses import dataclass, field
from typing import Any, Protocol

import odoorpc

import odoo_connection
from reports import sources
from reports.period import Period
from reports.sources import CaseData

from .records import (
    PUSH_STAGES,
    CaseSnapshot,
    InboundCase,
    from_odoo_datetime,
    to_odoo_datetime,
    utc_now,
)
from .retry import TemporaryFailure

log = logging.getLogger(__name__)

CASE = "complaint.case"
QUARANTINE = "complaint.sync.quarantine"
LEASE = "complaint.sync.lease"
# The fields the portal owns on an existing case: a newer revision may change them.
PORTAL_OWNED = ("external_deadline", "priority", "affected_count", "is_emergency")


class OdooAuthError(Exception):
    """Login refused or access denied: a person must fix credentials or rights."""


class OdooConfigError(Exception):
    """The configuration names something Odoo does not have (the database): never retried."""


class OdooSchemaError(Exception):
    """A model or field the worker needs is missing: the add-on is absent or too old."""


class OdooRecordError(Exception):
    """Odoo refused the data of this batch (constraint, validation): bisect and quarantine."""


class ModelMissing(OdooSchemaError):
    def __init__(self, model: str):
        super().__init__(f"model {model} is not installed in Odoo")
        self.model = model


@dataclass(frozen=True)
class OdooSettings:
    url: str
    db: str
    login: str
    password: str = field(repr=False)
    timeout: float = 120.0


@dataclass(frozen=True)
class RunContext:
    """What is resolved once per run: the company and the ids behind stable codes."""

    company_id: int
    channels: dict[str, int]
    categories: dict[str, int]


@dataclass(frozen=True)
class ApplyOutcome:
    created: dict[str, int] = field(default_factory=dict)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QuarantineRow:
    source: str
    external_ref: str
    reason: str
    payload: str


class Gateway(Protocol):
    """What the synchronizer needs from the target system."""

    calls: int

    def resolve(
        self, channel_codes: list[str], company: str | int | None, category_map: dict[str, str]
    ) -> RunContext: ...

    def apply_cases(self, ctx: RunContext, channel_code: str, cases: list[InboundCase]) -> ApplyOutcome: ...

    def quarantine(self, ctx: RunContext, rows: list[QuarantineRow]) -> None: ...

    def acquire_lease(self, key: str, holder: str, ttl: float) -> bool: ...

    def release_lease(self, key: str, holder: str) -> None: ...

    def cases_to_push(self, ctx: RunContext, source: str, since: str | None, limit: int) -> list[CaseSnapshot]: ...

    def record_receipts(self, receipts: list[tuple[int, str, dt.datetime]]) -> None: ...

    def report_data(self, ctx: RunContext, period: Period) -> tuple[str, CaseData]:
        """The company's name and its cases and compensations as ``reports`` reads them."""
        ...


_TEMPORARY_NAMES = (
    "OperationalError",
    "SerializationFailure",
    "InterfaceError",
    "TransactionRollbackError",
    "LockNotAvailable",
    "InFailedSqlTransaction",
    "ConcurrentUpdate",
)
_AUTH_NAMES = ("AccessError", "AccessDenied")
_RIGHTS_HINT = "the worker's Odoo user needs the group 'Portal Sync (technical)' (see CONFIGURE.md)"


def _error_name(exc: odoorpc.error.RPCError) -> str:
    info = exc.info if isinstance(exc.info, dict) else {}
    data = info.get("data") if isinstance(info.get("data"), dict) else {}
    return str(data.get("name") or "")


def classify(exc: BaseException, model: str = "") -> BaseException:
    """Map an odoorpc/transport exception to the worker's vocabulary."""
    if isinstance(exc, odoorpc.error.RPCError):
        name, message = _error_name(exc), str(exc)
        if "does not exist" in message and "database" in message:
            return OdooConfigError(f"Odoo has no such database: {message[:300]}")
        if any(n in name for n in _TEMPORARY_NAMES):
            return TemporaryFailure(f"Odoo busy: {name}: {message[:300]}")
        if any(n in name for n in _AUTH_NAMES) or "Access Denied" in message:
            return OdooAuthError(f"{name}: {message[:300]} ({_RIGHTS_HINT})")
        if "doesn't exist" in message and model and model in message:
            return ModelMissing(model)
        if "Invalid field" in message or "Unknown field" in message:
            return OdooSchemaError(message[:300])
        return OdooRecordError(f"{name or 'error'}: {message[:500]}")
    if isinstance(exc, (urllib.error.URLError, OSError, http.client.HTTPException, socket.timeout, ValueError)):
        # connection refused while Odoo restarts, proxies answering 502, half-read bodies
        return TemporaryFailure(f"Odoo unreachable: {type(exc).__name__}: {exc}")
    return exc


class OdooGateway:
    """Batch-oriented access to complaint.case and the sync models."""

    def __init__(self, settings: OdooSettings):
        self.settings = settings
        self.calls = 0
        self._odoo: odoorpc.ODOO | None = None
        self._missing: set[str] = set()

    # -- connection ---------------------------------------------------------------
    def connect(self) -> None:
        try:
            odoo = odoo_connection.connect(self.settings.url, self.settings.db, self.settings.login,
                                           self.settings.password, timeout=self.settings.timeout)
        except odoo_connection.OdooConnectionError as exc:
            if exc.kind == odoo_connection.REFUSED:
                raise OdooAuthError(f"Odoo refused login {self.settings.login!r} on {self.settings.db!r}") from exc
            if exc.kind == odoo_connection.UNREACHABLE and exc.__cause__ is not None:
                raise classify(exc.__cause__) from exc
            # A wrong URL or database: a person must fix the settings, retrying cannot help.
            raise OdooConfigError(str(exc)) from exc
        self.calls += 3  # version, login, context
        self._odoo = odoo

    def close(self) -> None:
        self._odoo = None

    def _call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        if self._odoo is None:
            self.connect()
        assert self._odoo is not None
        self.calls += 1
        try:
            return self._odoo.execute_kw(model, method, list(args), kwargs)
        except Exception as exc:
            mapped = classify(exc, model)
            if mapped is exc:
                raise
            raise mapped from exc

    # -- once per run ---------------------------------------------------------------
    def resolve(self, channel_codes: list[str], company: str | int | None, category_map: dict[str, str]) -> RunContext:
        if company is None or company == "":
            user = self._call("res.users", "read", [self._odoo.env.uid if self._odoo else self._uid()], ["company_id"])
            company_id = user[0]["company_id"][0]
        elif isinstance(company, int) or str(company).isdigit():
            company_id = int(company)
        else:
            found = self._call("res.company", "search_read", [("name", "=", company)], fields=["id"], limit=1)
            if not found:
                raise OdooSchemaError(f"company {company!r} not found in Odoo")
            company_id = found[0]["id"]
        rows = self._call("complaint.channel", "search_read", [("code", "in", channel_codes)], fields=["code"])
        channels = {row["code"]: row["id"] for row in rows}
        missing = sorted(set(channel_codes) - set(channels))
        if missing:
            raise OdooSchemaError(f"complaint.channel codes missing in Odoo: {', '.join(missing)}")
        categories: dict[str, int] = {}
        if category_map:
            rows = self._call("complaint.category", "search_read", [], fields=["complete_name"])
            by_path = {row["complete_name"]: row["id"] for row in rows}
            for code, path in category_map.items():
                if path in by_path:
                    categories[code] = by_path[path]
                else:
                    log.warning("category not found", extra={"kv": {"code": code, "path": path}})
        return RunContext(company_id=company_id, channels=channels, categories=categories)

    def _uid(self) -> int:
        self.connect()
        assert self._odoo is not None
        return self._odoo.env.uid

    # -- inbound ----------------------------------------------------------------------
    @staticmethod
    def case_values(ctx: RunContext, channel_code: str, case: InboundCase) -> dict[str, Any]:
        return {
            "company_id": ctx.company_id,
            "external_source": case.source,
            "external_ref": case.external_ref,
            "external_deadline": to_odoo_datetime(case.deadline),
            "channel_id": ctx.channels[channel_code],
            "subject": case.subject,
            "description": case.description,
            "customer_demand": case.customer_demand,
            "demand_type": case.demand_type,
            "priority": case.priority,
            "partner_name": case.partner_name,
            # PORTALS.md §2: the complainant is optional; a call without a name is anonymous
            "is_anonymous": not case.partner_name,
            "partner_phone": case.partner_phone,
            "partner_address": case.partner_address,
            "respondent": case.respondent,
            "event_date": to_odoo_datetime(case.event_date),
            "date_received": to_odoo_datetime(case.date_received),
            "location": case.location,
            "category_id": ctx.categories.get(case.category_code, False),
            "affected_count": case.affected_count,
            "is_emergency": case.is_emergency,
        }

    def apply_cases(self, ctx: RunContext, channel_code: str, cases: list[InboundCase]) -> ApplyOutcome:
        """Create the new cases and update portal-owned fields of known ones.

        2 calls for a batch of new cases (search_read + create), +1 per distinct set
        of changed values, +1-2 when attachments are present. Raises OdooRecordError
        when Odoo refuses the batch; create() is one transaction, so nothing of a
        refused batch exists afterwards.
        """
        if not cases:
            return ApplyOutcome()
        source = cases[0].source
        refs = [c.external_ref for c in cases]
        rows = self._call(
            CASE,
            "search_read",
            [("external_source", "=", source), ("external_ref", "in", refs), ("company_id", "=", ctx.company_id)],
            fields=["external_ref", *PORTAL_OWNED],
            context={"active_test": False},
        )
        existing = {row["external_ref"]: row for row in rows}
        new = [c for c in cases if c.external_ref not in existing]
        created: dict[str, int] = {}
        if new:
            # The notifications a page of new cases raises (levels, group complaints) go
            # through Odoo's mail queue rather than holding the call while each is sent.
            ids = self._call(CASE, "create", [self.case_values(ctx, channel_code, c) for c in new],
                             context={"mail_notify_force_send": False})
            ids = ids if isinstance(ids, list) else [ids]
            created = {c.external_ref: case_id for c, case_id in zip(new, ids, strict=True)}
        updated, unchanged = [], []
        groups: dict[tuple, list[int]] = {}
        for case in cases:
            row = existing.get(case.external_ref)
            if row is None:
                continue
            wanted = self.case_values(ctx, channel_code, case)
            changes = {k: wanted[k] for k in PORTAL_OWNED if not _same(row.get(k), wanted[k])}
            if changes:
                groups.setdefault(tuple(sorted(changes.items())), []).append(row["id"])
                updated.append(case.external_ref)
            else:
                unchanged.append(case.external_ref)
        for values, ids in groups.items():
            self._call(CASE, "write", ids, dict(values))
        self._attach(cases, {**{ref: row["id"] for ref, row in existing.items()}, **created}, bool(existing))
        return ApplyOutcome(created=created, updated=updated, unchanged=unchanged)

    def _attach(self, cases: list[InboundCase], ids: dict[str, int], some_existed: bool) -> None:
        wanted = [(ids[c.external_ref], a) for c in cases for a in c.attachments]
        if not wanted:
            return
        present: set[tuple[int, str]] = set()
        if some_existed:
            # a crash between case create and attachment create is repaired on re-pull
            rows = self._call(
                "ir.attachment",
                "search_read",
                [("res_model", "=", CASE), ("res_id", "in", sorted({i for i, _ in wanted}))],
                fields=["res_id", "name"],
            )
            present = {(row["res_id"], row["name"]) for row in rows}
        vals = [
            {
                "name": a.name,
                "mimetype": a.mimetype,
                "datas": base64.b64encode(a.data).decode("ascii"),
                "res_model": CASE,
                "res_id": case_id,
            }
            for case_id, a in wanted
            if (case_id, a.name) not in present
        ]
        if vals:
            self._call("ir.attachment", "create", vals)

    def quarantine(self, ctx: RunContext, rows: list[QuarantineRow]) -> None:
        """Make quarantined records visible in Odoo; raises ModelMissing without the model."""
        if not rows:
            return
        if QUARANTINE in self._missing:
            raise ModelMissing(QUARANTINE)
        try:
            known = self._call(
                QUARANTINE,
                "search_read",
                [
                    ("source", "=", rows[0].source),
                    ("external_ref", "in", sorted({r.external_ref for r in rows})),
                    ("company_id", "=", ctx.company_id),
                ],
                fields=["external_ref", "reason"],
            )
        except ModelMissing:
            self._missing.add(QUARANTINE)
            raise
        seen = {(k["external_ref"], k["reason"]) for k in known}
        fresh = [r for r in rows if (r.external_ref, r.reason) not in seen]
        if fresh:
            self._call(
                QUARANTINE,
                "create",
                [
                    {
                        "source": r.source,
                        "external_ref": r.external_ref,
                        "reason": r.reason,
                        "payload": r.payload,
                        "company_id": ctx.company_id,
                    }
                    for r in fresh
                ],
            )

    # -- lease ---------------------------------------------------------------------------
    def acquire_lease(self, key: str, holder: str, ttl: float) -> bool:
        """Take or renew the lease ``key`` for ``ttl`` seconds; False if another holds it."""
        now = utc_now()
        expires = to_odoo_datetime(now + dt.timedelta(seconds=ttl))
        rows = self._call(LEASE, "search_read", [("name", "=", key)], fields=["holder", "expires_at"])
        if rows:
            row = rows[0]
            if row["holder"] == holder:
                self._call(LEASE, "write", [row["id"]], {"expires_at": expires})
                again = self._call(LEASE, "read", [row["id"]], ["holder"])
                return bool(again) and again[0]["holder"] == holder
            current_expiry = from_odoo_datetime(row["expires_at"])
            if current_expiry is not None and current_expiry > now and not holder_is_gone(row["holder"]):
                return False
            # someone else may have removed it first; the create below decides
            with contextlib.suppress(OdooRecordError):
                self._call(LEASE, "unlink", [row["id"]])
        try:
            self._call(LEASE, "create", {"name": key, "holder": holder, "expires_at": expires})
        except OdooRecordError:
            return False  # unique(name): another worker created it first
        return True

    def release_lease(self, key: str, holder: str) -> None:
        rows = self._call(LEASE, "search_read", [("name", "=", key), ("holder", "=", holder)], fields=["id"])
        if rows:
            self._call(LEASE, "unlink", [r["id"] for r in rows])

    # -- outbound ----------------------------------------------------------------------
    def cases_to_push(self, ctx: RunContext, source: str, since: str | None, limit: int) -> list[CaseSnapshot]:
        domain: list[Any] = [
            ("external_source", "=", source),
            ("external_ref", "!=", False),
            ("company_id", "=", ctx.company_id),
            ("state", "in", list(PUSH_STAGES)),
        ]
        if since:
            domain.append(("write_date", ">=", since))
        rows = self._call(
            CASE,
            "search_read",
            domain,
            fields=[
                "name",
                "external_ref",
                "state",
                "write_date",
                "external_deadline",
                "handler_user_id",
                "handling_hours",
                "date_feedback",
                "date_replied",
                "date_closed",
                "satisfaction",
                "validity",
                "cause_type",
                "closure_criterion",
            ],
            order="write_date asc, id asc",
            limit=limit,
        )
        return [
            CaseSnapshot(
                case_id=row["id"],
                name=row["name"] or "",
                external_ref=row["external_ref"],
                state=row["state"],
                write_date=row["write_date"],
                external_deadline=from_odoo_datetime(row["external_deadline"]),
                handler=row["handler_user_id"][1] if row["handler_user_id"] else "",
                handling_hours=float(row["handling_hours"] or 0.0),
                date_feedback=from_odoo_datetime(row["date_feedback"]),
                date_replied=from_odoo_datetime(row["date_replied"]),
                date_closed=from_odoo_datetime(row["date_closed"]),
                satisfaction=row["satisfaction"] or "",
                validity=row["validity"] or "",
                cause_type=row["cause_type"] or "",
                closure_criterion=row["closure_criterion"] or "",
            )
            for row in rows
        ]

    def record_receipts(self, receipts: list[tuple[int, str, dt.datetime]]) -> None:
        """Write each portal receipt on its case in one call.

        ``load`` with the ``.id`` column updates many records with different values in
        one request (each value differs per case, so ``write`` would need one call each).
        """
        if not receipts:
            return
        result = self._call(
            CASE,
            "load",
            [".id", "external_receipt", "external_pushed_at"],
            [[str(case_id), receipt, to_odoo_datetime(at)] for case_id, receipt, at in receipts],
            context={"tz": "UTC"},
        )
        errors = [m for m in (result or {}).get("messages", []) if m.get("type") == "error"]
        if errors:
            log.warning("receipt load refused, writing one by one", extra={"kv": {"errors": len(errors)}})
            for case_id, receipt, at in receipts:
                self._call(
                    CASE, "write", [case_id], {"external_receipt": receipt, "external_pushed_at": to_odoo_datetime(at)}
                )

    def report_data(self, ctx: RunContext, period: Period) -> tuple[str, CaseData]:
        """Read with ``reports.sources`` over this connection: the same fields, history and
        conversions as the quarterly workbooks, so a filing carries the workbook's numbers."""
        (company,) = self._call("res.company", "read", [ctx.company_id], ["name"])
        assert self._odoo is not None
        label = f"odoo {self.settings.url} db {self.settings.db}"
        try:
            data = sources.from_odoo_connection(self._odoo, period, ctx.company_id, label)
        except Exception as exc:
            mapped = classify(exc, CASE)
            if mapped is exc:
                raise
            raise mapped from exc
        return company["name"], data


def holder_is_gone(holder: str) -> bool:
    """True when a lease holder is provably gone: a worker of this host whose process is dead.

    Holders are ``host:pid:token``. Another host's process cannot be checked from here, so
    its lease is only taken over once it lapses. A reused pid makes a dead holder look
    alive, which only delays the takeover until the lease lapses.
    """
    parts = holder.split(":")
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, under another user
    return False


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, list) and current:  # many2one comes back as [id, name]
        current = current[0]
    if current in (None, False, "") and wanted in (None, False, ""):
        return True
    if isinstance(current, str) and isinstance(wanted, str):
        return current[:19] == wanted[:19]
    return current == wanted
