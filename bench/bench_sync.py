"""Benchmark of the sync worker against a real Odoo 18 with addon_complaints.

Figures (issue 5): cases per second of a first import of N dispatch orders, RPC calls per
case, the ratio against a naive one-call-per-record loop measured in the same run, the
in-process ORM ``create([...])`` rate of the same values as the same user (the ceiling),
and the time of a steady-state re-sync with nothing new. Targets: >= 15x the naive loop,
>= 80 % of the ceiling, re-sync < 2 s.

The Odoo server comes from the environment of the Odoo tier (ODOO_TEST_URL, ODOO_TEST_DB,
ODOO_TEST_LOGIN, ODOO_TEST_PASSWORD; ODOO_TEST_PG=host:port:user and ODOO_BIN for the ORM
ceiling) or from the options below.

    python bench/bench_sync.py --orders 10000 [--naive 1000] [--page-size 500] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sync_worker.odoo_gateway import OdooGateway, OdooSettings  # noqa: E402
from sync_worker.portals.hotline import HotlineClient  # noqa: E402
from sync_worker.reference_portals import start_portal  # noqa: E402
from sync_worker.reference_portals.generate import seed  # noqa: E402
from sync_worker.retry import Backoff  # noqa: E402
from sync_worker.state import StateStore  # noqa: E402
from sync_worker.sync import PortalBinding, Synchronizer, SyncSettings  # noqa: E402
from sync_worker.validation import validate  # noqa: E402

_ORM_SCRIPT = """
import json, time
vals = json.load(open({path!r}))
Case = env["complaint.case"].with_user({uid}).with_company({company})
for v in vals:
    v["channel_id"] = {channel}
started = time.perf_counter()
for i in range(0, len(vals), {page}):
    Case.create(vals[i:i + {page}])
env.cr.commit()
print("ORM_SECONDS", time.perf_counter() - started)
"""


def _settings(args: argparse.Namespace) -> OdooSettings:
    return OdooSettings(args.url, args.db, args.login, args.password, timeout=600)


def _relabel(store, prefix: str) -> None:
    for entry in store.feed:
        entry.payload["order_no"] = prefix + entry.payload["order_no"]
        entry.ref = entry.payload["order_no"]


def grant_sync_rights(args: argparse.Namespace) -> None:
    """The benchmark user must be in the add-on's integration group (lease, quarantine)."""
    gateway = OdooGateway(_settings(args))
    group = gateway._call(
        "ir.model.data",
        "search_read",
        [("module", "=", "addon_complaints"), ("name", "=", "group_complaint_integration")],
        fields=["res_id"],
    )
    if group:
        gateway._call("res.users", "write", [gateway._odoo.env.uid], {"groups_id": [(4, group[0]["res_id"])]})


def worker_import(args: argparse.Namespace, prefix: str) -> dict:
    with start_portal("hotline") as portal, tempfile.TemporaryDirectory() as tmp:
        seed(portal.store, "hotline", args.orders, rng=random.Random(1))
        _relabel(portal.store, prefix)
        gateway = OdooGateway(_settings(args))
        gateway.connect()
        binding = PortalBinding(HotlineClient(portal.url, "hotline-token", timeout=600), "provincial_center")
        settings = SyncSettings(page_size=args.page_size, backoff=Backoff(attempts=3))
        with StateStore(Path(tmp) / "state.sqlite3") as state:
            sync = Synchronizer(gateway, state, settings, threading.Event(), f"bench-{prefix}")
            calls_before = gateway.calls
            started = time.perf_counter()
            report = sync.run(binding, push=False)
            seconds = time.perf_counter() - started
            calls = gateway.calls - calls_before
            started = time.perf_counter()
            sync.run(binding)  # nothing new: steady state, including the push scan
            resync = time.perf_counter() - started
    return {
        "orders": args.orders,
        "created": report.created,
        "seconds": round(seconds, 2),
        "cases_per_s": round(report.created / seconds, 1),
        "odoo_calls": calls,
        "odoo_calls_per_case": round(calls / max(report.created, 1), 4),
        "portal_calls": binding.client.calls,
        "resync_seconds": round(resync, 3),
    }


def naive_loop(args: argparse.Namespace, prefix: str) -> dict:
    """What a first integration often does: one search and one create per record."""
    store = start_portal("hotline")
    try:
        seed(store.store, "hotline", args.naive, rng=random.Random(2))
        _relabel(store.store, prefix)
        records = [validate("hotline", e.payload) for e in store.store.feed]
    finally:
        store.stop()
    gateway = OdooGateway(_settings(args))
    ctx = gateway.resolve(["provincial_center"], None, {})
    calls_before = gateway.calls
    started = time.perf_counter()
    for case in records:
        found = gateway._call(
            "complaint.case", "search", [("external_source", "=", "hotline"), ("external_ref", "=", case.external_ref)]
        )
        if not found:
            gateway._call("complaint.case", "create", gateway.case_values(ctx, "provincial_center", case))
    seconds = time.perf_counter() - started
    return {
        "records": len(records),
        "seconds": round(seconds, 2),
        "cases_per_s": round(len(records) / seconds, 1),
        "odoo_calls_per_case": round((gateway.calls - calls_before) / len(records), 2),
    }


def orm_ceiling(args: argparse.Namespace, prefix: str) -> dict | None:
    """The same values created in-process by the ORM, as the same user: the ceiling."""
    odoo_bin = args.odoo_bin or os.environ.get("ODOO_BIN")
    if not odoo_bin or not args.pg:
        return None
    host, port, user = args.pg.split(":")
    with start_portal("hotline") as portal:
        seed(portal.store, "hotline", args.orders, rng=random.Random(3))
        _relabel(portal.store, prefix)
        cases = [validate("hotline", e.payload) for e in portal.store.feed]
    gateway = OdooGateway(_settings(args))
    ctx = gateway.resolve(["provincial_center"], None, {})
    vals = [gateway.case_values(ctx, "provincial_center", c) for c in cases]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
        json.dump(vals, out, ensure_ascii=False)
    script = _ORM_SCRIPT.format(
        path=out.name,
        uid=gateway._odoo.env.uid,
        company=ctx.company_id,
        channel=ctx.channels["provincial_center"],
        page=args.page_size,
    )
    result = subprocess.run(
        [
            odoo_bin,
            "shell",
            "-d",
            args.db,
            "--db_host",
            host,
            "--db_port",
            port,
            "--db_user",
            user,
            "--addons-path",
            str(ROOT),
            "--no-http",
            "--log-level",
            "warn",
        ],
        input=script,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    os.unlink(out.name)
    for line in result.stdout.splitlines():
        if line.startswith("ORM_SECONDS"):
            seconds = float(line.split()[1])
            return {"records": len(vals), "seconds": round(seconds, 2), "cases_per_s": round(len(vals) / seconds, 1)}
    print(result.stderr[-2000:], file=sys.stderr)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("ODOO_TEST_URL"))
    parser.add_argument("--db", default=os.environ.get("ODOO_TEST_DB"))
    parser.add_argument("--login", default=os.environ.get("ODOO_TEST_LOGIN", "admin"))
    parser.add_argument("--password", default=os.environ.get("ODOO_TEST_PASSWORD", "admin"))
    parser.add_argument("--pg", default=os.environ.get("ODOO_TEST_PG"), help="host:port:user of the database")
    parser.add_argument("--odoo-bin", help="odoo launcher for the ORM ceiling (default: $ODOO_BIN)")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=1_000, help="records for the naive loop")
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not args.url or not args.db:
        print("no Odoo server: set ODOO_TEST_URL and ODOO_TEST_DB (or --url/--db)", file=sys.stderr)
        return 2
    run = uuid.uuid4().hex[:6].upper()
    grant_sync_rights(args)
    figures: dict = {"worker": worker_import(args, f"BW{run}-")}
    figures["naive"] = naive_loop(args, f"BN{run}-")
    figures["orm_ceiling"] = orm_ceiling(args, f"BO{run}-")
    worker, naive, ceiling = figures["worker"], figures["naive"], figures["orm_ceiling"]
    figures["ratio_vs_naive"] = round(worker["cases_per_s"] / naive["cases_per_s"], 1)
    if ceiling:
        figures["share_of_ceiling"] = round(worker["cases_per_s"] / ceiling["cases_per_s"], 3)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    print(
        f"worker {worker['cases_per_s']} cases/s ({worker['odoo_calls_per_case']} Odoo calls/case); "
        f"naive {naive['cases_per_s']} cases/s -> {figures['ratio_vs_naive']}x (target >= 15x); "
        + (
            f"ORM ceiling {ceiling['cases_per_s']} cases/s -> {figures['share_of_ceiling']:.0%} (target >= 80%); "
            if ceiling
            else "ORM ceiling not measured (needs ODOO_BIN and ODOO_TEST_PG); "
        )
        + f"re-sync {worker['resync_seconds']} s (target < 2 s)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
