"""The streaming register writer under failure: an error while the rows are built reaches
the caller instead of leaving the compressing thread waiting for ever."""

from __future__ import annotations

import pandas as pd
import pytest

from reports.workbook import xlsx_stream


def test_a_failure_while_building_rows_is_raised_not_hung(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(xlsx_stream, "_rows_xml", broken)
    frame = pd.DataFrame({"t": ["a"]})
    with pytest.raises(RuntimeError, match="boom"):
        xlsx_stream.write_prepared(tmp_path / "t.xlsx", xlsx_stream.prepare_table(
            frame, [xlsx_stream.StreamColumn("t", "T", "text")]), "T")


def test_text_cells_of_a_column_that_repeats_and_of_one_that_does_not_agree():
    """Unique texts are escaped by Arrow's kernels, repeating ones value by value in
    Python: both write the same cell for every kind of text."""
    texts = ["普通文本", "a & b < c > d", " 前导空格", "尾随空格 ", "\u3000全角空格", "控制\x07字符",
             "", None, float("nan"), 12345, "换行\n在中间", "&amp;", "line\r\nbreak", "x\x85"]
    plain = xlsx_stream._xml_text(pd.Series(texts, dtype=object)).to_pylist()
    categorical = pd.Series(texts, dtype=object).astype(str).where(
        pd.Series(texts).notna()).astype("category")
    repeated = xlsx_stream._text_lookup(categorical).cells(0, len(texts)).to_pylist()
    assert plain == repeated
    head = b'<c t="inlineStr"><is><t xml:space="preserve">'
    assert plain[1] == head + b"a &amp; b &lt; c &gt; d</t></is></c>"
    assert plain[2] == head + " 前导空格</t></is></c>".encode()
    assert b"\x07" not in plain[5]
    assert plain[6] == plain[7] == plain[8] == b"<c/>"
    assert plain[9] == head + b"12345</t></is></c>"


def test_a_written_table_reads_back_cell_for_cell(tmp_path):
    import openpyxl

    frame = pd.DataFrame({
        "t": ["甲 & 乙", None, " 空格", "x" * 300],
        "s": pd.Series(["A", "B", "A", None], dtype="category"),
        "d": pd.to_datetime(["2025-01-01 08:30:15", None, "2024-12-31 23:59:59",
                             "2025-03-01 00:00:00"]),
        "i": [1, 2, None, 4],
        "f": [1.5, None, 2.25, 0.0],
        "e": pd.Series([pd.NaT] * 4, dtype="datetime64[ns]"),
    })
    cols = [xlsx_stream.StreamColumn("t", "T", "text"),
            xlsx_stream.StreamColumn("s", "S", "shared"),
            xlsx_stream.StreamColumn("d", "D", "datetime"),
            xlsx_stream.StreamColumn("i", "I", "int"),
            xlsx_stream.StreamColumn("f", "F", "float"),
            xlsx_stream.StreamColumn("e", "E", "datetime")]
    xlsx_stream.write_prepared(tmp_path / "t.xlsx", xlsx_stream.prepare_table(frame, cols),
                               "T", chunk_rows=3)
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]
    rows = list(ws.iter_rows(min_row=xlsx_stream.HEAD_ROWS + 1, values_only=True))
    assert rows == [
        ("甲 & 乙", "A", pd.Timestamp("2025-01-01 08:30:15").to_pydatetime(), 1, 1.5, None),
        (None, "B", None, 2, None, None),
        (" 空格", "A", pd.Timestamp("2024-12-31 23:59:59").to_pydatetime(), None, 2.25, None),
        ("x" * 300, None, pd.Timestamp("2025-03-01").to_pydatetime(), 4, 0, None),
    ]


def test_texts_are_encoded_without_a_utf8_copy_left_in_the_strings():
    """CPython keeps the UTF-8 form of a non-ASCII string inside it once asked for it (as
    pyarrow's own conversion does): for a million Chinese texts that is a second copy of
    each, held as long as the cases are."""
    import sys

    import pyarrow as pa

    texts = ["".join(["客户反映", str(i), "商品故障"]) for i in range(3)]
    sizes = [sys.getsizeof(t) for t in texts]
    arrow = xlsx_stream.as_arrow_text(pd.Series([*texts, None, 7], dtype=object))
    assert arrow.to_pylist() == [*texts, None, "7"]
    assert [sys.getsizeof(t) for t in texts] == sizes
    pa.array(texts)  # what the check guards against: the strings grow
    assert [sys.getsizeof(t) for t in texts] != sizes
