"""Load held on a multi-process Odoo (issue 15): a complaint desk of many clerks and handlers
working at once while the sync worker imports dispatch orders and the deadline scan runs.

One command::

    python bench/bench_load.py [--levels 10,25,50] [--orders 10000] [--json out.json]

starts a throw-away PostgreSQL cluster, installs addon_complaints, serves it with
``--workers 4 --max-cron-threads 1`` and then, in order:

1. sets up the desk: a complaint office, departments with a manager and a handler each,
   and Odoo accounts for every role (clerks, office, managers, handlers), created by admin;
2. the worker alone: one sync worker instance imports ``--alone-orders`` orders from a
   reference hotline portal, nothing else running (its rate alone);
3. for each user count of ``--levels``: that many simulated users (bench/load_users.py,
   Locust, JSON-RPC as the web client calls it, with think time) work the desk while a
   worker instance imports its share of ``--orders`` new orders and the deadline scan (the
   batched deadline recompute, the due-soon reminders and the overdue escalation) is
   triggered every ``--cron-every`` seconds on the cron worker; the level lasts until the
   import is done, at least ``--min-seconds``;
4. the regulator partition's worker alone (its rate), then two worker instances at once on
   separate portal partitions (hotline and regulator), compared with the time the two would
   take one after the other, and a third on the hotline partition that the lease must keep
   out;
5. the invariants (bench/load_checks.py): references unique and gap-free, no portal record
   lost or duplicated, no accountability duplicated, deadlines equal to a serial recompute.

Printed: per level and step, requests/s and p50/p95/p99 latency, errors by kind, over the
whole level and again over its steady state (from the moment every user has logged in: the
logins of a level fall in its first seconds, ``--spawn-rate`` users a second, and each costs
half a second of CPU by design); the cron runs; the worker's rate alone and under load; the
highest user count that keeps p95 < 1 s for every step with no error; the two-instance
throughput; the invariants. Targets (issue 15):
25 users with the worker and the cron running: p95 < 1 s for every step, 0 errors, all
invariants hold; the worker's rate under that load at least half its rate alone.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import math
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import odoo_connection  # noqa: E402
from bench.bench_sync import worker_user  # noqa: E402
from bench.load_checks import Invariants, check  # noqa: E402
from bench.odoo_gevent import gevent_env  # noqa: E402
from tests.odoo_tier.locate import find_odoo, why_not_found  # noqa: E402
from tests.odoo_tier.serve import OdooNotFound, served_database  # noqa: E402

_logger = logging.getLogger("bench.load")

SERVER_OPTIONS = ("--workers", "4", "--max-cron-threads", "1", "--limit-time-cpu", "600",
                  "--limit-time-real", "1200",
                  # Odoo logs each retry of a transaction after a concurrency failure at INFO
                  "--log-handler", "odoo.service.model:INFO",
                  "--log-handler", "odoo.addons.base.models.ir_cron:INFO")
RETRY_LINE = re.compile(r"odoo\.service\.model: (\w+), (\d+) tries left|odoo\.service\.model: (\w+), maximum number")
# the cron worker wakes up when a cron's next call is moved, instead of polling every minute
SERVER_ENV = {"ODOO_NOTIFY_CRON_CHANGES": "1"}
ROLE_WEIGHTS = {"clerk": 4, "office": 2, "manager": 2, "handler": 2}  # as in load_users.py
GROUPS = {
    "clerk": "addon_complaints.group_complaint_intake",
    "office": "addon_complaints.group_complaint_office",
    "manager": "addon_complaints.group_complaint_manager",
    "handler": "addon_complaints.group_complaint_handler",
}
SCAN_CRON = "addon_complaints.ir_cron_complaint_deadline_scan"
TARGET_USERS, TARGET_P95, TARGET_SHARE = 25, 1.0, 0.5


@dataclass
class Run:
    """Where the bench runs and what it collected."""

    url: str
    db: str
    workdir: Path
    admin_password: str = "admin"
    worker_login: str = ""
    worker_password: str = ""
    next_order: int = 1
    expected: dict[str, list[str]] = field(default_factory=dict)

    def admin(self):
        return odoo_connection.connect(self.url, self.db, "admin", self.admin_password, timeout=600)


# -- set-up ---------------------------------------------------------------------------------
def set_up_desk(run: Run, max_users: int) -> Path:
    """Accounts for every role, enough for ``max_users``, and the departments they work in."""
    odoo = run.admin()
    env = odoo.env
    total = sum(ROLE_WEIGHTS.values())
    counts = {role: math.ceil(max_users * w / total) + 1 for role, w in ROLE_WEIGHTS.items()}
    counts["handler"] = counts["manager"]  # one manager and one handler per department
    group_ids = {role: env.ref(xmlid).id for role, xmlid in GROUPS.items()}
    base_user = env.ref("base.group_user").id
    accounts, by_role = [], {}
    for role, count in counts.items():
        values = []
        for i in range(count):
            login = f"load_{role}_{i:02d}"
            password = secrets.token_urlsafe(12)
            values.append({"name": f"Load {role} {i:02d}", "login": login, "password": password,
                           "email": f"{login}@example.com",
                           "groups_id": [(6, 0, [base_user, group_ids[role]])]})
        ids = env["res.users"].create(values)
        by_role[role] = ids
        accounts += [{"login": v["login"], "password": v["password"], "role": role, "uid": uid}
                     for v, uid in zip(values, ids, strict=True)]
    Department = env["complaint.department"]
    root = Department.create({"name": "Head Office (load)"})
    Department.create({"name": "Complaint Office (load)", "parent_id": root, "is_complaint_office": True,
                       "manager_id": by_role["office"][0], "member_ids": [(6, 0, by_role["office"])]})
    handler_of = {}
    for i, (manager, handler) in enumerate(zip(by_role["manager"], by_role["handler"], strict=True)):
        department = Department.create({"name": f"Service Center {i:02d}", "parent_id": root,
                                        "manager_id": manager, "member_ids": [(6, 0, [handler])]})
        handler_of[str(department)] = handler
        for account in accounts:
            if account["uid"] in (manager, handler):
                account["department_id"] = department
    category = env["complaint.category"].create({"name": "Delivery (load)"})
    setup = {"db": run.db, "accounts": accounts, "handler_of": handler_of, "category_id": category,
             "channel_id": env.ref("addon_complaints.complaint_channel_hotline").id}
    path = run.workdir / "accounts.json"
    path.write_text(json.dumps(setup), encoding="utf-8")
    run.worker_login, run.worker_password, _uid = worker_user(run.url, run.db, "admin", run.admin_password)
    _logger.info("desk: %s", ", ".join(f"{n} {r}" for r, n in counts.items()))
    return path


# -- parts that run in processes of their own -----------------------------------------------
def start_worker(run: Run, name: str, orders: int, source: str = "hotline", portal_url: str | None = None,
                 serve_until: Path | None = None, apply_call_s: float | None = None) -> tuple[subprocess.Popen, Path]:
    out = run.workdir / f"worker-{name}.json"
    argv = [sys.executable, str(ROOT / "bench" / "load_worker.py"), "--url", run.url, "--db", run.db,
            "--login", run.worker_login, "--password", run.worker_password, "--source", source,
            "--orders", str(orders), "--start", str(run.next_order), "--json", str(out)]
    if portal_url:
        argv += ["--portal-url", portal_url]
    if serve_until:
        argv += ["--serve-until-file", str(serve_until)]
    if apply_call_s:
        argv += ["--apply-call-s", str(apply_call_s)]
    if not portal_url:
        run.next_order += orders
    log = open(run.workdir / f"worker-{name}.log", "w", encoding="utf-8")  # noqa: SIM115 - the child's
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    log.close()
    return proc, out


def finish_worker(run: Run, proc: subprocess.Popen, out: Path, name: str) -> dict:
    if proc.wait():
        tail = (run.workdir / f"worker-{name}.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"worker {name} exited with {proc.returncode}:\n{tail}")
    figures = json.loads(out.read_text(encoding="utf-8"))
    if figures.get("refs"):
        run.expected.setdefault(figures["source"], []).extend(figures.pop("refs"))
    return figures


def start_users(
    run: Run, accounts: Path, users: int, args: argparse.Namespace, stop: Path
) -> tuple[subprocess.Popen, Path]:
    out = run.workdir / f"users-{users}.json"
    argv = [sys.executable, str(ROOT / "bench" / "load_users.py"), "--url", run.url, "--accounts", str(accounts),
            "--users", str(users), "--min-seconds", str(args.min_seconds), "--max-seconds", str(args.max_seconds),
            "--stop-file", str(stop), "--think-min", str(args.think_min), "--think-max", str(args.think_max),
            "--spawn-rate", str(args.spawn_rate),
            "--json", str(out)]
    log = open(run.workdir / f"users-{users}.log", "w", encoding="utf-8")  # noqa: SIM115 - the child's
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    log.close()
    return proc, out


class CronTrigger(threading.Thread):
    """Moves the deadline scan's next call to now every ``every`` seconds, as admin; the
    cron worker runs it (a running job cannot be moved: that trigger is skipped)."""

    def __init__(self, run: Run, every: float):
        super().__init__(name="cron-trigger", daemon=True)
        self.run_ = run
        self.every = every
        self.halt = threading.Event()
        self.triggered = 0
        self.busy = 0

    def run(self) -> None:
        odoo = self.run_.admin()
        cron_id = odoo.env.ref(SCAN_CRON).id
        while not self.halt.wait(0 if not self.triggered and not self.busy else self.every):
            now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
            try:
                odoo.env["ir.cron"].write([cron_id], {"nextcall": now})
                self.triggered += 1
            except Exception:  # noqa: BLE001 - the job is running: it holds its row
                self.busy += 1


def cron_runs(run: Run, offset: int) -> dict:
    """The deadline scan's runs logged from ``offset`` of the server log on: how many, and how
    long each took. The scan commits chunk by chunk, so its progress row says nothing of its
    length; the cron worker's "done in" line does."""
    cron_id = run.admin().env.ref(SCAN_CRON).id
    done = re.compile(rf"Job .* \({cron_id}\) done in ([\d.]+)s")
    seconds = []
    with open(run.workdir / "serve.log", encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        seconds = sorted(float(found.group(1)) for found in map(done.search, log) if found)
    return {"runs": len(seconds), "longest_s": seconds[-1] if seconds else 0.0,
            "median_s": seconds[len(seconds) // 2] if seconds else 0.0}


def retries(logfile: Path, offset: int) -> tuple[dict[str, int], int]:
    """Transactions Odoo retried after a concurrency failure (by kind) in the server log from
    ``offset`` on, and the new offset."""
    counts: dict[str, int] = {}
    if not logfile.exists():
        return counts, offset
    with open(logfile, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        for line in log:
            found = RETRY_LINE.search(line)
            if found:
                kind = found.group(1) or f"{found.group(3)} (gave up)"
                counts[kind] = counts.get(kind, 0) + 1
        return counts, log.tell()


# -- phases ---------------------------------------------------------------------------------
def park_scan(run: Run) -> None:
    """Move the deadline scan a day ahead (it is due at once after the install), waiting for a
    run in progress to end: the worker alone must be alone."""
    odoo = run.admin()
    cron_id = odoo.env.ref(SCAN_CRON).id
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    for _attempt in range(600):
        try:
            odoo.env["ir.cron"].write([cron_id], {"nextcall": later})
            return
        except Exception:  # noqa: BLE001 - running: its row is locked until it ends
            time.sleep(1)


def worker_alone(run: Run, orders: int, source: str = "hotline") -> dict:
    park_scan(run)
    _logger.info("worker alone: %s %s orders", orders, source)
    proc, out = start_worker(run, f"alone-{source}", orders, source)
    return finish_worker(run, proc, out, f"alone-{source}")


def level(run: Run, accounts: Path, users: int, orders: int, args: argparse.Namespace) -> dict:
    _logger.info("level %s users: worker imports %s orders, deadline scan every %ss", users, orders, args.cron_every)
    stop = run.workdir / f"stop-{users}"
    _none, log_offset = retries(run.workdir / "serve.log", 0)
    users_proc, users_out = start_users(run, accounts, users, args, stop)
    time.sleep(min(10.0, args.min_seconds / 4))  # the users log in and start before the import
    trigger = CronTrigger(run, args.cron_every)
    trigger.start()
    worker_proc, worker_out = start_worker(run, f"load-{users}", orders)
    try:
        worker = finish_worker(run, worker_proc, worker_out, f"load-{users}")
    finally:
        stop.touch()
    if users_proc.wait():
        tail = (run.workdir / f"users-{users}.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"the simulated users exited with {users_proc.returncode}:\n{tail}")
    trigger.halt.set()
    trigger.join()
    figures = json.loads(users_out.read_text(encoding="utf-8"))
    figures["worker"] = worker
    figures["odoo_retries"] = retries(run.workdir / "serve.log", log_offset)[0]
    figures["cron"] = {**cron_runs(run, log_offset), "triggered": trigger.triggered, "found_running": trigger.busy}
    return figures


def two_instances(run: Run, orders: int) -> dict:
    """Hotline and regulator partitions at once; a third instance on the hotline partition."""
    _logger.info("two worker instances on two partitions, %s orders each, a third on the first", orders)
    done = run.workdir / "pair-done"
    started = time.perf_counter()
    hotline, hotline_out = start_worker(run, "pair-hotline", orders, "hotline", serve_until=done)
    regulator, regulator_out = start_worker(run, "pair-regulator", orders, "regulator")
    portal = hotline_out.with_suffix(".portal")
    while not portal.exists() and hotline.poll() is None:
        time.sleep(0.2)
    time.sleep(1.0)  # the first instance takes the lease
    third, third_out = start_worker(run, "pair-third", orders, "hotline",
                                    portal_url=portal.read_text(encoding="utf-8"))
    third_figures = finish_worker(run, third, third_out, "pair-third")
    regulator_figures = finish_worker(run, regulator, regulator_out, "pair-regulator")
    done.touch()
    hotline_figures = finish_worker(run, hotline, hotline_out, "pair-hotline")
    seconds = max(hotline_figures["seconds"], regulator_figures["seconds"])
    created = hotline_figures["created"] + regulator_figures["created"]
    return {"hotline": hotline_figures, "regulator": regulator_figures, "third": third_figures,
            "wall_seconds": round(time.perf_counter() - started, 1), "seconds": round(seconds, 1),
            "combined_cases_per_s": round(created / seconds, 1) if seconds else 0.0}


# -- report ---------------------------------------------------------------------------------
# Logging in hashes the password with PBKDF2-SHA512 at Odoo's minimum of 600,000 rounds: about
# half a second of CPU by design, once per working day of a user; reported apart as well.
HASHED_STEP = "login"


def errors_in(figures: dict) -> int:
    return sum(s["failures"] for s in figures["steps"].values())


def meets(figures: dict, skip: tuple[str, ...] = ()) -> bool:
    steps = [s for name, s in figures["steps"].items() if name not in skip]
    return bool(steps) and not errors_in(figures) and all(s["p95"] < TARGET_P95 for s in steps)


def step_table(steps: dict) -> list[str]:
    lines = [f"  {'step':<9} {'requests':>8} {'req/s':>7} {'p50 s':>7} {'p95 s':>7} {'p99 s':>7} "
             f"{'max s':>7} {'errors':>6}"]
    for step, s in steps.items():
        lines.append(f"  {step:<9} {s['requests']:>8} {s['rps']:>7} {s['p50']:>7.2f} {s['p95']:>7.2f} "
                     f"{s['p99']:>7.2f} {s['max']:>7.2f} {s['failures']:>6}")
    return lines


def steady_state(figures: dict) -> dict:
    """The level's figures after the ramp-up (its logins), when the users measured it."""
    steady = figures.get("steady")
    return {"steps": steady["steps"]} if steady and steady["steps"] else figures


def render(result: dict) -> str:
    alone = result["alone"]
    lines = [f"Load benchmark: Odoo {' '.join(SERVER_OPTIONS[:4])}, load average at start "
             f"{result['load_average_at_start']}; users start {result.get('spawn_rate', 1.0):g} a second", "",
             f"worker alone: {alone['created']} cases in {alone['seconds']} s = {alone['cases_per_s']} cases/s", ""]
    for fig in result["levels"]:
        worker, cron = fig["worker"], fig["cron"]
        share = worker["cases_per_s"] / alone["cases_per_s"] if alone["cases_per_s"] else 0.0
        lines.append(f"{fig['users']} users, {fig['seconds']} s, {fig['replied']} cases walked to the reply; "
                     f"worker {worker['created']} cases at {worker['cases_per_s']} cases/s ({share:.0%} of alone); "
                     f"deadline scan ran {cron['runs']} times (longest {cron['longest_s']:.1f} s, "
                     f"triggered {cron['triggered']}, found running {cron['found_running']})")
        lines += step_table(fig["steps"])
        steady = fig.get("steady")
        if steady:
            lines.append(f"  steady state, from {steady['from_s']:.0f} s (every user logged in):")
            lines += step_table(steady["steps"])
        errors = "; ".join(f"{step}: " + ", ".join(f"{kind} x{n}" for kind, n in kinds.items())
                           for step, kinds in fig["errors"].items())
        lines.append(f"  errors by kind: {errors or 'none'}")
        retried = ", ".join(f"{kind} x{n}" for kind, n in fig["odoo_retries"].items())
        lines.append(f"  transactions Odoo retried after a concurrency failure: {retried or 'none'}")
        lines.append("")
    passing = [fig["users"] for fig in result["levels"] if meets(fig)]
    lines.append(f"highest user count with p95 < {TARGET_P95:.0f} s for every step and no error: "
                 f"{max(passing) if passing else 'none'}")
    passing = [fig["users"] for fig in result["levels"] if meets(fig, (HASHED_STEP,))]
    lines.append(f"  the same, every step but {HASHED_STEP} (the password hash): "
                 f"{max(passing) if passing else 'none'}")
    passing = [fig["users"] for fig in result["levels"]
               if meets(steady_state(fig)) and not errors_in(fig)]
    lines.append(f"  the same, in the steady state once every user has logged in: "
                 f"{max(passing) if passing else 'none'}")
    pair = result.get("pair")
    if pair:
        third = pair["third"]
        lines += ["", f"two instances: hotline {pair['hotline']['created']} cases at "
                      f"{pair['hotline']['cases_per_s']} cases/s and regulator {pair['regulator']['created']} at "
                      f"{pair['regulator']['cases_per_s']} cases/s at once = {pair['combined_cases_per_s']} cases/s "
                      f"over the pair's {pair['seconds']} s; a third instance on the hotline partition: "
                      + ("refused by the lease" if third["lease_busy"] else f"imported {third['created']} cases")]
        regulator_alone = result.get("alone_regulator")
        if regulator_alone and alone["cases_per_s"] and regulator_alone["cases_per_s"]:
            one_by_one = (pair["hotline"]["created"] / alone["cases_per_s"]
                          + pair["regulator"]["created"] / regulator_alone["cases_per_s"])
            lines.append(f"  alone, the regulator partition imports {regulator_alone['cases_per_s']} cases/s: "
                         f"one instance after the other would take {one_by_one:.1f} s, the two at once "
                         f"took {pair['seconds']} s ({one_by_one / pair['seconds']:.2f}x)")
    lines += ["", "invariants:", *Invariants(result["invariants"]).render(), "", "targets:"]
    target = next((fig for fig in result["levels"] if fig["users"] == TARGET_USERS), None)
    verdict = lambda ok: "met" if ok else "NOT MET"  # noqa: E731
    if target:
        worst = max(s["p95"] for s in target["steps"].values())
        worst_step = max(target["steps"], key=lambda name: target["steps"][name]["p95"])
        but_login = max(s["p95"] for name, s in target["steps"].items() if name != HASHED_STEP)
        errors = errors_in(target)
        steady_worst = max((s["p95"] for s in steady_state(target)["steps"].values()), default=0.0)
        share = target["worker"]["cases_per_s"] / alone["cases_per_s"] if alone["cases_per_s"] else 0.0
        lines += [f"  {TARGET_USERS} users: worst p95 {worst:.2f} s ({worst_step}; < {TARGET_P95:.0f} s), "
                  f"{errors} errors: {verdict(worst < TARGET_P95 and not errors)}",
                  f"  {TARGET_USERS} users, every step but {HASHED_STEP}: worst p95 {but_login:.2f} s: "
                  f"{verdict(but_login < TARGET_P95 and not errors)}",
                  f"  {TARGET_USERS} users, steady state: worst p95 {steady_worst:.2f} s: "
                  f"{verdict(steady_worst < TARGET_P95 and not errors)}",
                  f"  worker under load {share:.0%} of alone (>= {TARGET_SHARE:.0%}): {verdict(share >= TARGET_SHARE)}"]
    else:
        lines.append(f"  {TARGET_USERS} users: not measured (not in --levels)")
    problems = Invariants(result["invariants"]).problems()
    lines.append(f"  invariants: {verdict(not problems)}" + (f" ({'; '.join(problems)})" if problems else ""))
    return "\n".join(lines)


def measure(run: Run, served_argv, args: argparse.Namespace) -> dict:
    levels = [int(n) for n in args.levels.split(",") if n]
    accounts = set_up_desk(run, max(levels))
    result: dict = {"load_average_at_start": round(os.getloadavg()[0], 1), "spawn_rate": args.spawn_rate,
                    "levels": []}
    result["alone"] = worker_alone(run, args.alone_orders)
    share, rest = divmod(args.orders, len(levels))
    for i, users in enumerate(levels):
        result["levels"].append(level(run, accounts, users, share + (1 if i < rest else 0), args))
        print(render_level(result["levels"][-1]), flush=True)
    if args.pair_orders:
        # the regulator partition's own rate alone: its cases cost more (each one is raised
        # to "major" and notifies the office), so the pair is judged against both rates
        result["alone_regulator"] = worker_alone(run, args.pair_orders, "regulator")
        result["pair"] = two_instances(run, args.pair_orders)
    _logger.info("invariants ...")
    result["invariants"] = check(served_argv("shell", "-d", run.db, "--no-http", "--log-level", "warn"),
                                 run.expected, run.workdir, ROOT).figures
    return result


def render_level(fig: dict) -> str:
    worst = max((s["p95"] for s in fig["steps"].values()), default=0.0)
    errors = sum(s["failures"] for s in fig["steps"].values())
    return (f"  ... {fig['users']} users done: worst p95 {worst:.2f} s, {errors} errors, worker "
            f"{fig['worker']['cases_per_s']} cases/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="10,25,50", help="concurrent user counts, one after another")
    parser.add_argument("--orders", type=int, default=10_000, help="orders imported under load, split over the levels")
    parser.add_argument("--alone-orders", type=int, default=2_000, help="orders imported by the worker alone")
    parser.add_argument("--pair-orders", type=int, default=2_000,
                        help="orders per partition for the two-instance run (0: skip it)")
    parser.add_argument("--min-seconds", type=float, default=90, help="shortest duration of a level")
    parser.add_argument("--max-seconds", type=float, default=1800, help="longest duration of a level")
    parser.add_argument("--cron-every", type=float, default=30, help="seconds between deadline scan triggers")
    parser.add_argument("--think-min", type=float, default=2.0, help="think time between a user's requests (s)")
    parser.add_argument("--think-max", type=float, default=6.0)
    parser.add_argument("--spawn-rate", type=float, default=1.0,
                        help="users starting a second (Locust's default): a desk's shift does not all log in at "
                             "once; 2.5 gives the burst of earlier runs at 25 users")
    parser.add_argument("--logdir", type=Path, help="keep the Odoo, worker and user logs here")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    print("installing addon_complaints into a throw-away cluster ...", flush=True)
    db = "bench_load"
    with contextlib.ExitStack() as stack:
        workdir = args.logdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-load-")))
        workdir.mkdir(parents=True, exist_ok=True)
        odoo = find_odoo()
        if odoo is None:
            print(f"benchmark not run: {why_not_found()}", file=sys.stderr)
            return 3
        server_env = {**SERVER_ENV, **gevent_env(odoo, workdir)}
        try:
            served = stack.enter_context(served_database(
                (db,), logdir=workdir, server_options=SERVER_OPTIONS, server_env=server_env))
        except OdooNotFound as exc:
            print(f"benchmark not run: {exc}", file=sys.stderr)
            return 3
        result = measure(Run(served.url, db, workdir), served.argv, args)
    print()
    print(render(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
