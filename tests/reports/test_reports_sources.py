"""File sources: encodings, Odoo list-view exports, mappings, unknown values, bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from reports_cases import BASE, case, write
from reports_handmade import AS_OF, CASES, COMPS

from reports import __main__ as cli
from reports import metrics, model, period, sources
from reports.odoo_source import OdooConfig, OdooConfigError

Q3 = period.parse("2026Q3")


def _odoo_export(cases: list[dict]) -> pd.DataFrame:
    """What an Odoo list-view export in Chinese looks like: labels as headers, selection
    values as their labels."""
    frame = pd.DataFrame(cases, columns=list(BASE))
    for column, table in model.CASE_CODED.items():
        if column in frame:
            frame[column] = frame[column].map(lambda v, t=table: t[v].zh if v in t else v)
    frame["is_regulator_forwarded"] = frame["is_regulator_forwarded"].map(
        {True: "是", False: "否"})
    return frame.rename(columns={k: v[0] for k, v in model.FIELD_LABELS.items()})


def test_gbk_odoo_export_reads_like_the_canonical_csv(tmp_path):
    canonical = sources.from_files(write(tmp_path / "utf8", CASES, COMPS))
    gbk = tmp_path / "gbk.csv"
    _odoo_export(CASES).to_csv(gbk, index=False, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.read_bytes().decode("utf-8")  # the file really is GBK
    data = sources.from_files(gbk, tmp_path / "utf8" / "compensations.csv")
    assert data.issues == []
    pd.testing.assert_frame_equal(data.cases, canonical.cases)
    k1 = metrics.kpis(canonical.cases, Q3, pd.Timestamp(AS_OF), metrics.Policy())
    k2 = metrics.kpis(data.cases, Q3, pd.Timestamp(AS_OF), metrics.Policy())
    assert k1 == k2


def test_xlsx_export_with_english_labels(tmp_path):
    frame = pd.DataFrame(CASES, columns=list(BASE))
    frame = frame.rename(columns={k: v[1] for k, v in model.FIELD_LABELS.items()})
    frame["Date Received"] = pd.to_datetime(frame["Date Received"])  # real date cells
    frame["Phone"] = frame["Phone"].astype("int64")  # Excel turned the phone into a number
    path = tmp_path / "export.xlsx"
    frame.to_excel(path, index=False)
    data = sources.from_files(path)
    assert data.cases["partner_phone"].iloc[0] == "13800001234"
    assert len(metrics.received(data.cases, Q3)) == 8


def test_unknown_values_are_kept_and_reported(tmp_path):
    rows = [case("X1", "2026-07-02 10:00", channel_id="抖音"),
            case("X2", "2026-07-02 11:00", channel_id="抖音"),
            case("X3", "2026-07-03 10:00", demand_type="表扬")]
    data = sources.from_files(write(tmp_path / "in", rows))
    found = {(i.column, i.value): i.count for i in data.issues}
    assert found == {("channel_id", "抖音"): 2, ("demand_type", "表扬"): 1}
    assert list(data.cases["channel_id"]) == ["抖音", "抖音", "hotline"]
    counts = metrics.count_by(data.cases, "channel_id", model.CHANNELS).set_index("code")
    assert counts.loc["抖音", "count"] == 2  # its own row, not folded into a known code


def test_mapping_reads_another_systems_gbk_export(tmp_path, root):
    legacy = pd.DataFrame({
        "工单编号": ["L1", "L2", "L3"],
        "所属单位": ["旧系统公司"] * 3,
        "来电时间": ["2026/07/05 09:30", "2026/08/01 10:00", "2026/09/09 14:00"],
        "工单类型": ["投诉类", "咨询类", "投诉类"],
        "来源渠道": ["12345热线", "微信", "电视台"],
        "工单状态": ["已办结", "已办结", "办理中"],
        "回访结果": ["非常满意", "一般", None],
        "坐席工号": ["001", "002", "003"],
    })
    path = tmp_path / "legacy.csv"
    legacy.to_csv(path, index=False, encoding="gbk")
    data = sources.from_files(path, mapping_path=root / "data/mappings/legacy_hotline.toml")
    c = data.cases
    assert list(c["demand_type"]) == ["complaint", "consultation", "complaint"]
    assert list(c["channel_id"][:2]) == ["hotline", "im"]
    assert list(c["satisfaction"][:2]) == ["satisfied", "basically_satisfied"]
    assert c["date_received"].iloc[0] == pd.Timestamp("2026-07-05 09:30")
    problems = {(i.column, i.value, i.problem) for i in data.issues}
    assert ("channel_id", "电视台", "unknown value, kept as is") in problems
    assert ("坐席工号", "", "column not recognised, ignored") in problems


def test_utc_export_is_cut_in_local_time(tmp_path, root):
    rows = [case("U1", "2026-06-30 20:00")]  # 04:00 on 1 July in Shanghai
    folder = write(tmp_path / "in", rows)
    data = sources.from_files(folder / "cases.csv",
                              mapping_path=root / "data/mappings/odoo_export_utc.toml")
    assert data.cases["date_received"].iloc[0] == pd.Timestamp("2026-07-01 04:00")
    assert len(metrics.received(data.cases, Q3)) == 1


@pytest.mark.parametrize("content, message", [
    ("foo,bar\n1,2\n", "required column"),
    ("编号,受理时间\nA,2026-07-01\n", None),
])
def test_required_columns(tmp_path, content, message):
    path = tmp_path / "cases.csv"
    path.write_text(content, encoding="utf-8")
    if message:
        with pytest.raises(sources.SourceError, match=message):
            sources.from_files(path)
    else:
        assert len(sources.from_files(path).cases) == 1


def test_bad_input_exits_non_zero_with_a_message(tmp_path, caplog):
    bad = tmp_path / "cases.csv"
    bad.write_bytes(b"\x80\x80\xff garbage \xff\n")
    code = cli.main(["quarterly", "--period", "2026Q3", "--source", str(bad), "--out",
                     str(tmp_path / "o"), "--no-progress"])
    assert code == 2
    assert "neither UTF-8 nor GBK" in caplog.text
    mapping = tmp_path / "m.toml"
    mapping.write_text('[cases.columns]\n"x" = "no_such_field"\n', encoding="utf-8")
    folder = write(tmp_path / "in", CASES)
    code = cli.main(["quarterly", "--period", "2026Q3", "--source", str(folder), "--mapping",
                     str(mapping), "--out", str(tmp_path / "o"), "--no-progress"])
    assert code == 2
    assert "no_such_field" in caplog.text


def test_unparseable_dates_are_reported(tmp_path):
    rows = [case("D1", "2026-07-01 10:00", date_closed="next week")]
    data = sources.from_files(write(tmp_path / "in", rows))
    assert [(i.column, i.value) for i in data.issues] == [("date_closed", "next week")]
    assert pd.isna(data.cases["date_closed"].iloc[0])


def test_odoo_without_configuration_is_a_clear_error(tmp_path, monkeypatch, caplog):
    for var in ("ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(OdooConfigError, match="ODOO_URL"):
        OdooConfig.from_env()
    code = cli.main(["quarterly", "--period", "2026Q3", "--source", "odoo", "--out",
                     str(tmp_path), "--no-progress"])
    assert code == 3
    assert "ODOO_URL" in caplog.text


def test_help_explains_itself(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["quarterly", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for word in ("--period", "--source", "--mapping", "季度客户意见汇总表", "ODOO_URL"):
        assert word in text


def test_equal_references_in_two_companies_stay_apart(tmp_path):
    from reports_cases import comp

    from reports import pipeline

    rows = [case("TS2026-000001", "2026-07-01 10:00", company_id="甲公司"),
            case("TS2026-000001", "2026-07-02 10:00", company_id="乙公司")]
    comps = [comp("TS2026-000001", 10.0, date_paid="2026-07-03 10:00", company_id="甲公司"),
             comp("TS2026-000001", 25.0, date_paid="2026-07-04 10:00", company_id="乙公司")]
    folder = tmp_path / "in"
    folder.mkdir()
    pd.DataFrame(rows).to_csv(folder / "cases.csv", index=False)
    pd.DataFrame(comps).to_csv(folder / "compensations.csv", index=False)
    data = sources.from_files(folder)
    assert len(data.cases) == 2 and data.issues == []
    split = pipeline.split_companies(data, None)
    assert split["甲公司"][1]["amount_company"].tolist() == [10.0]
    assert split["乙公司"][1]["amount_company"].tolist() == [25.0]


def test_each_company_gets_the_compensations_of_its_own_cases(tmp_path):
    from reports_cases import comp

    from reports import pipeline

    rows = [case("TS2026-000001", "2026-07-01 10:00", company_id="甲公司"),
            case("TS2026-000002", "2026-07-02 10:00", company_id="乙公司"),
            case("TS2026-000003", "2026-07-02 11:00", company_id=None)]
    comps = [comp("TS2026-000001", 10.0, date_paid="2026-07-03 10:00", company_id="甲公司"),
             comp("TS2026-000001", 11.0, date_paid="2026-07-03 11:00", company_id=None),
             # booked to another company than its case's: belongs to neither
             comp("TS2026-000002", 12.0, date_paid="2026-07-03 12:00", company_id="甲公司"),
             comp("TS2026-000002", 13.0, date_paid="2026-07-03 13:00", company_id="丙公司"),
             comp("TS2026-000002", 14.0, date_paid="2026-07-03 14:00", company_id="乙公司"),
             comp("TS2026-000003", 15.0, date_paid="2026-07-03 15:00", company_id=None)]
    folder = tmp_path / "in"
    folder.mkdir()
    pd.DataFrame(rows).to_csv(folder / "cases.csv", index=False)
    pd.DataFrame(comps).to_csv(folder / "compensations.csv", index=False)
    split = pipeline.split_companies(sources.from_files(folder), None)
    assert sorted(split) == sorted(["甲公司", "乙公司", pipeline.NO_COMPANY])
    got = {name: split[name][1]["amount_company"].tolist() for name in split}
    assert got == {"甲公司": [10.0, 11.0], "乙公司": [14.0], pipeline.NO_COMPANY: [15.0]}
    assert split["乙公司"][0]["name"].tolist() == ["TS2026-000002"]
    assert pipeline.split_companies(sources.from_files(folder), "乙公司").__len__() == 1


def test_numbers_and_flags_as_exports_write_them(tmp_path):
    rows = [case("N1", "2026-07-01 10:00", affected_count="1,200", is_emergency="是"),
            case("N2", "2026-07-01 11:00", affected_count=" 12 ", is_emergency="FALSE"),
            case("N3", "2026-07-01 12:00", affected_count="many", is_emergency="maybe")]
    data = sources.from_files(write(tmp_path / "in", rows))
    assert list(data.cases["affected_count"]) == [1200, 12, 1]  # the add-on's default
    assert list(data.cases["is_emergency"]) == [True, False, False]
    problems = {(i.column, i.value, i.problem) for i in data.issues}
    assert problems == {("affected_count", "many", "not a number, read as 1"),
                        ("is_emergency", "maybe", "not a yes/no value, read as no")}
