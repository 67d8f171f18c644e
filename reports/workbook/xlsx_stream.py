"""A streaming XLSX writer for one large plain table (the case register).

openpyxl's write-only mode writes about 130,000 cells a second here, so a register of a
million cases and thirty columns would take minutes. A register is a plain table, so this
writer builds each chunk of the sheet XML column by column with pandas (values are
escaped once per distinct value, repeated values go to the shared-string table) and
compresses it in a second thread while the next chunk is built. Memory stays at one chunk.

The file has frozen header rows, an autofilter, column widths, number formats and an A4
landscape print setup, like the openpyxl documents.
"""

from __future__ import annotations

import queue
import re
import threading
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

EXCEL_MAX_ROWS = 1_048_576
EPOCH = pd.Timestamp("1899-12-30")
_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Style ids in styles.xml below.
S_HEADER, S_DATETIME, S_INT, S_FLOAT, S_TEXT, S_TITLE, S_NOTE = 1, 2, 3, 4, 5, 6, 7
# Rows above the data: title, subtitle (company, period, data coverage, source), header.
HEAD_ROWS = 3


@dataclass(frozen=True)
class StreamColumn:
    key: str
    header: str  # may contain a newline (bilingual headers)
    kind: str  # text | shared | datetime | int | float
    width: float = 14


def _clean(texts: list[str]) -> list[str]:
    """XML-escaped text without the control characters XML 1.0 forbids. One scan of the
    joined values decides whether any work is needed: usually none is."""
    joined = "\n".join(texts)
    if _ILLEGAL_RE.search(joined):
        texts = [_ILLEGAL_RE.sub("", t) for t in texts]
    if "&" in joined or "<" in joined or ">" in joined:
        texts = [escape(t) for t in texts]
    return texts


def _xml_text(values: np.ndarray) -> np.ndarray:
    """Inline-string cells; distinct values are built once."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    texts = _clean([str(u) for u in uniques.tolist()])
    cells = np.array([_inline(t).encode() for t in texts] + [b"<c/>"], dtype=object)
    return cells[codes]


def _inline(t: str) -> str:
    if not t:
        return "<c/>"
    # xml:space only where spaces at the ends must survive: a million cells add up.
    if t[0].isspace() or t[-1].isspace():
        return f'<c t="inlineStr"><is><t xml:space="preserve">{t}</t></is></c>'
    return f'<c t="inlineStr"><is><t>{t}</t></is></c>'



class _SharedStrings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def cells(self, values: np.ndarray) -> np.ndarray:
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        self.count += int((codes >= 0).sum())
        out = []
        for u in uniques.tolist():
            t = str(u)
            if t == "":
                out.append(b"<c/>")
                continue
            i = self.index.setdefault(t, len(self.index))
            out.append(b'<c t="s"><v>%d</v></c>' % i)
        return np.array(out + [b"<c/>"], dtype=object)[codes]

    def xml(self) -> Iterator[bytes]:
        yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
               '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               f'count="{self.count}" uniqueCount="{len(self.index)}">').encode()
        buf = []
        for t in _clean(list(self.index)):
            buf.append(f'<si><t xml:space="preserve">{t}</t></si>')
            if len(buf) >= 10000:
                yield "".join(buf).encode()
                buf = []
        yield ("".join(buf) + "</sst>").encode()


def _number_cells(values: pd.Series, style: int) -> list[np.ndarray]:
    # Counts and amounts repeat a lot: format each distinct value once.
    v = pd.to_numeric(values, errors="coerce")
    codes, uniques = pd.factorize(v, use_na_sentinel=True)
    cells = [(f'<c s="{style}"><v>{u:.15g}</v></c>' if style == S_FLOAT else
              f'<c s="{style}"><v>{int(round(u))}</v></c>').encode() for u in uniques.tolist()]
    return [np.array([*cells, b"<c/>"], dtype=object)[codes]]


@lru_cache(maxsize=1)
def _day_fractions() -> np.ndarray:
    """The text of second s of a day as a fraction of a serial date, for every s."""
    return np.array([f"{round(s / 86400 * 1e8):08d}</v></c>".encode() for s in range(86400)],
                    dtype=object)


def _datetime_cells(values: pd.Series) -> list[np.ndarray]:
    """Serial dates to the second as two pieces per cell: the day part (few distinct
    values) and the time of day (at most 86,400 distinct values), both looked up."""
    ts = pd.to_datetime(values, errors="coerce")
    missing = ts.isna().to_numpy()
    secs = (ts - EPOCH).dt.total_seconds().fillna(0).round().astype("int64").to_numpy()
    days, rem = np.divmod(secs, 86400)
    first = int(days[~missing].min()) if (~missing).any() else 0
    days[missing] = first
    # Days span a few years at most: a table over that span, indexed, needs no sort.
    span = range(first, int(days.max()) + 1)
    head = np.array([f'<c s="{S_DATETIME}"><v>{d}.'.encode() for d in span],
                    dtype=object)[days - first]
    tail = _day_fractions()[rem]
    head[missing] = b"<c/>"
    tail[missing] = b""
    return [head, tail]


_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def _sheet_head(columns: Sequence[StreamColumn], nrows: int, title: str,
                subtitle: str) -> str:
    last = get_column_letter(len(columns))
    cols = "".join(f'<col min="{i}" max="{i}" width="{c.width:.1f}" customWidth="1"/>'
                   for i, c in enumerate(columns, 1))
    header = "".join(f'<c t="inlineStr" s="{S_HEADER}"><is><t xml:space="preserve">'
                     f"{escape(c.header)}</t></is></c>" for c in columns)
    top = HEAD_ROWS + 1
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f"<worksheet {_NS}><sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>"
            f'<dimension ref="A1:{last}{nrows + HEAD_ROWS}"/>'
            f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{HEAD_ROWS}" '
            f'topLeftCell="A{top}" activePane="bottomLeft" state="frozen"/><selection '
            f'pane="bottomLeft" activeCell="A{top}" sqref="A{top}"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            f"<cols>{cols}</cols><sheetData>"
            f'<row r="1" ht="24" customHeight="1"><c t="inlineStr" s="{S_TITLE}"><is><t>'
            f"{escape(title)}</t></is></c></row>"
            + (f'<row r="2"><c t="inlineStr" s="{S_NOTE}"><is><t xml:space="preserve">'
               f"{escape(_ILLEGAL_RE.sub('', subtitle))}</t></is></c></row>" if subtitle
               else '<row r="2"/>')
            + f'<row r="3" ht="30" customHeight="1">{header}</row>')


def _sheet_tail(columns: Sequence[StreamColumn], nrows: int) -> str:
    last = get_column_letter(len(columns))
    return (f'</sheetData><autoFilter ref="A{HEAD_ROWS}:{last}{nrows + HEAD_ROWS}"/>'
            '<printOptions horizontalCentered="1"/>'
            '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" '
            'footer="0.3"/><pageSetup paperSize="9" orientation="landscape" fitToWidth="1" '
            'fitToHeight="0"/><headerFooter><oddFooter>&amp;C&amp;P / &amp;N</oddFooter>'
            "</headerFooter></worksheet>")


def _rows_xml(chunk: pd.DataFrame, columns: Sequence[StreamColumn], first_row: int,
              sst: _SharedStrings) -> bytes:
    parts: list[np.ndarray] = []
    for c in columns:
        s = chunk[c.key]
        if c.kind == "datetime":
            parts.extend(_datetime_cells(s))
        elif c.kind == "int":
            parts.extend(_number_cells(s, S_INT))
        elif c.kind == "float":
            parts.extend(_number_cells(s, S_FLOAT))
        elif c.kind == "shared":
            parts.append(sst.cells(s.to_numpy(dtype=object)))
        else:
            parts.append(_xml_text(s.to_numpy(dtype=object)))
    n = len(chunk)
    # Cells are UTF-8 bytes already (each distinct value encoded once): the chunk is joined
    # as bytes, never encoded whole.
    starts = [b'<row r="%d">' % i for i in range(first_row, first_row + n)]
    ends = [b"</row>"] * n
    return b"".join(map(b"".join, zip(starts, *parts, ends, strict=True)))


_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>
<fonts count="4"><font><sz val="10"/><name val="等线"/><family val="2"/></font>
<font><b/><sz val="10"/><color rgb="FFFFFFFF"/><name val="等线"/><family val="2"/></font>
<font><b/><sz val="14"/><name val="等线"/><family val="2"/></font>
<font><i/><sz val="9"/><color rgb="FF595959"/><name val="等线"/><family val="2"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill>
<fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FF1F4E78"/><bgColor indexed="64"/>
</patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="8"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"
 applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def _package_files(sheet_names: list[str], ranges: list[str]) -> dict[str, str]:
    n = len(sheet_names)
    sheets = "".join(f'<sheet name="{escape(s)}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, s in enumerate(sheet_names, 1))
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"'{escape(s)}'!{r}</definedName>"
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
        f"'{escape(s)}'!$1:${HEAD_ROWS}</definedName>"
        for i, (s, r) in enumerate(zip(sheet_names, ranges, strict=True)))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1))
    rels += (f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/'
             'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
             f'<Relationship Id="rId{n + 2}" Type="http://schemas.openxmlformats.org/'
             'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1))
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return {
        "[Content_Types].xml": head + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            + overrides + "</Types>"),
        "_rels/.rels": head + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
            'org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": head + (
            f"<workbook {_NS}><bookViews><workbookView/></bookViews><sheets>{sheets}"
            f"</sheets><definedNames>{names}</definedNames></workbook>"),
        "xl/_rels/workbook.xml.rels": head + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{rels}</Relationships>'),
        "xl/styles.xml": _STYLES,
    }


def write_table(path: Path, frame: pd.DataFrame, columns: Sequence[StreamColumn],
                sheet_title: str, max_rows: int = EXCEL_MAX_ROWS - HEAD_ROWS,
                chunk_rows: int = 50_000, progress=None, title: str = "",
                subtitle: str = "") -> list[str]:
    """Write ``frame`` to ``path``, splitting into sheets of at most ``max_rows`` data rows,
    each under a title row, a subtitle row and the header row. Returns the sheet names."""
    total = len(frame)
    nsheets = max(1, -(-total // max_rows))
    names = [sheet_title if nsheets == 1 else f"{sheet_title} {i + 1}"[:31]
             for i in range(nsheets)]
    ranges = []
    sst = _SharedStrings()
    chunks: queue.Queue = queue.Queue(maxsize=3)
    failure: list[BaseException] = []

    def compress() -> None:
        # zlib releases the GIL: compression runs beside the XML building.
        ended = False  # the end mark was taken: nothing more will come
        try:
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
                out = None
                while True:
                    item = chunks.get()
                    if item is None:
                        ended = True
                        if out is not None and not out.closed:
                            out.close()  # cut short by a failure: the caller raises it
                        break
                    kind, payload = item
                    if kind == "open":
                        out = zf.open(payload, "w", force_zip64=True)
                    elif kind == "data":
                        out.write(payload)
                    elif kind == "close":
                        out.close()
                    elif kind == "file":
                        name, data = payload
                        zf.writestr(name, data)
        except BaseException as exc:  # noqa: BLE001 — re-raised in the caller's thread
            failure.append(exc)
            # The caller may be blocked on a full queue: take what it sends until the end.
            while not ended and chunks.get() is not None:
                pass

    worker = threading.Thread(target=compress, name="xlsx-compress", daemon=True)
    worker.start()
    try:
        for i in range(nsheets):
            lo, hi = i * max_rows, min(total, (i + 1) * max_rows)
            n = hi - lo
            ranges.append(f"$A${HEAD_ROWS}:${get_column_letter(len(columns))}$"
                          f"{n + HEAD_ROWS}")
            chunks.put(("open", f"xl/worksheets/sheet{i + 1}.xml"))
            chunks.put(("data", _sheet_head(columns, n, title or sheet_title,
                                            subtitle).encode()))
            for start in range(lo, hi, chunk_rows):
                part = frame.iloc[start:min(start + chunk_rows, hi)]
                chunks.put(("data", _rows_xml(part, columns, start - lo + HEAD_ROWS + 1,
                                              sst)))
                if progress:
                    progress(len(part))
                if failure:
                    break
            chunks.put(("data", _sheet_tail(columns, n).encode()))
            chunks.put(("close", None))
        chunks.put(("open", "xl/sharedStrings.xml"))
        for block in sst.xml():
            chunks.put(("data", block))
        chunks.put(("close", None))
        for name, text in _package_files(names, ranges).items():
            chunks.put(("file", (name, text)))
    finally:
        chunks.put(None)
        worker.join()
    if failure:
        raise failure[0]
    return names
