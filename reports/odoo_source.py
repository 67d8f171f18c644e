"""Read complaint.case and complaint.compensation from Odoo through odoorpc.

Configuration comes from ODOO_URL (e.g. http://127.0.0.1:8069), ODOO_DB, ODOO_USER and
ODOO_PASSWORD. Only the fields the reports use are read, in pages; the quarterly reading
(``read_periods``) takes as rows only the periods the documents list or compare with, the
rest of the history being counted by reports.odoo_history. Many2one values become their
stable keys (channel and remedy type codes, the category's complete name, otherwise the
display name); datetimes come as UTC and are turned into the
company's local time by the caller's normalisation.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd

import odoo_connection
from reports.model import CASE_BOOL, CASE_READ, CASE_READ_EARLIER, COMP_ACCOUNTING, COMP_COLUMNS

log = logging.getLogger(__name__)

BATCH = 5000
ENV_VARS = ("ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_PASSWORD")


class OdooConfigError(RuntimeError):
    """Odoo is asked for but not configured or not reachable."""


@dataclass(frozen=True)
class OdooConfig:
    url: str
    db: str
    user: str
    password: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> OdooConfig:
        env = dict(os.environ if env is None else env)
        missing = [v for v in ENV_VARS if not env.get(v)]
        if missing:
            raise OdooConfigError(
                "--source odoo needs the environment variables "
                + ", ".join(ENV_VARS) + f"; not set: {', '.join(missing)}. "
                "Example: ODOO_URL=http://127.0.0.1:8069 ODOO_DB=complaints "
                "ODOO_USER=admin ODOO_PASSWORD=… — or use --source sample or a file.")
        return cls(env["ODOO_URL"], env["ODOO_DB"], env["ODOO_USER"], env["ODOO_PASSWORD"])

    @staticmethod
    def configured(env: dict[str, str] | None = None) -> bool:
        env = dict(os.environ if env is None else env)
        return all(env.get(v) for v in ENV_VARS)


_BOOLEAN = set(CASE_BOOL)
# Related records whose stable key is not the display name: model → key field.
_KEYED = {"channel_id": ("complaint.channel", "code"),
          "category_id": ("complaint.category", "complete_name"),
          "remedy_type_id": ("complaint.remedy.type", "code")}


def connect(cfg: OdooConfig):  # returns odoorpc.ODOO; typed loosely to keep odoorpc optional
    """Log in with the shared connection helper (reads can take minutes: long timeout)."""
    try:
        odoo_connection.parse_url(cfg.url)
    except odoo_connection.OdooConnectionError as exc:
        raise OdooConfigError(f"ODOO_URL {cfg.url!r}: expected http(s)://host[:port]") from exc
    try:
        return odoo_connection.connect(cfg.url, cfg.db, cfg.user, cfg.password, timeout=300)
    except odoo_connection.OdooConnectionError as exc:
        raise OdooConfigError(f"cannot log in to Odoo ({exc.kind}): {exc}") from exc


def _keys(odoo, model: str, field: str) -> dict[int, str]:
    rows = odoo.execute_kw(model, "search_read", [[]],
                           {"fields": [field], "context": {"active_test": False}})
    return {r["id"]: r[field] for r in rows}


def _batches(odoo, model: str, domain: list, fields: list[str],
             progress: Callable[[int], None] | None) -> Iterator[list[dict]]:
    total = odoo.execute_kw(model, "search_count", [domain])
    log.info("%s: %d records to read", model, total)
    for offset in range(0, total, BATCH):
        rows = odoo.execute_kw(model, "search_read", [domain],
                               {"fields": fields, "offset": offset, "limit": BATCH,
                                "order": "id"})
        if progress:
            progress(len(rows))
        yield rows


def _flatten(rows: list[dict], keyed: dict[str, dict[int, str]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows)
    for col in frame.columns:
        s = frame[col]
        if col in keyed:
            table = keyed[col]
            # Fall back to the display name for a record outside the key table.
            frame[col] = s.map(lambda v, t=table: t.get(v[0], v[1]) if v else None)
        elif s.map(lambda v: isinstance(v, list)).any():
            frame[col] = s.map(lambda v: v[1] if isinstance(v, list) and v else None)
        elif col not in _BOOLEAN:
            # Odoo sends False for an empty char, date, selection or number.
            frame[col] = s.astype(object).map(lambda v: None if v is False else v)
    return frame


def utc_text(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d %H:%M:%S")


def _within(field: str, bounds: list[tuple[pd.Timestamp, pd.Timestamp]]) -> list:
    """``field`` in any of the [since, until) UTC ranges, as one domain."""
    terms = [t for a, b in bounds for t in ("&", (field, ">=", utc_text(a)), (field, "<", utc_text(b)))]
    return ["|"] * (len(bounds) - 1) + terms


def received_within(bounds: list[tuple[pd.Timestamp, pd.Timestamp]]) -> list:
    return _within("date_received", bounds)


def window_domain(since: pd.Timestamp, until: pd.Timestamp, company: str | int | None) -> list:
    """The company's cases received in [since, until) (UTC)."""
    return [*_company_domain(company), ("date_received", ">=", utc_text(since)),
            ("date_received", "<", utc_text(until))]


def _company_domain(company: str | int | None) -> list:
    if isinstance(company, int):
        return [("company_id", "=", company)]
    if company:
        return [("company_id.name", "=", company)]
    return []


# Pages asked for at once: Odoo prepares one while the previous one travels and is turned
# into a frame here.
IN_FLIGHT = 2


def _pages(odoo, model: str, domain: list, fields: list[str],
           progress: Callable[[int], None] | None) -> Iterator[list[dict]]:
    """The records of ``domain`` by ascending id, ``read`` in pages of BATCH ids: the ids
    come first (one cheap search), so the pages do not wait for each other and IN_FLIGHT of
    them are read at once, in order."""
    ids = odoo.execute_kw(model, "search", [domain], {"order": "id"})
    log.info("%s: %d records to read", model, len(ids))
    chunks = [ids[i:i + BATCH] for i in range(0, len(ids), BATCH)]

    def read(chunk: list[int]) -> list[dict]:
        return odoo.execute_kw(model, "read", [chunk, fields])

    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        for rows in pool.map(read, chunks):
            if progress:
                progress(len(rows))
            yield rows


@dataclass(frozen=True)
class SplitRead:
    """Raw records of the periods read as rows, and the ids of the other cases read as rows
    (history cases with a compensation dated in those periods)."""

    cases: pd.DataFrame
    compensations: pd.DataFrame
    history_ids: list[int]


def read_periods(odoo, window: tuple[pd.Timestamp, pd.Timestamp],
                 periods: list[tuple[pd.Timestamp, pd.Timestamp]],
                 company: str | int | None = None,
                 progress: Callable[[int], None] | None = None) -> SplitRead:
    """The cases received in ``periods`` (UTC bounds) as rows, with every field the
    documents read, and the compensations the documents of those periods count: those of
    these cases, and those of any case received in ``window`` submitted, approved or paid in
    one of the periods (their cases are read as rows too)."""
    keyed = {col: _keys(odoo, model, field) for col, (model, field) in _KEYED.items()}
    company_cases = _company_domain(company)
    case_window = window_domain(*window, company)
    known = odoo.execute_kw("complaint.compensation", "fields_get", [COMP_ACCOUNTING],
                            {"attributes": ["type"]})
    comp_fields = [f for f in COMP_COLUMNS
                   if f != "company_id" and (f not in COMP_ACCOUNTING or f in known)]
    dated = [_within(field, periods) for field in ("case_id.date_received", "date_submitted",
                                                   "date_approved", "date_paid")]
    comp_domain = ([("case_id." + f, op, v) for f, op, v in case_window]
                   + ["|"] * (len(dated) - 1) + [t for d in dated for t in d])
    comp_rows = [r for batch in _pages(odoo, "complaint.compensation", comp_domain,
                                       ["id", *comp_fields], progress) for r in batch]
    comp_cases = {r["case_id"][0] for r in comp_rows if r["case_id"]}
    in_periods = set(odoo.execute_kw(
        "complaint.case", "search",
        [[*company_cases, ("id", "in", sorted(comp_cases)), *_within("date_received", periods)]]))
    history_ids = sorted(comp_cases - in_periods)
    # The reported period with every field the documents read; the earlier periods, and
    # the history cases read for their compensation, with what they are compared on.
    reads = [(_within("date_received", periods[:1]), ["id", *CASE_READ])]
    earlier = _within("date_received", periods[1:]) if len(periods) > 1 else []
    if history_ids:
        earlier = ["|", ("id", "in", history_ids), *earlier] if earlier else [
            ("id", "in", history_ids)]
    if earlier:
        reads.append((earlier, ["id", *CASE_READ_EARLIER]))
    frames = []
    for domain, fields in reads:
        frames += [_flatten(b, keyed) for b in _pages(odoo, "complaint.case",
                                                      [*case_window, *domain], fields, progress)]
    cases = (pd.concat(frames, ignore_index=True) if frames
             else pd.DataFrame(columns=["id", *CASE_READ]))
    for col in CASE_BOOL:  # not read for the earlier periods: no
        if col in cases:
            cases[col] = cases[col].astype(object).where(cases[col].notna(), False)
    keyed["case_id"] = dict(zip(cases["id"], cases["name"], strict=True))
    company_of = dict(zip(cases["id"], cases.get("company_id", pd.Series(None, index=cases.index)),
                          strict=True))
    if comp_rows:
        comps = _flatten(comp_rows, keyed)
        comps["company_id"] = [company_of.get(r["case_id"][0]) if r["case_id"] else None
                               for r in comp_rows]
    else:
        comps = pd.DataFrame(columns=COMP_COLUMNS)
    return SplitRead(cases.drop(columns=["id"], errors="ignore"),
                     comps.drop(columns=["id"], errors="ignore"), history_ids)


def read(cfg: OdooConfig, since: pd.Timestamp, until: pd.Timestamp,
         company: str | int | None = None,
         progress: Callable[[int], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cases received in [since, until) (UTC bounds) and their compensations, raw."""
    return read_with(connect(cfg), since, until, company, progress)


def read_with(odoo, since: pd.Timestamp, until: pd.Timestamp, company: str | int | None = None,
              progress: Callable[[int], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """As :func:`read`, over an odoorpc connection already logged in (the sync worker's).
    ``company``: the company's name, or its id."""
    keyed = {col: _keys(odoo, model, field) for col, (model, field) in _KEYED.items()}
    domain = [("date_received", ">=", since.strftime("%Y-%m-%d %H:%M:%S")),
              ("date_received", "<", until.strftime("%Y-%m-%d %H:%M:%S"))]
    if isinstance(company, int):
        domain.append(("company_id", "=", company))
    elif company:
        domain.append(("company_id.name", "=", company))
    case_fields = ["id", *CASE_READ]
    frames = [_flatten(b, keyed)
              for b in _batches(odoo, "complaint.case", domain, case_fields, progress) if b]
    cases = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=case_fields)
    # A case is referred to by its reference, which the display name need not be.
    keyed["case_id"] = dict(zip(cases["id"], cases["name"], strict=True))
    company_of = dict(zip(cases["id"], cases.get("company_id", pd.Series(None, index=cases.index)),
                          strict=True))
    comp_domain = [("case_id." + f, op, v) for f, op, v in domain]
    # The accounting figures exist only where compensation is paid through Odoo Accounting.
    known = odoo.execute_kw("complaint.compensation", "fields_get", [COMP_ACCOUNTING],
                            {"attributes": ["type"]})
    fields = [f for f in COMP_COLUMNS
              if f != "company_id" and (f not in COMP_ACCOUNTING or f in known)]
    frames = []
    for batch in _batches(odoo, "complaint.compensation", comp_domain, fields, progress):
        if batch:
            frame = _flatten(batch, keyed)
            # The case's company, read before the case id becomes its reference.
            frame["company_id"] = [company_of.get(r["case_id"][0]) if r["case_id"] else None
                                   for r in batch]
            frames.append(frame)
    comps = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COMP_COLUMNS)
    return cases.drop(columns=["id"], errors="ignore"), comps.drop(columns=["id"], errors="ignore")
