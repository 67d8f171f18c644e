"""Where the cases come from: the bundled sample, a file export (with a mapping), or Odoo.

Every source ends in the same CaseData: canonical frames (reports.model) in local time and
the list of input problems, so the rest of the reports never knows where data came from.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from reports import (
    filesource,
    metrics,
    model,
    normalize,
    odoo_calendar,
    odoo_history,
    odoo_labels,
    odoo_source,
)
from reports import mapping as mapping_mod
from reports.calendar import WorkCalendar
from reports.period import LOCAL_TZ, Period

log = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
# The trend sheet shows three years before the period, and the bulletin the same quarter a
# year ago: read that much history.
HISTORY_YEARS = 3


class SourceError(RuntimeError):
    """The input cannot be used; the message says which input and why."""


@dataclass
class CaseData:
    cases: pd.DataFrame
    compensations: pd.DataFrame
    issues: list[normalize.DataIssue] = field(default_factory=list)
    source: str = ""
    as_of: pd.Timestamp | None = None
    # The labels of the code tables as the source names them (Odoo: the server's, by
    # table name; None: the reports' own), applied with model.use_labels.
    labels: dict[str, dict[str, model.Code]] | None = None
    # Each company's working calendar as the source stores it (Odoo's complaint.calendar.day);
    # None, or a company not in it: the policy's calendar (the official one).
    calendars: dict[str, WorkCalendar] | None = None

    def policy_for(self, company: str, policy: metrics.Policy) -> metrics.Policy:
        """``policy`` with the company's own working calendar, where the source has one."""
        own = (self.calendars or {}).get(company)
        return policy if own is None else dataclasses.replace(policy, calendar=own)


def _as_of(cases: pd.DataFrame) -> pd.Timestamp:
    """The extraction moment of a file: the latest step recorded in it."""
    cols = [c for c in ("date_received", "date_accepted", "date_replied", "date_closed",
                        "date_callback", "date_feedback") if c in cases]
    if cases.empty or not cols:
        return pd.Timestamp.now().floor("s")
    latest = max(cases[c].max() for c in cols if cases[c].notna().any())
    return pd.Timestamp(latest)


def _finish(cases_raw: pd.DataFrame, comps_raw: pd.DataFrame | None, mp: mapping_mod.Mapping,
            source: str, timezone: str | None, comps_source: str | None = None) -> CaseData:
    issues: list[normalize.DataIssue] = []
    try:
        cases = normalize.normalize(cases_raw, normalize.CASES, mp.cases, issues,
                                    timezone=timezone, local_tz=LOCAL_TZ, dayfirst=mp.dayfirst)
    except ValueError as exc:
        raise SourceError(f"{source}: {exc}") from exc
    if comps_raw is None:
        comps_raw = pd.DataFrame(columns=["case_id", "amount_company"])
    try:
        comps = normalize.normalize(comps_raw, normalize.COMPENSATIONS, mp.compensations,
                                    issues, timezone=timezone, local_tz=LOCAL_TZ,
                                    dayfirst=mp.dayfirst)
    except ValueError as exc:
        raise SourceError(f"{comps_source or source}: {exc}") from exc
    bad = cases["date_received"].isna()
    if bad.any():
        issues.append(normalize.DataIssue("cases", "date_received", "", int(bad.sum()),
                                          "no date received: case left out"))
        log.warning("%d case(s) without a date received are left out", int(bad.sum()))
        cases = cases[~bad].reset_index(drop=True)
    # References are unique per company (DATA_MODEL.md), not across companies.
    dup = cases.duplicated(["company_id", "name"], keep="first") & cases["name"].notna()
    if dup.any():
        issues.append(normalize.DataIssue("cases", "name", "", int(dup.sum()),
                                          "duplicate reference: later rows left out"))
        cases = cases[~dup].reset_index(drop=True)
    at = case_positions(cases, comps["case_id"])
    orphans = ~(at >= 0 if at is not None else comps["case_id"].isin(cases["name"]))
    if orphans.any():
        issues.append(normalize.DataIssue("compensations", "case_id", "", int(orphans.sum()),
                                          "no such case in the input: left out"))
        comps = comps[~orphans].reset_index(drop=True)
    return CaseData(cases, comps, issues, source, _as_of(cases))


def case_positions(cases: pd.DataFrame, case_ids: pd.Series) -> np.ndarray | None:
    """The row of ``cases`` each of ``case_ids`` names (-1: none), found with one hash
    table of the references; None when one reference names two cases (equal references
    in two companies), where a position would not say which."""
    names = pd.Index(cases["name"])
    return names.get_indexer(case_ids) if names.is_unique else None


def _case_columns(mp: mapping_mod.Mapping) -> filesource.Select:
    """Keep the columns of fields the reports read, and unknown ones (to report them)."""
    def select(columns: list[str]) -> list[str]:
        resolved, _ = normalize.resolve_columns(columns, normalize.CASES, mp.cases)
        return [c for c in columns if resolved.get(c, "") not in model.CASE_UNREAD]
    return select


def _compensation_file(cases_path: Path) -> Path | None:
    """compensations.csv/xlsx next to cases.csv/xlsx, if there is one."""
    for name in ("compensations.csv", "compensations.xlsx"):
        p = cases_path.parent / name
        if p.exists() and p != cases_path:
            return p
    return None


def from_files(cases_path: Path, comps_path: Path | None = None,
               mapping_path: Path | None = None) -> CaseData:
    cases_path = Path(cases_path)
    if cases_path.is_dir():
        found = [cases_path / n for n in ("cases.csv", "cases.xlsx") if (cases_path / n).exists()]
        if not found:
            raise SourceError(f"{cases_path}: folder has no cases.csv or cases.xlsx")
        cases_path = found[0]
    if comps_path is None:
        comps_path = _compensation_file(cases_path)
    try:
        mp = mapping_mod.load(mapping_path) if mapping_path else mapping_mod.Mapping()
        cases_raw = filesource.read_table(cases_path, _case_columns(mp))
        comps_raw = filesource.read_table(comps_path) if comps_path else None
    except (mapping_mod.MappingError, filesource.FileError) as exc:
        raise SourceError(str(exc)) from exc
    except OSError as exc:
        raise SourceError(f"{exc.filename or cases_path}: cannot be read: "
                          f"{exc.strerror or exc}") from exc
    data = _finish(cases_raw, comps_raw, mp, str(cases_path), mp.timezone,
                   str(comps_path) if comps_path else None)
    for raw, path, table in ((cases_raw, cases_path, "cases"),
                             (comps_raw, comps_path, "compensations")):
        if raw is not None and raw.attrs.get("truncated"):
            # A file cut off mid-row ends without a line break: its last row may be partial.
            data.issues.append(normalize.DataIssue(
                table, "", str(path), 1, "the file ends without a line break: it may be cut "
                "off, its last row read as it stands"))
            log.warning("%s: ends without a line break: the file may be cut off", path)
    return data


def from_sample() -> CaseData:
    if not (SAMPLE_DIR / "cases.csv").exists():
        raise SourceError(f"bundled sample missing in {SAMPLE_DIR}; "
                          "run python -m data.generate to create it")
    data = from_files(SAMPLE_DIR / "cases.csv", SAMPLE_DIR / "compensations.csv")
    data.source = "sample"
    return data


def from_odoo(period: Period, company: str | None = None,
              progress: Callable[[int], None] | None = None) -> CaseData:
    cfg = odoo_source.OdooConfig.from_env()
    return from_odoo_connection(odoo_source.connect(cfg), period, company,
                                f"odoo {cfg.url} db {cfg.db}", progress)


def utc_bounds(period: Period) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A local period's bounds in UTC, as Odoo stores datetimes."""
    return tuple(t.tz_localize(LOCAL_TZ).tz_convert("UTC").tz_localize(None)
                 for t in (period.start, period.end))


def row_periods(period: Period) -> list[Period]:
    """The periods whose cases the documents list or break down: the period, the one before
    and the same one a year before. The rest of the history is only counted."""
    out: list[Period] = []
    for p in (period, period.previous(), period.same_last_year()):
        if p not in out:
            out.append(p)
    return out


def from_odoo_connection(odoo, period: Period, company: str | int | None, label: str,
                         progress: Callable[[int], None] | None = None,
                         grouped_history: bool = True) -> CaseData:
    """The period's cases (and the history before it) over a logged-in odoorpc connection;
    ``company`` a name or an id (None: every company the user sees).

    The period, the previous one and the same one last year are read as rows; the rest of
    the three years of history as grouped counts (reports.odoo_history), or as rows too with
    ``grouped_history=False`` (the figures are the same; the tests compare both)."""
    # The server's labels first: values are checked against the code tables as they are read.
    labels = odoo_labels.read(odoo)
    with model.labels_in_force(labels):
        data = _read_cases(odoo, period, company, label, progress, grouped_history)
    # The timeliness outcomes read are the add-on's own: the KPIs never recompute them.
    data.cases[model.OUTCOMES_STORED] = True
    data.as_of = pd.Timestamp.now(tz=LOCAL_TZ).tz_localize(None).floor("s")
    data.labels = labels
    names = sorted(data.cases["company_id"].dropna().unique())
    ids = {r["name"]: r["id"] for r in odoo.execute_kw(
        "res.company", "search_read", [[("name", "in", names)]], {"fields": ["name"]})}
    data.calendars = odoo_calendar.read(odoo, ids)
    return data


def _read_cases(odoo, period: Period, company: str | int | None, label: str,
                progress: Callable[[int], None] | None, grouped_history: bool) -> CaseData:
    since = pd.Timestamp(period.start - pd.DateOffset(years=HISTORY_YEARS))
    # Odoo stores UTC: widen the local bounds to UTC ones.
    since_utc = since.tz_localize(LOCAL_TZ).tz_convert("UTC").tz_localize(None)
    until_utc = period.end.tz_localize(LOCAL_TZ).tz_convert("UTC").tz_localize(None)
    if not grouped_history:
        cases_raw, comps_raw = odoo_source.read_with(odoo, since_utc, until_utc, company,
                                                     progress)
        data = from_frames(cases_raw, comps_raw, label, timezone="UTC")
    else:
        bounds = [utc_bounds(p) for p in row_periods(period)]
        split = odoo_source.read_periods(odoo, (since_utc, until_utc), bounds, company,
                                         progress)
        data = from_frames(split.cases, split.compensations, label, timezone="UTC")
        # Everything else in the window: neither in those periods nor read as a row.
        rest = [*odoo_source.window_domain(since_utc, until_utc, company),
                "!", *odoo_source.received_within(bounds)]
        if split.history_ids:
            rest.append(("id", "not in", split.history_ids))
        # The expectation report's trend is the last twelve months by department; the
        # reopen rate by department counts the cases closed in the period.
        query = odoo_history.HistoryQuery(
            rest, odoo_source.utc_text(until_utc - pd.DateOffset(months=12)),
            odoo_source.utc_text(bounds[0][0]))
        data.cases = with_stand_ins(data.cases, odoo_history.read(odoo, query))
    return data


def with_stand_ins(cases: pd.DataFrame, stand_ins: pd.DataFrame) -> pd.DataFrame:
    """The canonical cases followed by the history's stand-in rows, every other column of
    which is empty with the column's own type (so no column changes type)."""
    if stand_ins.empty:
        return cases
    filled = {}
    for col in cases.columns:
        if col in stand_ins:
            filled[col] = stand_ins[col].to_numpy()
        elif col in model.CASE_INT_DEFAULTS:
            filled[col] = np.full(len(stand_ins), model.CASE_INT_DEFAULTS[col],
                                  dtype=cases[col].dtype)
        elif pd.api.types.is_bool_dtype(cases[col]):
            filled[col] = np.zeros(len(stand_ins), bool)
        else:
            filled[col] = pd.Series(None, index=stand_ins.index, dtype=cases[col].dtype)
    extra = pd.DataFrame(filled, index=stand_ins.index)[list(cases.columns)]
    return pd.concat([cases, extra], ignore_index=True)


def from_frames(cases_raw: pd.DataFrame, comps_raw: pd.DataFrame | None, label: str,
                timezone: str | None = None) -> CaseData:
    """Raw records with technical field names (``timezone`` of their datetimes; None: local)
    normalised into the canonical frames, as every source does."""
    return _finish(cases_raw, comps_raw, mapping_mod.Mapping(), label, timezone)


def load(source: str, period: Period, mapping_path: Path | None = None,
         compensations: Path | None = None, company: str | None = None,
         progress: Callable[[int], None] | None = None) -> CaseData:
    """Dispatch on --source: ``sample``, ``odoo`` or a path to a file or folder."""
    if source == "sample":
        return from_sample()
    if source == "odoo":
        try:
            return from_odoo(period, company, progress)
        except odoo_source.OdooConfigError as exc:
            raise SourceError(str(exc)) from exc
    return from_files(Path(source), compensations, mapping_path)
