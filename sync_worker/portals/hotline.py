"""Client of the hotline portal (the provincial complaint center's dispatch platform).

Static API token, passed as the first argument of every call (PORTALS.md §2).
"""

from __future__ import annotations

import threading
from typing import Any

from ..records import AckItem, CaseResult, Page, RawRecord, Receipt, Summary
from .reader import ReadLimits
from .transport import BadAnswer, RpcEndpoint


class HotlineClient:
    source = "hotline"

    def __init__(
        self,
        url: str,
        token: str,
        timeout: float = 30.0,
        stop: threading.Event | None = None,
        limits: ReadLimits | None = None,
    ):
        self._rpc = RpcEndpoint(url, timeout, stop, limits)
        self._token = token

    @property
    def calls(self) -> int:
        return self._rpc.calls

    def pull(self, cursor: str, limit: int) -> Page:
        answer = self._rpc.call("dispatch.list", self._token, cursor, limit)
        orders = _expect(answer, "orders", list, self._rpc.last_head)
        next_cursor = _expect(answer, "next_cursor", str, self._rpc.last_head)
        remaining = answer.get("remaining")
        return Page(
            records=[RawRecord(self.source, order) for order in orders],
            next_cursor=next_cursor,
            has_more=bool(answer.get("has_more")),
            remaining=remaining if isinstance(remaining, int) else None,
        )

    def ack(self, idempotency_key: str, items: list[AckItem]) -> Receipt:
        wire = [
            {"order_no": i.external_ref, "revision": i.revision, "status": i.status, "reason": i.reason} for i in items
        ]
        return _receipt(self._rpc.call("dispatch.ack", self._token, idempotency_key, wire))

    def push_result(self, result: CaseResult) -> Receipt:
        body = dict(result.body)
        body["order_no"] = result.external_ref
        return _receipt(self._rpc.call("dispatch.submit_result", self._token, result.idempotency_key, body))

    def submit_summary(self, summary: Summary) -> Receipt:
        raise NotImplementedError("the hotline portal takes no periodic filings")

    def close(self) -> None:
        self._rpc.close()


def _expect(answer: Any, key: str, kind: type, head: bytes = b"") -> Any:
    if not isinstance(answer, dict) or not isinstance(answer.get(key), kind):
        raise BadAnswer(f"portal answer lacks {key!r} of type {kind.__name__}", head, len(head))
    return answer[key]


def _receipt(answer: Any) -> Receipt:
    return Receipt(
        receipt_no=_expect(answer, "receipt_no", str),
        received_at=str(answer.get("received_at", "")),
        duplicate=bool(answer.get("duplicate")),
    )
