"""A streaming XLSX writer for one large plain table (the case register).

openpyxl's write-only mode writes about 130,000 cells a second here, so a register of a
million cases and thirty columns would take minutes. A register is a plain table, so this
writer builds the sheet XML itself:

- each column's distinct cells are built once for the whole table (escaped, encoded,
  repeated texts sent to the shared-string table); a chunk of rows is then one Arrow
  ``take`` per column, and texts that do not repeat are escaped and wrapped by Arrow's
  string kernels;
- a chunk's rows are joined by Arrow into one buffer, handed to the compressor as is;
- Arrow's kernels let go of the interpreter, so two chunks are built at once beside a
  third thread that deflates (with ISA-L where installed) and writes the zip.

Memory stays at a few chunks. The file has frozen header rows, an autofilter, column
widths, number formats and an A4 landscape print setup, like the openpyxl documents.
"""

from __future__ import annotations

import queue
import re
import threading
import zipfile
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.utils import get_column_letter

try:
    from isal import isal_zlib
except ImportError:  # zlib's deflate, slower
    isal_zlib = None

EXCEL_MAX_ROWS = 1_048_576
EPOCH = pd.Timestamp("1899-12-30")
_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Style ids in styles.xml below.
S_HEADER, S_DATETIME, S_INT, S_FLOAT, S_TEXT, S_TITLE, S_NOTE = 1, 2, 3, 4, 5, 6, 7
_BIN = pa.large_binary()
_TEXT = pa.large_string()
_EMPTY = b"<c/>"
# Spaces at either end of a text survive only under xml:space; every text cell has it,
# which costs the compressor next to nothing and spares a scan of both ends of every value.
_HEAD = b'<c t="inlineStr"><is><t xml:space="preserve">'
_TAIL = b"</t></is></c>"
_CONTROL = np.array([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)], np.uint8)
_BUILDERS = 2  # chunks built at once
_SAMPLE_ROWS = 20_000  # rows that tell whether a text column repeats
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


def _lit(value: bytes) -> pa.Scalar:
    return pa.scalar(value, _BIN)


def _inline(t: str) -> bytes:
    return _HEAD + t.encode() + _TAIL if t else _EMPTY


@dataclass(frozen=True)
class _Lookup:
    """Cells of one column as a table of distinct cells and each row's index into it, so a
    chunk of rows is one ``take``, which Arrow runs without holding the interpreter."""
    table: pa.Array
    index: np.ndarray

    @classmethod
    def of(cls, cells: list[bytes], codes: np.ndarray, missing: bytes = _EMPTY) -> _Lookup:
        table = pa.array([*cells, missing], _BIN)
        index = np.where(codes < 0, len(cells), codes)
        return cls(table, index.astype(np.min_scalar_type(len(cells))))

    def cells(self, lo: int, hi: int) -> pa.Array:
        return self.table.take(pa.array(self.index[lo:hi]))


def as_arrow_text(values: pd.Series | np.ndarray) -> pa.Array:
    """The values as Arrow text (missing ones null, anything else as ``str`` shows it).
    Each is encoded here: pyarrow's own conversion leaves a UTF-8 copy inside every
    non-ASCII Python string it reads (CPython caches it there), so every Chinese text of
    the input would be held twice for as long as the cases are."""
    objs = np.asarray(values, dtype=object)
    present = ~pd.isna(objs)
    given = objs[present]
    # An ASCII string is its own UTF-8 (nothing is cached): Arrow reads those directly.
    if all(type(v) is str and v.isascii() for v in given):
        return pa.array(objs, _TEXT, from_pandas=True)
    encoded = np.empty(len(objs), dtype=object)
    encoded[present] = [v.encode() if type(v) is str else str(v).encode() for v in given]
    return pa.array(encoded, _BIN, from_pandas=True).cast(_TEXT)


def _needs(text: pa.Array) -> tuple[bool, bool]:
    """Whether any value holds a control character XML forbids, and whether any holds a
    character to escape, judged on the values' bytes at once: usually neither."""
    data = text.buffers()[2]
    if data is None:
        return False, False
    raw = np.frombuffer(data, np.uint8)
    low = raw[raw < 0x20] if raw.size and raw.min() < 0x20 else raw[:0]
    flat = data.to_pybytes()
    return bool(np.isin(low, _CONTROL).any()), b"&" in flat or b"<" in flat or b">" in flat


def _xml_text(values: pd.Series | np.ndarray) -> pa.Array:
    """Inline-string cells of texts that do not repeat, escaped and wrapped by Arrow's
    string kernels."""
    text = as_arrow_text(values)
    illegal, special = _needs(text)
    if illegal:
        text = pc.replace_substring_regex(text, _ILLEGAL_RE.pattern, "")
    if special:
        for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            text = pc.replace_substring(text, char, entity)
    cells = pc.binary_join_element_wise(_lit(_HEAD), text.cast(_BIN), _lit(_TAIL), _lit(b""))
    empty = pc.fill_null(pc.equal(pc.binary_length(text), 0), True)
    return pc.if_else(empty, _lit(_EMPTY), cells)


def _repeats(values: pd.Series) -> bool:
    """Whether a text column repeats enough to build its cells once per distinct value
    (names of people, respondents) rather than value by value (references, free texts),
    judged on its first rows."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return True
    head = values.iloc[:_SAMPLE_ROWS].dropna()
    return len(head) > 0 and len(pd.unique(head.to_numpy(dtype=object))) <= len(head) // 2


def _text_lookup(values: pd.Series) -> _Lookup:
    """A repeating text column: each distinct value escaped and encoded once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return _Lookup.of([_inline(t) for t in _clean([str(u) for u in uniques])], codes)


@dataclass(frozen=True)
class _FreeText:
    """A text column whose values do not repeat: cells are built chunk by chunk, by the
    builder threads, which read a plain array of the values (never a pandas object)."""
    values: np.ndarray

    def cells(self, lo: int, hi: int) -> pa.Array:
        return _xml_text(self.values[lo:hi])


class _SharedStrings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def lookup(self, values: pd.Series) -> _Lookup:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        cells = []
        for u in uniques.tolist():
            t = str(u)
            if t == "":
                cells.append(_EMPTY)
                continue
            cells.append(b'<c t="s"><v>%d</v></c>' % self.index.setdefault(t, len(self.index)))
        if cells:
            used = np.bincount(codes[codes >= 0], minlength=len(cells))
            self.count += int(used[[c != _EMPTY for c in cells]].sum())
        return _Lookup.of(cells, codes)

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


def _number_lookup(values: pd.Series, style: int) -> _Lookup:
    # Counts and amounts repeat a lot: format each distinct value once.
    v = pd.to_numeric(values, errors="coerce")
    codes, uniques = pd.factorize(v, use_na_sentinel=True)
    cells = [(f'<c s="{style}"><v>{u:.15g}</v></c>' if style == S_FLOAT else
              f'<c s="{style}"><v>{int(round(u))}</v></c>').encode() for u in uniques.tolist()]
    return _Lookup.of(cells, codes)


@lru_cache(maxsize=1)
def _day_fractions() -> list[bytes]:
    """The text of second s of a day as a fraction of a serial date, for every s."""
    return [f"{round(s / 86400 * 1e8):08d}</v></c>".encode() for s in range(86400)]


def _datetime_lookups(values: pd.Series) -> list[_Lookup]:
    """Serial dates to the second as two pieces per cell: the day part (few distinct
    values) and the time of day (at most 86,400 distinct values), both looked up."""
    ts = pd.to_datetime(values, errors="coerce")
    missing = ts.isna().to_numpy()
    secs = (ts - EPOCH).dt.total_seconds().fillna(0).round().astype("int64").to_numpy()
    days, rem = np.divmod(secs, 86400)
    first = int(days[~missing].min()) if (~missing).any() else 0
    # Days span a few years at most: a table over that span, indexed, needs no sort.
    span = range(first, int(days[~missing].max()) + 1 if (~missing).any() else first)
    day = np.where(missing, -1, days - first)
    return [_Lookup.of([f'<c s="{S_DATETIME}"><v>{d}.'.encode() for d in span], day),
            _Lookup.of(_day_fractions(), np.where(missing, -1, rem), missing=b"")]


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


_Column = _Lookup | _FreeText


def _prepare(frame: pd.DataFrame, columns: Sequence[StreamColumn],
             sst: _SharedStrings) -> list[_Column]:
    """Every column's distinct cells, built once for the whole table."""
    out: list[_Column] = []
    for c in columns:
        s = frame[c.key]
        if c.kind == "datetime":
            out.extend(_datetime_lookups(s))
        elif c.kind in ("int", "float"):
            out.append(_number_lookup(s, S_INT if c.kind == "int" else S_FLOAT))
        elif c.kind == "shared":
            out.append(sst.lookup(s))
        elif _repeats(s):
            out.append(_text_lookup(s))
        else:
            out.append(_FreeText(s.to_numpy(dtype=object)))
    return out


def _rows_xml(prepared: Sequence[_Column], lo: int, hi: int, first_row: int) -> memoryview:
    """Rows ``lo:hi`` of the table as sheet XML, numbered from ``first_row``."""
    numbers = pa.array(np.arange(first_row, first_row + hi - lo)).cast(pa.large_string())
    starts = pc.binary_join_element_wise(_lit(b'<row r="'), numbers.cast(_BIN), _lit(b'">'),
                                         _lit(b""))
    rows = pc.binary_join_element_wise(starts, *(c.cells(lo, hi) for c in prepared),
                                       _lit(b"</row>"), _lit(b""))
    # The chunk's XML is the rows' value buffer end to end: handed on without a copy.
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)
    start, end = offsets[rows.offset], offsets[rows.offset + len(rows)]
    return memoryview(rows.buffers()[2])[start:end] if end > start else memoryview(b"")


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


@dataclass(frozen=True)
class Table:
    """A table ready to write: every column's distinct cells are built (that needs the
    interpreter, so it is done by the caller); writing the rows then runs mostly in Arrow
    and the compressor, and may go on in a thread of its own beside other work."""
    columns: Sequence[StreamColumn]
    rows: int
    cells: list[_Column]
    sst: _SharedStrings


def prepare_table(frame: pd.DataFrame, columns: Sequence[StreamColumn]) -> Table:
    sst = _SharedStrings()
    return Table(columns, len(frame), _prepare(frame, columns, sst), sst)


def write_prepared(path: Path, table: Table, sheet_title: str,
                   max_rows: int = EXCEL_MAX_ROWS - HEAD_ROWS, chunk_rows: int = 16_384,
                   progress=None, title: str = "", subtitle: str = "") -> list[str]:
    """Write ``table`` to ``path``, splitting into sheets of at most ``max_rows`` data rows,
    each under a title row, a subtitle row and the header row. Returns the sheet names."""
    columns, total, prepared, sst = table.columns, table.rows, table.cells, table.sst
    nsheets = max(1, -(-total // max_rows))
    names = [sheet_title if nsheets == 1 else f"{sheet_title} {i + 1}"[:31]
             for i in range(nsheets)]
    ranges = []
    chunks: queue.Queue = queue.Queue(maxsize=2)
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
                        out = _fast_deflate(zf.open(payload, "w", force_zip64=True))
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
    builders = ThreadPoolExecutor(_BUILDERS, thread_name_prefix="xlsx-rows")
    try:
        for i in range(nsheets):
            lo, hi = i * max_rows, min(total, (i + 1) * max_rows)
            n = hi - lo
            ranges.append(f"$A${HEAD_ROWS}:${get_column_letter(len(columns))}$"
                          f"{n + HEAD_ROWS}")
            chunks.put(("open", f"xl/worksheets/sheet{i + 1}.xml"))
            chunks.put(("data", _sheet_head(columns, n, title or sheet_title,
                                            subtitle).encode()))
            spans = [(start, min(start + chunk_rows, hi), start - lo + HEAD_ROWS + 1)
                     for start in range(lo, hi, chunk_rows)]
            for (start, end, _), xml in zip(spans, _in_order(builders, prepared, spans),
                                            strict=False):
                chunks.put(("data", xml))
                if progress:
                    progress(end - start)
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
        builders.shutdown(cancel_futures=True)
        chunks.put(None)
        worker.join()
        pa.default_memory_pool().release_unused()
    if failure:
        raise failure[0]
    return names


def _fast_deflate(entry):
    """The sheet's entry compressed by ISA-L's deflate where it is installed: the same
    raw deflate stream zipfile would write, about five times faster than zlib at level 1,
    which otherwise is the slowest step of a large register. zipfile has no option for
    its compressor, so the one it made for the entry is swapped before any byte is
    written."""
    if isal_zlib is not None and hasattr(entry, "_compressor"):
        entry._compressor = isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)
    return entry


def _in_order(builders: ThreadPoolExecutor, prepared: Sequence[_Column],
              spans: Sequence[tuple[int, int, int]]) -> Iterator[memoryview]:
    """The chunks' XML in order, built ``_BUILDERS`` at a time: Arrow's kernels let go of
    the interpreter, so the builders run on both cores beside the compressing thread."""
    ahead: deque[Future] = deque()
    for span in spans:
        ahead.append(builders.submit(_rows_xml, prepared, *span))
        if len(ahead) > _BUILDERS:
            yield ahead.popleft().result()
    while ahead:
        yield ahead.popleft().result()
