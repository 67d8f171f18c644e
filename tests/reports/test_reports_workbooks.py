"""The documents as a reader sees them: open the produced workbooks and check cells."""

from __future__ import annotations

import json

import openpyxl
import pytest
from reports_cases import load, write
from reports_handmade import AS_OF, CASES, COMPS

from reports import __main__ as cli
from reports import period, pipeline
from reports.workbook import register

Q3 = period.parse("2026Q3")


@pytest.fixture
def outputs(tmp_path):
    data = load(tmp_path / "in", CASES, COMPS, as_of=AS_OF)
    out = pipeline.run(data, Q3, tmp_path / "out", pipeline.RunOptions(progress=False))
    assert len(out) == 1
    return out[0]


def _row(ws, text: str, column: int = 1) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        cell = row[0]
        if isinstance(cell.value, str) and cell.value.startswith(text):
            return cell.row
    raise AssertionError(f"{text!r} not found in {ws.title}")


def test_bulletin_kpi_cells(outputs):
    wb = openpyxl.load_workbook(outputs.folder / pipeline.DOCUMENTS[1][0])
    ws = wb["指标 KPIs"]
    r = _row(ws, "受理及时率")
    assert [ws.cell(r, c).value for c in (2, 3)] == [5, 7]
    assert ws.cell(r, 4).value == pytest.approx(5 / 7)
    assert ws.cell(r, 4).number_format == "0.0%"
    r = _row(ws, "重开率")
    assert [ws.cell(r, c).value for c in (2, 3)] == [2, 4]
    # Q2: closed K only, not reopened → 0 %; vs previous = +50 pp.
    assert ws.cell(r, 5).value == 0 and ws.cell(r, 7).value == pytest.approx(50)
    assert ws.cell(r, 7).number_format == '+0.0" pp";-0.0" pp";0.0" pp"'
    # Same quarter last year: J closed, not reopened.
    assert ws.cell(r, 6).value == 0
    r = _row(ws, "受理总量")
    assert [ws.cell(r, c).value for c in (2, 3, 4)] == [8, 2, 1]
    r = _row(ws, "赔付金额")
    assert ws.cell(r, 2).value == pytest.approx(1109.5)
    assert ws.freeze_panes == "A4"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws._charts, "the KPI sheet carries a chart"
    hs = wb["热点 Hot spots"]
    r = _row(hs, "排名", 1) + 1
    assert [hs.cell(r, c).value for c in (1, 2, 3, 5, 7)] == [1, "服务 / 服务态度", "客服中心", 5, 2]
    notable = wb["重点案件 Notable cases"]
    assert [notable.cell(r, 1).value for r in range(5, 7)] == ["D", "F"]
    assert "口径 Definitions" in wb.sheetnames


def test_summary_table_cells(outputs):
    wb = openpyxl.load_workbook(outputs.folder / pipeline.DOCUMENTS[0][0])
    ws = wb["汇总表 Summary"]
    assert ws.cell(_row(ws, "本期受理合计"), 2).value == 8
    r = _row(ws, "投诉 Complaint")
    assert [ws.cell(r, c).value for c in (2, 4, 5)] == [7, 2, 1]
    assert ws.cell(r, 3).value == pytest.approx(7 / 8)
    r = _row(ws, "服务", 1)
    assert ws.cell(r, 2).value == 7 and ws.cell(r, 2).font.b  # subtotal row in bold
    r = _row(ws, "本期受理、期末未办结")
    assert ws.cell(r, 2).value == 3
    r = _row(ws, "合计 Total")
    assert ws.cell(r, 6).value == 3 and ws.cell(r, 7).value == pytest.approx(1109.5)
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["A"] >= 20, "the label column fits Chinese text"
    assert wb["数据问题 Data issues"].cell(5, 1).value == "(无数据) (no data)"


def test_expectation_has_a_sheet_per_department(outputs):
    wb = openpyxl.load_workbook(outputs.folder / pipeline.DOCUMENTS[2][0])
    assert {"客服中心", "物流中心"} <= set(wb.sheetnames)
    ws = wb["物流中心"]
    assert ws.cell(_row(ws, "受理件数"), 2).value == 1
    r = _row(ws, "超期率")
    # F is the only 物流中心 case with a deadline, and it is late: 100 % vs 40 %.
    assert ws.cell(r, 4).value == 1 and ws.cell(r, 5).value == pytest.approx(2 / 5)


def test_trend_sheet_prints_method_error_and_intervals(outputs):
    wb = openpyxl.load_workbook(outputs.folder / pipeline.DOCUMENTS[3][0])
    ws = wb["月度 Monthly"]
    assert ws.cell(4, 1).value.startswith("方法 Method")
    months = {ws.cell(i, 1).value: ws.cell(i, 2).value for i in range(1, ws.max_row + 1)}
    # July: A B; August: C F; September: D E G H; June: I.
    assert [months[m] for m in ("2026-06", "2026-07", "2026-08", "2026-09")] == [1, 2, 2, 4]
    for label in ("2026-10", "2026-11", "2026-12"):
        i = _row(ws, label)
        lo95, hi95, point = ws.cell(i, 6).value, ws.cell(i, 7).value, ws.cell(i, 3).value
        assert lo95 <= point <= hi95
    assert "日度 Daily" in wb.sheetnames and "预警 Early warning" in wb.sheetnames


def test_register_and_json(outputs):
    wb = openpyxl.load_workbook(outputs.folder / pipeline.REGISTER_FILE)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "案件登记簿 Case register"
    assert "2025-06-20" not in rows[1][0] and "数据覆盖 Data cover: 2025-07-15" in rows[1][0]
    assert rows[2][0] == "编号\nReference"
    assert [r[0] for r in rows[3:]] == ["A", "B", "C", "F", "G", "H", "E", "D"]
    by_name = {r[0]: r for r in rows[3:]}
    keys = [c[0] for c in register.COLUMNS]
    assert by_name["A"][keys.index("compensation_paid")] == pytest.approx(710)
    assert by_name["A"][keys.index("partner_phone")] == "138****1234"
    assert by_name["F"][keys.index("overdue")] == "是"
    assert by_name["D"][keys.index("level")] == "危机"
    assert ws.freeze_panes == "A4"
    payload = json.loads((outputs.folder / pipeline.SUMMARY_FILE).read_text("utf-8"))
    assert payload == outputs.summary


def test_the_runs_summary_is_build_summary_of_the_company(tmp_path):
    """The run reuses the figures its documents show; the worker files build_summary of the
    company's frames. Both must be the one payload."""
    from reports import regulator

    data = load(tmp_path / "in", CASES, COMPS, as_of=AS_OF)
    out = pipeline.run(data, Q3, tmp_path / "out", pipeline.RunOptions(progress=False))[0]
    cases, comps = pipeline.split_companies(data, None)[out.company]
    assert out.summary == regulator.build_summary(cases, comps, Q3, out.company, data.as_of)
    assert out.summary["counts"]["received"] > 0 and out.summary["compensation"]["paid_count"]


def test_register_splits_past_the_row_limit(tmp_path):
    data = load(tmp_path / "in", CASES, COMPS, as_of=AS_OF)
    path = tmp_path / "r.xlsx"
    names = register.build(data.cases, data.compensations, data.as_of, path, max_rows=4)
    assert len(names) == 3  # 11 cases, 4 a sheet
    wb = openpyxl.load_workbook(path)
    counts = [ws.max_row - 3 for ws in wb.worksheets]
    assert counts == [4, 4, 3]
    assert all(ws["A3"].value == "编号\nReference" for ws in wb.worksheets)


def test_stream_and_openpyxl_register_write_the_same_cells(tmp_path):
    data = load(tmp_path / "in", CASES, COMPS, as_of=AS_OF)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    register.build(data.cases, data.compensations, data.as_of, a, "stream", max_rows=5)
    register.build(data.cases, data.compensations, data.as_of, b, "openpyxl", max_rows=5)
    wa, wb = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    assert wa.sheetnames == wb.sheetnames
    for sa, sb in zip(wa.worksheets, wb.worksheets, strict=True):
        assert list(sa.iter_rows(values_only=True)) == list(sb.iter_rows(values_only=True))
        assert sa["C4"].number_format == sb["C4"].number_format == "yyyy-mm-dd hh:mm"


def test_quiet_quarter_inside_the_data_still_writes_every_document(tmp_path):
    data = load(tmp_path / "in", CASES, COMPS, as_of=AS_OF)
    out = pipeline.run(data, period.parse("2026Q1"), tmp_path / "out",
                       pipeline.RunOptions(progress=False))[0]
    wb = openpyxl.load_workbook(out.folder / pipeline.DOCUMENTS[1][0])
    ws = wb["指标 KPIs"]
    r = _row(ws, "受理及时率")
    assert [ws.cell(r, c).value for c in (2, 3, 4)] == [0, 0, "n/a"]
    reg = openpyxl.load_workbook(out.folder / pipeline.REGISTER_FILE).worksheets[0]
    assert reg.max_row == 3
    assert out.summary["counts"]["received"] == 0


@pytest.mark.parametrize("code", ["2024Q1", "2026Q4"])
def test_a_period_outside_the_data_is_refused(tmp_path, caplog, code):
    folder = write(tmp_path / "in", CASES, COMPS)
    args = ["quarterly", "--period", code, "--source", str(folder), "--as-of", AS_OF,
            "--out", str(tmp_path / "out"), "--no-progress"]
    assert cli.main(args) == 2
    assert f"period {code} is not covered by the data" in caplog.text
    assert not (tmp_path / "out" / code).exists(), "nothing is written"
    # Built on request, saying so in every title row, and without a summary to file.
    assert cli.main([*args, "--allow-empty"]) == 0
    folder = tmp_path / "out" / code / "测试公司"
    assert not (folder / pipeline.SUMMARY_FILE).exists()
    for name, _ in pipeline.DOCUMENTS:
        wb = openpyxl.load_workbook(folder / name)
        for ws in wb.worksheets:
            if ws.title != "口径 Definitions":
                assert "PERIOD NOT COVERED BY THE DATA" in ws["A2"].value, (name, ws.title)
    reg = openpyxl.load_workbook(folder / pipeline.REGISTER_FILE).worksheets[0]
    assert "PERIOD NOT COVERED BY THE DATA" in reg["A2"].value


def test_input_without_any_case(tmp_path, caplog):
    folder = write(tmp_path / "in", [])
    args = ["quarterly", "--period", "2026Q3", "--source", str(folder), "--out",
            str(tmp_path / "out"), "--no-progress"]
    assert cli.main(args) == 2
    assert "no case in the data" in caplog.text
    assert cli.main([*args, "--allow-empty"]) == 0
    produced = list((tmp_path / "out" / "2026Q3").rglob("*.xlsx"))
    assert len(produced) == len(pipeline.DOCUMENTS) + 1
    assert not list((tmp_path / "out" / "2026Q3").rglob("*.json"))


def test_short_history_forecasts_from_the_first_case(tmp_path):
    """The bundled sample starts in January 2023: in 2023Q2 a company has six months of
    history, so the monthly forecast is the mean of April–June (not a seasonal model fed
    with zeros before the first case) and the daily one ends where the data end."""
    from reports import figures, metrics, sources
    from reports.workbook import trend

    data = sources.from_sample()
    q2 = period.parse("2023Q2")
    company = sorted(data.cases["company_id"].unique())[0]
    cases = data.cases[data.cases["company_id"] == company]
    fig = figures.compute(company, cases, data.compensations.iloc[:0], q2, data.as_of,
                          "sample", metrics.Policy())
    wb = openpyxl.load_workbook(trend.build(fig, tmp_path / "t.xlsx"))
    ws = wb["月度 Monthly"]
    assert "Mean of the last 3 months" in ws.cell(4, 1).value
    received = cases["date_received"]
    expected = sum(int(((received >= f"2023-{m:02d}-01")
                        & (received < f"2023-{m + 1:02d}-01")).sum()) for m in (4, 5, 6)) / 3
    for label in ("2023-07", "2023-08", "2023-09"):
        r = _row(ws, label)
        lo95, point, hi95 = ws.cell(r, 6).value, ws.cell(r, 3).value, ws.cell(r, 7).value
        assert point == pytest.approx(expected) and 0 < lo95 <= point <= hi95 < 3 * point
    assert _row(ws, "2023-01") and all(
        c.value != "2022-12" for c in ws["A"]), "no month before the first case"
    ds = wb["日度 Daily"]
    r = _row(ds, "1M")
    assert ds.cell(r, 1).value == "1M (2023-07-01–2023-07-31)"
    assert ds.cell(r, 5).value <= ds.cell(r, 2).value <= ds.cell(r, 6).value < 3 * ds.cell(r, 2).value
