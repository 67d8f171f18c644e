"""Malformed exports: every problem ends in exit 2 with a one-line message naming the file
(and the column where there is one), or is listed as a data issue — never a traceback,
never silence."""

from __future__ import annotations

import logging
import random

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reports_cases import BASE, write
from reports_handmade import CASES, COMPS

from reports import __main__ as cli
from reports import sources

OPTIONAL = [c for c in BASE if c not in ("name", "date_received", "company_id")]


def _lines() -> list[str]:
    return pd.DataFrame(CASES, columns=list(BASE)).to_csv(index=False).splitlines()


def _mutate(kind: str, rnd: random.Random) -> tuple[bytes, str, str]:
    """(file bytes, expected outcome "error" or "issue" or "ok", text the message or an
    issue must contain)."""
    lines = _lines()
    header = lines[0].split(",")
    text = "\n".join(lines) + "\n"
    row = rnd.randrange(1, len(lines))
    if kind == "empty":
        return b"", "error", "empty"
    if kind == "blank":
        return b"\n\n", "error", "no header row"
    if kind == "truncated":
        start = len(lines[0]) + 2
        cut = rnd.randrange(start, len(text.encode()) - 1)
        data = text.encode()[:cut]
        if data.endswith(b"\n"):
            return data, "ok", ""
        last = data.rsplit(b"\n", 1)[-1]
        if last.count(b",") != len(header) - 1:  # the last row lost fields
            return data, "error", "field(s) where the header has"
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:  # cut inside a character of the last field
            return data, "error", "cut off"
        return data, "issue", "cut off"
    if kind == "utf16_no_bom":
        return text.encode(rnd.choice(["utf-16-le", "utf-16-be"])), "error", "UTF-16"
    if kind == "utf16_bom":
        return text.encode("utf-16"), "ok", ""
    if kind == "gbk":
        return text.encode("gbk"), "ok", ""
    if kind == "mixed_delimiters":
        lines[row] = lines[row].replace(",", rnd.choice([";", "\t"]))
        return ("\n".join(lines) + "\n").encode(), "error", "mixed delimiters"
    if kind == "extra_field":
        lines[row] += ",surplus"
        return ("\n".join(lines) + "\n").encode(), "error", f"has {len(header) + 1} field(s)"
    frame = pd.DataFrame(CASES, columns=list(BASE))
    if kind == "missing_required":
        col = rnd.choice(["name", "date_received"])
        return frame.drop(columns=col).to_csv(index=False).encode(), "error", col
    if kind == "missing_optional":
        col = rnd.choice(OPTIONAL)
        return frame.drop(columns=col).to_csv(index=False).encode(), "ok", ""
    if kind == "extra_column":
        frame.insert(rnd.randrange(len(frame.columns)), "备注", "x")
        return frame.to_csv(index=False).encode(), "issue", "备注"
    if kind == "duplicate_column":
        col = rnd.choice(list(BASE))
        header.append(col)
        lines[0] = ",".join(header)
        lines[1:] = [line + "," for line in lines[1:]]
        return ("\n".join(lines) + "\n").encode(), "error", col
    if kind == "broken_date":
        col = rnd.choice(["date_accepted", "date_closed", "date_deadline"])
        # a year outside what a timestamp can hold (0123, or full-width digits read as
        # one) is not a date either
        frame.loc[row - 1, col] = rnd.choice(["2026-13-45", "yesterday", "31/31/2026", "0123-05-01",
                                              "0123-05-01 10:00:00", "１２３"])
        return frame.to_csv(index=False).encode(), "issue", col
    if kind == "broken_number":
        col = rnd.choice(["affected_count", "reopen_count", "repeat_count"])
        frame[col] = frame[col].astype(object)
        frame.loc[row - 1, col] = rnd.choice(["abc", "1..2", "十"])
        return frame.to_csv(index=False).encode(), "issue", col
    raise AssertionError(kind)


KINDS = ["empty", "blank", "truncated", "utf16_no_bom", "utf16_bom", "gbk", "mixed_delimiters",
         "extra_field", "missing_required", "missing_optional", "extra_column",
         "duplicate_column", "broken_date", "broken_number"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(KINDS), st.integers(0, 10_000))
def test_malformed_exports_are_refused_or_reported(tmp_path, kind, seed):
    data, outcome, expected = _mutate(kind, random.Random(seed))
    folder = tmp_path / f"{kind}-{seed}"
    write(folder, [], COMPS)  # compensations.csv beside it
    path = folder / "cases.csv"
    path.write_bytes(data)
    if outcome == "error":
        with pytest.raises(sources.SourceError) as exc:
            sources.from_files(path)
        message = str(exc.value)
        assert "\n" not in message and str(path) in message, message
        assert expected in message, message
        return
    read = sources.from_files(path)
    if outcome == "issue":
        found = " | ".join(f"{i.column} {i.value} {i.problem}" for i in read.issues)
        assert expected in found, (kind, found)
    else:
        assert len(read.cases) >= 1


@pytest.mark.parametrize("kind", ["empty", "utf16_no_bom", "mixed_delimiters",
                                  "duplicate_column", "missing_required", "extra_field"])
def test_command_line_exits_2_with_one_line(tmp_path, caplog, kind):
    data, _, expected = _mutate(kind, random.Random(1))
    folder = write(tmp_path / "in", [], COMPS)
    (folder / "cases.csv").write_bytes(data)
    with caplog.at_level(logging.ERROR):
        code = cli.main(["quarterly", "--period", "2026Q3", "--source", str(folder),
                         "--out", str(tmp_path / "out"), "--no-progress"])
    assert code == 2
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "\n" not in errors[0] and expected in errors[0]


def test_mapped_column_absent_from_the_file_is_reported(tmp_path, root):
    legacy = pd.DataFrame({"工单编号": ["L1"], "来电时间": ["2026/07/05 09:30"]})
    path = tmp_path / "legacy.csv"
    legacy.to_csv(path, index=False)
    data = sources.from_files(path, mapping_path=root / "data/mappings/legacy_hotline.toml")
    absent = {i.column: i.problem for i in data.issues}
    assert "→ channel_id" in absent["来源渠道"] and "read as empty" in absent["来源渠道"]
    assert "工单编号" not in absent


def test_customers_per_case_default_to_one(tmp_path):
    frame = pd.DataFrame(CASES, columns=list(BASE)).drop(columns="affected_count")
    path = tmp_path / "cases.csv"
    frame.to_csv(path, index=False)
    data = sources.from_files(path)
    assert (data.cases["affected_count"] == 1).all()
