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

SIDE_MARGIN_IN = 0.3  # left and right page margins, inches
WRAP_WIDTH = 20  # column width of wrapped free text
INT = "#,##0"
PCT = "0.0%"
MONEY = "#,##0.00"
DEC1 = "#,##0.0"
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
# A difference of two rates in percentage points: 0.027 → 2.7 pp is stored as 2.7.
PP = '+0.0" pp";-0.0" pp";0.0" pp"'

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Col:
    """A table column: the frame key, its two labels, its number format, a width cap."""

    key: str
    zh: str
    en: str
    fmt: str | None = None
    max_width: int = 40
    wrap: bool = False  # long free text: wrapped at WRAP_WIDTH, the row grows


class _WideOnly(dict):
    """A ``str.translate`` table that keeps the wide (CJK, full-width) characters and drops
    every other one, each character looked up in the Unicode database once: counting wide
    characters is then one translate in C instead of a Python step per character."""

    def __missing__(self, code: int) -> int | None:
        keep = code if unicodedata.east_asian_width(chr(code)) in "WF" else None
        self[code] = keep
        return keep


_WIDE_ONLY = _WideOnly()


def text_width(value: object) -> int:
    """Display width in Excel character units: CJK and full-width characters count two."""
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, (datetime, pd.Timestamp)):
        return 16
    s = str(value)
    if s.isascii():
        return max(map(len, s.split("\n")))
    return max(len(line) + len(line.translate(_WIDE_ONLY)) for line in s.split("\n"))


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
    """Title (row 1) and subtitle (row 2) across the first ``ncols`` columns, wrapped: their
    row heights follow the text once the column widths are known (fit_row_heights)."""
    top = Alignment(wrap_text=True, vertical="top")
    for row, value, font in ((1, text, TITLE), (2, subtitle, NOTE)):
        cell = ws.cell(row, 1, value)
        cell.font, cell.alignment = font, top
        if ncols > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    ws.row_dimensions[1].height = 24
    return 4


# Printed line height in points per font size: CJK fonts need about 1.45 × the size.
def _line_height(size: float | None) -> float:
    return 1.45 * float(size or BODY.sz) + 0.5


def column_width(ws: Worksheet, col: int) -> float:
    letter = get_column_letter(col)
    if letter in ws.column_dimensions and ws.column_dimensions[letter].width:
        return float(ws.column_dimensions[letter].width)
    return 8.43  # Excel's default


@dataclass(frozen=True)
class _Look:
    """What the width and height rules read of a cell's style."""

    size: float | None  # font size
    wrap: bool
    header: bool  # the header fill
    percent: bool  # number format PCT


def _looks(ws: Worksheet):
    """The _Look of a cell, computed once per distinct style: reading font, fill and
    alignment through openpyxl's descriptors costs a proxy object per cell."""
    wb = ws.parent
    seen: dict[tuple[int, int, int, int], _Look] = {}

    def look(cell) -> _Look:
        st = cell._style
        key = (st.fontId, st.fillId, st.alignmentId, st.numFmtId)
        found = seen.get(key)
        if found is None:
            align = wb._alignments[st.alignmentId]
            found = seen[key] = _Look(wb._fonts[st.fontId].sz,
                                      bool(align is not None and align.wrap_text),
                                      wb._fills[st.fillId] == HEADER_FILL,
                                      cell.number_format in (PCT,))
        return found
    return look


def fit_row_heights(ws: Worksheet, first: int = 1, last: int | None = None) -> None:
    """Row heights that show every line of wrapped and merged cells whole (printing does not
    grow rows by itself: text would overlap the next row)."""
    spans: dict[tuple[int, int], int] = {}
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = rng.max_col
        covered.update((r, c) for r in range(rng.min_row, rng.max_row + 1)
                       for c in range(rng.min_col, rng.max_col + 1))
    last = ws.max_row if last is None else last
    look = _looks(ws)
    widths: dict[int, float] = {}
    for row in ws.iter_rows(min_row=first, max_row=last):
        need = 0.0
        for cell in row:
            if cell.value is None or not isinstance(cell.value, str):
                continue
            key = (cell.row, cell.column)
            seen = look(cell)
            wraps = seen.wrap
            if not wraps and key not in spans:
                continue
            if key in covered and key not in spans:
                continue
            width = 0.0
            for c in range(cell.column, spans.get(key, cell.column) + 1):
                if c not in widths:
                    widths[c] = column_width(ws, c)
                width += widths[c]
            capacity = max(width - 1.5, 1.0) if wraps else float("inf")
            lines = sum(max(1, math.ceil(text_width(part) / capacity))
                        for part in cell.value.split("\n"))
            need = max(need, lines * _line_height(seen.size) + 3)
        if need:
            current = ws.row_dimensions[row[0].row].height or 15
            ws.row_dimensions[row[0].row].height = max(current if current > need else need,
                                                       15)


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
            if c.wrap:
                cell.alignment = WRAP
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
    look = _looks(ws)
    for row in ws.iter_rows():
        for cell in row:
            if cell.row in skip or cell.value is None:
                continue
            seen = look(cell)
            if seen.size != BODY.sz:  # titles, sections and notes may run across columns
                continue
            w = text_width(cell.value)
            if seen.wrap and not seen.header:
                w = min(w, WRAP_WIDTH)
            elif seen.header and isinstance(cell.value, str):
                # Header labels wrap (their row grows): the longest word sets the width.
                words = [text_width(x) for x in re.split(r"[\s/]+", cell.value) if x]
                w = min(w, max([10, *words]))
            if seen.percent:
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
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN_IN
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"
    if title_rows:
        ws.print_title_rows = title_rows


def finish(ws: Worksheet, freeze: str | None, landscape: bool = False,
           title_rows: str | None = None) -> None:
    fit_columns(ws)
    fit_row_heights(ws)
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


def subtitle(company: str, period_code: str, as_of: pd.Timestamp | None, source: str,
             coverage: str | None = None, uncovered: str | None = None) -> str:
    """The line under every title: whose data, which period, what the data cover (first
    case received to the extraction moment) and where they come from; a period the data do
    not cover (built with --allow-empty) says so first."""
    when = as_of.strftime("%Y-%m-%d %H:%M") if as_of is not None else "-"
    text = (f"公司 Company: {company}    期间 Period: {period_code}    "
            + (f"数据覆盖 Data cover: {coverage}（截至 as of）    " if coverage else
               f"数据截至 Data as of: {when}    ")
            + f"来源 Source: {source}")
    if uncovered:
        text = (f"【数据未覆盖本期，仅按 --allow-empty 生成 PERIOD NOT COVERED BY THE DATA, "
                f"built with --allow-empty: {uncovered}】    " + text)
    return text


def document_subtitle(fig) -> str:
    """``subtitle`` of a reports.figures.CompanyFigures."""
    coverage = fig.coverage.label() if fig.coverage is not None else None
    return subtitle(fig.company, fig.period.code, fig.as_of, fig.source, coverage,
                    fig.uncovered)


def points(a: float | None, b: float | None) -> float | None:
    """a − b of two rates in percentage points (None when either is missing)."""
    return None if a is None or b is None else (a - b) * 100


# Printable width of A4 with the margins of print_a4, in centimetres.
PAGE_CM = {False: 21.0 - 2 * 2.54 * SIDE_MARGIN_IN, True: 29.7 - 2 * 2.54 * SIDE_MARGIN_IN}
CM_PER_CHAR = 0.19  # one unit of Excel column width at the default font


def fit_chart(chart, ws: Worksheet, categories: int, landscape: bool = False,
              ncols: int | None = None) -> None:
    """A chart placed under its table: as wide as the table (never wider than the page, so
    the sheet prints at 100 %), tall enough that every category label is shown, and told
    to show them all."""
    ncols = ncols or ws.max_column
    table_cm = sum(column_width(ws, c) for c in range(1, ncols + 1)) * CM_PER_CHAR
    chart.width = max(12.0, min(PAGE_CM[landscape] - 0.5, table_cm))
    horizontal = getattr(chart, "type", "col") == "bar"
    per = 0.7 if horizontal else 0.0
    chart.height = max(7.5, min(18.0, 3.0 + per * categories))
    chart.x_axis.tickLblSkip = 1
    chart.x_axis.delete = False
    chart.y_axis.delete = False
