"""Turn a raw table (file export or Odoo read) into a canonical frame.

Columns are recognised by technical name, by label (Chinese or English, as an Odoo list-view
export writes them) or through a mapping. Coded values are accepted as code or label; any
other value is kept as it is and reported as a DataIssue — never guessed into a code.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from reports import model
from reports.mapping import TableMapping
from reports.period import LOCAL_TZ

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataIssue:
    """Something in the input that the reports could not use as given."""

    table: str  # cases | compensations
    column: str
    value: str
    count: int
    problem: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: list[str]
    required: list[str]
    dates: list[str]
    bools: list[str]
    ints: list[str]
    floats: list[str]
    coded: dict[str, dict[str, model.Code]]
    labels: dict[str, tuple[str, str]]
    int_defaults: dict[str, int]
    # Recognised in an input but left out of the canonical frame: no report reads them,
    # and a million empty values each would only take memory.
    unread: frozenset[str] = frozenset()


CASES = TableSpec("cases", model.CASE_COLUMNS, model.CASE_REQUIRED, model.CASE_DATES,
                  model.CASE_BOOL, model.CASE_INT, model.CASE_FLOAT, model.CASE_CODED,
                  model.FIELD_LABELS, model.CASE_INT_DEFAULTS, frozenset(model.CASE_UNREAD))
COMPENSATIONS = TableSpec("compensations", model.COMP_COLUMNS, model.COMP_REQUIRED,
                          model.COMP_DATES, [], [], model.COMP_FLOAT, model.COMP_CODED,
                          model.COMP_FIELD_LABELS, {})

# Text columns the reports group by: stray spaces would split a group, so they are trimmed.
GROUPING = {"company_id", "category_id", "department_id", "location", "not_accepted_reason_id",
            "currency_id", "case_id", "repeat_of_id", "external_source"}

_TRUE = {"true", "1", "yes", "y", "是", "真", "t"}
_FALSE = {"false", "0", "no", "n", "否", "假", "f", ""}
# Odoo's import-compatible export names a many2one key as "field/code", "field/id", …
_SUBFIELD = re.compile(r"^(.+?)\s*/\s*(code|id|complete_name|name|display_name)$", re.IGNORECASE)


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def resolve_columns(raw_columns: list[str], spec: TableSpec,
                    mapping: TableMapping) -> tuple[dict[str, str], list[str]]:
    """Return ({raw column: field}, [raw columns not recognised])."""
    lookup: dict[str, str] = {}
    for fname in spec.columns:
        lookup[_key(fname)] = fname
        for lab in spec.labels.get(fname, ()):
            lookup[_key(lab)] = fname
    mapped = {_key(k): v for k, v in mapping.columns.items()}
    out: dict[str, str] = {}
    unknown = []
    for col in raw_columns:
        k = _key(col)
        fname = mapped.get(k) or lookup.get(k)
        if fname is None:
            m = _SUBFIELD.match(str(col).strip())
            if m:
                fname = mapped.get(_key(m.group(1))) or lookup.get(_key(m.group(1)))
        if fname is None:
            unknown.append(str(col))
        elif fname in out.values():
            first = next(c for c, f in out.items() if f == fname)
            raise ValueError(f"columns {first!r} and {col!r} both hold {fname}: which one "
                             "to read is not guessed; remove one or map it elsewhere")
        else:
            out[col] = fname
    return out, unknown


def _code_lookup(table: dict[str, model.Code], extra: dict[str, str]) -> dict[str, str]:
    out = {}
    for c in table.values():
        for variant in (c.code, c.zh, c.en, f"{c.zh} {c.en}", *c.aliases):
            out[_key(variant)] = c.code
    out.update({_key(k): v for k, v in extra.items()})
    return out


def _map_values(s: pd.Series, lookup: dict[str, str] | None, extra: dict[str, str],
                spec: TableSpec, column: str, issues: list[DataIssue]) -> pd.Series:
    """Map values through the lookup, working on the unique values only (large inputs)."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(None, index=s.index, dtype=object)
    if lookup is None and not extra:
        # Values that only group rows (references, departments): trimmed, nothing looked up.
        text = pd.Series(uniques, dtype=object).str.strip()
        values = np.append(text.where(text != "", None).to_numpy(dtype=object), [None])
        return pd.Series(values[codes], index=s.index, dtype=object)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    extra_k = {_key(k): v for k, v in extra.items()}
    mapped: list[object] = []
    for i, u in enumerate(uniques):
        text = str(u).strip()
        if lookup is None and not extra_k:
            mapped.append(text or None)
            continue
        k = _key(text)
        if k in extra_k:
            mapped.append(extra_k[k])
        elif lookup is None:
            mapped.append(text or None)
        elif k in lookup:
            mapped.append(lookup[k])
        elif k == "":
            mapped.append(None)
        else:
            mapped.append(text)
            issues.append(DataIssue(spec.name, column, text, int(counts[i]),
                                    "unknown value, kept as is"))
            log.warning("%s.%s: unknown value %r in %d row(s)", spec.name, column, text,
                        counts[i])
    arr = np.array(mapped + [None], dtype=object)[codes]  # code -1 picks the trailing None
    return pd.Series(arr, index=s.index, dtype=object)


_FAST_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                 "%Y-%m-%d %H:%M", "%Y/%m/%d")


def _as_ns(parsed: pd.Series) -> pd.Series:
    """``parsed`` as datetime64[ns], with a value outside its range (years 1677 to 2262: a
    year typed 0123, or full-width digits read as one) made NaT, so that it is listed as not
    a date instead of stopping the read."""
    if isinstance(parsed.dtype, pd.DatetimeTZDtype) or parsed.dtype == np.dtype("datetime64[ns]"):
        return parsed
    if parsed.empty or (parsed.min() >= pd.Timestamp.min and parsed.max() <= pd.Timestamp.max):
        return parsed.astype("datetime64[ns]")  # the usual case: one pass for each bound
    return parsed.where(parsed.between(pd.Timestamp.min, pd.Timestamp.max)).astype("datetime64[ns]")


# The shapes Odoo and most systems export, parsed whole-column in Arrow: (format, length,
# {position: separator}); the day of the month is written at positions 8 and 9.
_CANONICAL = (("%Y-%m-%d %H:%M:%S", 19, {4: "-", 7: "-", 10: " ", 13: ":", 16: ":"}),
              ("%Y-%m-%d", 10, {4: "-", 7: "-"}))


def _written_day(chunk: pa.Array, length: int, separators: dict[int, str]) -> np.ndarray:
    """The day of the month written in each value of ``chunk`` that has the canonical
    length and separators, -1 for any other value: read from the bytes, not parsed."""
    offsets_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    _, offsets, data = chunk.buffers()
    off = np.frombuffer(offsets, offsets_type)[chunk.offset:chunk.offset + len(chunk) + 1]
    raw = np.frombuffer(data, np.uint8) if data is not None else np.zeros(1, np.uint8)
    start = off[:-1]
    shaped = (off[1:] - start) == length
    at = start[shaped]
    for pos, sep in separators.items():
        shaped[shaped] = raw[at + pos] == ord(sep)
        at = start[shaped]
    day = np.full(len(chunk), -1, np.int64)
    day[shaped] = (raw[at + 8].astype(np.int64) - 48) * 10 + raw[at + 9] - 48
    return day


def _in_arrow(s: pd.Series) -> bool:
    """Text read by Arrow (reports.filesource) and left there."""
    return isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"


def _arrow_dates(s: pd.Series) -> np.ndarray | None:
    """datetime64[ns] of the values of Arrow-backed text written in a canonical shape, NaT
    for the rest; None when ``s`` is not Arrow-backed."""
    if not _in_arrow(s):
        return None
    text = pa.chunked_array(pa.array(s.array))
    found = None
    for fmt, length, separators in _CANONICAL:
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        # strptime rolls 2025-02-30 over to 2 March: the day it gives must be the day written.
        written = pa.chunked_array([_written_day(c, length, separators) for c in text.chunks],
                                   pa.int64())
        parsed = pc.if_else(pc.equal(pc.day(parsed), written), parsed,
                            pa.scalar(None, parsed.type))
        found = parsed if found is None else pc.coalesce(found, parsed)
        if found.null_count == text.null_count:
            break  # every value had the first shape: the usual export
    seconds = pd.Series(found.to_numpy(zero_copy_only=False).astype("datetime64[s]"))
    return _as_ns(seconds).to_numpy()


def _categorical_dates(s: pd.Series, spec: TableSpec, column: str, dayfirst: bool,
                       issues: list[DataIssue]) -> pd.Series:
    """Dates read dictionary-encoded (days without a time repeat): each distinct text is
    parsed once, and what is not a date is counted over the rows that hold it."""
    texts = pd.Series(s.cat.categories.astype(object), dtype=object)
    codes = s.cat.codes.to_numpy()
    rows = np.bincount(codes[codes >= 0], minlength=len(texts))
    found: list[DataIssue] = []
    parsed = _to_datetime(texts, spec, column, dayfirst, found).to_numpy()
    stripped = texts.astype(str).str.strip().to_numpy()
    for issue in found:
        n = int(rows[stripped == issue.value].sum())
        if n:
            issues.append(DataIssue(issue.table, issue.column, issue.value, n, issue.problem))
    return pd.Series(np.append(parsed, np.datetime64("NaT", "ns"))[codes], index=s.index)


def _to_datetime(s: pd.Series, spec: TableSpec, column: str, dayfirst: bool,
                 issues: list[DataIssue]) -> pd.Series:
    if isinstance(s.dtype, pd.CategoricalDtype):
        out = _categorical_dates(s, spec, column, dayfirst, issues)
    elif pd.api.types.is_datetime64_any_dtype(s):
        out = s
    else:
        out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        todo = (s.notna() & (s != "")).to_numpy(dtype=bool, na_value=False).copy()
        fast = _arrow_dates(s) if todo.any() else None
        if fast is not None:
            hit = ~np.isnat(fast)
            out.iloc[np.flatnonzero(hit)] = fast[hit]
            todo &= ~hit
        # Exports write one format; trying the usual ones whole-column keeps a million
        # rows fast, and only what is left goes through the slow per-value parser.
        for fmt in _FAST_FORMATS:
            if not todo.any():
                break
            idx = np.flatnonzero(todo)
            parsed = _as_ns(pd.to_datetime(s.iloc[idx].astype(object), format=fmt,
                                           errors="coerce"))
            hit = parsed.notna().to_numpy()
            out.iloc[idx[hit]] = parsed.to_numpy()[hit]
            todo[idx[hit]] = False
        if todo.any():
            idx = np.flatnonzero(todo)
            rest = s.iloc[idx].astype(object).astype(str).str.strip()
            parsed = _as_ns(pd.to_datetime(rest, format="mixed", dayfirst=dayfirst, errors="coerce"))
            hit = parsed.notna().to_numpy()
            out.iloc[idx[hit]] = parsed.to_numpy()[hit]
            bad = rest[~hit]
            bad = bad[bad != ""]
            for value, n in bad.value_counts().items():
                issues.append(DataIssue(spec.name, column, str(value), int(n),
                                        "not a date, left empty"))
            if len(bad):
                log.warning("%s.%s: %d value(s) are not dates", spec.name, column, len(bad))
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    return out.astype("datetime64[ns]")


def _on_uniques(s: pd.Series, convert) -> pd.Series:
    """Apply ``convert`` (a Series → Series of the same length) to the distinct values only:
    counts and flags repeat, so a million rows cost a few thousand conversions."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    converted = convert(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
    values = np.append(converted, [None])  # code -1 (missing) picks the trailing None
    return pd.Series(values[codes], index=s.index, dtype=object)


def _to_number(s: pd.Series, spec: TableSpec, column: str, issues: list[DataIssue],
               integer: bool, default: int = 0) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        out = s.astype(float)
    else:
        def convert(u: pd.Series) -> pd.Series:
            # Thousands separators and padding are common in exports.
            text = u.astype(str).str.replace(",", "", regex=False).str.strip()
            return pd.to_numeric(text, errors="coerce").astype(float)

        out = _on_uniques(s, convert).astype(float)
        bad = s[out.isna() & s.notna()]
        bad = bad[bad.astype(str).str.strip() != ""]
        for value, n in bad.value_counts().items():
            issues.append(DataIssue(spec.name, column, str(value), int(n),
                                    f"not a number, read as {default}" if integer else
                                    "not a number, left empty"))
    if integer:
        return out.fillna(default).round().astype("int64")
    return out


def _to_bool(s: pd.Series, spec: TableSpec, column: str,
             issues: list[DataIssue]) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return s.astype(bool)
    text = _on_uniques(s.fillna(""), lambda u: u.astype(str).str.strip().str.casefold())
    out = text.isin(_TRUE)
    bad = s[~out & ~text.isin(_FALSE)]
    for value, n in bad.value_counts().items():
        issues.append(DataIssue(spec.name, column, str(value), int(n),
                                "not a yes/no value, read as no"))
    return out.astype(bool)


def normalize(raw: pd.DataFrame, spec: TableSpec, mapping: TableMapping,
              issues: list[DataIssue], *, timezone: str | None = None,
              local_tz: str = LOCAL_TZ, dayfirst: bool = False) -> pd.DataFrame:
    """Canonical frame for ``spec`` from ``raw``; problems are appended to ``issues``.

    The columns of ``raw`` are taken out of it as they are converted, so that a million-row
    table is never held twice; what is left in ``raw`` is the columns not read.
    Raises ValueError when a required column is missing.
    """
    columns, unknown = resolve_columns(list(raw.columns), spec, mapping)
    for col in unknown:
        issues.append(DataIssue(spec.name, col, "", len(raw), "column not recognised, ignored"))
        log.info("%s: column %r not recognised, ignored", spec.name, col)
    present = {_key(c) for c in raw.columns}
    for theirs, fname in mapping.columns.items():
        if (_key(theirs) not in present and fname not in columns.values()
                and fname not in model.CASE_UNREAD):
            # The mapping promised this column; without it the field is empty in every row.
            issues.append(DataIssue(spec.name, theirs, "", len(raw),
                                    f"column named in the mapping (→ {fname}) is not in the "
                                    "file: read as empty"))
            log.warning("%s: column %r of the mapping (→ %s) is not in the file: read as "
                        "empty", spec.name, theirs, fname)
    n, index = len(raw), raw.index
    given = {fname: col for col, fname in columns.items()}
    for fname in mapping.defaults:
        given.setdefault(fname, None)
    missing = [c for c in spec.required if c not in given]
    if missing:
        labels = [f"{c} ({'/'.join(spec.labels.get(c, ()))})" for c in missing]
        raise ValueError(f"{spec.name}: required column(s) missing: {', '.join(labels)}; "
                         f"columns found: {', '.join(map(str, raw.columns))}")
    out = {}
    for fname in spec.columns:
        if fname in spec.unread:
            if given.get(fname) is not None:
                del raw[given[fname]]
            continue
        if fname not in given:
            if fname in spec.bools:
                out[fname] = pd.Series(np.zeros(n, bool), index=index)
            elif fname in spec.ints:
                out[fname] = pd.Series(np.full(n, spec.int_defaults.get(fname, 0), "int64"),
                                       index=index)
            elif fname in spec.floats:
                out[fname] = pd.Series(np.full(n, np.nan), index=index)
            elif fname in spec.dates:
                out[fname] = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
            else:
                out[fname] = pd.Series(None, index=index, dtype=object)
            continue
        s = (raw.pop(given[fname]) if given[fname] is not None
             else pd.Series(mapping.defaults[fname], index=index))
        extra = mapping.values.get(fname, {})
        mapped = fname in spec.coded or fname in GROUPING or bool(extra)  # value by value
        if isinstance(s.dtype, pd.CategoricalDtype) and not (mapped or fname in spec.dates):
            # Repeating values read once (reports.filesource): coded values are mapped on
            # the categories alone; any other column is converted as plain values.
            s = s.astype(object)
        if fname in spec.dates:
            s = _to_datetime(s, spec, fname, dayfirst, issues)
            if timezone and timezone != local_tz:
                s = (s.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
                     .dt.tz_convert(local_tz).dt.tz_localize(None))
        elif fname in spec.bools:
            s = _to_bool(s, spec, fname, issues)
        elif fname in spec.ints or fname in spec.floats:
            s = _to_number(s, spec, fname, issues, fname in spec.ints,
                           spec.int_defaults.get(fname, 0))
        elif mapped:
            lookup = _code_lookup(spec.coded[fname], {}) if fname in spec.coded else None
            s = _map_values(s, lookup, extra, spec, fname, issues)
        else:
            # Free text is kept as written; only values that group rows are tidied.
            arrow = _in_arrow(s)
            # Arrow makes the Python strings itself, a third faster than pandas' astype.
            s = (pd.Series(pa.array(s).to_numpy(zero_copy_only=False), index=s.index,
                           dtype=object) if arrow
                 else s.astype(object).where(s.notna(), None))
            if arrow:
                # The column's Arrow buffers are gone: hand their memory back now, or the
                # longest texts are held twice, as Arrow text and as Python strings.
                pa.default_memory_pool().release_unused()
        out[fname] = s
    frame = pd.DataFrame(out, index=index).reset_index(drop=True)
    if "repeat_count" in frame:
        frame["repeat_count"] = frame["repeat_count"].clip(lower=1)
    return frame
