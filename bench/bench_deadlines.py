"""Due dates for 100,000 complaints in one scheduled run, against a naive loop.

Run it against a database where ``addon_complaints`` is installed (everything happens in one
transaction that is rolled back, the database is left as it was)::

    python bench/bench_deadlines.py -c odoo.conf -d complaints [--cases 100000] [--naive 500]

``odoo`` must be importable (use the Python of the Odoo installation, e.g.
``/path/to/odoo/venv/bin/python``) and the add-ons path of the configuration file must contain
this repository. It prints, for the batched recompute (``complaint.case._cron_recompute_deadlines``,
what the hourly scheduled action runs) and for a naive loop that asks the ``resource`` module
for one case at a time (``resource.calendar.plan_days``, several SQL queries per case), the
cases per second and the number of SQL queries.
"""

import argparse
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True)
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


def main():
    args = parse_args()
    import odoo  # noqa: PLC0415 - needs the configuration first
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        try:
            t0 = time.perf_counter()
            cases = make_cases(env, args.cases)
            print(f"inserted {len(cases)} cases in {time.perf_counter() - t0:.1f} s")
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
            sample = cases[:args.naive]
            seconds, naive_queries = naive(env, sample)
            rate = len(sample) / seconds
            print(f"naive:   {len(sample)} cases in {seconds:.1f} s = {rate:,.0f} cases/s, "
                  f"{naive_queries} SQL queries ({naive_queries / len(sample):.1f} per case); "
                  f"{args.cases} cases would take {args.cases / rate:,.0f} s")
            print(f"speed-up: {count / batched / rate:,.0f}x")
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()
