"""Shared layout: bilingual headers, number formats, CJK-aware widths, A4 print setup."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FONT = "等线"  # Excel's default CJK font on Chinese Windows; LibreOffice substitutes
TITLE = Font(name=FONT, size=14, bold=True)
SECTION = Font(name=FONT, size=11, bold=True, color="1F4E78")
HEADER = Font(name=FONT, size=10, bold=True, color="FFFFFF")
BODY = Font(name=FONT, size=10)
NOTE = Font(name=FONT, size=9, italic=True, color="595959")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
SUBTOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
WARN_FILL = PatternFill("solid", fgColor="FCE4D6")
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

INT = "#,##0"
PCT = "0.0%"
MONEY = "#,##0.00"
DEC1 = "#,##0.0"
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Col:
    """A table column: the frame key, its two labels, its number format, a width cap."""

    key: str
    zh: str
    en: str
    fmt: str | None = None
    max_width: int = 40


def text_width(value: object) -> int:
    """Display width in Excel character units: CJK and full-width characters count two."""
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, (datetime, pd.Timestamp)):
        return 16
    s = str(value)
    return max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                for line in s.split("\n")), default=0)


def cell_value(v: object) -> object:
    """A value openpyxl can write: NaN/NaT to empty, numpy scalars to Python."""
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item") and not isinstance(v, (str, bytes, date)):
        return v.item()
    if isinstance(v, str):
        return _ILLEGAL.sub("", v)
    return v


def title(ws: Worksheet, text: str, subtitle: str, ncols: int) -> int:
    ws.cell(1, 1, text).font = TITLE
    ws.cell(2, 1, subtitle).font = NOTE
    if ncols > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.row_dimensions[1].height = 24
    return 4


def section(ws: Worksheet, row: int, text: str) -> int:
    ws.cell(row, 1, text).font = SECTION
    return row + 1


def header(ws: Worksheet, row: int, cols: Sequence[Col], col0: int = 1) -> int:
    for j, c in enumerate(cols):
        cell = ws.cell(row, col0 + j, f"{c.zh}\n{c.en}")
        cell.font, cell.fill, cell.alignment, cell.border = HEADER, HEADER_FILL, CENTER, BOX
    ws.row_dimensions[row].height = 30
    return row + 1


def table(ws: Worksheet, row: int, cols: Sequence[Col], frame: pd.DataFrame,
          subtotal: pd.Series | None = None, col0: int = 1) -> int:
    """Header plus one row per frame row; returns the next free row."""
    row = header(ws, row, cols, col0)
    if frame.empty:
        ws.cell(row, col0, "(无数据) (no data)").font = NOTE
        return row + 2
    values = [frame[c.key].tolist() if c.key in frame else [None] * len(frame) for c in cols]
    flags = subtotal.tolist() if subtotal is not None else [False] * len(frame)
    # Setting font/border/format through openpyxl's descriptors hashes the style objects on
    # every cell; long tables copy the style array of a first, fully styled cell instead.
    protos: dict[tuple[int, bool], object] = {}
    for i in range(len(frame)):
        for j, c in enumerate(cols):
            cell = ws.cell(row + i, col0 + j, cell_value(values[j][i]))
            key = (j, bool(flags[i]))
            proto = protos.get(key)
            if proto is not None:
                cell._style = copy(proto)
                continue
            cell.font, cell.border = BODY, BOX
            if c.fmt:
                cell.number_format = c.fmt
            if flags[i]:
                cell.fill = SUBTOTAL_FILL
                cell.font = Font(name=FONT, size=10, bold=True)
            protos[key] = copy(cell._style)
    return row + len(frame) + 1


def fit_columns(ws: Worksheet, minimum: int = 8, maximum: int = 60,
                skip_rows: Iterable[int] = (1, 2)) -> None:
    """Widths that fit the longest value of each column (CJK counted double)."""
    skip = set(skip_rows)
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.row in skip or cell.value is None:
                continue
            if cell.font.sz != BODY.sz:  # titles, sections and notes may run across columns
                continue
            w = text_width(cell.value)
            if cell.number_format in (PCT,):
                w = 7
            widths[cell.column] = max(widths.get(cell.column, 0), w)
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(minimum, min(maximum, w + 2))


def print_a4(ws: Worksheet, landscape: bool = False, title_rows: str | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"
    if title_rows:
        ws.print_title_rows = title_rows


def finish(ws: Worksheet, freeze: str | None, landscape: bool = False,
           title_rows: str | None = None) -> None:
    fit_columns(ws)
    if freeze:
        ws.freeze_panes = freeze
    print_a4(ws, landscape, title_rows)


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 characters, none of []:*?/\\)."""
    base = _SHEET_BAD.sub("_", text).strip("'") or "Sheet"
    base = base[:31]
    name, i = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({i})"
        name = base[:31 - len(suffix)] + suffix
        i += 1
    taken.add(name)
    return name


def subtitle(company: str, period_code: str, as_of: pd.Timestamp | None, source: str) -> str:
    when = as_of.strftime("%Y-%m-%d %H:%M") if as_of is not None else "-"
    return (f"公司 Company: {company}    期间 Period: {period_code}    "
            f"数据截至 Data as of: {when}    来源 Source: {source}")
