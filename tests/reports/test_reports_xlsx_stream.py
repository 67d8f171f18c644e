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
        xlsx_stream.write_table(tmp_path / "t.xlsx", frame,
                                [xlsx_stream.StreamColumn("t", "T", "text")], "T")
