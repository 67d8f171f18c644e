"""The synthetic history: reproducible, realistic in the ways the reports rely on."""

from __future__ import annotations

import pandas as pd

from data.generate import generate
from reports import model, sources


def test_same_seed_same_history():
    a = generate(cases=500, seed=7)
    b = generate(cases=500, seed=7)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert not generate(cases=500, seed=8)[0].equals(a[0])


def test_history_has_the_features_the_reports_use():
    cases, comps = generate(cases=20_000, seed=1)
    assert cases["name"].is_unique
    rec = cases["date_received"]
    # Double-11 busier than the first half of November, per day.
    nov = rec[rec.dt.month == 11]
    peak = nov[(nov.dt.day >= 11) & (nov.dt.day <= 25)].dt.normalize().value_counts().mean()
    before = nov[nov.dt.day <= 10].dt.normalize().value_counts().mean()
    assert peak > 1.4 * before
    assert set(cases["demand_type"]) <= set(model.DEMAND_TYPES)
    assert set(cases["channel_id"]) <= set(model.CHANNELS)
    assert cases["is_regulator_forwarded"].any() and (cases["affected_count"] >= 10).any()
    repeats = cases.dropna(subset=["repeat_of_id"])
    assert len(repeats) and repeats["repeat_of_id"].isin(cases["name"]).all()
    assert set(comps["currency_id"]) == {"CNY", "HKD", "USD"}
    assert comps["case_id"].isin(cases["name"]).all()
    # Steps after the extraction day have not happened.
    assert (cases["date_closed"].dropna() < pd.Timestamp("2026-10-13")).all()


def test_committed_sample_spans_three_years_to_2026q3():
    data = sources.from_sample()
    rec = data.cases["date_received"]
    assert 2000 <= len(data.cases) <= 10_000
    assert rec.min() < pd.Timestamp("2023-07-01") and rec.max() >= pd.Timestamp("2026-09-01")
    assert data.cases["company_id"].nunique() >= 2
    assert data.issues == []


def test_levels_follow_the_addons_rule():
    import re
    import xml.etree.ElementTree as ET
    from pathlib import Path

    from data import generate as gen

    repo = Path(__file__).resolve().parents[2]
    # The channels that raise a case to a crisis, as the add-on ships them.
    root = ET.parse(repo / "addon_complaints/data/complaint_channel_data.xml").getroot()
    raising = set()
    for record in root.iter("record"):
        values = {f.get("name"): f.get("eval", f.text) for f in record.iter("field")}
        if "True" in (values.get("is_regulator"), values.get("is_public_exposure")):
            raising.add(values["code"])
    assert raising == set(gen.CRISIS_CHANNELS)
    source = (repo / "addon_complaints/models/complaint_case.py").read_text(encoding="utf-8")
    assert re.search(rf"^GROUP_COMPLAINT_SIZE = {gen.GROUP_COMPLAINT_SIZE}$", source, re.M)

    cases, _ = generate(cases=5000, seed=3)
    crisis = cases["channel_id"].isin(raising) | (cases["affected_count"] >= 10)
    assert cases["is_regulator_forwarded"].any()
    assert (cases.loc[cases["is_regulator_forwarded"], "level"] == "crisis").all()
    assert (cases.loc[crisis, "level"] == "crisis").all()
    rest = cases[~crisis]
    assert (rest.loc[rest["repeat_count"] >= 3, "level"] == "major").all()
    assert (rest.loc[rest["repeat_count"] == 2, "level"] == "urgent").all()
    assert (rest.loc[rest["repeat_count"] == 1, "level"] == "normal").all()
