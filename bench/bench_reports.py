"""Benchmark: a million cases read, aggregated and written as every document.

    python bench/bench_reports.py [--cases 1000000] [--naive-rows 40000] [--data DIR]

Measured in one process (generation runs before, in a subprocess, and is not counted):
  read       CSV export → canonical frames (reports.sources.from_files)
  documents  the 2026Q3 job for every company: figures, the four workbooks, the quarter's
             case register, the regulator summary
  register   a case register of every case read (the worst case for the streaming writer)
Peak memory is the process's peak resident set size (getrusage), which covers everything
above. The naive approach is measured in the same run: the same tables written with pandas
to_excel (default engine), one sheet each, and the register written cell by cell with
openpyxl on --naive-rows rows, extrapolated linearly to the register rows of the run.
Targets: under 60 s and under 3 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere without installing

import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402

from reports import figures, metrics, pipeline, sources  # noqa: E402
from reports import period as period_mod  # noqa: E402
from reports.workbook import bulletin, register, summary  # noqa: E402

PERIOD = "2026Q3"
TARGET_SECONDS, TARGET_GB = 60.0, 3.0


@dataclass
class Phase:
    name: str
    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timed(phases: list[Phase], name: str):
    p = Phase(name)
    w, c = time.perf_counter(), time.process_time()
    yield p
    p.wall, p.cpu = time.perf_counter() - w, time.process_time() - c
    phases.append(p)


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # KiB on Linux


def naive_documents(fig: figures.CompanyFigures, path: Path) -> None:
    """The same tables, each written by pandas to_excel with the default engine."""
    tables = {f"by_{col}": summary.breakdown(fig, col, table)
              for col, _, table in summary.BREAKDOWNS}
    tables["category"] = summary.category_breakdown(fig)
    tables["acceptance"] = metrics.acceptance(fig.current)
    tables["closure"] = metrics.closure(fig.cases, fig.period)
    tables["compensation"] = metrics.compensation(fig.compensations, fig.period)
    tables["kpis"] = bulletin.kpi_frame(fig)
    tables["hot_spots"] = metrics.hot_spots(fig.current, fig.previous)
    tables["notable"] = metrics.notable(fig.current, fig.policy)
    tables["accountability"] = metrics.accountability(fig.current, fig.as_of)
    for dept in fig.current["department_id"].dropna().unique():
        part = fig.current[fig.current["department_id"] == dept]
        tables[f"dept_{dept}"[:31]] = metrics.demand_groups(part)
    tables["monthly"] = metrics.monthly_counts(fig.cases, fig.period.end, 36).to_frame()
    with pd.ExcelWriter(path) as writer:
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=name[:31])


def naive_register(frame: pd.DataFrame, path: Path) -> None:
    """Every cell through ws.cell(), in a normal (not write-only) workbook."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for j, (_, zh, en, _, _) in enumerate(register.COLUMNS, 1):
        ws.cell(row=1, column=j, value=f"{zh}\n{en}")
    keys = [c[0] for c in register.COLUMNS]
    for i, rec in enumerate(frame[keys].itertuples(index=False), 2):
        for j, v in enumerate(rec, 1):
            ws.cell(row=i, column=j, value=None if pd.isna(v) else v)
    wb.save(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--naive-rows", type=int, default=40_000,
                    help="register rows written cell by cell, then extrapolated")
    ap.add_argument("--data", type=Path, help="reuse cases.csv/compensations.csv from here")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    period = period_mod.parse(PERIOD)

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        tmp = Path(tmp)
        data_dir = args.data
        if data_dir is None:
            data_dir = tmp / "data"
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "data.generate", "--cases", str(args.cases),
                            "--out", str(data_dir)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print(f"generated {args.cases:,} cases in {time.perf_counter() - t:.1f} s "
                  "(not counted)")
        size = (data_dir / "cases.csv").stat().st_size / 1e6
        load = os.getloadavg()[0]

        phases: list[Phase] = []
        with timed(phases, "read"):
            data = sources.from_files(data_dir / "cases.csv")
        n = len(data.cases)
        options = pipeline.RunOptions(progress=False)
        with timed(phases, "documents"):
            outputs = pipeline.run(data, period, tmp / "out", options)
        period_rows = sum(o.summary["counts"]["received"] for o in outputs)
        with timed(phases, "register"):
            register.build(data.cases, data.compensations, data.as_of, tmp / "register.xlsx")
        ours = sum(p.wall for p in phases)
        peak = peak_rss_gb()

        naive: list[Phase] = []
        with timed(naive, "documents (to_excel)"):
            for company, (cases, comps) in pipeline.split_companies(data, None).items():
                fig = figures.compute(company, cases, comps, period, data.as_of, data.source,
                                      options.policy)
                naive_documents(fig, tmp / "naive.xlsx")
        k = min(args.naive_rows, n)
        frame = register.register_frame(data.cases.iloc[:k], data.compensations, data.as_of)
        with timed(naive, f"register cell by cell ({k:,} rows)"):
            naive_register(frame, tmp / "naive_register.xlsx")
        per_row = naive[-1].wall / max(k, 1)
        register_rows = period_rows + n
        naive_total = phases[0].wall + naive[0].wall + per_row * register_rows

    print(f"\ninput: {n:,} cases, {len(data.compensations):,} compensations, {size:.0f} MB CSV; "
          f"{period.code} has {period_rows:,} cases; load average at start {load:.1f}")
    print(f"{'phase':<44}{'wall s':>9}{'cpu s':>9}")
    for p in phases:
        print(f"{p.name:<44}{p.wall:>9.1f}{p.cpu:>9.1f}")
    print(f"{'total':<44}{ours:>9.1f}")
    print(f"peak memory (max RSS): {peak:.2f} GB")
    print("\nnaive approach, same run:")
    for p in naive:
        print(f"{p.name:<44}{p.wall:>9.1f}{p.cpu:>9.1f}")
    print(f"naive register extrapolated linearly from {k:,} to {register_rows:,} rows: "
          f"{per_row * register_rows:.1f} s")
    print(f"naive total (same read + to_excel documents + extrapolated register): "
          f"{naive_total:.1f} s")
    print(f"ratio naive / ours: {naive_total / ours:.1f}x")
    ok = ours < TARGET_SECONDS and peak < TARGET_GB
    print(f"\ntargets: < {TARGET_SECONDS:.0f} s and < {TARGET_GB:.0f} GB: "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
