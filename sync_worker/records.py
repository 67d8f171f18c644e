"""Typed values that cross module boundaries (portal -> validation -> Odoo -> portal)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from reports import model

SOURCES = ("hotline", "regulator")

# The add-on's codes, from the one table outside Odoo (checked against Odoo's fields_get).
DEMAND_TYPES = tuple(model.DEMAND_TYPES)
PRIORITIES = tuple(model.PRIORITIES)
SATISFACTION = tuple(model.SATISFACTIONS)

# Case states after which a portal expects a result, mapped to the result stage the
# portal understands. Order matters: a later stage supersedes an earlier one.
PUSH_STAGES: dict[str, str] = {"feedback": "feedback", "replied": "reply", "closed": "closure"}


@dataclass(frozen=True)
class RawRecord:
    """One record exactly as the portal delivered it (not trusted yet)."""

    source: str
    payload: Any


@dataclass(frozen=True)
class Page:
    """One page of a portal feed. ``next_cursor`` is opaque and only saved, never parsed."""

    records: list[RawRecord]
    next_cursor: str
    has_more: bool
    remaining: int | None = None


@dataclass(frozen=True)
class Attachment:
    name: str
    mimetype: str
    data: bytes


@dataclass(frozen=True)
class InboundCase:
    """A validated dispatch order / forwarded complaint, ready to become a complaint.case.

    Datetimes are naive UTC, which is what Odoo stores.
    """

    source: str
    external_ref: str
    revision: int
    subject: str
    description: str
    demand_type: str
    date_received: dt.datetime
    deadline: dt.datetime
    customer_demand: str = ""
    priority: str = "normal"
    partner_name: str = ""
    partner_phone: str = ""
    partner_address: str = ""
    respondent: str = ""
    event_date: dt.datetime | None = None
    location: str = ""
    category_code: str = ""
    affected_count: int = 1
    is_emergency: bool = False
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Rejection:
    """A record that cannot be applied, with the reason shown in the log and in Odoo."""

    source: str
    external_ref: str
    revision: int | None
    reason: str
    payload_text: str


@dataclass(frozen=True)
class CaseSnapshot:
    """What the worker reads back from Odoo to build a result for the portal."""

    case_id: int
    name: str
    external_ref: str
    state: str
    write_date: str
    external_deadline: dt.datetime | None = None
    handler: str = ""
    handling_hours: float = 0.0
    date_feedback: dt.datetime | None = None
    date_replied: dt.datetime | None = None
    date_closed: dt.datetime | None = None
    satisfaction: str = ""
    validity: str = ""
    cause_type: str = ""
    closure_criterion: str = ""

    @property
    def stage(self) -> str:
        return PUSH_STAGES[self.state]


@dataclass(frozen=True)
class CaseResult:
    """A result to send to a portal; ``idempotency_key`` is derived, never random."""

    source: str
    external_ref: str
    case_id: int
    stage: str
    idempotency_key: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Receipt:
    """The portal's acknowledgement of something we sent."""

    receipt_no: str
    received_at: str
    duplicate: bool = False


@dataclass(frozen=True)
class AckItem:
    external_ref: str
    revision: int
    status: str  # "accepted" | "rejected"
    reason: str = ""


@dataclass(frozen=True)
class Summary:
    """A periodic filing (quarterly summary / annual report) for the regulator."""

    period: str
    idempotency_key: str
    figures: dict[str, Any]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def to_odoo_datetime(value: dt.datetime | None) -> str | bool:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else False


def from_odoo_datetime(value: Any) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.strptime(str(value)[:19], "%Y-%m-%d %H:%M:%S")
