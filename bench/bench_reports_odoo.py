"""Benchmark of the quarterly job against a big Odoo: N cases (default 1,000,000) over the
three years of the trend window, then ``python -m reports quarterly --source odoo``.

Target (issue 15): the quarterly job against 1,000,000 cases in Odoo in under 2 minutes and
under 2 GB.

Loading. A million cases through the ORM would take hours, so the database is filled in two
steps, and the load time is printed apart from the job's:

1. *seed* — S cases (default 2,000) are created through the add-on over JSON-RPC, as a
   clerk would: the add-on computes every stored field (reference, level, the stages' due
   dates and outcomes, policy). A share is accepted, dispatched to one of the departments,
   not accepted or withdrawn with the add-on's own steps, and proposals of compensation are
   made on accepted cases. The handling, reply and closure steps need a handler, a signed
   handling sheet, verification and a callback by someone not involved; they are stamped in
   SQL on a share of the dispatched seeds instead (state closed, feedback, reply and
   closure an hour to days after dispatch, satisfaction, one in twenty reopened).
2. *replicate* — the seeds are copied in SQL, as many times as needed, each copy with a
   fresh id and a unique reference (``<reference>-R<run tag><k>``), and every datetime of the case
   shifted by one offset, so that the receipts spread evenly over the three years before
   the period end and every step keeps its distance to the receipt (so the stored
   outcomes stay true). Compensations of the seeds are copied with their cases.

Then the job runs in a process of its own (``reports quarterly --source odoo``); its wall
time and peak RSS are printed. ``--rows-baseline`` also times the earlier reading of the
whole window as rows (``grouped_history=False``) on the same database.

One command, where Odoo 18 is found (see tests/odoo_tier/locate.py) and PostgreSQL's
binaries are installed::

    python bench/bench_reports_odoo.py [--cases 1000000] [--seeds 2000] [--period 2026Q3]

It starts a throw-away PostgreSQL cluster and Odoo, and removes everything afterwards.
Against an existing server instead: ``--url``, ``--db``, ``--pg host:port:user`` (admin /
admin), e.g. to develop on small numbers.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from reports import period as period_mod  # noqa: E402
from reports import sources  # noqa: E402
from tests.odoo_tier.serve import OdooNotFound, served_database  # noqa: E402

log = logging.getLogger("bench_reports_odoo")
LOGIN = PASSWORD = "admin"
DEPARTMENTS = ("客服中心", "物流部", "售后服务部", "质量管理部", "门店运营部", "财务部")
SUBJECTS = ("送货延迟", "商品质量问题", "服务态度差", "退款未到账", "安装不及时", "发票开错")
DEMANDS = ("要求退款", "要求赔偿运费", "希望尽快处理", "要求道歉", "要求更换商品", "要求解释说明")


@dataclass(frozen=True)
class Target:
    url: str
    db: str
    pg: str  # host:port:user

    def odoo(self):
        import odoorpc

        from odoo_connection import parse_url

        end = parse_url(self.url)
        client = odoorpc.ODOO(end.host, port=end.port, timeout=3600)
        client.login(self.db, LOGIN, PASSWORD)
        return client


def psql(target: Target, sql: str) -> str:
    host, port, user = target.pg.split(":")
    done = subprocess.run(["psql", "-h", host, "-p", port, "-U", user, "-d", target.db,
                           "-v", "ON_ERROR_STOP=1", "-Atc", sql], check=False,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"psql failed: {done.stderr.strip()}\nin: {sql[:300]}…")
    return done.stdout


# -- 1. seeds through the add-on ------------------------------------------------------------


def seed(target: Target, count: int, rng: random.Random) -> None:
    odoo = target.odoo()
    ex = odoo.execute_kw
    company = ex("res.users", "read", [[odoo.env.uid], ["company_id"]])[0]["company_id"][0]
    channels = ex("complaint.channel", "search", [[]])
    categories = ex("complaint.category", "search", [[]]) or [False]
    departments = ex("complaint.department", "search", [[("company_id", "in", [company, False])]])
    if len(departments) < len(DEPARTMENTS):
        departments += [ex("complaint.department", "create", [{"name": n, "company_id": company}])
                        for n in DEPARTMENTS]
    cash = ex("complaint.remedy.type", "search", [[("code", "=", "cash")]])
    reasons = ex("complaint.rejection.reason", "search", [[]])
    for start in range(0, count, 250):
        n = min(250, count - start)
        values = [{
            "subject": rng.choice(SUBJECTS), "description": rng.choice(SUBJECTS) + "，请处理",
            "customer_demand": rng.choice(DEMANDS), "channel_id": rng.choice(channels),
            "category_id": rng.choice(categories),
            "demand_type": rng.choices(["complaint", "consultation", "suggestion", "help"],
                                       [6, 2, 1, 1])[0],
            "partner_name": f"客户{start + i}", "partner_phone": f"139{start + i:08d}",
            "location": f"门店{rng.randrange(30)}", "affected_count": rng.choice([1] * 30 + [12]),
            "readback_confirmed": True,
        } for i in range(n)]
        created = ex("complaint.case", "create", [values])
        # The add-on records a repeat of an open case on its original (state merged).
        ids = ex("complaint.case", "search", [[("id", "in", created), ("state", "=", "draft")]])
        fate = {i: rng.random() for i in ids}
        accept = [i for i in ids if fate[i] < 0.85]
        not_accept = [i for i in ids if 0.85 <= fate[i] < 0.9]
        withdraw = [i for i in ids if 0.9 <= fate[i] < 0.93]
        if accept:
            ex("complaint.case", "action_accept", [accept])
        if not_accept:
            ex("complaint.case", "action_not_accept", [not_accept, rng.choice(reasons)])
        if withdraw:
            ex("complaint.case", "action_withdraw", [withdraw, "客户撤回"])
        by_dept: dict[int, list[int]] = {}
        for i in accept[: int(len(accept) * 0.9)]:
            by_dept.setdefault(rng.choice(departments), []).append(i)
        for dept, cases in by_dept.items():
            ex("complaint.case", "action_dispatch", [cases, dept])
        if cash:
            proposals = [{"case_id": i, "remedy_type_id": cash[0],
                          "amount": round(rng.uniform(20, 800), 2)}
                         for i in accept if rng.random() < 0.1]
            if proposals:
                ex("complaint.compensation", "create", [proposals])
        log.info("seeded %d/%d", start + n, count)
    # The handling-to-closure steps, stamped on two thirds of the dispatched seeds.
    psql(target, """
        UPDATE complaint_case SET state = 'closed',
          date_feedback = date_dispatched + interval '20 hours',
          date_replied = date_dispatched + interval '2 days',
          date_closed = date_dispatched + make_interval(days => 3 + (id % 20)),
          satisfaction = (ARRAY['satisfied','basically_satisfied','dissatisfied'])[1 + id % 3],
          reopen_count = CASE WHEN id % 20 = 0 THEN 1 ELSE 0 END
        WHERE state = 'handling' AND id % 3 <> 0""")


# -- 2. replication in SQL ------------------------------------------------------------------


def _columns(target: Target, table: str) -> list[tuple[str, str]]:
    rows = psql(target, f"SELECT column_name, data_type FROM information_schema.columns "
                        f"WHERE table_name = '{table}' AND column_name <> 'id' "
                        f"ORDER BY ordinal_position")
    return [tuple(line.split("|")) for line in rows.splitlines() if line]


def replicate(target: Target, total: int, since: pd.Timestamp, until: pd.Timestamp) -> int:
    """Copies of the seeds up to ``total`` cases, received evenly over [since, until) local
    time (stored in UTC); returns the number of cases."""
    seeds = int(psql(target, "SELECT count(*) FROM complaint_case"))
    copies = max(0, -(-total // seeds) - 1)
    span = int((until - since).total_seconds())
    start_utc = (since.tz_localize(sources.LOCAL_TZ).tz_convert("UTC").tz_localize(None))
    cols = _columns(target, "complaint_case")
    tag = f"{random.getrandbits(16):04x}"  # copies of earlier copies keep unique references
    # Case k·S + r of the N lands at since + (k·S + r)/N of the span: every datetime of the
    # case moves by that offset.
    shift = (f"(timestamp '{start_utc}' + make_interval(secs => floor((k * {seeds} + s.rn)::float8 "
             f"/ {total} * {span})) - s.date_received)")
    # The seeds themselves move first (copy 0), then the copies are made from them.
    select = []
    for name, kind in cols:
        if name in ("name", "external_ref"):  # unique per company
            select.append(f"s.{name} || '-R{tag}' || k")
        elif kind.startswith("timestamp"):
            select.append(f"s.{name} + {shift}")
        elif kind == "date":
            select.append(f"(s.{name} + {shift})::date")
        else:
            select.append(f"s.{name}")
    names = ", ".join(n for n, _ in cols)
    psql(target, f"""
        DROP TABLE IF EXISTS bench_seed;
        CREATE TABLE bench_seed AS
          SELECT c.*, row_number() OVER (ORDER BY c.id) - 1 AS rn FROM complaint_case c;
        UPDATE complaint_case c SET {", ".join(
            f"{n} = c.{n} + sh.d" if k.startswith("timestamp") else
            f"{n} = (c.{n} + sh.d)::date" for n, k in cols
            if k.startswith("timestamp") or k == "date")}
          FROM (SELECT s.id, {shift.replace("k *", "0 *")} AS d FROM bench_seed s) sh
          WHERE sh.id = c.id;
        UPDATE complaint_compensation p SET {", ".join(
            f"{n} = p.{n} + (c.date_received - s.date_received)" if k.startswith("timestamp") else
            f"{n} = (p.{n} + (c.date_received - s.date_received))::date"
            for n, k in _columns(target, "complaint_compensation")
            if k.startswith("timestamp") or k == "date")}
          FROM complaint_case c JOIN bench_seed s ON s.id = c.id WHERE p.case_id = c.id;""")
    if copies:
        psql(target, f"""
            CREATE TEMP TABLE ks AS SELECT generate_series(1, {copies}) AS k;
            INSERT INTO complaint_case ({names})
              SELECT {", ".join(select)} FROM bench_seed s CROSS JOIN ks
              WHERE k * {seeds} + s.rn < {total};
            ANALYZE complaint_case;""")
        comp_cols = _columns(target, "complaint_compensation")
        comp_select = []
        for name, kind in comp_cols:
            if name == "case_id":
                comp_select.append("n.id")
            elif name == "name":
                comp_select.append(f"p.name || '-R{tag}' || ks.k")
            elif kind.startswith("timestamp"):
                comp_select.append(f"p.{name} + (n.date_received - s.date_received)")
            elif kind == "date":
                comp_select.append(f"(p.{name} + (n.date_received - s.date_received))::date")
            else:
                comp_select.append(f"p.{name}")
        psql(target, f"""
            CREATE TEMP TABLE ks AS SELECT generate_series(1, {copies}) AS k;
            INSERT INTO complaint_compensation ({", ".join(n for n, _ in comp_cols)})
              SELECT {", ".join(comp_select)}
              FROM complaint_compensation p
              JOIN bench_seed b ON b.id = p.case_id
              JOIN complaint_case s ON s.id = p.case_id
              CROSS JOIN ks
              JOIN complaint_case n ON n.name = s.name || '-R{tag}' || ks.k
                                   AND n.company_id = s.company_id;
            ANALYZE complaint_compensation;""")
    psql(target, "DROP TABLE bench_seed")
    return int(psql(target, "SELECT count(*) FROM complaint_case"))


# -- 3. the job -----------------------------------------------------------------------------


def run_job(target: Target, period: str, out: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, last log lines) of the quarterly job in its own
    process."""
    env = dict(os.environ, ODOO_URL=target.url, ODOO_DB=target.db, ODOO_USER=LOGIN,
               ODOO_PASSWORD=PASSWORD)
    code = ("import resource, sys\nfrom reports.__main__ import main\n"
            f"rc = main(['quarterly', '--period', {period!r}, '--source', 'odoo', "
            f"'--out', {str(out)!r}, '--no-progress'])\n"
            "print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
            "sys.exit(rc)\n")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"the job failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    peak = next(int(line.split()[1]) for line in proc.stdout.splitlines()
                if line.startswith("PEAK_RSS_KB"))
    return wall, peak / 1024, "\n".join(proc.stderr.splitlines()[-4:])


def rows_baseline(target: Target, period: period_mod.Period) -> float:
    t0 = time.perf_counter()
    sources.from_odoo_connection(target.odoo(), period, None, "baseline",
                                 grouped_history=False)
    return time.perf_counter() - t0


def bench(target: Target, args: argparse.Namespace) -> None:
    period = period_mod.parse(args.period)
    since = period.start - pd.DateOffset(years=sources.HISTORY_YEARS)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    if args.seeds:
        seed(target, args.seeds, rng)
    seeded = time.perf_counter() - t0
    t1 = time.perf_counter()
    total = replicate(target, args.cases, since, period.end)
    replicated = time.perf_counter() - t1
    in_quarter = int(psql(target, "SELECT count(*) FROM complaint_case WHERE date_received "
                                  f">= '{sources.utc_bounds(period)[0]}' AND date_received "
                                  f"< '{sources.utc_bounds(period)[1]}'"))
    print(f"load: {total:,} cases ({in_quarter:,} in {period.code}); seeds {args.seeds:,} "
          f"through the add-on {seeded:.1f} s, replication in SQL {replicated:.1f} s",
          flush=True)
    if args.skip_job:
        return
    with tempfile.TemporaryDirectory(prefix="bench-reports-odoo-") as out:
        wall, peak, tail = run_job(target, args.period, Path(out))
    load = os.getloadavg()
    print(f"job: {wall:.1f} s wall, peak RSS {peak:,.0f} MB (target < 120 s, < 2,048 MB); "
          f"load average {load[0]:.1f}\n{tail}", flush=True)
    if args.rows_baseline:
        print(f"baseline, the whole window read as rows: {rows_baseline(target, period):.1f} s",
              flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=1_000_000, help="cases in the database")
    ap.add_argument("--seeds", type=int, default=2_000,
                    help="cases created through the add-on, then replicated (0: replicate "
                         "the cases already in the database, with --url)")
    ap.add_argument("--period", default="2026Q3", help="the quarter the job builds")
    ap.add_argument("--seed", type=int, default=15, help="random seed of the seed cases")
    ap.add_argument("--rows-baseline", action="store_true",
                    help="also time reading the whole window as rows (slow at 1,000,000)")
    ap.add_argument("--url", help="an existing Odoo (admin/admin) instead of a throw-away one")
    ap.add_argument("--db", help="its database (with --url)")
    ap.add_argument("--pg", help="its PostgreSQL as host:port:user (with --url)")
    ap.add_argument("--logdir", type=Path, help="keep the Odoo logs here")
    ap.add_argument("--skip-job", action="store_true", help="load only (with --url)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.url:
        if not (args.db and args.pg):
            ap.error("--url needs --db and --pg")
        bench(Target(args.url, args.db, args.pg), args)
        return 0
    try:
        with served_database(("bench_reports_odoo",), logdir=args.logdir) as served:
            bench(Target(served.url, served.databases[0], str(served.pg)), args)
    except OdooNotFound as exc:
        print(f"no Odoo 18: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
