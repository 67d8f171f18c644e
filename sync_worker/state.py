"""The saved position of the worker: cursors, applied revisions, outbox, quarantine.

One sqlite3 file in WAL mode with ``synchronous=FULL``: every commit is fsynced before
``commit()`` returns, so a kill -9 or a power cut loses at most the transaction in
flight, never a committed one. Everything that must move together (a cursor, the
revisions applied from that page, the acknowledgement to send, the quarantined records)
is written in one transaction by :meth:`StateStore.commit_page`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from .records import AckItem, Rejection, utc_now

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cursor (
    portal TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS applied (
    portal TEXT NOT NULL,
    external_ref TEXT NOT NULL,
    revision INTEGER NOT NULL,
    PRIMARY KEY (portal, external_ref)
);
CREATE TABLE IF NOT EXISTS outbox (
    key TEXT PRIMARY KEY,
    portal TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ack', 'result', 'summary')),
    payload TEXT NOT NULL,
    case_id INTEGER,
    due_at TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    response TEXT,
    recorded INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (portal, status, next_attempt_at);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY,
    portal TEXT NOT NULL,
    external_ref TEXT NOT NULL,
    revision INTEGER,
    reason TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    pushed INTEGER NOT NULL DEFAULT 0,
    UNIQUE (portal, external_ref, revision, reason)
);
"""


class StateError(Exception):
    """The state file cannot be opened or written (disk, permissions, corruption)."""


@dataclass(frozen=True)
class OutboxItem:
    key: str
    portal: str
    kind: str
    payload: dict[str, Any]
    case_id: int | None
    attempts: int
    status: str
    response: dict[str, Any] | None


@dataclass(frozen=True)
class QuarantineItem:
    id: int
    portal: str
    external_ref: str
    revision: int | None
    reason: str
    payload: str


class StateStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves so a transaction
            # takes the write lock up front instead of failing half-way on upgrade.
            self._db = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.executescript(_SCHEMA)
            self._db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
        except (sqlite3.Error, OSError) as exc:
            raise StateError(f"cannot open state file {self.path}: {exc}") from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StateError(f"cannot write state file {self.path}: {exc}") from exc
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StateError(f"cannot commit state file {self.path}: {exc}") from exc

    # -- meta ------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- cursors ---------------------------------------------------------------
    def get_cursor(self, portal: str) -> str:
        row = self._db.execute("SELECT value FROM cursor WHERE portal = ?", (portal,)).fetchone()
        return row[0] if row else ""

    def applied_revisions(self, portal: str, refs: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        # sqlite caps bound parameters; chunk to stay well below the limit.
        for start in range(0, len(refs), 500):
            chunk = refs[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT external_ref, revision FROM applied WHERE portal = ? AND external_ref IN ({marks})",
                (portal, *chunk),
            )
            out.update({ref: rev for ref, rev in rows})
        return out

    def commit_page(
        self,
        portal: str,
        next_cursor: str,
        applied: dict[str, int],
        ack: tuple[str, list[AckItem]] | None,
        rejections: list[Rejection],
    ) -> None:
        """Advance the cursor together with everything learnt from the page.

        Called only after the page has been applied in Odoo, so a crash before this
        commit makes the worker pull the same page again (Odoo dedupes by external_ref).
        """
        now = utc_now().isoformat()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO cursor (portal, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (portal) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (portal, next_cursor, now),
            )
            db.executemany(
                "INSERT INTO applied (portal, external_ref, revision) VALUES (?, ?, ?) "
                "ON CONFLICT (portal, external_ref) DO UPDATE SET revision = MAX(revision, excluded.revision)",
                [(portal, ref, rev) for ref, rev in applied.items()],
            )
            if ack is not None:
                key, items = ack
                payload = {"items": [item.__dict__ for item in items]}
                db.execute(
                    "INSERT OR IGNORE INTO outbox (key, portal, kind, payload, created_at) VALUES (?, ?, 'ack', ?, ?)",
                    (key, portal, json.dumps(payload, ensure_ascii=False), now),
                )
            db.executemany(
                "INSERT OR IGNORE INTO quarantine (portal, external_ref, revision, reason, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(portal, r.external_ref, r.revision, r.reason, r.payload_text, now) for r in rejections],
            )

    def quarantine_page(self, portal: str, rejection: Rejection) -> None:
        """Keep a page that could not be read; the cursor stays where it is."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO quarantine (portal, external_ref, revision, reason, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    portal,
                    rejection.external_ref,
                    rejection.revision,
                    rejection.reason,
                    rejection.payload_text,
                    utc_now().isoformat(),
                ),
            )

    # -- outbox ----------------------------------------------------------------
    def has_outbox(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM outbox WHERE key = ?", (key,)).fetchone() is not None

    def enqueue(
        self,
        portal: str,
        kind: str,
        key: str,
        payload: dict[str, Any],
        case_id: int | None = None,
        due_at: str | None = None,
    ) -> bool:
        """Add an item unless its idempotency key is already known. Returns True if added."""
        with self.transaction() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO outbox (key, portal, kind, payload, case_id, due_at, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, portal, kind, json.dumps(payload, ensure_ascii=False), case_id, due_at, utc_now().isoformat()),
            )
            return cur.rowcount == 1

    def due_outbox(
        self,
        portal: str,
        kinds: tuple[str, ...] = ("ack", "result", "summary"),
        now: float | None = None,
        limit: int = 500,
    ) -> list[OutboxItem]:
        now = time.time() if now is None else now
        marks = ",".join("?" * len(kinds))
        rows = self._db.execute(
            "SELECT key, portal, kind, payload, case_id, attempts, status, response FROM outbox "
            f"WHERE portal = ? AND status = 'pending' AND next_attempt_at <= ? AND kind IN ({marks}) "
            # acks first (the portal waits for them), then results by their deadline
            "ORDER BY kind = 'ack' DESC, due_at IS NULL, due_at, created_at LIMIT ?",
            (portal, now, *kinds, limit),
        ).fetchall()
        return [self._outbox_item(row) for row in rows]

    def pending_count(self, portal: str) -> int:
        return self._db.execute(
            "SELECT COUNT(*) FROM outbox WHERE portal = ? AND status = 'pending'", (portal,)
        ).fetchone()[0]

    def mark_sent(self, key: str, response: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE outbox SET status = 'sent', response = ?, sent_at = ?, attempts = attempts + 1, "
                "last_error = NULL WHERE key = ?",
                (json.dumps(response, ensure_ascii=False), utc_now().isoformat(), key),
            )

    def mark_retry(self, key: str, error: str, next_attempt_at: float) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE key = ?",
                (error[:2000], next_attempt_at, key),
            )

    def mark_dead(self, key: str, error: str) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ? WHERE key = ?",
                (error[:2000], key),
            )

    def unrecorded_receipts(self, portal: str) -> list[OutboxItem]:
        """Results the portal confirmed whose receipt is not yet written on the case."""
        rows = self._db.execute(
            "SELECT key, portal, kind, payload, case_id, attempts, status, response FROM outbox "
            "WHERE portal = ? AND kind = 'result' AND status = 'sent' AND recorded = 0",
            (portal,),
        ).fetchall()
        return [self._outbox_item(row) for row in rows]

    def mark_recorded(self, keys: list[str]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE outbox SET recorded = 1 WHERE key = ?", [(k,) for k in keys])

    def get_outbox(self, key: str) -> OutboxItem | None:
        row = self._db.execute(
            "SELECT key, portal, kind, payload, case_id, attempts, status, response FROM outbox WHERE key = ?",
            (key,),
        ).fetchone()
        return self._outbox_item(row) if row else None

    @staticmethod
    def _outbox_item(row: tuple) -> OutboxItem:
        key, portal, kind, payload, case_id, attempts, status, response = row
        return OutboxItem(
            key=key,
            portal=portal,
            kind=kind,
            payload=json.loads(payload),
            case_id=case_id,
            attempts=attempts,
            status=status,
            response=json.loads(response) if response else None,
        )

    # -- quarantine ------------------------------------------------------------
    def unpushed_quarantine(self, portal: str, limit: int = 500) -> list[QuarantineItem]:
        rows = self._db.execute(
            "SELECT id, portal, external_ref, revision, reason, payload FROM quarantine "
            "WHERE portal = ? AND pushed = 0 ORDER BY id LIMIT ?",
            (portal, limit),
        ).fetchall()
        return [QuarantineItem(*row) for row in rows]

    def mark_quarantine_pushed(self, ids: list[int]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE quarantine SET pushed = 1 WHERE id = ?", [(i,) for i in ids])

    def quarantine_count(self, portal: str | None = None) -> int:
        if portal is None:
            return self._db.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM quarantine WHERE portal = ?", (portal,)).fetchone()[0]

    def quarantine_items(self, portal: str) -> list[QuarantineItem]:
        rows = self._db.execute(
            "SELECT id, portal, external_ref, revision, reason, payload FROM quarantine WHERE portal = ? ORDER BY id",
            (portal,),
        ).fetchall()
        return [QuarantineItem(*row) for row in rows]
