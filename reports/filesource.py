"""Read a CSV or XLSX export into a raw table of strings (dates may stay typed from XLSX)."""

from __future__ import annotations

import codecs
import csv
import io
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import compute as pc
from pyarrow import csv as pa_csv

log = logging.getLogger(__name__)

# UTF-8 first (with or without BOM); GB18030 is a superset of GBK and GB2312, which is what
# Excel on a Chinese Windows writes as "ANSI" CSV.
ENCODINGS = ("utf-8-sig", "gb18030")


class FileError(ValueError):
    """The file cannot be read; the message names the file and the reason."""


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def detect_encoding(path: Path, sample_bytes: int = 1 << 20) -> str:
    with path.open("rb") as fh:
        head = fh.read(sample_bytes)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text": the byte-order mark says which
    if b"\x00" in head:
        # UTF-16 without a byte-order mark would decode as GB18030 garbage full of NULs;
        # which byte order it is cannot be told for sure, so it is not guessed.
        raise FileError(f"{path}: NUL bytes: looks like UTF-16 without a byte-order mark; "
                        "save it as UTF-8 (or UTF-16 with BOM)")
    for enc in ENCODINGS:
        try:
            # final=False: a multi-byte character cut at the end of the sample is fine.
            codecs.getincrementaldecoder(enc)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return enc
    raise FileError(f"{path}: neither UTF-8 nor GBK/GB18030 text")


Select = Callable[[list[str]], list[str]]


_DELIMITERS = ",;\t"
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _header(path: Path, enc: str) -> tuple[str, list[str]]:
    """The delimiter and the column names of the first line."""
    with path.open("r", encoding=enc, errors="replace", newline="") as fh:
        first = fh.readline()
    if not first.strip():
        raise FileError(f"{path}: the first line is empty: no header row")
    try:
        sep = csv.Sniffer().sniff(first, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sep = ","
    names = next(csv.reader([first.rstrip("\r\n")], delimiter=sep))
    seen: dict[str, int] = {}
    for i, name in enumerate(names, 1):
        key = name.strip()
        if not key:
            raise FileError(f"{path}: column {i} has no name in the header row")
        if key in seen:
            raise FileError(f"{path}: column {key!r} appears twice in the header row "
                            f"(columns {seen[key]} and {i}): which one holds the data is "
                            "not guessed")
        seen[key] = i
    return sep, names


def _last_line_complete(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return True
        fh.seek(-1, 2)
        return fh.read(1) in (b"\n", b"\r")


def _check_field_counts(path: Path, sep: str, fields: int, chunk: int = 1 << 26) -> None:
    """Refuse a row with more or fewer fields than the header: pandas would drop surplus
    fields and leave missing ones empty without a word. One vectorised pass over the bytes
    (delimiters and line breaks outside double quotes); works for UTF-8 and GB18030, whose
    multi-byte characters never contain these ASCII bytes."""
    sep_b = ord(sep)
    inside = np.uint8(0)
    carry = 0  # delimiters of the row running across the chunk boundary
    carry_len = 0
    tail = b""
    row = 1
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            a = np.frombuffer(block, np.uint8)
            quotes = a == 34  # '"'
            if quotes.any():
                state = (np.cumsum(quotes, dtype=np.uint8) & 1) ^ inside
                inside = state[-1]
                out = state == 0
                nl = np.flatnonzero((a == 10) & out)
                dl = np.flatnonzero((a == sep_b) & out)
            elif inside:  # the whole block lies inside one quoted field
                nl = dl = np.array([], dtype=np.intp)
            else:  # no quote at all (the usual export): no state to track
                nl = np.flatnonzero(a == 10)
                dl = np.flatnonzero(a == sep_b)
            before = np.searchsorted(dl, nl)
            per_row = np.diff(np.concatenate([[0], before]))
            if len(per_row):
                per_row[0] += carry
                starts = np.concatenate([[-1], nl[:-1]]) + 1
                length = nl - starts
                length[0] += carry_len
                blank = length <= 1  # an empty line (or a lone CR): pandas skips it
                bad = np.flatnonzero((per_row != fields - 1) & ~blank)
                if row == 1:
                    bad = bad[bad > 0]  # the header row itself
                if len(bad):
                    i = int(bad[0])
                    text = (tail if i == 0 else b"") + block[starts[i]:nl[i]]
                    _ragged(path, sep, fields, row + i, int(per_row[i]) + 1, text)
                row += len(nl)
                carry = len(dl) - int(before[-1])
                carry_len = len(block) - int(nl[-1]) - 1
                tail = block[nl[-1] + 1:]
            else:
                carry += len(dl)
                carry_len += len(block)
                tail += block
            if len(tail) > 4096:
                tail = tail[:4096]
    if carry_len > 0 and carry != fields - 1 and tail.strip():
        _ragged(path, sep, fields, row, carry + 1, tail)


def _ragged(path: Path, sep: str, fields: int, row: int, found: int, text: bytes) -> None:
    others = [d for d in _DELIMITERS if d != sep and text.count(d.encode()) >= fields - 1 > 0]
    hint = (f" — it is separated by {_DELIMITER_NAMES[others[0]]}s (mixed delimiters)"
            if others else "")
    raise FileError(f"{path}: row {row} has {found} field(s) where the header has {fields} "
                    f"({_DELIMITER_NAMES[sep]}-separated){hint}")


_SAMPLE_BYTES = 1 << 22


def _parse_options(sep: str) -> pa_csv.ParseOptions:
    # Exports hold line breaks inside quoted descriptions.
    return pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True)


def _convert_options(columns: list[str], types: dict[str, pa.DataType]) -> pa_csv.ConvertOptions:
    # An empty field, quoted or not, is a missing value, as the careful reader reads it.
    return pa_csv.ConvertOptions(include_columns=columns, column_types=types, null_values=[""],
                                 strings_can_be_null=True, quoted_strings_can_be_null=True)


def _repeating(path: Path, sep: str, columns: list[str]) -> set[str]:
    """The columns whose values repeat in the first few megabytes (codes, names of
    departments, dates without a time): those are kept once per distinct value."""
    with path.open("rb") as fh:
        head = fh.read(_SAMPLE_BYTES)
    head = head[:head.rfind(b"\n") + 1]
    try:
        sample = pa_csv.read_csv(
            pa.BufferReader(head), parse_options=_parse_options(sep),
            convert_options=_convert_options(columns, dict.fromkeys(columns, pa.string())))
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        return set()  # the sample cut a quoted line break: nothing is lost but memory
    if sample.num_rows < 100:
        return set()
    # Names of people repeat over a million rows even when a sample shows most of them once;
    # only what is (nearly) unique among the values given, references and times, is left
    # plain.
    out = set()
    for c in columns:
        values = sample.column(c)
        given = len(values) - values.null_count
        if given and pc.count_distinct(values).as_py() <= given * 0.9:
            out.add(c)
    return out


def _read_arrow(path: Path, sep: str, columns: list[str]) -> pd.DataFrame | None:
    """The table read by Arrow's multi-threaded reader, strict about field counts and UTF-8;
    None when it refuses the file, which the careful reader then reads or explains.

    Every value is text until normalised. A column whose values repeat is read
    dictionary-encoded, each distinct value held once."""
    repeating = _repeating(path, sep, columns)
    types = {c: pa.dictionary(pa.int32(), pa.string()) if c in repeating else pa.string()
             for c in columns}
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(use_threads=True, block_size=1 << 22),
            parse_options=_parse_options(sep),
            convert_options=_convert_options(columns, types))
    except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
        log.info("%s: %s; reading it again the careful way", path, _one_line(exc))
        return None
    if table.column_names != columns:
        return None
    # Repeating columns become categoricals; the rest stays in Arrow, where dates are parsed
    # without a Python string per value (reports.normalize).
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def read_csv(path: Path, select: Select | None = None) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise FileError(f"{path}: the file is empty (0 bytes)")
    enc = detect_encoding(path)
    sep, names = _header(path, enc)
    usecols = select(list(names)) if select is not None and enc != "utf-16" else None
    frame = None
    if enc == "utf-8-sig":
        # A well-formed UTF-8 export (the usual case) is read on every core; anything Arrow
        # refuses (a ragged row, GBK further down) goes the careful way below, which reads
        # it or names the row and the reason.
        log.info("reading %s (utf-8)", path)
        frame = _read_arrow(path, sep, usecols if usecols is not None else names)
    if frame is None:
        frame = _read_careful(path, enc, sep, names, usecols)
    if not _last_line_complete(path):
        frame.attrs["truncated"] = True
    return frame


def _read_careful(path: Path, enc: str, sep: str, names: list[str],
                  usecols: list[str] | None) -> pd.DataFrame:
    if enc != "utf-16":  # UTF-16 is read whole, where pandas itself refuses surplus fields
        _check_field_counts(path, sep, len(names))
    # Only UTF-8 falls back to GB18030 (a later part of the file may be GBK); UTF-16 and
    # GB18030 either decode or are not what the file is.
    for attempt in ((enc, "gb18030") if enc == "utf-8-sig" else (enc,)):
        log.info("reading %s (%s)", path, attempt)
        try:
            return pd.read_csv(path, encoding=attempt, sep=sep, dtype=str, usecols=usecols,
                               keep_default_na=False, na_values=[""], engine="c")
        except UnicodeError:
            # The first megabyte was UTF-8 but a later part is not: read it as GBK.
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
            raise FileError(f"{path}: not a readable CSV file: {_one_line(exc)}") from exc
        except ValueError as exc:  # e.g. usecols naming a column the parser did not see
            raise FileError(f"{path}: not a readable CSV file: {_one_line(exc)}") from exc
    cut = "" if _last_line_complete(path) else (
        " (it ends without a line break, inside a character: the file looks cut off)")
    raise FileError((f"{path}: not valid UTF-16 text" if enc == "utf-16" else
                     f"{path}: neither UTF-8 nor GBK/GB18030 text") + cut)


def _cell_text(v: object) -> object:
    if isinstance(v, pd.Timestamp):
        return v
    if pd.isna(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # phone numbers and references stored as numbers
    return str(v)


def read_xlsx(path: Path, sheet: str | int = 0) -> pd.DataFrame:
    log.info("reading %s", path)
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 — zip, XML and openpyxl errors alike
        raise FileError(f"{path}: not a readable XLSX file: {_one_line(exc)}") from exc
    # pandas renames a repeated header to "x.1": the raw header row tells.
    raw = pd.read_excel(path, sheet_name=sheet, header=None, nrows=1, dtype=object,
                        engine="openpyxl")
    names = [str(c).strip() for c in raw.iloc[0].tolist() if not pd.isna(c)] if len(raw) else []
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise FileError(f"{path}: column {dupes[0]!r} appears more than once in the header "
                        "row: which one holds the data is not guessed")
    # Text columns keep their text; cells Excel holds as numbers become strings here.
    for col in frame.columns:
        s = frame[col]
        if s.map(lambda v: isinstance(v, pd.Timestamp) or pd.isna(v)).all():
            continue
        frame[col] = s.map(_cell_text)
    return frame


def read_table(path: Path, select: Select | None = None) -> pd.DataFrame:
    """The table in ``path``; ``select`` picks the columns worth parsing from the header."""
    path = Path(path)
    if not path.exists():
        raise FileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frame = read_xlsx(path)
        return frame[select(list(frame.columns))] if select else frame
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path, select)
    raise FileError(f"{path}: expected a .csv or .xlsx file")


def read_bytes_csv(data: bytes) -> pd.DataFrame:
    """Small helper for tests and pipes: CSV bytes in either encoding."""
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    raise FileError("neither UTF-8 nor GBK/GB18030 text")
