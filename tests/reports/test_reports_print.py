"""Print quality, tested rather than eyeballed: every workbook rendered to PDF by LibreOffice
as a manager would print it, its text read back with pdftotext; and the sheets' geometry
(column widths, row heights, chart sizes) checked against an A4 page at 100 %."""

from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest
from reports_cases import load
from reports_handmade import AS_OF, CASES, COMPS

from reports import metrics, period, pipeline
from reports.workbook import definitions, style

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("print")
    data = load(tmp / "in", CASES, COMPS, as_of=AS_OF)
    (out,) = pipeline.run(data, period.parse("2026Q3"), tmp / "out",
                          pipeline.RunOptions(progress=False))
    return out


def _size_cm(chart) -> tuple[float, float]:
    """A chart's size as placed on the sheet (its anchor, in EMU)."""
    ext = chart.anchor.ext
    return ext.cx / 360_000, ext.cy / 360_000


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _texts(path) -> list[str]:
    """Every heading, label and definition of a workbook: its text cells."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip():
                    out.append(cell.value)
    return out


@pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None,
                    reason="needs LibreOffice and pdftotext: apt-get install "
                           "libreoffice-calc-nogui fonts-noto-cjk poppler-utils")
def test_every_heading_and_definition_prints_whole(produced, tmp_path):
    names = [name for name, _ in pipeline.DOCUMENTS] + [pipeline.REGISTER_FILE]
    copies = []
    for i, name in enumerate(names):
        copy = tmp_path / f"doc{i}.xlsx"  # ASCII names keep soffice's output names obvious
        shutil.copy(produced.folder / name, copy)
        copies.append(copy)
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, copies)],
                   check=True, capture_output=True, timeout=600)
    for name, copy in zip(names, copies, strict=True):
        pdf = copy.with_suffix(".pdf")
        assert pdf.exists(), f"{name} was not rendered"
        text = subprocess.run([PDFTOTEXT, "-raw", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        printed = _squash(text)
        missing = [t for t in _texts(produced.folder / name) if _squash(t) not in printed]
        assert not missing, f"{name}: not printed whole: {missing[:5]}"


def test_text_fits_its_cell_and_pages_read_at_100_percent(produced):
    for name, _ in pipeline.DOCUMENTS:
        wb = openpyxl.load_workbook(produced.folder / name)
        for ws in wb.worksheets:
            merged = {(r.min_row, r.min_col): r.max_col for r in ws.merged_cells.ranges}
            inside = {(row, col) for r in ws.merged_cells.ranges
                      for row in range(r.min_row, r.max_row + 1)
                      for col in range(r.min_col, r.max_col + 1)}
            used = 0
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is None:
                        continue
                    key = (cell.row, cell.column)
                    if key in inside and key not in merged:
                        continue
                    width = sum(style.column_width(ws, c)
                                for c in range(cell.column, merged.get(key, cell.column) + 1))
                    used = max(used, merged.get(key, cell.column))
                    if not isinstance(cell.value, str):
                        continue
                    lines = cell.value.split("\n")
                    wraps = cell.alignment is not None and cell.alignment.wrap_text
                    if wraps:
                        height = ws.row_dimensions[cell.row].height or 15
                        need = sum(-(-style.text_width(x) // max(width - 1.5, 1))
                                   for x in lines)
                        assert height >= need * 1.45 * (cell.font.sz or 10), \
                            (name, ws.title, cell.coordinate, cell.value)
                    elif cell.font.sz == style.BODY.sz and not cell.font.b:
                        # Body text is not wrapped: it must fit its column.
                        assert max(map(style.text_width, lines)) <= width, \
                            (name, ws.title, cell.coordinate, cell.value, width)
            landscape = ws.page_setup.orientation == "landscape"
            table_cm = sum(style.column_width(ws, c) for c in range(1, used + 1)) \
                * style.CM_PER_CHAR
            charts_cm = max((_size_cm(ch)[0] for ch in ws._charts), default=0)
            assert max(table_cm, charts_cm) <= style.PAGE_CM[landscape] + 0.5, \
                (name, ws.title, table_cm, charts_cm)


def test_definitions_are_bilingual_chinese_first(produced):
    wb = openpyxl.load_workbook(produced.folder / pipeline.DOCUMENTS[0][0])
    ws = wb[definitions.SHEET]
    rows = {ws.cell(r, 1).value.split("\n")[0]: r for r in range(5, 5 + len(metrics.KPI_DEFS))}
    for d in metrics.KPI_DEFS:
        r = rows[d.zh]
        for col in (3, 4):
            zh, en = ws.cell(r, col).value.split("\n")
            assert re.search(r"[\u4e00-\u9fff]", zh) and en.isascii() or "≥" in en
    assert set(definitions.KPI_ZH) == {d.key for d in metrics.KPI_DEFS}


def test_channel_chart_shows_every_label(produced):
    wb = openpyxl.load_workbook(produced.folder / pipeline.DOCUMENTS[0][0])
    ws = wb["汇总表 Summary"]
    assert len(ws._charts) == 2
    channel = ws._charts[1]
    assert channel.x_axis.tickLblSkip == 1
    # Tall enough for a label per channel of the code table.
    assert _size_cm(channel)[1] >= 0.7 * len(metrics.model.CHANNELS)
