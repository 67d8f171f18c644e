"""Portal clients: one adapter per portal behind the :class:`PortalClient` contract.

A real provincial or regulator system that differs from ``PORTALS.md`` gets its own small
adapter here; the rest of the worker only sees :class:`PortalClient`.
"""

from __future__ import annotations

from typing import Protocol

from ..records import AckItem, CaseResult, Page, Receipt, Summary


class PortalClient(Protocol):
    source: str

    def pull(self, cursor: str, limit: int) -> Page:
        """Records after ``cursor`` (``""`` = from the beginning)."""

    def ack(self, idempotency_key: str, items: list[AckItem]) -> Receipt:
        """Confirm receipt (accepted or rejected with a reason) of records already applied."""

    def push_result(self, result: CaseResult) -> Receipt:
        """Send a case result; the same idempotency key always yields the same receipt."""

    def submit_summary(self, summary: Summary) -> Receipt:
        """Send a periodic filing; portals without filings raise NotImplementedError."""

    def close(self) -> None: ...
