"""The saved position: cursors, applied revisions, outbox and quarantine."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sync_worker.records import AckItem, Rejection
from sync_worker.state import StateError, StateStore


def test_fresh_state_is_empty_and_in_wal_mode(state: StateStore):
    assert state.get_cursor("hotline") == ""
    assert state.pending_count("hotline") == 0
    mode = state._db.execute("PRAGMA journal_mode").fetchone()[0]
    sync = state._db.execute("PRAGMA synchronous").fetchone()[0]
    assert mode == "wal"
    assert sync == 2  # FULL: every commit is fsynced


def test_commit_page_moves_everything_together(tmp_path: Path):
    path = tmp_path / "s.sqlite3"
    with StateStore(path) as state:
        items = [AckItem("A1", 1, "accepted"), AckItem("B2", 3, "rejected", "title: missing")]
        rejection = Rejection("hotline", "B2", 3, "title: missing", "{}")
        state.commit_page("hotline", "h1.2", {"A1": 1}, ("hotline:ack:x", items), [rejection])
    with StateStore(path) as state:  # reopened: it was on disk
        assert state.get_cursor("hotline") == "h1.2"
        assert state.applied_revisions("hotline", ["A1", "B2"]) == {"A1": 1}
        (ack,) = state.due_outbox("hotline")
        assert ack.kind == "ack" and ack.payload["items"][1]["reason"] == "title: missing"
        (q,) = state.unpushed_quarantine("hotline")
        assert (q.external_ref, q.revision, q.reason) == ("B2", 3, "title: missing")


def test_applied_revision_never_goes_back(state: StateStore):
    state.commit_page("hotline", "c1", {"A": 3}, None, [])
    state.commit_page("hotline", "c2", {"A": 2}, None, [])  # an out-of-order older delivery
    assert state.applied_revisions("hotline", ["A"]) == {"A": 3}


def test_applied_revisions_handles_more_refs_than_sqlite_parameters(state: StateStore):
    refs = {f"R{i}": 1 for i in range(2500)}
    state.commit_page("hotline", "c", refs, None, [])
    assert len(state.applied_revisions("hotline", list(refs))) == 2500


def test_failed_transaction_leaves_nothing(state: StateStore):
    with pytest.raises(RuntimeError), state.transaction() as db:
        db.execute("INSERT INTO cursor (portal, value, updated_at) VALUES ('hotline', 'x', 'now')")
        raise RuntimeError("crash in the middle")
    assert state.get_cursor("hotline") == ""


def test_outbox_is_idempotent_by_key(state: StateStore):
    assert state.enqueue("hotline", "result", "k1", {"a": 1}, case_id=7)
    assert not state.enqueue("hotline", "result", "k1", {"a": 2}, case_id=7)
    (item,) = state.due_outbox("hotline")
    assert item.payload == {"a": 1}


def test_outbox_retry_dead_sent_and_receipts(state: StateStore):
    state.enqueue("hotline", "result", "r1", {}, case_id=1, due_at="2026-01-02T00:00:00")
    state.enqueue("hotline", "result", "r2", {}, case_id=2, due_at="2026-01-01T00:00:00")
    state.commit_page("hotline", "c", {}, ("a1", [AckItem("X", 1, "accepted")]), [])
    assert [i.key for i in state.due_outbox("hotline")] == ["a1", "r2", "r1"]  # acks, then by deadline
    state.mark_retry("r2", "boom", time.time() + 3600)
    assert [i.key for i in state.due_outbox("hotline")] == ["a1", "r1"]
    state.mark_dead("a1", "409 conflict")
    state.mark_sent("r1", {"receipt_no": "RC1"})
    assert state.due_outbox("hotline") == []
    (unrecorded,) = state.unrecorded_receipts("hotline")
    assert unrecorded.response == {"receipt_no": "RC1"}
    state.mark_recorded(["r1"])
    assert state.unrecorded_receipts("hotline") == []
    assert state.get_outbox("r2").attempts == 1


def test_quarantine_is_deduplicated(state: StateStore):
    r = Rejection("regulator", "R1", 1, "body: malformed XML", "{}")
    state.commit_page("regulator", "c1", {}, None, [r])
    state.commit_page("regulator", "c1", {}, None, [r])  # the same page pulled again after a crash
    assert state.quarantine_count("regulator") == 1
    ids = [q.id for q in state.unpushed_quarantine("regulator")]
    state.mark_quarantine_pushed(ids)
    assert state.unpushed_quarantine("regulator") == []


def test_unwritable_state_is_a_state_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StateError):
        StateStore(blocker / "state.sqlite3")


def test_kill_9_never_loses_a_committed_page(tmp_path: Path):
    """A writer killed at a random moment: every commit it reported is on disk, intact."""
    path = tmp_path / "s.sqlite3"
    root = Path(__file__).resolve().parents[2]
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(root)!r})
        from sync_worker.state import StateStore
        from sync_worker.records import AckItem
        s = StateStore({str(path)!r})
        for n in range(1, 100000):
            ack = (f"ack{{n}}", [AckItem(f"R{{n}}", 1, "accepted")])
            s.commit_page("hotline", f"c{{n}}", {{f"R{{n}}": 1}}, ack, [])
            print(n, flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    last = 0
    deadline = time.monotonic() + 20
    while last < 50 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line:
            last = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with StateStore(path) as state:
        cursor = int(state.get_cursor("hotline")[1:])
        assert cursor >= last
        # cursor, applied revision and ack always moved together
        assert state.applied_revisions("hotline", [f"R{cursor}"]) == {f"R{cursor}": 1}
        assert state.get_outbox(f"ack{cursor}") is not None
        assert state.applied_revisions("hotline", [f"R{cursor + 1}"]) == {}
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
