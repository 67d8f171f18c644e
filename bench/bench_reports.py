"""Benchmark: a million cases read, aggregated and written as every document, in three shapes.

    python bench/bench_reports.py [--cases 1000000] [--shape typical|worst|unique|both|all]
                                  [--naive-rows 40000] [--xlsxwriter-rows 100000]
                                  [--data-typical DIR] [--data-worst DIR] [--data-unique DIR]

Shapes (generated before, in a subprocess, and not counted):
  typical  data.generate: four years, 2026Q3 holds about 8 % of the cases
  worst    one year, so 2026Q3 holds a quarter of them, and every case regulator-forwarded
           (so notable), a third crisis or emergency, a quarter group complaints, every
           closed case reopened and every case compensated; subjects and demands of about
           200 characters (cut from one text, so they repeat); 400 departments
  unique   worst, with every subject and demand unique (each ends with the case's
           reference), as in a real export: no text is held once for many cases
(both: typical and worst; all: the three.)
Each shape is measured in a process of its own, so its peak memory is its own:
  read       CSV export → canonical frames (reports.sources.from_files)
  documents  the 2026Q3 job for every company: figures, the four workbooks, the quarter's
             case register, the regulator summary
  register   a case register of every case read (the worst case for the streaming writer)
Peak memory is the process's peak resident set size (getrusage), which covers everything
above. Baselines measured in the same run: the same tables written with pandas to_excel
(default engine), one sheet each; the register written cell by cell with openpyxl on
--naive-rows rows; and the register written by xlsxwriter in constant_memory mode (its
streaming mode, one row at a time) on --xlsxwriter-rows rows; both extrapolated linearly
to the register rows of the run.
Targets: each shape under 30 s and under 2 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
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
TARGET_SECONDS, TARGET_GB = 30.0, 2.0


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


def xlsxwriter_register(frame: pd.DataFrame, path: Path) -> None:
    """The register through xlsxwriter's constant_memory mode: rows streamed to disk one at
    a time, the same formats."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                         "default_date_format": "yyyy-mm-dd hh:mm"})
    ws = wb.add_worksheet(register.TITLE)
    fmts = {"int": wb.add_format({"num_format": "#,##0"}),
            "float": wb.add_format({"num_format": "#,##0.00"}),
            "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})}
    head = wb.add_format({"bold": True, "text_wrap": True})
    ws.write(0, 0, register.HEADING)
    for j, (_, zh, en, _, _) in enumerate(register.COLUMNS):
        ws.write(2, j, f"{zh}\n{en}", head)
    kinds = [c[3] for c in register.COLUMNS]
    keys = [c[0] for c in register.COLUMNS]
    for i, rec in enumerate(frame[keys].itertuples(index=False), 3):
        for j, v in enumerate(rec):
            if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
                continue
            kind = kinds[j]
            if kind == "datetime":
                ws.write_datetime(i, j, v.to_pydatetime(), fmts["datetime"])
            elif kind in ("int", "float"):
                ws.write_number(i, j, float(v), fmts[kind])
            else:
                ws.write_string(i, j, str(v))
    wb.close()


DEPARTMENTS = [f"第{k:03d}营业部" for k in range(1, 401)]
LONG = ("客户反映商品在使用过程中出现故障，多次联系门店未获妥善处理，要求退款并赔偿往返交通费用，"
        "同时要求对相关工作人员进行批评教育并书面道歉，否则将向市场监督管理部门和媒体反映。"
        "此前已于上月两次到店交涉，店方答复需等待厂家检测结果，至今没有任何进展，客户对处理"
        "效率和服务态度非常不满，希望公司尽快给出明确答复并承担相应责任。")


def make_worst(n: int, out: Path, unique_texts: bool = False) -> None:
    """The worst shape for the documents, or the unique one (see the module docstring)."""
    import numpy as np

    from data.generate import generate, write

    cases, _ = generate(cases=n, seed=11, start="2025-10-01", end="2026-09-30",
                        as_of="2026-10-12")
    rng = np.random.default_rng(11)
    m = len(cases)
    cases["channel_id"] = "regulator"
    cases["is_regulator_forwarded"] = True
    cases["external_source"] = "regulator"
    roll = rng.random(m)
    cases["level"] = np.where(roll < 0.2, "crisis", np.where(roll < 0.5, "major", "urgent"))
    cases["is_emergency"] = rng.random(m) < 0.15
    cases["affected_count"] = np.where(rng.random(m) < 0.25, rng.integers(10, 80, m), 1)
    closed = cases["date_closed"].notna()
    cases["reopen_count"] = np.where(closed, rng.integers(1, 4, m), 0)
    cases["department_id"] = np.array(DEPARTMENTS, dtype=object)[rng.integers(0, 400, m)]
    cut = rng.integers(120, len(LONG), m)  # about 200 characters
    cases["subject"] = cases["location"] + "：" + pd.Series(
        [LONG[:k] for k in cut], index=cases.index)
    cases["customer_demand"] = pd.Series([LONG[-k:] for k in cut], index=cases.index)
    if unique_texts:
        for column in ("subject", "customer_demand"):
            cases[column] = cases[column] + "（" + cases["name"] + "）"
    accepted = cases["date_accepted"].fillna(cases["date_received"])
    comps = pd.DataFrame({
        "case_id": cases["name"], "remedy_type_id": "cash", "amount": 200.0,
        "currency_id": "CNY", "amount_company": 200.0, "amount_claimed": 300.0,
        "state": np.where(closed, "paid", "approved"),
        "date_submitted": accepted + pd.Timedelta(hours=4),
        "date_approved": accepted + pd.Timedelta(hours=20),
        "date_paid": (accepted + pd.Timedelta(hours=48)).where(closed),
        "department_id": cases["department_id"], "cause_type": cases["cause_type"],
        "level": cases["level"]})
    write(cases, comps, out)


def measure(shape: str, data_dir: Path, naive_rows: int, xw_rows: int) -> dict:
    """One shape, in this process: our phases, then the baselines."""
    period = period_mod.parse(PERIOD)
    size = (data_dir / "cases.csv").stat().st_size / 1e6
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        tmp = Path(tmp)
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
        register_rows = period_rows + n

        naive: list[Phase] = []
        with timed(naive, "documents (to_excel)"):
            for company, (cases, comps) in pipeline.split_companies(data, None).items():
                fig = figures.compute(company, cases, comps, period, data.as_of, data.source,
                                      options.policy)
                naive_documents(fig, tmp / "naive.xlsx")
        k = min(naive_rows, n)
        frame = register.register_frame(data.cases.iloc[:k], data.compensations, data.as_of)
        with timed(naive, f"register cell by cell ({k:,} rows)"):
            naive_register(frame, tmp / "naive_register.xlsx")
        per_row = naive[-1].wall / max(k, 1)
        kx = min(xw_rows, n)
        frame = register.register_frame(data.cases.iloc[:kx], data.compensations, data.as_of)
        with timed(naive, f"register xlsxwriter constant_memory ({kx:,} rows)"):
            xlsxwriter_register(frame, tmp / "xw_register.xlsx")
        xw_per_row = naive[-1].wall / max(kx, 1)
        with timed(naive, f"register ours, same {kx:,} rows"):
            register.build(data.cases.iloc[:kx], data.compensations, data.as_of,
                           tmp / "ours_small.xlsx")
    return {"shape": shape, "cases": n, "compensations": len(data.compensations),
            "csv_mb": size, "period_rows": period_rows, "load": load,
            "phases": [vars(p) for p in phases], "total": ours, "peak_gb": peak,
            "baselines": [vars(p) for p in naive], "register_rows": register_rows,
            "naive_register_s": per_row * register_rows,
            "naive_total_s": phases[0].wall + naive[0].wall + per_row * register_rows,
            "xlsxwriter_register_s": xw_per_row * register_rows}


def report(r: dict) -> bool:
    print(f"\n== shape {r['shape']}: {r['cases']:,} cases, {r['compensations']:,} "
          f"compensations, {r['csv_mb']:.0f} MB CSV; {PERIOD} has {r['period_rows']:,} "
          f"cases; load average at start {r['load']:.1f}")
    print(f"{'phase':<52}{'wall s':>9}{'cpu s':>9}")
    for p in r["phases"]:
        print(f"{p['name']:<52}{p['wall']:>9.1f}{p['cpu']:>9.1f}")
    print(f"{'total':<52}{r['total']:>9.1f}")
    print(f"peak memory (max RSS): {r['peak_gb']:.2f} GB")
    print("baselines, same run:")
    for p in r["baselines"]:
        print(f"{p['name']:<52}{p['wall']:>9.1f}{p['cpu']:>9.1f}")
    rows = r["register_rows"]
    print(f"registers of {rows:,} rows, extrapolated linearly: cell by cell "
          f"{r['naive_register_s']:.1f} s, xlsxwriter constant_memory "
          f"{r['xlsxwriter_register_s']:.1f} s; ours (measured, both registers) "
          f"{r['phases'][2]['wall']:.1f} s + the quarter's inside documents")
    ours_small = r["baselines"][-1]["wall"]
    xw_small = r["baselines"][-2]["wall"]
    print(f"register ours vs xlsxwriter constant_memory on the same rows: "
          f"{xw_small / max(ours_small, 1e-9):.1f}x faster")
    print(f"naive total (same read + to_excel documents + cell-by-cell register): "
          f"{r['naive_total_s']:.1f} s; ratio naive / ours: "
          f"{r['naive_total_s'] / r['total']:.1f}x")
    ok = r["total"] < TARGET_SECONDS and r["peak_gb"] < TARGET_GB
    print(f"targets: < {TARGET_SECONDS:.0f} s and < {TARGET_GB:.0f} GB: "
          f"{'met' if ok else 'NOT met'}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--shape", choices=["typical", "worst", "unique", "both", "all"], default="both")
    ap.add_argument("--naive-rows", type=int, default=40_000,
                    help="register rows written cell by cell, then extrapolated")
    ap.add_argument("--xlsxwriter-rows", type=int, default=100_000,
                    help="register rows written by xlsxwriter constant_memory, extrapolated")
    ap.add_argument("--data-typical", type=Path, help="reuse cases.csv/compensations.csv")
    ap.add_argument("--data-worst", type=Path, help="reuse cases.csv/compensations.csv")
    ap.add_argument("--data-unique", type=Path, help="reuse cases.csv/compensations.csv")
    ap.add_argument("--measure", choices=["typical", "worst", "unique"], help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.measure:  # the child process of one shape
        print(json.dumps(measure(args.measure, args.data, args.naive_rows,
                                 args.xlsxwriter_rows)))
        return 0
    shapes = {"both": ["typical", "worst"], "all": ["typical", "worst", "unique"]}.get(
        args.shape, [args.shape])
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-data-") as tmp:
        for shape in shapes:
            data_dir = getattr(args, f"data_{shape}")
            if data_dir is None:
                data_dir = Path(tmp) / shape
                t = time.perf_counter()
                if shape == "typical":
                    subprocess.run([sys.executable, "-m", "data.generate", "--cases",
                                    str(args.cases), "--out", str(data_dir)], cwd=ROOT,
                                   check=True, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
                else:
                    make_worst(args.cases, data_dir, unique_texts=shape == "unique")
                print(f"generated {args.cases:,} cases of shape {shape} in "
                      f"{time.perf_counter() - t:.1f} s (not counted)")
            out = subprocess.run(
                [sys.executable, __file__, "--measure", shape, "--data", str(data_dir),
                 "--naive-rows", str(args.naive_rows), "--xlsxwriter-rows",
                 str(args.xlsxwriter_rows)], check=True, capture_output=True, text=True)
            ok &= report(json.loads(out.stdout.strip().splitlines()[-1]))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
