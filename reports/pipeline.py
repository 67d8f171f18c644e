"""Build every document of a period for every company of the input."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from reports import figures as figures_mod
from reports import metrics, model, regulator
from reports.coverage import Coverage, CoverageError
from reports.period import Period
from reports.sources import CaseData, case_positions
from reports.workbook import bulletin, expectation, register, style, summary, trend

log = logging.getLogger(__name__)

NO_COMPANY = "(未指定公司)"
DOCUMENTS = (
    ("季度客户意见汇总表_quarterly_summary.xlsx", summary.build),
    ("客户投诉情况通报_complaint_bulletin.xlsx", bulletin.build),
    ("客户期望分析报告_customer_expectation.xlsx", expectation.build),
    ("趋势与预测_trend_forecast.xlsx", trend.build),
)
REGISTER_FILE = "案件登记簿_case_register.xlsx"
SUMMARY_FILE = "regulator_summary.json"


@dataclass(frozen=True)
class RunOptions:
    policy: metrics.Policy = field(default_factory=metrics.Policy)
    company: str | None = None  # only this company
    register_engine: str = "stream"
    register_max_rows: int = register.MAX_DATA_ROWS
    progress: bool = True
    # Build the workbooks of a period the data do not cover (their title says so); the
    # regulator summary is still refused for it.
    allow_empty: bool = False


@dataclass
class CompanyOutput:
    company: str
    folder: Path
    files: list[Path]
    summary: dict | None  # None: the data do not cover the period (built with allow_empty)


def _folder_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "company"


class CompanyParts(Mapping[str, tuple[pd.DataFrame, pd.DataFrame]]):
    """Each company's cases and compensations, cut from the whole input when asked for:
    the documents are built one company at a time, so only one company's copy is held."""

    def __init__(self, data: CaseData, only: str | None) -> None:
        self._data = data
        # Each case's and each compensation's company as a small integer, found once: a
        # company's rows are then one integer comparison away, however many companies.
        codes, names = pd.factorize(data.cases["company_id"].fillna(NO_COMPANY), sort=True)
        self._codes = codes
        self._index = {name: i for i, name in enumerate(names)}
        self._comp_codes = self._compensation_codes(codes)
        self._names = [n for n in names if not only or n == only]
        if not self._names and not only:
            self._names = [NO_COMPANY]  # no case at all: one document set, of zeros

    def _compensation_codes(self, case_codes: np.ndarray) -> np.ndarray | None:
        """The company code of each compensation's case (-1: no case of the input; None:
        a reference held by two cases, whose compensations go with every company having
        it). A compensation booked to another company than its case's belongs to neither."""
        comps = self._data.compensations
        at = case_positions(self._data.cases, comps["case_id"])
        if at is None:
            return None
        codes = np.where(at >= 0, case_codes[np.maximum(at, 0)], -1)
        booked = comps["company_id"]
        if booked.notna().any():
            clash = booked.notna().to_numpy() & (
                booked.map(self._index).to_numpy(dtype=float) != codes)
            codes = np.where(clash, -1, codes)
        return codes

    def __getitem__(self, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        if name not in self._names:
            raise KeyError(name)
        code = self._index.get(name, -1)
        cases = self._data.cases[self._codes == code]
        comps = self._data.compensations
        if self._comp_codes is None:
            own = comps["case_id"].isin(cases["name"])
            if comps["company_id"].notna().any():
                own &= comps["company_id"].isna() | (comps["company_id"] == name)
            return cases, comps[own]
        return cases, comps[self._comp_codes == code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def received(self, name: str) -> pd.DataFrame:
        """The company's dates received alone (coverage and counts, without the copy)."""
        return self._data.cases.loc[self._codes == self._index.get(name, -1),
                                    ["date_received"]]


def split_companies(data: CaseData, only: str | None) -> CompanyParts:
    return CompanyParts(data, only)


def run(data: CaseData, period: Period, out_dir: Path,
        options: RunOptions | None = None) -> list[CompanyOutput]:
    # The source's labels (the server's when read from Odoo) label this run's documents only.
    with model.labels_in_force(data.labels):
        return _run(data, period, out_dir, options or RunOptions())


def _run(data: CaseData, period: Period, out_dir: Path,
         options: RunOptions) -> list[CompanyOutput]:
    as_of = data.as_of if data.as_of is not None else pd.Timestamp.now().floor("s")
    groups = split_companies(data, options.company)
    if not groups:  # only when a company was asked for: no case at all is one of zeros
        raise ValueError(f"company {options.company!r} not in the input; companies: "
                         + ", ".join(sorted(data.cases["company_id"].dropna().unique())))
    received = {company: groups.received(company) for company in groups}
    # Every company is checked before anything is written: a period the data do not cover
    # is refused as a whole rather than half built.
    if not options.allow_empty:
        problems = [f"{company}: {why}" for company, cases in received.items()
                    if (why := Coverage.of(cases, as_of).problem(period))]
        if problems:
            raise CoverageError(
                f"{data.source}: period {period.code} is not covered by the data — "
                + "; ".join(problems)
                + " (pass --as-of if the data were extracted later, --company to build one "
                  "company, or --allow-empty to build it anyway)")
    total_rows = sum(int(metrics.in_period(c["date_received"], period).sum())
                     for c in received.values())
    steps = len(groups) * (len(DOCUMENTS) + 1) + total_rows
    with tqdm(total=steps, unit="step", desc=f"reports {period.code}",
              disable=None if options.progress else True) as bar:
        return [_company(data, company, *groups[company], period, as_of, out_dir, options,
                         bar) for company in groups]


def _company(data: CaseData, company: str, cases: pd.DataFrame, comps: pd.DataFrame,
             period: Period, as_of: pd.Timestamp, out_dir: Path, options: RunOptions,
             bar: tqdm) -> CompanyOutput:
    """One company's documents; its frames and figures are let go when it returns."""
    folder = Path(out_dir) / period.code / _folder_name(company)
    folder.mkdir(parents=True, exist_ok=True)
    policy = data.policy_for(company, options.policy)  # the company's calendar
    fig = figures_mod.compute(company, cases, comps, period, as_of, data.source, policy,
                              data.issues)
    reg_path = folder / REGISTER_FILE
    subtitle = style.document_subtitle(fig)
    with ThreadPoolExecutor(1, thread_name_prefix="register") as pool:
        # The register's rows are written beside the other documents: its writer runs
        # mostly outside the interpreter, the documents mostly inside it. Its frame and
        # distinct cells are built here, so the thread shares no frame with the documents.
        writing = (pool.submit(register.write, register.prepare(fig.current, comps, as_of),
                               reg_path, options.register_max_rows, None, subtitle)
                   if options.register_engine == "stream" else None)
        files = []
        for name, build in DOCUMENTS:
            files.append(build(fig, folder / name))
            bar.update(1)
            log.info("%s: %s", company, name)
        payload = _regulator_summary(fig, folder / SUMMARY_FILE)
        if writing is None:
            register.build(fig.current, comps, as_of, reg_path, options.register_engine,
                           options.register_max_rows, subtitle=subtitle)
        else:
            writing.result()
    bar.update(len(fig.current) + 1)
    files.append(reg_path)
    if payload is not None:
        files.append(folder / SUMMARY_FILE)
    return CompanyOutput(company, folder, files, payload)


def _regulator_summary(fig: figures_mod.CompanyFigures, path: Path) -> dict | None:
    try:
        payload = regulator.summary_of(fig)
    except CoverageError as exc:
        # Only reachable with allow_empty: no summary file, so none can be filed.
        path.unlink(missing_ok=True)
        log.warning("%s: no %s written: %s", fig.company, SUMMARY_FILE, exc)
        return None
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return payload
