"""The in-memory state of a reference portal: its feed, idempotency records and inbox."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

IDEMPOTENCY_TTL = 7 * 24 * 3600  # PORTALS.md: keys are remembered for 7 days


@dataclass
class FeedEntry:
    seq: int
    ref: str
    revision: int
    payload: Any


@dataclass
class PortalStore:
    """Thread-safe feed + inbox. ``ref_key``/``rev_key`` name the id and revision fields."""

    ref_key: str
    rev_key: str
    feed: list[FeedEntry] = field(default_factory=list)
    acks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    _idempotency: dict[str, tuple[str, float, Any]] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _seq: int = 0

    # -- feed --------------------------------------------------------------------
    def add(self, payload: Any, ref: str | None = None, revision: int | None = None) -> FeedEntry:
        with self._lock:
            self._seq += 1
            if ref is None:
                ref = str(payload.get(self.ref_key, f"?{self._seq}")) if isinstance(payload, dict) else f"?{self._seq}"
            if revision is None:
                rev = payload.get(self.rev_key) if isinstance(payload, dict) else None
                revision = rev if isinstance(rev, int) and not isinstance(rev, bool) else 0
            entry = FeedEntry(self._seq, ref, revision, payload)
            self.feed.append(entry)
            return entry

    def revise(self, ref: str, change: Callable[[dict[str, Any]], None]) -> FeedEntry:
        """Publish a new revision of ``ref`` (e.g. an extended deadline) at the feed's end."""
        with self._lock:
            latest = max((e for e in self.feed if e.ref == ref), key=lambda e: e.revision)
            payload = copy.deepcopy(latest.payload)
            payload[self.rev_key] = latest.revision + 1
            change(payload)
            return self.add(payload)

    def page(self, after: int, limit: int) -> tuple[list[FeedEntry], int, bool, int]:
        """Entries with seq > after; returns (entries, last seq, has_more, remaining)."""
        with self._lock:
            pending = [e for e in self.feed if e.seq > after]
            chosen = pending[:limit]
            last = chosen[-1].seq if chosen else after
            return chosen, last, len(pending) > len(chosen), len(pending) - len(chosen)

    def older_revision(self, ref: str, below: int) -> FeedEntry | None:
        with self._lock:
            older = [e for e in self.feed if e.ref == ref and e.revision < below]
            return older[-1] if older else None

    def refs(self) -> set[str]:
        with self._lock:
            return {e.ref for e in self.feed}

    def latest(self) -> dict[str, FeedEntry]:
        with self._lock:
            out: dict[str, FeedEntry] = {}
            for e in self.feed:
                if e.ref not in out or e.revision >= out[e.ref].revision:
                    out[e.ref] = e
            return out

    # -- idempotency -------------------------------------------------------------
    def idempotent(self, key: str, request: Any, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run ``run`` once per key; a replay with the same request gets the same answer.

        Returns the answer plus ``duplicate: True`` on replay; raises KeyError-free
        ValueError on a key reused with a different request (the server maps it to 409).
        """
        digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()
        with self._lock:
            now = time.time()
            for stale in [k for k, (_, at, _) in self._idempotency.items() if now - at > IDEMPOTENCY_TTL]:
                del self._idempotency[stale]
            if key in self._idempotency:
                known_digest, _, answer = self._idempotency[key]
                if known_digest != digest:
                    raise ValueError(f"idempotency key {key!r} was used for a different request")
                return {**answer, "duplicate": True}
            answer = run()
            self._idempotency[key] = (digest, now, answer)
            return {**answer, "duplicate": False}

    def count_call(self, method: str) -> None:
        with self._lock:
            self.calls[method] = self.calls.get(method, 0) + 1


def beijing_now() -> str:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0).isoformat()
