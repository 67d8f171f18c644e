"""Command line: ``python -m reports quarterly --period 2026Q3 --source sample --out DIR``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

from reports import metrics, pipeline, sources
from reports import period as period_mod
from reports.odoo_source import OdooConfig

log = logging.getLogger("reports")

DESCRIPTION = """\
Build the quarterly complaint documents for each company in the input:

  季度客户意见汇总表  quarterly summary table        (counts, compensation, data issues)
  客户投诉情况通报    complaint bulletin              (KPIs vs previous quarter and last year,
                                                     top-10 hot spots, notable cases,
                                                     accountability)
  客户期望分析报告    customer expectation analysis   (one sheet per department)
  趋势与预测          trend and forecast              (back-tested, intervals, early warning)
  案件登记簿          case register                   (streaming, split past 1,048,575 rows)
  regulator_summary.json                              (payload for the regulator portal)

Files land in OUT/PERIOD/COMPANY/. KPI formulas: reports/README.md and each workbook's
口径 Definitions sheet."""

EPILOG = """\
sources:
  sample     the bundled synthetic history (data/sample/)
  odoo       complaint.case / complaint.compensation via ODOO_URL, ODOO_DB, ODOO_USER,
             ODOO_PASSWORD
  FILE       a CSV or XLSX export (UTF-8 or GBK), or a folder with cases.csv and
             compensations.csv; Odoo list-view exports are recognised by their column
             labels, other systems need --mapping (see data/mappings/)

examples:
  python -m reports quarterly --period 2026Q3 --source sample --out out
  python -m reports quarterly --period 2026Q3 --source export.csv --mapping data/mappings/legacy_hotline.toml --out out
  python -m reports quarterly --period 2025 --source odoo --out out      (yearly report)

coverage:
  every title row states what the data cover: from the company's first case to the
  extraction moment (--as-of, else the latest timestamp of a file, now for Odoo). A period
  the data do not cover (no case before its end, or read before its last day) is refused;
  --allow-empty builds the workbooks anyway, saying so in every title row, and writes no
  regulator_summary.json.

exit status: 0 done, 2 bad arguments, unusable input (one line naming the file, the column
and the reason) or a period the data do not cover, 3 Odoo not configured or unreachable."""


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m reports", description=DESCRIPTION,
                                 epilog=EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    q = sub.add_parser("quarterly", help="build the documents of one period",
                       description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    q.add_argument("--period", required=True,
                   help="quarter like 2026Q3, or a year like 2025 for the yearly report")
    q.add_argument("--source", default="auto",
                   help="sample | odoo | FILE | auto (default: odoo when ODOO_URL and the "
                        "other ODOO_* variables are set, else sample)")
    q.add_argument("--mapping", type=Path, help="TOML column/value mapping for FILE")
    q.add_argument("--compensations", type=Path,
                   help="compensation export for FILE (default: compensations.csv/.xlsx "
                        "next to it)")
    q.add_argument("--out", type=Path, default=Path("out"), help="output folder (default out)")
    q.add_argument("--company", help="only this company (name as in company_id)")
    q.add_argument("--as-of", help="extraction time for pending deadlines (default: latest "
                                   "timestamp in a file, now for Odoo)")
    q.add_argument("--accept-days", type=int, default=metrics.Policy.accept_working_days,
                   help="acceptance deadline in working days (default %(default)s)")
    q.add_argument("--feedback-days", type=int, default=metrics.Policy.feedback_working_days,
                   help="feedback deadline in working days after dispatch "
                        "(default %(default)s)")
    q.add_argument("--register-engine", choices=["stream", "openpyxl"], default="stream",
                   help="case register writer (default stream; openpyxl is slower)")
    q.add_argument("--allow-empty", action="store_true",
                   help="build the workbooks even when the data do not cover the period "
                        "(their title row says so; no regulator_summary.json is written)")
    q.add_argument("--no-progress", action="store_true", help="no progress bar")
    q.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        period = period_mod.parse(args.period)
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    source = args.source
    if source == "auto":
        source = "odoo" if OdooConfig.configured() else "sample"
        log.info("source: %s", source)
    try:
        data = sources.load(source, period, args.mapping, args.compensations, args.company)
    except sources.SourceError as exc:
        log.error("%s", exc)
        return 3 if source == "odoo" else 2
    if args.as_of:
        try:
            data.as_of = pd.Timestamp(args.as_of)
        except ValueError:
            log.error("--as-of %r is not a date", args.as_of)
            return 2
    policy = metrics.Policy(accept_working_days=args.accept_days,
                            feedback_working_days=args.feedback_days)
    options = pipeline.RunOptions(policy=policy, company=args.company,
                                  register_engine=args.register_engine,
                                  progress=not args.no_progress,
                                  allow_empty=args.allow_empty)
    log.info("%d cases, %d compensations read from %s; %d input problem(s)",
             len(data.cases), len(data.compensations), data.source, len(data.issues))
    try:
        outputs = pipeline.run(data, period, args.out, options)
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    for o in outputs:
        if o.summary is not None:
            log.info("%s: %d cases received in %s", o.company,
                     o.summary["counts"]["received"], period.code)
    log.info("written to %s", (args.out / period.code).resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
