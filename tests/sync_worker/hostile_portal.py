"""A hostile hotline portal for the tests: it speaks HTTP and, when it likes, XML-RPC.

Not the reference portal in a fault mode: every answer is scripted byte for byte, so a test
can send what a broken or malicious third-party system sends - nesting 3,000 levels deep,
entity bombs, 10 MB fields, 50,000-order pages, invalid bytes, HTML error pages, one byte
every few seconds, nothing at all. ``script(method, params)`` returns a :class:`Reply`;
``dispatch.ack`` is answered well unless the script says otherwise.
"""

from __future__ import annotations

import http.server
import threading
import time
import xmlrpc.client
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    body: bytes | Iterable[bytes] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/xml"})
    trickle_s: float = 0.0  # pause before each chunk of ``body``
    hang: bool = False  # accept the request, never answer


def answer(value: Any) -> Reply:
    return Reply(xmlrpc.client.dumps((value,), methodresponse=True, allow_none=False).encode("utf-8"))


def fault(code: int, message: str) -> Reply:
    return Reply(xmlrpc.client.dumps(xmlrpc.client.Fault(code, message), methodresponse=True).encode("utf-8"))


def page(orders: list[Any], cursor: str = "c1", more: bool = False) -> Reply:
    return answer({"orders": orders, "next_cursor": cursor, "has_more": more, "remaining": 0})


def order(ref: str, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "order_no": ref,
        "revision": 1,
        "dispatched_at": "2026-03-01T09:00:00+08:00",
        "deadline": "2026-03-04T09:00:00+08:00",
        "demand_type": "complaint",
        "title": "配送延迟",
        "content": "客户反映送货员未按约定时间送达。",
    }
    values.update(changes)
    return values


Script = Callable[[str, tuple], Reply]


class HostilePortal:
    """Serves ``script`` on 127.0.0.1 until :meth:`stop`; records each call's method."""

    def __init__(self, script: Script):
        self.script = script
        self.calls: list[str] = []
        self.acks: list[dict[str, Any]] = []
        self._closing = threading.Event()
        portal = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass

            def do_POST(self) -> None:
                params, method = xmlrpc.client.loads(self.rfile.read(int(self.headers["Content-Length"])))
                portal.calls.append(method)
                if method == "dispatch.ack":
                    portal.acks.extend(params[2])
                    reply = answer({"receipt_no": f"R{len(portal.calls)}", "received_at": "", "duplicate": False})
                else:
                    reply = portal.script(method, params)
                portal._send(self, reply)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/RPC2"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _send(self, handler: http.server.BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.hang:
            self._closing.wait()
            return
        chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.send_header("Connection", "close")
        handler.end_headers()
        try:
            for chunk in chunks:
                if reply.trickle_s and self._closing.wait(reply.trickle_s):
                    return
                handler.wfile.write(chunk)
                handler.wfile.flush()
        except OSError:
            pass  # the client gave up: that is what is being tested
        handler.close_connection = True

    def stop(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HostilePortal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def trickle(data: bytes, step: int = 1) -> Iterable[bytes]:
    for start in range(0, len(data), step):
        yield data[start : start + step]


def forever(chunk: bytes = b" ") -> Iterable[bytes]:
    while True:
        yield chunk
        time.sleep(0)
