"""Client of the regulator portal (regulator-forwarded complaints, results, filings).

Logs in with a client id and secret for a session token that expires; a fault 401 on a
session call triggers one fresh login and one replay of the call (PORTALS.md §3).
"""

from __future__ import annotations

import threading
from typing import Any

from ..records import AckItem, CaseResult, Page, RawRecord, Receipt, Summary
from .reader import ReadLimits
from .transport import AuthFailure, BadAnswer, RpcEndpoint


class RegulatorClient:
    source = "regulator"

    def __init__(
        self,
        url: str,
        client_id: str,
        secret: str,
        timeout: float = 30.0,
        stop: threading.Event | None = None,
        limits: ReadLimits | None = None,
    ):
        self._rpc = RpcEndpoint(url, timeout, stop, limits)
        self._client_id = client_id
        self._secret = secret
        self._session: str | None = None

    @property
    def calls(self) -> int:
        return self._rpc.calls

    def _login(self) -> str:
        answer = self._rpc.call("auth.login", self._client_id, self._secret)
        if not isinstance(answer, dict) or not isinstance(answer.get("session"), str):
            raise BadAnswer("auth.login: answer lacks 'session'", self._rpc.last_head, len(self._rpc.last_head))
        self._session = answer["session"]
        return self._session

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        session = self._session or self._login()
        try:
            return self._rpc.call(method, session, params)
        except AuthFailure:
            # sessions expire; one fresh login, and if that is refused too it propagates
            self._session = None
            return self._rpc.call(method, self._login(), params)

    def pull(self, cursor: str, limit: int) -> Page:
        answer = self._call("complaints.fetch", {"after": cursor, "max": limit})
        if not isinstance(answer, dict) or not isinstance(answer.get("items"), list):
            raise BadAnswer("complaints.fetch: answer lacks 'items'", self._rpc.last_head, len(self._rpc.last_head))
        if not isinstance(answer.get("cursor"), str):
            raise BadAnswer("complaints.fetch: answer lacks 'cursor'", self._rpc.last_head, len(self._rpc.last_head))
        remaining = answer.get("remaining")
        return Page(
            records=[RawRecord(self.source, item) for item in answer["items"]],
            next_cursor=answer["cursor"],
            has_more=bool(answer.get("more")),
            remaining=remaining if isinstance(remaining, int) else None,
        )

    def ack(self, idempotency_key: str, items: list[AckItem]) -> Receipt:
        confirmations = [
            {"case_id": i.external_ref, "version": i.revision, "status": i.status, "reason": i.reason} for i in items
        ]
        return _receipt(
            self._call("complaints.confirm", {"request_id": idempotency_key, "confirmations": confirmations})
        )

    def push_result(self, result: CaseResult) -> Receipt:
        params = dict(result.body)
        params.update(request_id=result.idempotency_key, case_id=result.external_ref)
        return _receipt(self._call("complaints.report_result", params))

    def submit_summary(self, summary: Summary) -> Receipt:
        return _receipt(
            self._call(
                "summaries.submit",
                {"request_id": summary.idempotency_key, "period": summary.period, "figures": _no_nil(summary.figures)},
            )
        )

    def close(self) -> None:
        self._rpc.close()


def _no_nil(value: Any) -> Any:
    """XML-RPC carries no nil (PORTALS.md §1): an absent value (a KPI without cases) is ""."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return {k: _no_nil(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nil(v) for v in value]
    return value


def _receipt(answer: Any) -> Receipt:
    if not isinstance(answer, dict) or not isinstance(answer.get("receipt"), str):
        raise BadAnswer("portal answer lacks 'receipt'", b"", 0)
    return Receipt(
        receipt_no=answer["receipt"],
        received_at=str(answer.get("accepted_at", "")),
        duplicate=bool(answer.get("replayed")),
    )
