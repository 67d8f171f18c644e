"""pull -> apply -> push against the reference portals, with the Gateway interface stubbed.

What Odoo itself does is tested in test_sync_odoo.py against a real Odoo.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter

import pytest
from sync_worker_doubles import MemoryGateway

from reports.calendar import official_years
from reports.regulator import build_summary
from sync_worker.odoo_gateway import OdooRecordError
from sync_worker.portals.hotline import HotlineClient
from sync_worker.portals.regulator import RegulatorClient
from sync_worker.reference_portals.generate import seed
from sync_worker.retry import Backoff, GaveUp, Interrupted, TemporaryFailure
from sync_worker.state import StateStore
from sync_worker.sync import (
    LeaseBusy,
    PortalBinding,
    Synchronizer,
    SyncSettings,
)
from sync_worker.timetable import filing_periods

FAST = SyncSettings(page_size=20, backoff=Backoff(base=0.005, ceiling=0.02, attempts=60))


def make_sync(gateway, state, settings=FAST, stop=None, holder="test-worker"):
    return Synchronizer(gateway, state, settings, stop or threading.Event(), holder)


def hotline_binding(portal):
    return PortalBinding(HotlineClient(portal.url, "hotline-token", timeout=5), "provincial_center")


def regulator_binding(portal):
    return PortalBinding(RegulatorClient(portal.url, "complaints-desk", "regulator-secret", timeout=5), "regulator")


def test_first_import_creates_quarantines_and_acknowledges(hotline, state):
    seeded = seed(hotline.store, "hotline", 120, tricky=0.1, malformed=0.1, rng=random.Random(5))
    gateway = MemoryGateway()
    report = make_sync(gateway, state).run(hotline_binding(hotline))
    assert set(gateway.refs("hotline")) == seeded.expected_cases
    assert report.created == len(seeded.expected_cases)
    assert {q.external_ref for q in gateway.quarantined} == set(seeded.malformed)
    assert state.quarantine_count("hotline") == len(seeded.malformed)
    statuses = {ref: acks[-1]["status"] for ref, acks in hotline.store.acks.items()}
    assert {r for r, s in statuses.items() if s == "accepted"} == seeded.expected_cases
    assert {r for r, s in statuses.items() if s == "rejected"} == set(seeded.malformed)
    assert state.get_cursor("hotline") == "h1.120"
    assert state.pending_count("hotline") == 0


def test_batches_are_one_apply_per_page(hotline, state):
    seed(hotline.store, "hotline", 100)
    gateway = MemoryGateway()
    make_sync(gateway, state).run(hotline_binding(hotline), push=False)
    # resolve + per page (lease renew + apply + quarantine-free) + lease acquire/release
    assert gateway.calls <= 3 + 2 * 5 + 2


def test_second_run_with_nothing_new_changes_nothing(hotline, state):
    seed(hotline.store, "hotline", 30)
    gateway = MemoryGateway()
    make_sync(gateway, state).run(hotline_binding(hotline))
    creates, calls = gateway.creates, gateway.calls
    report = make_sync(gateway, state).run(hotline_binding(hotline))
    assert gateway.creates == creates
    assert report.pulled == 0 and report.created == 0
    assert gateway.calls - calls <= 4  # lease, resolve, push scan, release


@pytest.mark.parametrize(
    "faults",
    [
        {"duplicate": 0.3, "shuffle": True},
        {"replay": 0.5},
        {"drop": 0.2, "seed": 2},
        {"drop_after": 0.2, "seed": 4},
        {"http_5xx": 0.2, "fault_5xx": 0.1, "seed": 6},
        {"rate_limit": 5},
    ],
    ids=["duplicate+shuffle", "replay", "drop", "drop_after", "5xx", "rate_limit"],
)
def test_faulty_portal_gives_every_case_exactly_once(hotline, state, faults):
    seeded = seed(hotline.store, "hotline", 80, rng=random.Random(1))
    hotline.faults.update(**faults)
    gateway = MemoryGateway()
    for _ in range(5):  # a supervisor re-runs after temporary failures
        try:
            make_sync(gateway, state).run(hotline_binding(hotline))
            break
        except GaveUp:
            continue
    assert sorted(gateway.refs("hotline")) == sorted(seeded.expected_cases)
    assert gateway.creates == len(seeded.expected_cases)
    hotline.faults.clear()
    state._db.execute("UPDATE outbox SET next_attempt_at = 0")  # do not wait out the backoff
    make_sync(gateway, state).run(hotline_binding(hotline))
    assert state.pending_count("hotline") == 0
    assert set(hotline.store.acks) == seeded.expected_cases


def test_crash_after_odoo_commit_before_cursor_save_duplicates_nothing(hotline, tmp_path):
    seeded = seed(hotline.store, "hotline", 60)
    gateway = MemoryGateway(crash_after_apply=2)
    path = tmp_path / "state.sqlite3"
    with StateStore(path) as state, pytest.raises(KeyboardInterrupt):
        make_sync(gateway, state).run(hotline_binding(hotline))
    gateway.leases.clear()  # the crashed worker's lease would expire
    with StateStore(path) as state:
        assert state.get_cursor("hotline") == "h1.20"  # page 2 was applied but not saved
        report = make_sync(gateway, state).run(hotline_binding(hotline))
    assert gateway.creates == len(seeded.expected_cases) == 60
    assert report.unchanged == 20  # page 2 found in the target, not created again


def test_newer_revision_updates_and_older_is_ignored(hotline, state):
    seed(hotline.store, "hotline", 5)
    gateway = MemoryGateway()
    make_sync(gateway, state).run(hotline_binding(hotline))
    hotline.store.revise("HL00000002", lambda p: p.update(deadline="2030-01-01T12:00:00+08:00"))
    report = make_sync(gateway, state).run(hotline_binding(hotline))
    assert report.updated == 1
    stored = gateway.cases[("hotline", "HL00000002")]
    assert stored.case.revision == 2 and stored.writes == 1
    # the portal re-delivers revision 1 after revision 2 (out of order): skipped
    old = hotline.store.older_revision("HL00000002", 2)
    hotline.store.add(old.payload, ref=old.ref, revision=old.revision)
    report = make_sync(gateway, state).run(hotline_binding(hotline))
    assert report.skipped == 1 and report.updated == 0
    assert gateway.cases[("hotline", "HL00000002")].case.revision == 2


def test_one_refused_record_is_isolated_by_bisection(hotline, state):
    seed(hotline.store, "hotline", 20)
    gateway = MemoryGateway(poison={"HL00000013"})
    report = make_sync(gateway, state).run(hotline_binding(hotline))
    assert report.created == 19
    (q,) = gateway.quarantined
    assert q.external_ref == "HL00000013" and "Odoo refused" in q.reason
    assert hotline.store.acks["HL00000013"][-1]["status"] == "rejected"
    assert gateway.calls < 30  # log2 splitting, not one call per record


def test_a_page_odoo_refuses_entirely_is_quarantined_and_the_queue_moves_on(hotline, state):
    seed(hotline.store, "hotline", 12)
    poison = {f"HL{n:08d}" for n in range(1, 9)}  # the whole first page of 8
    gateway = MemoryGateway(poison=poison)
    settings = SyncSettings(page_size=8)
    report = make_sync(gateway, state, settings).run(hotline_binding(hotline))
    assert {q.external_ref for q in gateway.quarantined} == poison
    assert all(q.reason.startswith("Odoo refused the record") for q in gateway.quarantined)
    assert set(gateway.refs("hotline")) == {f"HL{n:08d}" for n in range(9, 13)}  # the next page landed
    assert state.get_cursor("hotline") != "" and report.quarantined == 8
    assert all(hotline.store.acks[ref][-1]["status"] == "rejected" for ref in poison)
    assert gateway.leases == {}  # released on the way out


def test_odoo_outage_is_retried_then_succeeds(hotline, state):
    seed(hotline.store, "hotline", 10)
    gateway = MemoryGateway(fail_next=[TemporaryFailure("Odoo unreachable")] * 3)
    make_sync(gateway, state).run(hotline_binding(hotline))
    assert len(gateway.refs("hotline")) == 10


def test_odoo_outage_beyond_the_budget_gives_up(hotline, state):
    seed(hotline.store, "hotline", 10)
    gateway = MemoryGateway(fail_next=[TemporaryFailure("Odoo unreachable")] * 100)
    settings = SyncSettings(backoff=Backoff(base=0.001, ceiling=0.002, attempts=3))
    with pytest.raises(GaveUp):
        make_sync(gateway, state, settings).run(hotline_binding(hotline))


def test_record_error_outside_apply_propagates(hotline, state):
    gateway = MemoryGateway(fail_next=[OdooRecordError("boom")])
    with pytest.raises(OdooRecordError):
        make_sync(gateway, state).run(hotline_binding(hotline))


def test_lease_held_elsewhere_means_no_work(hotline, state):
    seed(hotline.store, "hotline", 5)
    gateway = MemoryGateway()
    assert gateway.acquire_lease("sync_worker:hotline", "other-host:1", 300)
    with pytest.raises(LeaseBusy):
        make_sync(gateway, state).run(hotline_binding(hotline))
    assert gateway.refs("hotline") == []


def test_two_workers_at_once_never_double_apply(hotline, tmp_path):
    seeded = seed(hotline.store, "hotline", 200)
    hotline.faults.update(slow=0.3, slow_seconds=0.02)
    gateway = MemoryGateway()
    errors = []

    def worker(n):
        with StateStore(tmp_path / f"w{n}.sqlite3") as state:
            for _ in range(30):
                try:
                    make_sync(gateway, state, holder=f"w{n}").run(hotline_binding(hotline))
                    return
                except LeaseBusy:
                    threading.Event().wait(0.05)
                except Exception as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)
                    return

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert gateway.creates == len(seeded.expected_cases)


def test_stop_request_finishes_the_page_and_saves_the_cursor(hotline, state):
    seed(hotline.store, "hotline", 100)
    stop = threading.Event()
    gateway = MemoryGateway()
    original = gateway.apply_cases

    def apply_then_stop(*args):
        outcome = original(*args)
        stop.set()  # SIGTERM arrives while the first page is being applied
        return outcome

    gateway.apply_cases = apply_then_stop
    report = make_sync(gateway, state, stop=stop).run(hotline_binding(hotline))
    assert report.stopped
    assert len(gateway.refs("hotline")) == 20
    assert state.get_cursor("hotline") == "h1.20"


def test_results_are_pushed_once_per_stage_with_receipts(hotline, state):
    seed(hotline.store, "hotline", 10)
    gateway = MemoryGateway()
    make_sync(gateway, state).run(hotline_binding(hotline))
    gateway.set_state("hotline", "HL00000001", "feedback")
    gateway.set_state("hotline", "HL00000002", "closed")
    gateway.set_state("hotline", "HL00000003", "handling")
    report = make_sync(gateway, state).run(hotline_binding(hotline))
    assert report.sent >= 2
    keys = set(hotline.store.results)
    assert keys == {"hotline:result:HL00000001:feedback", "hotline:result:HL00000002:closure"}
    closure = hotline.store.results["hotline:result:HL00000002:closure"]
    assert closure["order_no"] == "HL00000002" and closure["satisfaction"] == "satisfied"
    assert closure["closed_at"].endswith("+08:00")
    assert gateway.cases[("hotline", "HL00000002")].receipt.startswith("RCPT-")
    # nothing new: nothing sent again
    make_sync(gateway, state).run(hotline_binding(hotline))
    assert len(hotline.store.results) == 2
    # the feedback case is closed later: its closure goes out too
    gateway.set_state("hotline", "HL00000001", "closed")
    make_sync(gateway, state).run(hotline_binding(hotline))
    assert "hotline:result:HL00000001:closure" in hotline.store.results


def test_results_survive_a_portal_outage(hotline, state):
    seed(hotline.store, "hotline", 3)
    gateway = MemoryGateway()
    make_sync(gateway, state).run(hotline_binding(hotline))
    gateway.set_state("hotline", "HL00000003", "replied")
    hotline.faults.update(drop=1.0, methods=frozenset({"dispatch.submit_result"}))
    report = make_sync(gateway, state).run(hotline_binding(hotline), pull=False)
    assert report.send_failures >= 1 and state.pending_count("hotline") == 1
    assert gateway.cases[("hotline", "HL00000003")].receipt == ""
    hotline.faults.clear()
    state._db.execute("UPDATE outbox SET next_attempt_at = 0")  # skip the backoff wait
    make_sync(gateway, state).run(hotline_binding(hotline), pull=False)
    assert list(hotline.store.results) == ["hotline:result:HL00000003:reply"]
    assert gateway.cases[("hotline", "HL00000003")].receipt.startswith("RCPT-")


def test_lost_receipt_answer_is_recovered_by_replay(hotline, state):
    seed(hotline.store, "hotline", 2)
    gateway = MemoryGateway()
    make_sync(gateway, state).run(hotline_binding(hotline))
    gateway.set_state("hotline", "HL00000001", "closed")
    hotline.faults.update(drop_after=1.0, methods=frozenset({"dispatch.submit_result"}))
    make_sync(gateway, state).run(hotline_binding(hotline), pull=False)
    hotline.faults.clear()
    state._db.execute("UPDATE outbox SET next_attempt_at = 0")
    make_sync(gateway, state).run(hotline_binding(hotline), pull=False)
    assert len(hotline.store.results) == 1  # the portal kept one result
    receipt = gateway.cases[("hotline", "HL00000001")].receipt
    assert receipt and state.unrecorded_receipts("hotline") == []


def test_quarantine_stays_local_until_odoo_has_the_model(hotline, state):
    seed(hotline.store, "hotline", 30, malformed=0.3, rng=random.Random(9))
    gateway = MemoryGateway(has_quarantine_model=False)
    make_sync(gateway, state).run(hotline_binding(hotline))
    local = state.quarantine_count("hotline")
    assert local > 0 and gateway.quarantined == []
    assert len(state.unpushed_quarantine("hotline")) == local
    gateway.has_quarantine_model = True
    make_sync(gateway, state).run(hotline_binding(hotline))
    assert len(gateway.quarantined) == local
    assert state.unpushed_quarantine("hotline") == []


def test_regulator_end_to_end_with_filing(regulator, state):
    forwarded = dt.datetime(2026, 2, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    seeded = seed(regulator.store, "regulator", 40, tricky=0.2, malformed=0.2, rng=random.Random(4), base=forwarded)
    gateway = MemoryGateway()
    period = filing_periods(2026)[1]
    sync = make_sync(gateway, state)
    sync.run(regulator_binding(regulator), filings=[period])
    assert set(gateway.refs("regulator")) == seeded.expected_cases
    assert {q.external_ref for q in gateway.quarantined} == set(seeded.malformed)
    (summary,) = regulator.store.summaries.values()
    figures = summary["figures"]
    # Counted here from the stored cases and the filing's UTC bounds.
    in_period = [c for c in gateway.cases.values() if period.start <= c.case.date_received < period.end]
    assert len(in_period) == len(seeded.expected_cases) > 0
    assert summary["period"] == "2026Q1" and figures["schema"] == "complaints.regulator_summary/1"
    assert figures["period"] == {"code": "2026Q1", "start": "2026-01-01", "end": "2026-03-20"}
    assert figures["counts"]["received"] == len(in_period)
    assert figures["counts"]["regulator_forwarded"] == len(in_period)
    kinds = Counter(c.case.demand_type for c in in_period)
    assert {k: v for k, v in figures["counts"]["by_demand_type"].items() if v} == dict(kinds)
    assert figures["counts"]["complaints"] == kinds["complaint"]
    # The same function, on the same data, as the quarterly workbooks: what was filed is
    # build_summary's payload (an absent KPI value travels as "").
    company, data = gateway.report_data(None, period.report_period())
    expected = build_summary(data.cases, data.compensations, period.report_period(), company, data.as_of)
    assert figures == {**expected, "as_of": figures["as_of"], "kpis": {
        k: {**v, "value": "" if v["value"] is None else v["value"]} for k, v in expected["kpis"].items()}}
    sync.run(regulator_binding(regulator), filings=[period])
    assert len(regulator.store.summaries) == 1


def test_filing_waits_for_a_calendar_that_knows_the_year(regulator, state, caplog):
    # A case received on the last evening of the calendar's last known year: its acceptance
    # deadline falls in a year without a State Council notice yet.
    last = official_years()[1]
    evening = dt.datetime(last, 12, 31, 20, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    seed(regulator.store, "regulator", 3, rng=random.Random(6), base=evening)
    gateway = MemoryGateway()
    (annual,) = [p for p in filing_periods(last + 1) if p.label == str(last)]
    report = make_sync(gateway, state).run(regulator_binding(regulator), filings=[annual])
    assert len(gateway.refs("regulator")) == 3
    assert report.filings == 0 and regulator.store.summaries == {}
    assert any(r.message == "filing postponed" and str(last + 1) in r.kv["reason"] for r in caplog.records)


def test_pages_are_applied_in_chunks_sized_by_time(hotline, state):
    seed(hotline.store, "hotline", 400)
    gateway = MemoryGateway(seconds_per_case=0.004)  # Odoo takes 4 ms per new case
    settings = SyncSettings(page_size=400, apply_call_s=0.4, backoff=FAST.backoff)
    make_sync(gateway, state, settings).run(hotline_binding(hotline))
    assert len(gateway.refs("hotline")) == 400
    # after the first chunk every call is sized to about half of apply_call_s (50 cases)
    assert len(gateway.batch_sizes) > 4
    assert all(size * 0.004 <= 0.4 * 0.75 for size in gateway.batch_sizes[1:]), gateway.batch_sizes


def test_shutdown_between_chunks_leaves_the_page_to_the_next_run(hotline, state):
    seed(hotline.store, "hotline", 300)
    stop = threading.Event()
    gateway = MemoryGateway()
    original = gateway.apply_cases

    def apply_then_stop(ctx, channel, cases):
        outcome = original(ctx, channel, cases)
        stop.set()  # SIGTERM arrives while the first chunk is in Odoo
        return outcome

    gateway.apply_cases = apply_then_stop
    settings = SyncSettings(page_size=300, backoff=FAST.backoff)
    with pytest.raises(Interrupted):
        make_sync(gateway, state, settings, stop=stop).run(hotline_binding(hotline))
    assert state.get_cursor("hotline") == "" and len(gateway.refs("hotline")) == 50
    gateway.apply_cases = original
    make_sync(gateway, state, settings).run(hotline_binding(hotline))
    assert len(gateway.refs("hotline")) == 300 and set(Counter(gateway.refs("hotline")).values()) == {1}


def test_the_lease_is_renewed_while_a_long_page_is_applied_never_two_holders(hotline, tmp_path):
    seed(hotline.store, "hotline", 300)
    gateway = MemoryGateway(seconds_per_case=0.01)  # 3 s of Odoo work: three lease lifetimes
    settings = SyncSettings(page_size=300, lease_ttl=1.0, apply_call_s=0.2, backoff=FAST.backoff)

    def run() -> None:
        with StateStore(tmp_path / "state.sqlite3") as own_state:  # sqlite: one connection per thread
            make_sync(gateway, own_state, settings).run(hotline_binding(hotline))

    worker = threading.Thread(target=run)
    worker.start()
    taken_over = []
    while worker.is_alive():
        applying = gateway.batch_sizes and len(gateway.cases) < 300
        if applying and gateway.acquire_lease("sync_worker:hotline", "intruder", 1.0):
            taken_over.append(True)
            gateway.release_lease("sync_worker:hotline", "intruder")
        time.sleep(0.02)
    worker.join()
    assert not taken_over
    assert len(gateway.refs("hotline")) == 300
