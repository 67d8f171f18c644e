"""Due dates for 100,000 complaints in one scheduled run, against a naive loop.

One command on a machine with Odoo 18 and PostgreSQL (run from the repository root)::

    python3 bench/bench_deadlines.py [--cases 100000] [--naive 500]

finds Odoo the way the Odoo test tier does (``ODOO_BIN``, else ``odoo`` on ``PATH``, else an
importable ``odoo``), starts a throw-away PostgreSQL cluster, installs ``addon_complaints``
without demo data and measures in ``odoo shell``; the cluster is removed afterwards.

Against a database where ``addon_complaints`` is already installed, with the Python of the
Odoo installation (everything happens in one transaction that is rolled back, the database is
left as it was)::

    /path/to/odoo/venv/bin/python bench/bench_deadlines.py -c odoo.conf -d complaints

It prints, for the batched recompute (``complaint.case._cron_recompute_deadlines``, what the
hourly scheduled action runs) and for a naive loop that asks the ``resource`` module for one
case at a time (``resource.calendar.plan_days``, several SQL queries per case), the cases per
second and the number of SQL queries, and how many times faster the batched recompute is.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", help="Odoo configuration file (with --database)")
    parser.add_argument("-d", "--database",
                        help="a database with addon_complaints installed; without it, a "
                        "throw-away cluster and database are made")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=500,
                        help="cases for the naive loop (its rate is extrapolated)")
    return parser.parse_args()


def make_cases(env, count):
    """Insert ``count`` open cases spread over 2025–2026 with plain SQL (creating them through
    the ORM would measure the intake, not the deadlines)."""
    cr = env.cr
    company = env.company
    channel = env["complaint.channel"].search([], limit=1)
    policies = [env.ref(f"addon_complaints.complaint_sla_policy_{name}") for name in
                ("general", "tobacco", "insurance", "securities", "airline", "cbirc")]
    cr.execute("""
        INSERT INTO complaint_case (name, company_id, channel_id, owner_user_id, subject,
                                    demand_type, priority, state, level, repeat_count,
                                    affected_count, date_received, date_accepted,
                                    sla_policy_id, create_uid, write_uid, create_date, write_date)
        SELECT 'BENCH-' || n, %(company)s, %(channel)s, %(user)s, 'Benchmark case ' || n,
               'complaint', 'normal', 'accepted', (ARRAY['normal','urgent','major'])[1 + n %% 3],
               1 + n %% 3, 1,
               TIMESTAMP '2025-01-01 01:00' + (n %% 700) * INTERVAL '1 day'
                   + (n %% 24) * INTERVAL '1 hour' + (n %% 60) * INTERVAL '1 minute',
               TIMESTAMP '2025-01-01 03:00' + (n %% 700) * INTERVAL '1 day',
               (%(policies)s::int[])[1 + n %% %(npolicies)s], %(user)s, %(user)s, now(), now()
          FROM generate_series(1, %(count)s) AS n
        RETURNING id
    """, {"company": company.id, "channel": channel.id, "user": env.uid,
          "policies": [p.id for p in policies], "npolicies": len(policies), "count": count})
    ids = [row[0] for row in cr.fetchall()]
    # One case in fifty waited for an appraisal for two days.
    cr.execute("""
        INSERT INTO complaint_deadline_pause (case_id, company_id, reason, note, date_start,
                                              date_end, user_id)
        SELECT id, company_id, 'appraisal', 'Benchmark appraisal', date_received + INTERVAL '1 hour',
               date_received + INTERVAL '49 hours', %s
          FROM complaint_case WHERE id = ANY(%s) AND id %% 50 = 0
    """, (env.uid, ids))
    env.invalidate_all()
    return env["complaint.case"].browse(ids)


def naive(env, cases):
    """One case at a time through ``resource.calendar.plan_days``: what a straightforward
    implementation would do (it reads attendances and leaves for every case)."""
    calendar = env.company.resource_calendar_id
    start = time.perf_counter()
    queries = env.cr.sql_log_count
    for case in cases:
        calendar.plan_days(4, case.date_received, compute_leaves=True)
    return time.perf_counter() - start, env.cr.sql_log_count - queries


def measure(env, cases, naive_cases):
    """Insert ``cases`` cases, recompute their due dates as the scheduled action does, time a
    naive loop on ``naive_cases`` of them, print the figures; the caller rolls back."""
    cr = env.cr
    env = env(context=dict(env.context, tracking_disable=True))
    t0 = time.perf_counter()
    records = make_cases(env, cases)
    print(f"inserted {len(records)} cases in {time.perf_counter() - t0:.1f} s")
    env.invalidate_all()
    queries = cr.sql_log_count
    t0 = time.perf_counter()
    count = env["complaint.case"]._cron_recompute_deadlines()
    env.flush_all()
    batched = time.perf_counter() - t0
    batched_queries = cr.sql_log_count - queries
    cr.execute("SELECT count(*) FROM complaint_case WHERE name LIKE 'BENCH-%%' "
               "AND date_deadline IS NOT NULL")
    with_due = cr.fetchone()[0]
    print(f"batched: {count} open cases recomputed in {batched:.1f} s = "
          f"{count / batched:,.0f} cases/s, {batched_queries} SQL queries "
          f"({batched_queries / max(count, 1):.3f} per case); "
          f"{with_due} benchmark cases have a due date")
    env.invalidate_all()
    t0 = time.perf_counter()
    env["complaint.case"]._cron_recompute_deadlines()
    again = time.perf_counter() - t0
    print(f"again:   {count} open cases checked in {again:.1f} s = {count / again:,.0f} cases/s "
          f"(nothing changed, nothing written: the usual hourly run)")
    env.invalidate_all()
    sample = records[:naive_cases]
    seconds, naive_queries = naive(env, sample)
    rate = len(sample) / seconds
    print(f"naive:   {len(sample)} cases in {seconds:.1f} s = {rate:,.0f} cases/s, "
          f"{naive_queries} SQL queries ({naive_queries / len(sample):.1f} per case); "
          f"{cases} cases would take {cases / rate:,.0f} s")
    print(f"speed-up: {count / batched / rate:,.0f}x")


def in_database(args):
    import odoo  # noqa: PLC0415 - needs the configuration first
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([*(["-c", args.config] if args.config else []), "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        try:
            measure(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), args.cases, args.naive)
        finally:
            cr.rollback()


def in_throwaway_cluster(args):
    """Start a PostgreSQL cluster, install the add-on, measure in ``odoo shell``."""
    sys.path.insert(0, str(REPO))
    from tests.odoo_tier.locate import find_odoo, why_not_found  # noqa: PLC0415
    from tests.odoo_tier.postgres import start_cluster  # noqa: PLC0415
    from tests.odoo_tier.serve import PgAddress, install, odoo_argv  # noqa: PLC0415

    odoo = find_odoo()
    if odoo is None:
        sys.exit(f"bench_deadlines: {why_not_found()}")
    cluster = start_cluster()
    pg = PgAddress(cluster.host, cluster.port, cluster.user)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-deadlines-") as tmp:
            log = Path(tmp) / "odoo.log"
            print("installing addon_complaints into a throw-away database...", flush=True)
            try:
                install(odoo, pg, "bench_deadlines", log, data_dir=tmp)
            except RuntimeError as exc:
                sys.exit(f"bench_deadlines: {exc}")
            script = (f"import sys; sys.path.insert(0, {str(REPO / 'bench')!r})\n"
                      f"import bench_deadlines\n"
                      f"bench_deadlines.measure(env, {args.cases}, {args.naive})\n")
            run = subprocess.run(
                odoo_argv(odoo, pg, "shell", "--database", "bench_deadlines", "--no-http",
                          "--max-cron-threads", "0", "--logfile", str(log), data_dir=tmp),
                input=script, text=True, check=False)
            if run.returncode:
                sys.exit(f"bench_deadlines: the measurement failed, see {log}")
    finally:
        cluster.stop()


def main():
    args = parse_args()
    if args.database:
        in_database(args)
    else:
        in_throwaway_cluster(args)


if __name__ == "__main__":
    main()
