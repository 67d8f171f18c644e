"""Log in to Odoo with odoorpc and classify why it failed."""

from __future__ import annotations

import http.client
import socket
import urllib.error
from dataclasses import dataclass
from urllib.parse import urlparse

# Why a connection failed.
CONFIG = "config"  # the URL or the database is wrong: a person must fix the settings
UNREACHABLE = "unreachable"  # no answer, refused connection, proxy error: may pass
REFUSED = "refused"  # Odoo answered and refused the login or the rights

DEFAULT_TIMEOUT = 120.0
_REFUSED_MARKERS = ("Wrong login", "Access Denied", "AccessDenied", "AccessError")
_NETWORK_ERRORS = (urllib.error.URLError, OSError, http.client.HTTPException, socket.timeout)


class OdooConnectionError(RuntimeError):
    """Logging in to Odoo failed; ``kind`` says why (CONFIG, UNREACHABLE or REFUSED)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class OdooEndpoint:
    host: str
    port: int
    protocol: str  # odoorpc's: "jsonrpc" or "jsonrpc+ssl"

    @property
    def ssl(self) -> bool:
        return self.protocol == "jsonrpc+ssl"


def parse_url(url: str) -> OdooEndpoint:
    """``http(s)://host[:port]`` → where odoorpc connects; CONFIG error otherwise."""
    parsed = urlparse(url or "")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise OdooConnectionError(CONFIG, f"Odoo URL {url!r}: expected http(s)://host[:port]")
    ssl = parsed.scheme == "https"
    try:
        port = parsed.port or (443 if ssl else 80)
    except ValueError as exc:
        raise OdooConnectionError(CONFIG, f"Odoo URL {url!r}: {exc}") from exc
    return OdooEndpoint(parsed.hostname, port, "jsonrpc+ssl" if ssl else "jsonrpc")


def _rpc_error_kind(exc: Exception) -> str:
    info = getattr(exc, "info", None)
    data = info.get("data") if isinstance(info, dict) and isinstance(info.get("data"), dict) else {}
    text = f"{data.get('name') or ''} {exc}"
    return REFUSED if any(marker in text for marker in _REFUSED_MARKERS) else CONFIG


def connect(url: str, db: str, login: str, password: str, timeout: float = DEFAULT_TIMEOUT):
    """A logged-in ``odoorpc.ODOO``; raises OdooConnectionError with the reason's kind."""
    import odoorpc  # optional for the parts of the product that never talk to Odoo

    endpoint = parse_url(url)
    where = f"Odoo at {url} (database {db}, user {login})"
    try:
        odoo = odoorpc.ODOO(endpoint.host, protocol=endpoint.protocol, port=endpoint.port,
                            timeout=timeout)
        odoo.login(db, login, password)
    except odoorpc.error.RPCError as exc:
        kind = _rpc_error_kind(exc)
        what = "refused the login" if kind == REFUSED else "answered with an error"
        raise OdooConnectionError(kind, f"{where} {what}: {exc}") from exc
    except _NETWORK_ERRORS as exc:
        raise OdooConnectionError(UNREACHABLE, f"{where} is unreachable: {type(exc).__name__}: "
                                               f"{exc}") from exc
    except ValueError as exc:  # odoorpc: a database that does not exist, a bad answer
        raise OdooConnectionError(CONFIG, f"{where}: {exc}") from exc
    return odoo
