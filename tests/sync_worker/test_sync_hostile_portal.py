"""The worker against a hostile hotline portal: every answer a broken or malicious
third-party system can send. Each test runs one worker pass in its own process and
asserts what landed, what was quarantined and why, the exit code, the wall time and the
process's peak memory."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_portal import HostilePortal, Reply, fault, forever, order, page, trickle

from sync_worker.app import EXIT_NOPERM, EXIT_OK, EXIT_PROTOCOL, EXIT_TEMPFAIL

HARNESS = Path(__file__).with_name("hostile_run.py")
BASELINE_MB = 150  # a pass over a small page: interpreter, pandas (the reports link), sqlite; ~80 MB measured


@dataclass
class Outcome:
    exit: int
    landed: int
    refs: list[str]
    quarantined: list[list[str]]
    quarantined_count: int
    wall: float
    peak_mb: float
    result: dict


def run_worker(
    url: str,
    timeout: float = 3.0,
    attempts: int = 3,
    sigterm_once=None,
    max_wall: float = 30.0,
    max_mb: float = BASELINE_MB,
) -> Outcome:
    """One worker pass; asserts its wall time and its own peak memory stay within bounds.

    ``sigterm_once``: a condition; one second after it holds, the worker gets SIGTERM (the
    wall time is then counted from the signal)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(HARNESS), url, str(timeout), str(attempts)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if sigterm_once is not None:
        while not sigterm_once() and time.monotonic() - started < 120:
            time.sleep(0.05)
        time.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
    out, err = (stream.decode() for stream in proc.communicate())
    ended = time.monotonic()
    assert out.strip(), err[-3000:]
    result = json.loads(out.strip().splitlines()[-1])
    wall = ended - (signalled if sigterm_once is not None else started)
    # the figures, for whoever reads the test log with -s
    print(
        f"worker pass: exit {result['exit']}, landed {result['landed']}, quarantined "
        f"{result['quarantined_count']}, {wall:.1f} s, peak {result['peak_mb']:.0f} MB"
    )
    assert wall < max_wall, f"worker pass took {wall:.1f} s"
    assert result["peak_mb"] < max_mb, f"worker pass peaked at {result['peak_mb']:.0f} MB"
    return Outcome(
        exit=result["exit"],
        landed=result["landed"],
        refs=result["refs"],
        quarantined=result["quarantined"],
        quarantined_count=result["quarantined_count"],
        wall=wall,
        peak_mb=result["peak_mb"],
        result=result,
    )


def reasons(outcome: Outcome) -> dict[str, str]:
    return {ref: reason for ref, reason in outcome.quarantined}


def xml_answer(inner: str) -> bytes:
    return (
        "<?xml version='1.0'?><methodResponse><params><param><value><struct>"
        f"<member><name>orders</name><value><array><data>{inner}</data></array></value></member>"
        "<member><name>next_cursor</name><value><string>c1</string></value></member>"
        "<member><name>has_more</name><value><boolean>0</boolean></value></member>"
        "</struct></value></param></params></methodResponse>"
    ).encode()


def order_xml(ref: str, **raw_members: str) -> str:
    members = {k: f"<string>{v}</string>" if isinstance(v, str) else v for k, v in order(ref).items()}
    members = {k: v if isinstance(v, str) else f"<int>{v}</int>" for k, v in members.items()}
    members.update(raw_members)
    body = "".join(f"<member><name>{k}</name><value>{v}</value></member>" for k, v in members.items())
    return f"<value><struct>{body}</struct></value>"


def pages_then(first: Reply):
    """The first dispatch.list gets ``first``; later ones an empty last page."""

    def script(method: str, params: tuple) -> Reply:
        if params[1] == "":
            return first
        return page([], cursor=params[1])

    return script


def test_deep_nesting_quarantines_the_record_and_the_page_lands():
    deep = "<struct><member><name>n</name><value>" * 3000 + "x" + "</value></member></struct>" * 3000
    body = xml_answer(order_xml("GOOD-1") + order_xml("DEEP-1", content=deep) + order_xml("GOOD-2"))
    with HostilePortal(pages_then(Reply(body))) as portal:
        outcome = run_worker(portal.url)
    assert outcome.exit == EXIT_OK
    assert sorted(outcome.refs) == ["GOOD-1", "GOOD-2"]
    assert reasons(outcome) == {"DEEP-1": "content.n.n...: nested deeper than 16 levels"}
    assert {a["order_no"]: a["status"] for a in portal.acks} == {
        "GOOD-1": "accepted",
        "GOOD-2": "accepted",
        "DEEP-1": "rejected",
    }


def test_entity_expansion_refuses_the_page_with_its_bytes():
    entities = "".join(f"<!ENTITY lol{n} '{('&lol' + str(n - 1) + ';') * 10}'>" for n in range(1, 10))
    bomb = (
        f"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol0 'lol'>{entities}".encode()
        + b"]><methodResponse><params><param><value><string>&lol9;</string></value></param></params></methodResponse>"
    )
    with HostilePortal(pages_then(Reply(bomb))) as portal:
        outcome = run_worker(portal.url)
    assert outcome.exit == EXIT_PROTOCOL
    assert outcome.landed == 0
    ((ref, reason),) = outcome.quarantined
    assert ref.startswith("<page after cursor") and "DTD refused" in reason
    assert portal.calls.count("dispatch.list") == 2  # asked once more, then quarantined


def test_a_10_mb_field_quarantines_its_record_only():
    huge = "投" * (10 * 1024 * 1024 // 3)
    with HostilePortal(pages_then(page([order("BIG-1", title=huge), order("OK-1")]))) as portal:
        outcome = run_worker(portal.url, timeout=20)  # within BASELINE_MB: the 10 MB never sits in memory
    assert outcome.exit == EXIT_OK
    assert outcome.refs == ["OK-1"]
    (reason,) = reasons(outcome).values()
    assert reason == "title: text longer than 100000 characters"


def test_a_50000_order_page_lands_in_time_sized_chunks():
    orders = [order(f"BULK-{n}") for n in range(50_000)]
    with HostilePortal(pages_then(page(orders))) as portal:
        # ~270 MB measured: the page's orders, their validated cases and the state
        outcome = run_worker(portal.url, timeout=120, max_wall=300, max_mb=600)
    assert outcome.exit == EXIT_OK
    assert outcome.landed == 50_000 and outcome.quarantined_count == 0
    assert outcome.result["apply_calls"] >= 25 and outcome.result["largest_batch"] <= 2000


def test_invalid_bytes_are_repaired_or_quarantined_per_field():
    gbk_title = "后半段GBK。".encode("gbk")
    mixed = "前半段UTF-8，".encode() + gbk_title
    body = xml_answer(
        order_xml("MIX-1", title="<string>%MIXED%</string>") + order_xml("BAD-1", content="%BAD%") + order_xml("OK-1")
    )
    body = body.replace(b"%MIXED%", mixed).replace(b"%BAD%", b"ok \xff\xfe\xfd")
    with HostilePortal(pages_then(Reply(body))) as portal:
        outcome = run_worker(portal.url)
    assert outcome.exit == EXIT_OK
    assert sorted(outcome.refs) == ["MIX-1", "OK-1"]
    assert reasons(outcome)["BAD-1"].startswith("content: undecodable bytes b'\\xff\\xfe\\xfd' (neither UTF-8 nor GBK)")


def test_wrong_types_name_the_field_and_show_the_value():
    orders = [
        order("T-1", revision="7"),
        order("T-2", urgency=3),
        order("T-3", complainant=["张三"]),
        order("T-4", deadline=xmlrpc.client.Binary(b"\x00\x01")),
        order("T-5"),
    ]
    with HostilePortal(pages_then(page(orders))) as portal:
        outcome = run_worker(portal.url)
    assert outcome.exit == EXIT_OK and outcome.refs == ["T-5"]
    assert reasons(outcome) == {
        "T-1": "revision: expected an integer, got str '7'",
        "T-2": "urgency: expected one of normal, important, urgent, got int 3",
        "T-3": "complainant: expected a struct, got list ['张三']",
        "T-4": "deadline: expected a date-time, got Binary b'\\x00\\x01'",
    }


def test_duplicates_in_a_page_identical_land_once_conflicting_are_quarantined():
    orders = [
        order("D-1"),
        order("D-1"),
        order("D-2", title="第一版"),
        order("D-2", title="另一版"),
        order("D-3"),
    ]
    with HostilePortal(pages_then(page(orders))) as portal:
        outcome = run_worker(portal.url)
    assert outcome.exit == EXIT_OK
    assert sorted(outcome.refs) == ["D-1", "D-3"]
    assert outcome.quarantined_count == 2
    assert all(
        ref == "D-2" and "'D-2' revision 1 delivered 2 times in one page with different content (subject)" in reason
        for ref, reason in outcome.quarantined
    )


@pytest.mark.parametrize("status", [200, 502])
def test_html_error_pages(status):
    html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1><hr>nginx</body></html>"
    reply = Reply(html, status=status, headers={"Content-Type": "text/html"})
    with HostilePortal(lambda _m, _p: reply) as portal:
        outcome = run_worker(portal.url)
    assert outcome.landed == 0
    if status == 200:  # an answer that is not XML-RPC: the page is kept, the run says so
        assert outcome.exit == EXIT_PROTOCOL
        ((_ref, reason),) = outcome.quarantined
        assert "not an XML-RPC answer (root element <html>)" in reason
    else:  # a proxy's error: retried, then the next run
        assert outcome.exit == EXIT_TEMPFAIL and outcome.quarantined_count == 0
        assert portal.calls.count("dispatch.list") == 3


def test_slow_trickle_is_cut_at_the_call_deadline():
    body = page([order("SLOW-1")]).body
    reply = Reply(trickle(body), trickle_s=0.5)  # one byte every half second
    with HostilePortal(lambda _m, _p: reply) as portal:
        # 2 calls of 2 s each and one short backoff, plus start-up: the trickle does not stretch it
        outcome = run_worker(portal.url, timeout=2.0, attempts=2, max_wall=2 * 2.0 + 12)
    assert outcome.exit == EXIT_TEMPFAIL and outcome.landed == 0
    assert "within the call deadline of 2 s" in outcome.result["error"]


def test_a_portal_that_hangs_forever_is_cut_at_the_deadline():
    with HostilePortal(lambda _m, _p: Reply(hang=True)) as portal:
        outcome = run_worker(portal.url, timeout=2.0, attempts=2, max_wall=2 * 2.0 + 12)
    assert outcome.exit == EXIT_TEMPFAIL and outcome.landed == 0


@pytest.mark.parametrize("reply", [Reply(hang=True), Reply(forever(b" "), trickle_s=0.3)], ids=["hang", "trickle"])
def test_sigterm_is_honoured_within_seconds_whatever_the_socket_does(reply):
    with HostilePortal(lambda _m, _p: reply) as portal:
        outcome = run_worker(portal.url, timeout=600.0, sigterm_once=lambda: portal.calls, max_wall=3.0)
    assert outcome.exit == EXIT_OK and outcome.landed == 0


def test_403_on_dispatch_list_stops_with_exit_77_at_once():
    with HostilePortal(lambda _m, _p: fault(403, "token not allowed for dispatch.list")) as portal:
        outcome = run_worker(portal.url)
    assert outcome.exit == EXIT_NOPERM
    assert portal.calls == ["dispatch.list"]


def test_429_retry_after_is_waited_in_full_up_to_the_ceiling():
    calls = []

    def script(_method: str, params: tuple) -> Reply:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return fault(429, "rate limited, retry_after=3")
        return page([order("RL-1")]) if params[1] == "" else page([], cursor=params[1])

    with HostilePortal(script) as portal:
        outcome = run_worker(portal.url)
    assert outcome.exit == EXIT_OK and outcome.refs == ["RL-1"]
    assert calls[1] - calls[0] >= 3.0


def test_429_asking_beyond_the_ceiling_ends_the_run_without_waiting():
    with HostilePortal(lambda _m, _p: fault(429, "retry_after=3600")) as portal:
        outcome = run_worker(portal.url, max_wall=20)
    assert outcome.exit == EXIT_TEMPFAIL and "more than the ceiling" in outcome.result["error"]
    assert portal.calls == ["dispatch.list"]


def test_500_is_retried_with_backoff_then_lands():
    calls = []

    def script(_method: str, params: tuple) -> Reply:
        calls.append(1)
        if len(calls) <= 2:
            return fault(500, "internal error")
        return page([order("R-1")]) if params[1] == "" else page([], cursor=params[1])

    with HostilePortal(script) as portal:
        outcome = run_worker(portal.url, attempts=4)
    assert outcome.exit == EXIT_OK and outcome.refs == ["R-1"]


def test_one_portals_unreadable_page_does_not_hold_up_the_other(tmp_path, regulator):
    import threading

    from sync_worker_doubles import MemoryGateway

    from sync_worker.app import App, exit_code_for
    from sync_worker.config import load_config
    from sync_worker.reference_portals.generate import seed

    seed(regulator.store, "regulator", 5)
    html = Reply(b"<html><body>maintenance</body></html>", headers={"Content-Type": "text/html"})
    with HostilePortal(lambda _m, _p: html) as hotline:
        path = tmp_path / "sync.toml"
        path.write_text(
            f"""
[odoo]
url = "http://127.0.0.1:9"
db = "complaints"
login = "sync-bot"
[state]
path = "state.sqlite3"
[worker]
retry_attempts = 2
retry_base_s = 0.01
[hotline]
url = "{hotline.url}"
[regulator]
url = "{regulator.url}"
client_id = "complaints-desk"
""",
            encoding="utf-8",
        )
        env = {"ODOO_PASSWORD": "x", "HOTLINE_TOKEN": "t", "REGULATOR_SECRET": "regulator-secret"}
        gateway = MemoryGateway()
        app = App(load_config(path, env), threading.Event(), gateway_factory=lambda _cfg: gateway)
        with pytest.raises(Exception) as refused:
            app.once()
    assert exit_code_for(refused.value) == EXIT_PROTOCOL
    assert len(gateway.refs("regulator")) == 5 and gateway.refs("hotline") == []
