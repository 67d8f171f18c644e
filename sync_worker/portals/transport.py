"""XML-RPC over HTTP(S) to a portal: one wall-clock deadline per call, bounded answers,
and every failure classified per the contract.

Each call has one deadline for all of it (connect, TLS, send, the whole answer): a portal
that trickles one byte every two seconds is cut off at the deadline, not kept alive by
every byte. A watchdog thread shuts the socket down at the deadline or as soon as the
shutdown event is set, so SIGTERM is honoured within a fraction of a second whatever the
socket is doing. The answer is parsed while it streams in by :mod:`.reader`, whose limits
hold for any input.

Every failure leaves here as one of these exceptions, so callers decide with one rule:
:class:`~sync_worker.retry.TemporaryFailure` (retry with backoff; :class:`BadAnswer` is
one: the answer could not be read), :class:`AuthFailure` (credentials or rights refused:
stop, a person must act), :class:`PermanentFailure` (this request will never succeed as
sent: record it and move on), :class:`~sync_worker.retry.Interrupted` (shutdown).
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import re
import select
import socket
import ssl
import threading
import time
import xmlrpc.client
from typing import Any
from urllib.parse import urlparse

from ..retry import Interrupted, TemporaryFailure
from .reader import AnswerRefused, ReadLimits, ResponseReader, escaped_excerpt

# Fault codes of PORTALS.md.
FAULT_AUTH = 401
FAULT_FORBIDDEN = 403
FAULT_NOT_FOUND = 404
FAULT_CONFLICT = 409
FAULT_INVALID = 422
FAULT_RATE_LIMIT = 429
FAULT_INTERNAL = 500
FAULT_UNAVAILABLE = 503

_TEMPORARY_FAULTS = {FAULT_RATE_LIMIT, FAULT_INTERNAL, FAULT_UNAVAILABLE}
_RETRY_AFTER_RE = re.compile(r"retry_after=(\d+(?:\.\d+)?)")
_WATCH_INTERVAL = 0.2  # how often the watchdog looks at the deadline and the shutdown event
_CHUNK = 64 * 1024
_CUT = object()  # the watchdog ended the call before the answer was complete


class AuthFailure(Exception):
    """The portal rejected our credentials or our rights (fault/HTTP 401, 403)."""


class PermanentFailure(Exception):
    """The portal refused the request itself (invalid, conflicting idempotency key, ...)."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class BadAnswer(TemporaryFailure):
    """The answer broke a limit or is not XML-RPC; ``head`` keeps its first bytes."""

    def __init__(self, message: str, head: bytes, size: int):
        super().__init__(message)
        self.head = head
        self.size = size


class _Watchdog:
    """Shuts the call's socket down at the deadline or when shutdown is requested."""

    def __init__(self, deadline: float, stop: threading.Event | None):
        self.deadline = deadline
        self.stop = stop
        self.sock: socket.socket | None = None
        self.fired: str | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="portal-call-watchdog", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.wait(_WATCH_INTERVAL):
            if self.stop is not None and self.stop.is_set():
                self._fire("shutdown")
                return
            if time.monotonic() >= self.deadline:
                self._fire("deadline")
                return

    def _fire(self, why: str) -> None:
        self.fired = why
        sock = self.sock
        if sock is not None:
            # already closed or never connected: the caller sees the flag either way
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def done(self) -> None:
        self._done.set()


class RpcEndpoint:
    """Calls one portal endpoint; each call has ``timeout`` seconds from connect to last byte."""

    def __init__(
        self,
        url: str,
        timeout: float = 30.0,
        stop: threading.Event | None = None,
        limits: ReadLimits | None = None,
    ):
        parsed = urlparse(url)
        self.url = url
        self._https = parsed.scheme == "https"
        self._host = parsed.hostname or "127.0.0.1"
        self._port = parsed.port or (443 if self._https else 80)
        self._path = parsed.path or "/RPC2"
        self.timeout = timeout
        self.stop = stop
        self.limits = limits or ReadLimits()
        self.calls = 0
        self.last_head = b""  # first bytes of the last answer, kept for a page quarantine

    def call(self, method: str, *args: Any) -> Any:
        self.calls += 1
        body = xmlrpc.client.dumps(args, method, encoding="utf-8", allow_none=False).encode("utf-8")
        watchdog = _Watchdog(time.monotonic() + self.timeout, self.stop)
        try:
            answer = self._exchange(method, body, watchdog)
        except (OSError, http.client.HTTPException) as exc:
            self._raise_if_cut(method, watchdog)
            # connection refused/reset/dropped, half-read answers
            raise TemporaryFailure(f"{method}: {type(exc).__name__}: {exc}") from exc
        finally:
            watchdog.done()
        if answer is _CUT:
            self._raise_if_cut(method, watchdog)
        if isinstance(answer, xmlrpc.client.Fault):
            raise _classify_fault(method, answer)
        return answer

    def _raise_if_cut(self, method: str, watchdog: _Watchdog) -> None:
        if watchdog.fired == "shutdown":
            raise Interrupted(f"{method}: shutdown requested during the call")
        if watchdog.fired == "deadline":
            raise TemporaryFailure(
                f"{method}: no complete answer within the call deadline of {self.timeout:g} s "
                "(connect, send and the whole answer)"
            )

    def _exchange(self, method: str, body: bytes, watchdog: _Watchdog) -> Any:
        sock = self._connect(watchdog)
        try:
            if self._https:
                sock = ssl.create_default_context().wrap_socket(
                    sock, server_hostname=self._host, do_handshake_on_connect=False
                )
                watchdog.sock = sock
                sock.do_handshake()
            conn = http.client.HTTPConnection(self._host, self._port)
            conn.sock = sock
            conn.request(
                "POST",
                self._path,
                body,
                {"Content-Type": "text/xml; charset=utf-8", "User-Agent": "complaints-sync", "Connection": "close"},
            )
            response = conn.getresponse()
            if response.status != 200:
                raise _classify_http(method, response, self._read_head(response))
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > self.limits.max_bytes:
                raise BadAnswer(
                    f"{method}: answer of {int(length)} bytes refused (limit {self.limits.max_bytes})", b"", int(length)
                )
            reader = ResponseReader(self.limits)
            try:
                while True:
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    reader.feed(chunk)
                self.last_head = reader.head
                return reader.close()
            except AnswerRefused as exc:
                if watchdog.fired:
                    return _CUT  # cut short: the caller reports the cut, not the half answer
                raise BadAnswer(f"{method}: {exc.reason}", exc.head, exc.size) from exc
        finally:
            sock.close()

    def _connect(self, watchdog: _Watchdog) -> socket.socket:
        """A connected socket, polling so that the deadline and shutdown stay in charge."""
        infos = socket.getaddrinfo(self._host, self._port, type=socket.SOCK_STREAM)
        last: OSError | None = None
        for family, kind, proto, _name, address in infos:
            sock = socket.socket(family, kind, proto)
            watchdog.sock = sock
            try:
                sock.setblocking(False)
                err = sock.connect_ex(address)
                while err in (errno.EINPROGRESS, errno.EALREADY, errno.EWOULDBLOCK):
                    if watchdog.fired:
                        raise OSError(f"connect cut short ({watchdog.fired})")
                    _r, writable, _x = select.select([], [sock], [], _WATCH_INTERVAL)
                    if writable:
                        err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        break
                if err:
                    raise OSError(err, f"connect to {self._host}:{self._port}: {errno.errorcode.get(err, err)}")
                # blocking from here on; the watchdog's shutdown ends any wait
                sock.settimeout(max(0.1, watchdog.deadline - time.monotonic() + 1.0))
                return sock
            except OSError as exc:
                sock.close()
                last = exc
                if watchdog.fired:
                    break
        raise last or OSError(f"cannot resolve {self._host}")

    @staticmethod
    def _read_head(response: http.client.HTTPResponse) -> bytes:
        try:
            return response.read(4096)
        except (OSError, http.client.HTTPException):
            return b""

    def close(self) -> None:
        """Each call has its own connection: nothing stays open between calls."""


def _classify_fault(method: str, fault: xmlrpc.client.Fault) -> Exception:
    code, text = fault.faultCode, str(fault.faultString or "")
    message = f"{method}: fault {code} {escaped_excerpt(text, 200)}"
    if code in (FAULT_AUTH, FAULT_FORBIDDEN):
        return AuthFailure(message)
    if code in _TEMPORARY_FAULTS:
        match = _RETRY_AFTER_RE.search(text)
        return TemporaryFailure(message, retry_after=float(match.group(1)) if match else None)
    return PermanentFailure(message, code)


def _classify_http(method: str, response: http.client.HTTPResponse, head: bytes) -> Exception:
    status = response.status
    message = f"{method}: HTTP {status} {response.reason} {escaped_excerpt(head, 80)}"
    if status >= 500 or status in (408, 429):
        retry_after = response.getheader("Retry-After")
        seconds = float(retry_after) if retry_after and retry_after.strip().isdigit() else None
        return TemporaryFailure(message, retry_after=seconds)
    if status in (401, 403):
        return AuthFailure(message)
    return PermanentFailure(message, status)
