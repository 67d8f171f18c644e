"""Read a CSV or XLSX export into a raw table of strings (dates may stay typed from XLSX)."""

from __future__ import annotations

import codecs
import csv
import io
import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)

# UTF-8 first (with or without BOM); GB18030 is a superset of GBK and GB2312, which is what
# Excel on a Chinese Windows writes as "ANSI" CSV.
ENCODINGS = ("utf-8-sig", "gb18030")


class FileError(ValueError):
    """The file cannot be read; the message names the file and the reason."""


def detect_encoding(path: Path, sample_bytes: int = 1 << 20) -> str:
    with path.open("rb") as fh:
        head = fh.read(sample_bytes)
    for enc in ENCODINGS:
        try:
            # final=False: a multi-byte character cut at the end of the sample is fine.
            codecs.getincrementaldecoder(enc)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return enc
    raise FileError(f"{path}: neither UTF-8 nor GBK/GB18030 text")


Select = Callable[[list[str]], list[str]]


def read_csv(path: Path, select: Select | None = None) -> pd.DataFrame:
    enc = detect_encoding(path)
    with path.open("r", encoding=enc, errors="replace", newline="") as fh:
        first = fh.readline()
    try:
        sep = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        sep = ","
    for attempt in (enc, "gb18030"):
        log.info("reading %s (%s)", path, attempt)
        try:
            usecols = None
            if select is not None:
                header = pd.read_csv(path, encoding=attempt, sep=sep, nrows=0)
                usecols = select(list(header.columns))
            return pd.read_csv(path, encoding=attempt, sep=sep, dtype=str, usecols=usecols,
                               keep_default_na=False, na_values=[""], engine="c")
        except UnicodeDecodeError:
            # The first megabyte was UTF-8 but a later part is not: read it as GBK.
            if attempt == "gb18030":
                break
        except pd.errors.ParserError as exc:
            raise FileError(f"{path}: not a readable CSV file: {exc}") from exc
    raise FileError(f"{path}: neither UTF-8 nor GBK/GB18030 text")


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
    except (ValueError, KeyError, OSError) as exc:
        raise FileError(f"{path}: not a readable XLSX file: {exc}") from exc
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
