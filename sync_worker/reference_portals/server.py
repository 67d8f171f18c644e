"""XML-RPC servers implementing PORTALS.md, with wire-level fault injection."""

from __future__ import annotations

import collections
import logging
import secrets
import socketserver
import threading
import time
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

from .faults import FaultPlan
from .store import FeedEntry, PortalStore, beijing_now
from .summary import problems as summary_problems

log = logging.getLogger(__name__)

MAX_PAGE = 500
STAGES = ("feedback", "reply", "closure")
SATISFACTION = ("", "satisfied", "basically_satisfied", "dissatisfied")


def _fault(code: int, message: str) -> xmlrpc.client.Fault:
    return xmlrpc.client.Fault(code, message)


class _RateLimiter:
    def __init__(self) -> None:
        self._calls: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def check(self, credential: str, per_second: float) -> None:
        if per_second <= 0:
            return
        now = time.monotonic()
        with self._lock:
            window = self._calls[credential]
            while window and now - window[0] > 1.0:
                window.popleft()
            if len(window) >= per_second:
                raise _fault(429, "rate limit exceeded, retry_after=1")
            window.append(now)


class _BasePortal:
    """Dispatch with auth, rate limit and fault injection; subclasses add the methods."""

    name = "portal"
    cursor_prefix = "c"

    def __init__(self, store: PortalStore, faults: FaultPlan, control: bool = False):
        self.store = store
        self.faults = faults
        self.control = control
        self._limiter = _RateLimiter()
        self._methods: dict[str, Callable[..., Any]] = {"portal.info": self.info}
        if control:
            self._methods.update({"control.faults": self._control_faults, "control.stats": self._control_stats})

    def _dispatch(self, method: str, params: tuple) -> Any:
        self.store.count_call(method)
        func = self._methods.get(method)
        if func is None:
            raise _fault(404, f"no such method {method!r}")
        if self.faults.applies_to(method) and self.faults.roll(self.faults.fault_5xx):
            raise _fault(503, "service temporarily unavailable, retry_after=0")
        if params and isinstance(params[0], str) and not method.startswith(("control.", "portal.")):
            self._limiter.check(params[0], self.faults.rate_limit)
        try:
            return func(*params)
        except xmlrpc.client.Fault:
            raise
        except TypeError as exc:
            raise _fault(422, f"{method}: wrong arguments: {exc}") from exc
        except Exception as exc:  # the reference portal reports its own bugs as 500
            log.exception("portal method failed")
            raise _fault(500, f"{method}: internal error {type(exc).__name__}") from exc

    def info(self) -> dict[str, Any]:
        return {"portal": self.name, "contract": "1.0", "max_page": MAX_PAGE, "rate_limit": self.faults.rate_limit}

    # -- feed with delivery faults -------------------------------------------------
    def _encode_cursor(self, seq: int) -> str:
        return f"{self.cursor_prefix}1.{seq}"

    def _decode_cursor(self, cursor: Any) -> int:
        if cursor == "":
            return 0
        if not isinstance(cursor, str) or not cursor.startswith(f"{self.cursor_prefix}1."):
            raise _fault(422, f"invalid cursor {str(cursor)[:40]!r}")
        try:
            return int(cursor.split(".", 1)[1])
        except ValueError as exc:
            raise _fault(422, f"invalid cursor {cursor[:40]!r}") from exc

    def _deliver(self, method: str, cursor: Any, limit: Any) -> tuple[list[Any], str, bool, int]:
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise _fault(422, f"limit must be an integer 1..{MAX_PAGE}")
        after = self._decode_cursor(cursor)
        entries, last, more, remaining = self.store.page(after, limit)
        plan = self.faults
        if not plan.applies_to(method) or not entries:
            return [e.payload for e in entries], self._encode_cursor(last), more, remaining
        delivered: list[FeedEntry] = []
        for entry in entries:
            delivered.append(entry)
            if entry.revision > 1 and plan.roll(plan.stale):
                older = self.store.older_revision(entry.ref, entry.revision)
                if older is not None:
                    delivered.append(older)  # an older revision after the newer one
            if plan.roll(plan.duplicate):
                delivered.append(entry)
        if len(entries) > 1 and plan.roll(plan.replay):
            # stop the cursor short: the tail of this page is delivered again next time
            last = entries[len(entries) // 2].seq
            more = True
        if plan.shuffle:
            with plan._lock:
                plan.rng().shuffle(delivered)
        return [e.payload for e in delivered], self._encode_cursor(last), more, remaining

    def _control_faults(self, values: dict[str, Any]) -> bool:
        self.faults.clear()
        self.faults.update(**values)
        return True

    def _control_stats(self) -> dict[str, Any]:
        return {
            "feed": len(self.store.feed),
            "refs": len(self.store.refs()),
            "acked": len(self.store.acks),
            "results": len(self.store.results),
            "summaries": len(self.store.summaries),
            "calls": dict(self.store.calls),
        }


class HotlinePortal(_BasePortal):
    name = "hotline"
    cursor_prefix = "h"

    def __init__(self, store: PortalStore, faults: FaultPlan, tokens: set[str], control: bool = False):
        super().__init__(store, faults, control)
        self.tokens = tokens
        self._methods.update(
            {
                "dispatch.list": self.list,
                "dispatch.ack": self.ack,
                "dispatch.submit_result": self.submit_result,
            }
        )

    def _auth(self, token: Any) -> None:
        if token not in self.tokens:
            raise _fault(401, "invalid token")

    def list(self, token: str, cursor: str, limit: int) -> dict[str, Any]:
        self._auth(token)
        orders, next_cursor, more, remaining = self._deliver("dispatch.list", cursor, limit)
        return {"orders": orders, "next_cursor": next_cursor, "has_more": more, "remaining": remaining}

    def ack(self, token: str, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        self._auth(token)
        _check_key(key)
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise _fault(422, "items must be an array of structs")
        for item in items:
            if item.get("status") not in ("accepted", "rejected"):
                raise _fault(422, "item status must be accepted or rejected")

        def run() -> dict[str, Any]:
            for item in items:
                self.store.acks.setdefault(str(item.get("order_no")), []).append(dict(item))
            return {"receipt_no": f"ACK-{secrets.token_hex(6)}", "received_at": beijing_now()}

        return _idempotent(self.store, key, items, run)

    def submit_result(self, token: str, key: str, result: dict[str, Any]) -> dict[str, Any]:
        self._auth(token)
        _check_key(key)
        if not isinstance(result, dict):
            raise _fault(422, "result must be a struct")
        order_no = result.get("order_no")
        if order_no not in self.store.refs():
            raise _fault(404, f"unknown order {str(order_no)[:40]!r}")
        if result.get("stage") not in STAGES:
            raise _fault(422, f"stage must be one of {', '.join(STAGES)}")
        if result.get("satisfaction", "") not in SATISFACTION:
            raise _fault(422, "unknown satisfaction value")

        def run() -> dict[str, Any]:
            self.store.results[key] = dict(result)
            return {"receipt_no": f"RCPT-{secrets.token_hex(6)}", "received_at": beijing_now()}

        return _idempotent(self.store, key, result, run)


class RegulatorPortal(_BasePortal):
    name = "regulator"
    cursor_prefix = "r"

    def __init__(
        self,
        store: PortalStore,
        faults: FaultPlan,
        clients: dict[str, str],
        session_ttl: float = 3600.0,
        control: bool = False,
    ):
        super().__init__(store, faults, control)
        self.clients = clients
        self.session_ttl = session_ttl
        self._sessions: dict[str, float] = {}
        self._lock = threading.Lock()
        self._methods.update(
            {
                "auth.login": self.login,
                "complaints.fetch": self.fetch,
                "complaints.confirm": self.confirm,
                "complaints.report_result": self.report_result,
                "summaries.submit": self.submit_summary,
            }
        )

    def login(self, client_id: str, secret: str) -> dict[str, Any]:
        if not isinstance(client_id, str) or self.clients.get(client_id) != secret:
            raise _fault(401, "invalid client credentials")
        session = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[session] = time.monotonic() + self.session_ttl
        return {"session": session, "expires_in": int(self.session_ttl)}

    def expire_sessions(self) -> None:
        with self._lock:
            self._sessions.clear()

    def _auth(self, session: Any) -> None:
        with self._lock:
            expires = self._sessions.get(session) if isinstance(session, str) else None
        if expires is None or expires < time.monotonic():
            raise _fault(401, "session expired or unknown")

    def fetch(self, session: str, params: dict[str, Any]) -> dict[str, Any]:
        self._auth(session)
        if not isinstance(params, dict):
            raise _fault(422, "params must be a struct")
        items, cursor, more, remaining = self._deliver(
            "complaints.fetch", params.get("after", ""), params.get("max", 100)
        )
        return {"items": items, "cursor": cursor, "more": more, "remaining": remaining}

    def confirm(self, session: str, params: dict[str, Any]) -> dict[str, Any]:
        self._auth(session)
        key = params.get("request_id") if isinstance(params, dict) else None
        _check_key(key)
        confirmations = params.get("confirmations")
        if not isinstance(confirmations, list):
            raise _fault(422, "confirmations must be an array")

        def run() -> dict[str, Any]:
            for item in confirmations:
                self.store.acks.setdefault(str(item.get("case_id")), []).append(dict(item))
            return {"receipt": f"CF-{secrets.token_hex(6)}", "accepted_at": beijing_now()}

        return _idempotent(self.store, key, confirmations, run, duplicate_key="replayed")

    def report_result(self, session: str, params: dict[str, Any]) -> dict[str, Any]:
        self._auth(session)
        key = params.get("request_id") if isinstance(params, dict) else None
        _check_key(key)
        if params.get("case_id") not in self.store.refs():
            raise _fault(404, f"unknown case {str(params.get('case_id'))[:40]!r}")
        if params.get("stage") not in STAGES:
            raise _fault(422, f"stage must be one of {', '.join(STAGES)}")
        request = {k: v for k, v in params.items() if k != "request_id"}

        def run() -> dict[str, Any]:
            self.store.results[key] = dict(params)
            return {"receipt": f"RR-{secrets.token_hex(6)}", "accepted_at": beijing_now()}

        return _idempotent(self.store, key, request, run, duplicate_key="replayed")

    def submit_summary(self, session: str, params: dict[str, Any]) -> dict[str, Any]:
        self._auth(session)
        key = params.get("request_id") if isinstance(params, dict) else None
        _check_key(key)
        wrong = summary_problems(params.get("period"), params.get("figures"))
        if wrong:
            raise _fault(422, "figures refused: " + "; ".join(wrong[:5]))
        request = {k: v for k, v in params.items() if k != "request_id"}

        def run() -> dict[str, Any]:
            self.store.summaries[key] = dict(params)
            return {"receipt": f"SM-{secrets.token_hex(6)}", "accepted_at": beijing_now()}

        return _idempotent(self.store, key, request, run, duplicate_key="replayed")


def _check_key(key: Any) -> None:
    if not isinstance(key, str) or not 8 <= len(key) <= 200:
        raise _fault(422, "idempotency key must be a string of 8..200 characters")


def _idempotent(
    store: PortalStore, key: str, request: Any, run: Callable[[], dict], duplicate_key: str = "duplicate"
) -> dict:
    try:
        answer = store.idempotent(key, request, run)
    except ValueError as exc:
        raise _fault(409, str(exc)) from exc
    if duplicate_key != "duplicate":
        answer[duplicate_key] = answer.pop("duplicate")
    return answer


class _FaultyHandler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/RPC2", "/")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http " + format, *args)

    def do_POST(self) -> None:
        if not self.is_rpc_path_valid():
            self.report_404()
            return
        length = int(self.headers.get("content-length", 0))
        data = self.rfile.read(length)
        try:
            _, method = xmlrpc.client.loads(data)
        except Exception:  # noqa: BLE001 - an unreadable body is answered by the dispatcher
            method = "?"
        plan: FaultPlan = self.server.portal.faults  # type: ignore[attr-defined]
        faulty = plan.applies_to(method or "?")
        if faulty and plan.roll(plan.slow):
            time.sleep(plan.slow_seconds)
        if faulty and plan.roll(plan.drop):
            self.close_connection = True
            return
        if faulty and plan.roll(plan.http_5xx):
            body = b"service unavailable"
            self.send_response(503)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(body)
            return
        drop_after = faulty and plan.roll(plan.drop_after)
        response = self.server._marshaled_dispatch(data, None, self.path)  # type: ignore[attr-defined]
        if drop_after:
            self.close_connection = True  # the call ran; the client never hears about it
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(response)))
        self.end_headers()
        self.wfile.write(response)


class _ThreadedServer(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True
    allow_reuse_address = True


@dataclass
class RunningPortal:
    kind: str
    url: str
    port: int
    portal: _BasePortal
    server: _ThreadedServer
    thread: threading.Thread

    @property
    def store(self) -> PortalStore:
        return self.portal.store

    @property
    def faults(self) -> FaultPlan:
        return self.portal.faults

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def new_store(kind: str) -> PortalStore:
    return PortalStore("order_no", "revision") if kind == "hotline" else PortalStore("case_id", "version")


def build_portal(
    kind: str,
    store: PortalStore | None = None,
    faults: FaultPlan | None = None,
    token: str = "hotline-token",
    client_id: str = "complaints-desk",
    secret: str = "regulator-secret",
    session_ttl: float = 3600.0,
    control: bool = False,
) -> _BasePortal:
    store = store or new_store(kind)
    faults = faults or FaultPlan()
    if kind == "hotline":
        return HotlinePortal(store, faults, {token}, control=control)
    if kind == "regulator":
        return RegulatorPortal(store, faults, {client_id: secret}, session_ttl=session_ttl, control=control)
    raise ValueError(f"unknown portal {kind!r}")


def start_portal(kind: str, host: str = "127.0.0.1", port: int = 0, **options: Any) -> RunningPortal:
    """Start a portal in a background thread; ``port=0`` picks a free port."""
    portal = build_portal(kind, **options)
    server = _ThreadedServer((host, port), requestHandler=_FaultyHandler, logRequests=False, allow_none=False)
    server.portal = portal  # type: ignore[attr-defined]
    server.register_instance(portal)
    actual_port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name=f"{kind}-portal", daemon=True)
    thread.start()
    return RunningPortal(kind, f"http://{host}:{actual_port}/RPC2", actual_port, portal, server, thread)
