"""XML-RPC plumbing shared by the portal clients: timeouts and error classification.

Every failure leaves here as one of three exceptions, so callers decide with one rule:
:class:`~sync_worker.retry.TemporaryFailure` (retry with backoff), :class:`AuthFailure`
(credentials rejected: stop, a person must act), :class:`PermanentFailure` (this request
will never succeed as sent: record it and move on).
"""

from __future__ import annotations

import http.client
import re
import xmlrpc.client
from typing import Any

from ..retry import TemporaryFailure

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


class AuthFailure(Exception):
    """The portal rejected our credentials."""


class PermanentFailure(Exception):
    """The portal refused the request itself (invalid, conflicting idempotency key, ...)."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class _TimeoutMixin:
    """Gives every connection of an xmlrpc transport a socket timeout."""

    def __init__(self, timeout: float):
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


class _TimeoutTransport(_TimeoutMixin, xmlrpc.client.Transport):
    pass


class _TimeoutSafeTransport(_TimeoutMixin, xmlrpc.client.SafeTransport):
    pass


class RpcEndpoint:
    """A ServerProxy with a timeout whose errors are classified per the contract."""

    def __init__(self, url: str, timeout: float = 30.0):
        transport = _TimeoutSafeTransport(timeout) if url.startswith("https:") else _TimeoutTransport(timeout)
        self.url = url
        self._proxy = xmlrpc.client.ServerProxy(url, transport=transport, allow_none=False)
        self.calls = 0

    def call(self, method: str, *args: Any) -> Any:
        self.calls += 1
        try:
            return getattr(self._proxy, method)(*args)
        except xmlrpc.client.Fault as fault:
            code = fault.faultCode
            if code == FAULT_AUTH:
                raise AuthFailure(f"{method}: {fault.faultString}") from fault
            if code in _TEMPORARY_FAULTS:
                match = _RETRY_AFTER_RE.search(fault.faultString or "")
                raise TemporaryFailure(
                    f"{method}: fault {code} {fault.faultString}",
                    retry_after=float(match.group(1)) if match else None,
                ) from fault
            raise PermanentFailure(f"{method}: fault {code} {fault.faultString}", code) from fault
        except xmlrpc.client.ProtocolError as exc:
            if exc.errcode >= 500 or exc.errcode in (408, 429):
                raise TemporaryFailure(f"{method}: HTTP {exc.errcode} {exc.errmsg}") from exc
            if exc.errcode in (401, 403):
                raise AuthFailure(f"{method}: HTTP {exc.errcode} {exc.errmsg}") from exc
            raise PermanentFailure(f"{method}: HTTP {exc.errcode} {exc.errmsg}", exc.errcode) from exc
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            # connection refused/reset/dropped, timeouts, half-read responses
            raise TemporaryFailure(f"{method}: {type(exc).__name__}: {exc}") from exc
        except xmlrpc.client.ResponseError as exc:
            raise TemporaryFailure(f"{method}: unreadable response: {exc}") from exc
        except Exception as exc:
            # expat errors on a truncated body surface as ExpatError (not an OSError)
            if type(exc).__name__ == "ExpatError":
                raise TemporaryFailure(f"{method}: truncated response: {exc}") from exc
            raise

    def close(self) -> None:
        self._proxy("close")()
