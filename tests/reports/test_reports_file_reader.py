"""The CSV reader's two ways: Arrow's multi-threaded reader for a well-formed UTF-8 export,
and the careful reader for everything it refuses. Both must end in the same canonical
frame, and nothing Arrow refuses may be lost or explained less precisely."""

from __future__ import annotations

import pandas as pd
import pytest
from reports_cases import BASE, case

from reports import filesource, mapping, model, normalize, sources


def _rows(n: int) -> list[dict]:
    """``n`` cases in which codes repeat and texts do not, as a real export."""
    out = []
    for i in range(n):
        out.append(case(
            f"C{i:05d}", f"2026-07-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00",
            subject=f"第{i}号投诉：商品故障", customer_demand=f"要求退款 {i} 元",
            level=["normal", "major", "crisis"][i % 3],
            channel_id=["hotline", "regulator", "online"][i % 3],
            department_id=f"第{i % 7}营业部",
            date_closed="" if i % 5 else f"2026-08-{1 + i % 28:02d} 09:30:00",
            affected_count=str(1 + i % 4), satisfaction=["", "satisfied"][i % 2]))
    return out


def _write(path, rows: list[dict], *, line_end: str = "\n", bom: bool = True) -> None:
    frame = pd.DataFrame(rows, columns=list(BASE))
    frame.loc[3, "subject"] = "多行描述\n第二行, 带逗号 \"引号\""  # a quoted line break
    frame.loc[4, "respondent"] = ""  # quoted empty is empty
    text = frame.to_csv(index=False, lineterminator=line_end)
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def _canonical(raw: pd.DataFrame) -> pd.DataFrame:
    return normalize.normalize(raw, normalize.CASES, mapping.TableMapping(), [])


def _careful(path) -> pd.DataFrame:
    enc = filesource.detect_encoding(path)
    sep, names = filesource._header(path, enc)
    return filesource._read_careful(path, enc, sep, names, None)


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_fast_reader_gives_what_the_careful_reader_gives(tmp_path, line_end):
    path = tmp_path / "cases.csv"
    _write(path, _rows(600), line_end=line_end)
    sep, names = filesource._header(path, "utf-8-sig")
    fast = filesource._read_arrow(path, sep, names)
    assert fast is not None, "a well-formed UTF-8 export is read the fast way"
    # Repeating codes are read once per value; the references are not.
    assert {"level", "channel_id", "department_id"} <= filesource._repeating(path, sep, names)
    assert "name" not in filesource._repeating(path, sep, names)
    a, b = _canonical(fast), _canonical(_careful(path))
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[3, "subject"] == "多行描述\n第二行, 带逗号 \"引号\""
    assert a.loc[4, "respondent"] is None
    assert a["date_closed"].notna().sum() == 120
    assert a["affected_count"].tolist()[:4] == [1, 2, 3, 4]


def test_export_turning_gbk_past_the_sample_is_read_as_gbk(tmp_path):
    """An old system's GBK export whose first megabytes are plain ASCII (they decode as
    UTF-8) and whose Chinese comes later: Arrow refuses it, the careful reader reads it
    as GB18030."""
    ascii_only = dict(company_id="ACME", subject="broken", customer_demand="refund",
                      partner_name="Li", respondent="shop", location="Shanghai",
                      category_id="service", department_id="desk")
    rows = [case(f"A{i:05d}", "2026-07-01 10:00:00", **ascii_only) for i in range(40_000)]
    rows.append(case("G1", "2026-07-09 10:00:00", **{**ascii_only, "subject": "旧系统导出"}))
    path = tmp_path / "cases.csv"
    pd.DataFrame(rows, columns=list(BASE)).to_csv(path, index=False, encoding="gbk")
    assert path.stat().st_size > (1 << 22)
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    data = sources.from_files(path)
    assert len(data.cases) == 40_001
    assert data.cases.loc[data.cases["name"] == "G1", "subject"].item() == "旧系统导出"


def test_ragged_row_far_into_a_big_file_is_named(tmp_path):
    path = tmp_path / "cases.csv"
    _write(path, _rows(30_000))
    lines = path.read_bytes().split(b"\n")
    lines[25_000] += b",surplus"
    path.write_bytes(b"\n".join(lines))
    # Line 25,001 of the file; one case before it spans two lines (its quoted subject), so
    # it is the 25,000th row counting the header.
    with pytest.raises(sources.SourceError, match=r"row 25000 has 34 field\(s\) where the "
                                                  r"header has 33"):
        sources.from_files(path)


def test_normalize_takes_the_columns_out_of_the_raw_table(tmp_path):
    """A million-row table is never held twice: each raw column is released once read."""
    path = tmp_path / "cases.csv"
    _write(path, _rows(200))
    raw = filesource.read_table(path)
    raw["备注"] = "x"
    frame = _canonical(raw)
    assert list(raw.columns) == ["备注"]
    assert list(frame.columns) == model.CASE_READ  # what no report reads is not kept
