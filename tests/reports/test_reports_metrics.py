"""Every figure of the hand-made history, counted by hand in the comments."""

from __future__ import annotations

import pandas as pd
import pytest
from reports_cases import load
from reports_handmade import AS_OF, CASES, COMPS

from reports import metrics, period, regulator

Q3 = period.parse("2026Q3")


@pytest.fixture
def data(tmp_path):
    return load(tmp_path / "in", CASES, COMPS, as_of=AS_OF)


def _frac(k: metrics.Kpi) -> tuple[int, int]:
    return k.numerator, k.denominator


def test_kpis_of_the_quarter(data):
    k = metrics.kpis(data.cases, Q3, data.as_of, metrics.Policy())
    # Acceptance: G withdrawn is out; D undecided but due 8 Oct (before extraction) is in.
    # On time: A, C, E, F, H; late: B (due end of Mon 6 Jul), D.
    assert _frac(k["acceptance_timeliness"]) == (5, 7)
    # Handling: A, B, C replied; F deadline passed unreplied; H not due yet, out.
    # In time: A, C.
    assert _frac(k["handling_timeliness"]) == (2, 4)
    # Overdue: of A, B, C, F, H (with deadline, accepted, not withdrawn) B and F are late.
    assert _frac(k["overdue_rate"]) == (2, 5)
    # Feedback: A in time; B late; F and H without feedback and past due.
    assert _frac(k["feedback_timeliness"]) == (1, 4)
    # Satisfaction: A satisfied, B dissatisfied.
    assert _frac(k["satisfaction_rate"]) == (1, 2)
    # Repeat: complaints A B D E F G H, B raised twice.
    assert _frac(k["repeat_rate"]) == (1, 7)
    # Reopen: closed in Q3 are A, B, C and I (received in Q2); B and I were reopened.
    assert _frac(k["reopen_rate"]) == (2, 4)


def test_previous_and_last_year_periods(data):
    prev = metrics.kpis(data.cases, Q3.previous(), data.as_of, metrics.Policy())
    # Q2 received I and K, both replied before their deadlines.
    assert _frac(prev["handling_timeliness"]) == (2, 2)
    # Closed in Q2: K only (I's latest closure is in Q3).
    assert _frac(prev["reopen_rate"]) == (0, 1)
    ly = metrics.kpis(data.cases, Q3.same_last_year(), data.as_of, metrics.Policy())
    assert _frac(ly["satisfaction_rate"]) == (1, 1)


def test_reopened_case_counts_as_open_at_the_end_of_its_first_quarter(data):
    q2 = metrics.closure(data.cases, Q3.previous()).set_index("code")["count"]
    # I and K received in Q2; I's (latest) closure is in Q3, so it was open at Q2's end.
    assert (q2["received_closed"], q2["received_open"]) == (1, 1)
    q3 = metrics.closure(data.cases, Q3).set_index("code")["count"]
    # Finished by 1 Oct: A B C closed, E not accepted, G withdrawn; open: D F H.
    assert (q3["received_closed"], q3["received_open"]) == (5, 3)
    assert (q3["carried_in"], q3["carried_closed"], q3["closed_in_period"]) == (1, 1, 4)


def test_compensation_adds_company_currency_amounts(data):
    c = metrics.compensation(data.compensations, Q3).set_index("code")
    # Submitted in Q3: A in USD (710 CNY), A in HKD (184 CNY), B 300 CNY.
    assert c["proposed_count"].sum() == 3
    assert c["proposed_amount"].sum() == pytest.approx(710 + 184 + 300)
    # Paid in Q3: A USD 710, B 300, I 99.50 (proposed in Q2, paid in Q3).
    assert c.loc["cash", "paid_amount"] == pytest.approx(710 + 99.5)
    assert c.loc["refund", "paid_amount"] == pytest.approx(300)
    assert c["paid_amount"].sum() == pytest.approx(1109.5)
    # The proposal amounts in their own currencies would give 100 + 300 + 99.5.
    assert c["paid_amount"].sum() != pytest.approx(499.5)
    assert c.loc["voucher", "approved_count"] == 1


def test_breakdowns_and_category_tree(data):
    r = metrics.received(data.cases, Q3)
    by_type = metrics.count_by(r, "demand_type").set_index("code")["count"]
    assert by_type["complaint"] == 7 and by_type["consultation"] == 1
    tree = metrics.category_tree(r).set_index("path")
    assert tree.loc["服务", "count"] == 7 and bool(tree.loc["服务", "is_subtotal"])
    assert tree.loc["服务 / 服务态度", "count"] == 6
    assert tree.loc["服务 / 办理效率", "count"] == 1
    assert tree.loc["配送", "count"] == 1
    acc = metrics.acceptance(r)
    assert acc.loc[acc["code"] == "not_accepted", "count"].item() == 1
    assert "超过保修期" in acc.loc[acc["code"] == "reason", "label"].item()


def test_hot_spots_notable_and_accountability(data):
    r = metrics.received(data.cases, Q3)
    top = metrics.hot_spots(r, metrics.received(data.cases, Q3.previous()))
    first = top.iloc[0]
    # A B D E G share category, department and location.
    assert (first["category_id"], first["department_id"], first["count"]) == (
        "服务 / 服务态度", "客服中心", 5)
    assert first["share"] == pytest.approx(5 / 7)
    assert first["previous"] == 2  # I and K, received in Q2 with the same three values
    assert top["count"].sum() == 7
    notable = metrics.notable(r, metrics.Policy()).set_index("name")
    assert list(notable.index) == ["D", "F"]
    assert "regulator" in notable.loc["D", "why"] and "crisis" in notable.loc["D", "why"]
    assert "group" in notable.loc["F", "why"]
    acc = metrics.accountability(r, data.as_of).set_index("department_id")
    # Valid and company at fault: A B C D G H (客服中心), F (物流中心); E has no validity.
    assert acc.loc["客服中心", "total"] == 6 and acc.loc["物流中心", "total"] == 1
    assert acc.loc["客服中心", "crisis"] == 1 and acc.loc["客服中心", "urgent"] == 1
    assert acc.loc["客服中心", "overdue"] == 1 and acc.loc["物流中心", "overdue"] == 1


def test_regulator_summary(data):
    s = regulator.build_summary(data.cases, data.compensations, Q3, "测试公司", data.as_of)
    c = s["counts"]
    assert (c["received"], c["complaints"], c["regulator_forwarded"], c["group"]) == (8, 7, 1, 1)
    assert (c["not_accepted"], c["closed_by_period_end"], c["open_at_period_end"]) == (1, 5, 3)
    assert c["by_level"] == {"normal": 6, "urgent": 1, "major": 0, "crisis": 1}
    assert c["by_channel"]["regulator"] == 1 and c["by_channel"]["email"] == 0
    assert s["kpis"]["acceptance_timeliness"] == {"value": round(5 / 7, 6), "numerator": 5,
                                                  "denominator": 7}
    assert s["compensation"]["paid_amount"] == 1109.5
    assert s["period"] == {"code": "2026Q3", "start": "2026-07-01", "end": "2026-09-30"}


def test_a_merged_repeat_is_not_a_case_of_its_own(tmp_path):
    from reports_cases import case

    merged = case("M", "2026-07-04 10:00", state="merged", repeat_of_id="A")
    data = load(tmp_path / "m", [*CASES, merged], COMPS, as_of=AS_OF)
    s = regulator.build_summary(data.cases, data.compensations, Q3, "测试公司", data.as_of)
    assert s["counts"]["received"] == 8  # A–H as before; M is carried by A
    assert s["kpis"]["repeat_rate"]["denominator"] == 7


def test_empty_quarter_gives_zeros_and_no_rates(data):
    # A quiet quarter inside the data (J in 2025Q3, K in 2026Q2).
    empty = period.parse("2026Q1")
    k = metrics.kpis(data.cases, empty, data.as_of, metrics.Policy())
    assert all(v.denominator == 0 and v.value is None for v in k.values())
    s = regulator.build_summary(data.cases, data.compensations, empty, "测试公司", data.as_of)
    assert s["counts"]["received"] == 0
    assert all(v["value"] is None for v in s["kpis"].values())
    assert metrics.hot_spots(metrics.received(data.cases, empty),
                             metrics.received(data.cases, empty)).empty


@pytest.mark.parametrize("code, why", [
    ("2024Q1", "the data begin on 2025-07-15"),  # before the first case
    ("2026Q4", "the data end on 2026-10-15 12:00"),  # not over at the extraction
    ("2027Q1", "the data end on 2026-10-15 12:00"),  # after the data
])
def test_no_summary_for_a_period_the_data_do_not_cover(data, code, why):
    with pytest.raises(regulator.CoverageError, match=why):
        regulator.build_summary(data.cases, data.compensations, period.parse(code), "测试公司",
                                data.as_of)
    with pytest.raises(regulator.CoverageError, match="no case"):
        regulator.build_summary(data.cases.iloc[:0], data.compensations.iloc[:0], Q3,
                                "测试公司", data.as_of)


def test_demand_groups_first_keyword_wins():
    r = pd.DataFrame({"customer_demand": ["要求退款并道歉", "要求道歉", None, "随便看看"]})
    g = metrics.demand_groups(r).set_index("group")["count"]
    assert (g["refund"], g["apology"], g["empty"], g["other"]) == (1, 1, 1, 1)


def test_compensation_paid_through_accounting_reports_the_ledger(data):
    """Where Odoo Accounting pays compensation, approved and paid amounts are the ledger's
    (rate of the approval date, reconciled payments), the others stay as proposed."""
    comps = data.compensations.copy()
    paid_cash = comps.index[(comps["state"] == "paid") & (comps["remedy_type_id"] == "cash")
                            & comps["date_paid"].notna()][0]
    comps["accounting_state"] = None
    comps.loc[paid_cash, "accounting_state"] = "paid"
    comps.loc[paid_cash, "amount_approved_company"] = 750.0
    comps.loc[paid_cash, "amount_paid_company"] = 750.0
    before = metrics.compensation(data.compensations, Q3).set_index("code")
    after = metrics.compensation(comps, Q3).set_index("code")
    moved = 750.0 - comps.loc[paid_cash, "amount_company"]
    assert after.loc["cash", "paid_amount"] == pytest.approx(before.loc["cash", "paid_amount"] + moved)
    assert after.loc["refund", "paid_amount"] == pytest.approx(before.loc["refund", "paid_amount"])
    # A document cancelled in Accounting pays nothing, whatever was proposed.
    comps.loc[paid_cash, "accounting_state"] = "reversed"
    comps.loc[paid_cash, "amount_paid_company"] = 0.0
    reversed_ = metrics.compensation(comps, Q3).set_index("code")
    assert reversed_.loc["cash", "paid_amount"] == pytest.approx(
        before.loc["cash", "paid_amount"] - data.compensations.loc[paid_cash, "amount_company"])


@pytest.mark.parametrize("column", ["department_id", "channel_id", "level"])
def test_kpis_by_group_are_the_kpis_of_each_group(column):
    """The expectation report reads each department's KPIs from one pass over the company:
    they must be the KPIs of that department's cases alone, for every period."""
    from reports import sources

    data = sources.from_sample()
    policy = metrics.Policy()
    key = data.cases[column].fillna("(空)")
    for code in ("2023Q2", "2023Q3"):
        p = period.parse(code)
        by = metrics.kpis_by(data.cases, key, p, data.as_of, policy)
        assert len(by) == key.nunique() > 1
        for group, got in by.items():
            assert got == metrics.kpis(data.cases[key == group], p, data.as_of, policy), group
