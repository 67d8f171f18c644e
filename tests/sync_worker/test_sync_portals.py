"""Portal clients against the reference portals over real sockets on 127.0.0.1."""

from __future__ import annotations

import copy
import functools
import random
import socket
import xmlrpc.client

import pandas as pd
import pytest

from reports import metrics, period, sources
from reports.regulator import build_summary
from sync_worker.portals.hotline import HotlineClient
from sync_worker.portals.regulator import RegulatorClient
from sync_worker.portals.transport import AuthFailure, PermanentFailure
from sync_worker.records import AckItem, CaseResult, Summary
from sync_worker.reference_portals import FaultPlan, start_portal
from sync_worker.reference_portals import summary as summary_schema
from sync_worker.reference_portals.generate import seed
from sync_worker.retry import TemporaryFailure


def _result(ref: str, key: str, stage: str = "closure", **extra) -> CaseResult:
    body = {"stage": stage, "case_no": "TS2026-000001", "handled_by": "王经理", "satisfaction": "satisfied", **extra}
    return CaseResult("hotline", ref, 1, stage, key, body)


def test_hotline_pages_through_the_feed_with_a_cursor(hotline):
    seed(hotline.store, "hotline", 25)
    client = HotlineClient(hotline.url, "hotline-token")
    cursor, seen, pages = "", [], 0
    while True:
        page = client.pull(cursor, 10)
        pages += 1
        seen += [r.payload["order_no"] for r in page.records]
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 25
    assert client.pull(cursor, 10).records == []  # nothing new: same cursor back
    assert client.pull(cursor, 10).next_cursor == cursor


def test_hotline_first_page_reports_what_remains(hotline):
    seed(hotline.store, "hotline", 30)
    page = HotlineClient(hotline.url, "hotline-token").pull("", 10)
    assert page.remaining == 20 and page.has_more


def test_wrong_token_is_an_auth_failure(hotline):
    with pytest.raises(AuthFailure):
        HotlineClient(hotline.url, "wrong").pull("", 10)


def test_invalid_cursor_and_limit_are_permanent(hotline):
    client = HotlineClient(hotline.url, "hotline-token")
    with pytest.raises(PermanentFailure):
        client.pull("garbage", 10)
    with pytest.raises(PermanentFailure):
        client.pull("", 100000)


def test_result_idempotency_same_key_same_receipt(hotline):
    seed(hotline.store, "hotline", 1)
    client = HotlineClient(hotline.url, "hotline-token")
    first = client.push_result(_result("HL00000001", "hotline:result:HL00000001:closure"))
    again = client.push_result(_result("HL00000001", "hotline:result:HL00000001:closure"))
    assert first.receipt_no == again.receipt_no
    assert not first.duplicate and again.duplicate
    assert len(hotline.store.results) == 1


def test_result_key_reused_for_other_content_is_refused(hotline):
    seed(hotline.store, "hotline", 1)
    client = HotlineClient(hotline.url, "hotline-token")
    client.push_result(_result("HL00000001", "key-00000001"))
    with pytest.raises(PermanentFailure) as info:
        client.push_result(_result("HL00000001", "key-00000001", satisfaction="dissatisfied"))
    assert info.value.code == 409


def test_result_for_unknown_order_is_refused(hotline):
    with pytest.raises(PermanentFailure) as info:
        HotlineClient(hotline.url, "hotline-token").push_result(_result("NOPE", "key-nope-0001"))
    assert info.value.code == 404


def test_ack_is_recorded_once_per_key(hotline):
    seed(hotline.store, "hotline", 2)
    client = HotlineClient(hotline.url, "hotline-token")
    items = [AckItem("HL00000001", 1, "accepted"), AckItem("HL00000002", 1, "rejected", "title: missing")]
    a = client.ack("hotline:ack:abc12345", items)
    b = client.ack("hotline:ack:abc12345", items)
    assert a.receipt_no == b.receipt_no and b.duplicate
    assert hotline.store.acks["HL00000002"] == [
        {"order_no": "HL00000002", "revision": 1, "status": "rejected", "reason": "title: missing"}
    ]


@pytest.mark.parametrize("fault", ["drop", "http_5xx", "fault_5xx"])
def test_wire_faults_are_temporary(hotline, fault):
    hotline.faults.update(**{fault: 1.0})
    with pytest.raises(TemporaryFailure):
        HotlineClient(hotline.url, "hotline-token").pull("", 10)


def test_dropped_answer_after_commit_is_temporary_and_replay_is_safe(hotline):
    seed(hotline.store, "hotline", 1)
    client = HotlineClient(hotline.url, "hotline-token")
    hotline.faults.update(drop_after=1.0)
    with pytest.raises(TemporaryFailure):
        client.push_result(_result("HL00000001", "hotline:result:HL00000001:reply", stage="reply"))
    assert len(hotline.store.results) == 1  # it did arrive
    hotline.faults.clear()
    receipt = client.push_result(_result("HL00000001", "hotline:result:HL00000001:reply", stage="reply"))
    assert receipt.duplicate and len(hotline.store.results) == 1


def test_slow_portal_times_out():
    with (
        start_portal("hotline", faults=FaultPlan(slow=1.0, slow_seconds=1.5)) as portal,
        pytest.raises(TemporaryFailure),
    ):
        HotlineClient(portal.url, "hotline-token", timeout=0.3).pull("", 10)


def test_rate_limit_carries_retry_after(hotline):
    hotline.faults.update(rate_limit=2)
    client = HotlineClient(hotline.url, "hotline-token")
    with pytest.raises(TemporaryFailure) as info:
        for _ in range(10):
            client.pull("", 1)
    assert info.value.retry_after == 1.0


def test_closed_port_is_temporary():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TemporaryFailure):
        HotlineClient(f"http://127.0.0.1:{port}/RPC2", "t", timeout=2).pull("", 1)


def test_duplicates_stale_and_shuffle_are_delivered(hotline):
    seed(hotline.store, "hotline", 20)
    for n in (1, 2, 3):
        hotline.store.revise(f"HL0000000{n}", lambda p: p.update(urgency="urgent"))
    hotline.faults.update(duplicate=0.5, stale=1.0, shuffle=True, seed=3)
    page = HotlineClient(hotline.url, "hotline-token").pull("", 100)
    refs = [r.payload["order_no"] for r in page.records]
    assert len(refs) > 23 and len(set(refs)) == 20
    revisions = [(r.payload["order_no"], r.payload["revision"]) for r in page.records]
    assert ("HL00000001", 1) in revisions and ("HL00000001", 2) in revisions


def test_replay_fault_repeats_the_tail(hotline):
    seed(hotline.store, "hotline", 10)
    hotline.faults.update(replay=1.0)
    client = HotlineClient(hotline.url, "hotline-token")
    first = client.pull("", 10)
    second = client.pull(first.next_cursor, 10)
    assert first.has_more
    assert {r.payload["order_no"] for r in first.records} & {r.payload["order_no"] for r in second.records}


def test_regulator_login_fetch_confirm_result_and_summary(regulator):
    seed(regulator.store, "regulator", 5, rng=random.Random(2))
    client = RegulatorClient(regulator.url, "complaints-desk", "regulator-secret")
    page = client.pull("", 3)
    assert len(page.records) == 3 and page.has_more and page.next_cursor.startswith("r1.")
    receipt = client.ack("regulator:ack:0001", [AckItem("RG-0000001", 1, "accepted")])
    assert receipt.receipt_no.startswith("CF-")
    result = CaseResult("regulator", "RG-0000001", 1, "reply", "regulator:result:RG-0000001:reply", {"stage": "reply"})
    assert client.push_result(result).receipt_no == client.push_result(result).receipt_no
    summary = Summary("2026Q3", "regulator:summary:2026Q3", _sample_summary())
    assert client.submit_summary(summary).receipt_no.startswith("SM-")


@functools.cache
def _sample_data():
    return sources.from_sample()


def _sample_summary(code: str = "2026Q3") -> dict:
    """The regulator summary of the bundled sample's first company, as reports builds it."""
    data = _sample_data()
    company = sorted(data.cases["company_id"].dropna().unique())[0]
    mine = data.cases[data.cases["company_id"] == company]
    comps = data.compensations[data.compensations["company_id"] == company]
    p = period.parse(code)
    if mine["date_received"].min() >= p.end:
        # A quiet quarter the data cover: one case received the day before it (a summary is
        # never built for a period before the data begin).
        mine = pd.concat([mine.iloc[:1].assign(name="EARLY", date_received=p.start
                                               - pd.Timedelta(hours=12)), mine])
    return build_summary(mine, comps, p, company, data.as_of)


def _wire(value):
    """What XML-RPC carries of it: no nil, an absent value is "" (PORTALS.md §1)."""
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    return "" if value is None else value


@pytest.mark.parametrize("code", ["2026Q3", "2022Q1"])  # 2022Q1: a quiet quarter, all empty
def test_regulator_accepts_exactly_the_reports_summary(regulator, code):
    figures = _sample_summary(code)
    assert set(figures["kpis"]) == set(summary_schema.KPIS) == {k.key for k in metrics.KPI_DEFS}
    assert set(figures["counts"]) == set(summary_schema.COUNTS) | set(summary_schema.BREAKDOWNS)
    if code == "2022Q1":
        assert figures["counts"]["received"] == 0 and figures["kpis"]["repeat_rate"]["value"] is None
    client = RegulatorClient(regulator.url, "complaints-desk", "regulator-secret")
    client.submit_summary(Summary(code, f"regulator:summary:{code}", figures))
    (stored,) = regulator.store.summaries.values()
    assert stored["figures"] == _wire(figures)


def _broken(change) -> dict:
    figures = copy.deepcopy(_sample_summary())
    change(figures)
    return figures


@pytest.mark.parametrize(("change", "named"), [
    (lambda f: f.pop("kpis"), "missing kpis"),
    (lambda f: f.update(schema="other/1"), "schema"),
    (lambda f: f["period"].update(code="2026Q2"), "period.code"),
    (lambda f: f["period"].update(end="2026-09-31"), "period.start, period.end"),
    (lambda f: f.update(company=""), "company"),
    (lambda f: f.update(as_of="yesterday"), "as_of"),
    (lambda f: f["counts"].update(received=-1), "counts.received"),
    (lambda f: f["counts"]["by_channel"].update(hotline=f["counts"]["by_channel"]["hotline"] + 1),
     "counts.by_channel: adds up"),
    (lambda f: f["counts"].update(open_at_period_end=f["counts"]["open_at_period_end"] + 1),
     "counts.closed_by_period_end + counts.open_at_period_end"),
    (lambda f: f["kpis"]["reopen_rate"].update(value=0.99), "kpis.reopen_rate.value"),
    (lambda f: f["kpis"]["overdue_rate"].update(numerator=10**6), "kpis.overdue_rate"),
    (lambda f: f["kpis"].pop("satisfaction_rate"), "kpis.satisfaction_rate"),
    (lambda f: f["compensation"].update(currency="yuan"), "compensation.currency"),
    (lambda f: f["compensation"].update(paid_amount="12.5"), "compensation.paid_amount"),
])
def test_regulator_refuses_figures_that_are_not_the_summary(regulator, change, named):
    client = RegulatorClient(regulator.url, "complaints-desk", "regulator-secret")
    with pytest.raises(PermanentFailure) as err:
        client.submit_summary(Summary("2026Q3", "regulator:summary:2026Q3", _broken(change)))
    assert err.value.code == 422 and named in str(err.value)
    assert regulator.store.summaries == {}


def test_regulator_session_expiry_logs_in_again(regulator):
    seed(regulator.store, "regulator", 2)
    client = RegulatorClient(regulator.url, "complaints-desk", "regulator-secret")
    client.pull("", 1)
    regulator.portal.expire_sessions()
    assert len(client.pull("", 2).records) == 2
    assert regulator.store.calls["auth.login"] == 2


def test_regulator_bad_secret(regulator):
    with pytest.raises(AuthFailure):
        RegulatorClient(regulator.url, "complaints-desk", "nope").pull("", 1)


def test_hotline_takes_no_filings(hotline):
    with pytest.raises(NotImplementedError):
        HotlineClient(hotline.url, "t").submit_summary(Summary("2026Q1", "k" * 10, {}))


def test_reference_portal_cli_serves_and_stops(tmp_path):
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync_worker.reference_portals",
            "hotline",
            "--port",
            str(port),
            "--records",
            "7",
            "--control",
        ],
        cwd=root,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/RPC2")
        for _ in range(50):
            try:
                stats = proxy.control.stats()
                break
            except OSError:
                time.sleep(0.1)
        assert stats["feed"] == 7
        assert proxy.portal.info()["portal"] == "hotline"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
