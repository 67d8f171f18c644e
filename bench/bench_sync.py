"""Benchmark of the sync worker against a real Odoo 18 with addon_complaints.

Figures (issue 5), printed with their targets:

* the in-process ORM ``create([...])`` rate of the same values, as the same user, in the same
  batches (the ceiling) - measured first, on a fresh database;
* cases per second of the worker's first import of N dispatch orders (default 10,000) from the
  reference hotline portal, on an identical fresh database, and its RPC calls per case;
* a naive loop (one search and one create call per record) on a subset of the orders (default
  1,000) on a third identical fresh database; its rate is extrapolated to N;
* the ratio worker / naive (target >= 15x), the share of the ceiling (target >= 80 %) and a
  steady-state re-sync with nothing new (target < 2 s).

The worker, the naive loop and the ORM ceiling all run as a dedicated user in the group
``addon_complaints.group_complaint_integration`` (created by admin), not as admin.

One command, on a machine where Odoo 18 is found (ODOO_BIN, ``odoo`` on PATH or an importable
``odoo``; see tests/odoo_tier/locate.py) and PostgreSQL's binaries are installed::

    python bench/bench_sync.py [--orders 10000] [--naive 1000] [--page-size 500] [--json out.json]

starts a throw-away PostgreSQL cluster, installs the add-on into one database, copies it twice
(``odoo db duplicate``), serves the copies on 127.0.0.1 and removes everything afterwards.

Against an existing server instead (ODOO_TEST_URL, ODOO_TEST_DB, ODOO_TEST_LOGIN,
ODOO_TEST_PASSWORD as admin; ODOO_TEST_PG=host:port:user for the ORM ceiling), all three
measurements run in that one database, in the same order; the worker then starts with N more
existing cases than the ceiling did, which the output states.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import odoo_connection  # noqa: E402
from sync_worker.odoo_gateway import OdooGateway, OdooSettings  # noqa: E402
from sync_worker.portals.hotline import HotlineClient  # noqa: E402
from sync_worker.reference_portals import start_portal  # noqa: E402
from sync_worker.reference_portals.generate import BEIJING, seed  # noqa: E402
from sync_worker.retry import Backoff  # noqa: E402
from sync_worker.state import StateStore  # noqa: E402
from sync_worker.sync import PortalBinding, Synchronizer, SyncSettings  # noqa: E402
from sync_worker.validation import validate  # noqa: E402
from tests.odoo_tier.locate import find_odoo, why_not_found  # noqa: E402
from tests.odoo_tier.serve import OdooNotFound, PgAddress, odoo_argv, served_database  # noqa: E402

WORKER_LOGIN = "complaints_sync_bench"
TARGET_RATIO, TARGET_SHARE, TARGET_RESYNC = 15.0, 0.80, 2.0
# every measurement seeds the same orders: identical values in each database
SEED_BASE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)

_ORM_SCRIPT = """
import json, time
from odoo import api
vals = json.load(open({path!r}))
registry = env.registry
context = env["res.users"].browse({uid}).context_get()
before = env["complaint.case"].search_count([])
started = time.perf_counter()
for i in range(0, len(vals), {page}):
    # one transaction and a fresh environment per batch, as one RPC call of the worker has
    with registry.cursor() as cr:
        batch_env = api.Environment(cr, {uid}, dict(context))
        batch_env["complaint.case"].with_company({company}).create(vals[i:i + {page}])
print("ORM_SECONDS", time.perf_counter() - started, before)
"""


@dataclass(frozen=True)
class Target:
    """Where one measurement runs: an Odoo URL and database, as the worker user."""

    url: str
    db: str
    login: str
    password: str

    def gateway(self) -> OdooGateway:
        return OdooGateway(OdooSettings(self.url, self.db, self.login, self.password, timeout=900))


def orders(count: int, prefix: str) -> list:
    """``count`` hotline orders (the same for every database), validated as the worker does."""
    with start_portal("hotline") as portal:
        seed(portal.store, "hotline", count, rng=random.Random(1), base=SEED_BASE)
        _relabel(portal.store, prefix)
        return [validate("hotline", e.payload) for e in portal.store.feed]


def _relabel(store, prefix: str) -> None:
    for entry in store.feed:
        entry.payload["order_no"] = prefix + entry.payload["order_no"]
        entry.ref = entry.payload["order_no"]


def worker_user(url: str, db: str, admin_login: str, admin_password: str) -> tuple[str, str, int]:
    """Create (or reset) the benchmark's worker user, in the integration group only, as admin."""
    odoo = odoo_connection.connect(url, db, admin_login, admin_password, timeout=600)
    group_id = odoo.env.ref("addon_complaints.group_complaint_integration").id
    password = secrets.token_urlsafe(18)
    users = odoo.env["res.users"]
    found = users.search([("login", "=", WORKER_LOGIN)])
    values = {"groups_id": [(6, 0, [group_id])], "password": password}
    if found:
        users.write(found, values)
        uid = found[0]
    else:
        uid = users.create({"name": "Complaints sync (benchmark)", "login": WORKER_LOGIN, **values})
    return WORKER_LOGIN, password, uid


def count_cases(target: Target) -> int:
    return target.gateway()._call("complaint.case", "search_count", [])


def orm_ceiling(target: Target, uid: int, pg: PgAddress, data_dir: str | None, n: int, page: int, prefix: str) -> dict:
    """The same values created in-process by the ORM, as the worker user, in the same batches."""
    odoo = find_odoo()
    if odoo is None:
        raise OdooNotFound(why_not_found())
    cases = orders(n, prefix)
    gateway = target.gateway()
    ctx = gateway.resolve(["provincial_center"], None, {})
    vals = [gateway.case_values(ctx, "provincial_center", c) for c in cases]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as out:
        json.dump(vals, out, ensure_ascii=False)
    script = _ORM_SCRIPT.format(path=out.name, uid=uid, company=ctx.company_id, page=page)
    argv = odoo_argv(odoo, pg, "shell", "-d", target.db, "--no-http", "--log-level", "warn", data_dir=data_dir)
    try:
        result = subprocess.run(argv, input=script, capture_output=True, text=True, timeout=3600, check=False, cwd=ROOT)
    finally:
        os.unlink(out.name)
    for line in result.stdout.splitlines():
        if line.startswith("ORM_SECONDS"):
            _, seconds, before = line.split()
            seconds_f = float(seconds)
            return {
                "records": n,
                "seconds": round(seconds_f, 2),
                "cases_per_s": round(n / seconds_f, 1),
                "existing_cases_before": int(before),
                "batch": page,
            }
    raise RuntimeError(f"the ORM ceiling did not run:\n{result.stderr[-3000:]}")


def worker_import(target: Target, n: int, page: int, prefix: str) -> dict:
    existing = count_cases(target)
    with start_portal("hotline") as portal, tempfile.TemporaryDirectory() as tmp:
        seed(portal.store, "hotline", n, rng=random.Random(1), base=SEED_BASE)
        _relabel(portal.store, prefix)
        gateway = target.gateway()
        gateway.connect()
        binding = PortalBinding(HotlineClient(portal.url, "hotline-token", timeout=900), "provincial_center")
        settings = SyncSettings(page_size=page, backoff=Backoff(attempts=3))
        with StateStore(Path(tmp) / "state.sqlite3") as state:
            sync = Synchronizer(gateway, state, settings, threading.Event(), f"bench-{prefix}")
            calls_before = gateway.calls
            started = time.perf_counter()
            report = sync.run(binding, push=False)
            seconds = time.perf_counter() - started
            calls = gateway.calls - calls_before
            portal_calls = binding.client.calls
            calls_before = gateway.calls
            started = time.perf_counter()
            sync.run(binding)  # nothing new: steady state, including the push scan
            resync = time.perf_counter() - started
            resync_calls = gateway.calls - calls_before
    return {
        "orders": n,
        "created": report.created,
        "existing_cases_before": existing,
        "seconds": round(seconds, 2),
        "cases_per_s": round(report.created / seconds, 1),
        "odoo_calls": calls,
        "odoo_calls_per_case": round(calls / max(report.created, 1), 4),
        "portal_calls": portal_calls,
        "resync_seconds": round(resync, 3),
        "resync_odoo_calls": resync_calls,
    }


def naive_loop(target: Target, n: int, full: int, prefix: str) -> dict:
    """What a first integration often does: one search and one create call per record."""
    records = orders(n, prefix)
    gateway = target.gateway()
    ctx = gateway.resolve(["provincial_center"], None, {})
    existing = count_cases(target)
    calls_before = gateway.calls
    started = time.perf_counter()
    for case in records:
        found = gateway._call(
            "complaint.case", "search", [("external_source", "=", "hotline"), ("external_ref", "=", case.external_ref)]
        )
        if not found:
            gateway._call("complaint.case", "create", gateway.case_values(ctx, "provincial_center", case))
    seconds = time.perf_counter() - started
    rate = len(records) / seconds
    return {
        "records": len(records),
        "existing_cases_before": existing,
        "seconds": round(seconds, 2),
        "cases_per_s": round(rate, 1),
        "odoo_calls_per_case": round((gateway.calls - calls_before) / len(records), 2),
        "extrapolated_seconds_for_all": round(full / rate, 1),
    }


def measure(
    admin: Target,
    ceiling_db: str,
    worker_db: str,
    naive_db: str,
    pg: PgAddress | None,
    data_dir: str | None,
    args: argparse.Namespace,
) -> dict:
    run = uuid.uuid4().hex[:6].upper()
    targets = {}
    uid = {}
    for db in dict.fromkeys((ceiling_db, worker_db, naive_db)):
        login, password, uid[db] = worker_user(admin.url, db, admin.login, admin.password)
        targets[db] = Target(admin.url, db, login, password)
    figures: dict = {
        "load_average_at_start": round(os.getloadavg()[0], 1),
        "orders": args.orders,
        "page_size": args.page_size,
        "user": WORKER_LOGIN,
        "fresh_databases": len(targets) == 3,
    }
    if pg is not None:
        print(f"ORM ceiling: {args.orders} cases in-process, database {ceiling_db} ...", flush=True)
        figures["orm_ceiling"] = orm_ceiling(
            targets[ceiling_db], uid[ceiling_db], pg, data_dir, args.orders, args.page_size, f"BO{run}-"
        )
    else:
        figures["orm_ceiling"] = None
    print(f"worker: first import of {args.orders} orders, database {worker_db} ...", flush=True)
    figures["worker"] = worker_import(targets[worker_db], args.orders, args.page_size, f"BW{run}-")
    print(f"naive loop: {args.naive} orders, database {naive_db} ...", flush=True)
    figures["naive"] = naive_loop(targets[naive_db], args.naive, args.orders, f"BN{run}-")
    worker, naive, ceiling = figures["worker"], figures["naive"], figures["orm_ceiling"]
    figures["ratio_vs_naive"] = round(worker["cases_per_s"] / naive["cases_per_s"], 1)
    if ceiling:
        figures["share_of_ceiling"] = round(worker["cases_per_s"] / ceiling["cases_per_s"], 3)
    return figures


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def render(figures: dict) -> str:
    worker, naive, ceiling = figures["worker"], figures["naive"], figures["orm_ceiling"]
    n = figures["orders"]
    lines = [
        f"Sync benchmark: {n} dispatch orders, batches of {figures['page_size']}, "
        f"user {figures['user']} (integration group); load average at start {figures['load_average_at_start']}",
        "",
    ]
    if ceiling:
        lines.append(
            f"  ORM ceiling (in-process create, measured first): {ceiling['records']} cases in "
            f"{ceiling['seconds']} s = {ceiling['cases_per_s']} cases/s "
            f"({ceiling['existing_cases_before']} cases existed before)"
        )
    else:
        lines.append("  ORM ceiling: not measured (needs Odoo found locally and ODOO_TEST_PG / --pg)")
    lines += [
        f"  worker first import: {worker['created']} cases in {worker['seconds']} s = {worker['cases_per_s']} cases/s "
        f"({worker['existing_cases_before']} cases existed before)",
        f"  RPC calls: {worker['odoo_calls']} to Odoo = {worker['odoo_calls_per_case']} per case; "
        f"{worker['portal_calls']} to the portal",
        f"  naive loop: {naive['records']} cases (a subset) in {naive['seconds']} s = {naive['cases_per_s']} cases/s, "
        f"{naive['odoo_calls_per_case']} calls per case; {n} cases would take "
        f"~{naive['extrapolated_seconds_for_all']} s (extrapolated from the subset)",
        "",
        f"  ratio worker / naive:   {figures['ratio_vs_naive']:>7}x   target >= {TARGET_RATIO:.0f}x   "
        f"{_verdict(figures['ratio_vs_naive'] >= TARGET_RATIO)}",
    ]
    if ceiling:
        share = figures["share_of_ceiling"]
        lines.append(
            f"  share of ORM ceiling:   {share:>7.0%}    target >= {TARGET_SHARE:.0%}   "
            f"{_verdict(share >= TARGET_SHARE)}"
        )
    else:
        lines.append(f"  share of ORM ceiling:   not measured   target >= {TARGET_SHARE:.0%}")
    resync = worker["resync_seconds"]
    lines.append(
        f"  steady-state re-sync:   {resync:>7} s  target < {TARGET_RESYNC:.0f} s     "
        f"{_verdict(resync < TARGET_RESYNC)}  ({worker['resync_odoo_calls']} Odoo calls)"
    )
    if not figures["fresh_databases"]:
        lines.append("")
        lines.append("  note: one shared database; the worker started with the ceiling's cases already present")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--url",
        default=os.environ.get("ODOO_TEST_URL"),
        help="an existing Odoo server (default: a throw-away one is installed and served)",
    )
    parser.add_argument("--db", default=os.environ.get("ODOO_TEST_DB"))
    parser.add_argument("--login", default=os.environ.get("ODOO_TEST_LOGIN", "admin"), help="an administrator")
    parser.add_argument("--password", default=os.environ.get("ODOO_TEST_PASSWORD", "admin"))
    parser.add_argument(
        "--pg",
        default=os.environ.get("ODOO_TEST_PG"),
        help="host:port:user of the existing server's database, for the ORM ceiling",
    )
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=1_000, help="records for the naive loop (a subset)")
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--logdir", type=Path, help="keep the throw-away server's Odoo logs here")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.url:
        if not args.db:
            parser.error("--url needs --db (or ODOO_TEST_DB)")
        admin = Target(args.url, args.db, args.login, args.password)
        pg = PgAddress.parse(args.pg) if args.pg else None
        figures = measure(admin, args.db, args.db, args.db, pg, None, args)
    else:
        names = ("bench_ceiling", "bench_worker", "bench_naive")
        print("no ODOO_TEST_URL: installing addon_complaints into a throw-away cluster ...", flush=True)
        try:
            with served_database(names, logdir=args.logdir) as served:
                admin = Target(served.url, names[0], "admin", "admin")
                figures = measure(admin, *names, served.pg, served.data_dir, args)
        except OdooNotFound as exc:
            print(f"benchmark not run: {exc}", file=sys.stderr)
            return 3
    print()
    print(render(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
