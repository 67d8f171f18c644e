"""Properties that hold for any input: counts add up, rates stay rates, nothing is lost."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.generate import generate
from reports import metrics, model, period, regulator
from reports.workbook import register

Q = period.parse("2025Q4")


@st.composite
def histories(draw):
    n = draw(st.integers(min_value=0, max_value=300))
    seed = draw(st.integers(min_value=0, max_value=10_000))
    cases, comps = generate(cases=max(n, 1), seed=seed, start="2024-10-01",
                            end="2026-03-31", as_of="2026-04-05")
    return cases.head(n), comps[comps["case_id"].isin(cases.head(n)["name"])]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_counts_add_up_and_rates_are_rates(history):
    cases, comps = history
    as_of = pd.Timestamp("2026-04-05")
    r = metrics.received(cases, Q)
    for column, table in (("demand_type", model.DEMAND_TYPES), ("channel_id", model.CHANNELS),
                          ("level", model.LEVELS), ("department_id", None)):
        assert metrics.count_by(r, column, table)["count"].sum() == len(r)
    tree = metrics.category_tree(r)
    assert tree.loc[tree["depth"] == 0, "count"].sum() == len(r)
    for parent in tree.loc[tree["is_subtotal"], "path"]:
        children = tree[tree["path"].str.startswith(parent + " / ")
                        & (tree["depth"] == parent.count(" / ") + 1)]
        assert children["count"].sum() == tree.loc[tree["path"] == parent, "count"].item()
    closure = metrics.closure(cases, Q).set_index("code")["count"]
    assert closure["received_closed"] + closure["received_open"] == len(r)
    for k in metrics.kpis(cases, Q, as_of, metrics.Policy()).values():
        assert 0 <= k.numerator <= k.denominator
    if cases["date_received"].min() >= Q.end or cases.empty:
        with pytest.raises(regulator.CoverageError):
            regulator.build_summary(cases, comps, Q, "x", as_of)
    else:
        summary = regulator.build_summary(cases, comps, Q, "x", as_of)
        assert sum(summary["counts"]["by_demand_type"].values()) == len(r)
    assert register.register_frame(r, comps, as_of).shape[0] == len(r)


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=1, max_value=40), st.integers(min_value=1, max_value=9))
def test_register_split_keeps_every_row_once(tmp_path_factory, n, per_sheet):
    import openpyxl

    cases, comps = generate(cases=n, seed=n, start="2025-10-01", end="2025-12-31",
                            as_of="2026-01-10")
    path = tmp_path_factory.mktemp("reg") / "r.xlsx"
    names = register.build(cases, comps, pd.Timestamp("2026-01-10"), path,
                           max_rows=per_sheet)
    assert len(names) == -(-n // per_sheet)
    wb = openpyxl.load_workbook(path, read_only=True)
    refs = [row[0] for ws in wb.worksheets for row in ws.iter_rows(min_row=4, values_only=True)]
    assert sorted(refs) == sorted(cases["name"])
