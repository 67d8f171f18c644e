"""The Odoo source: its conversion helpers on plain values, and reading a real Odoo 18 with
addon_complaints (Odoo tier; elsewhere the ``odoo_server`` fixture skips with the reason)."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest

from reports import metrics, model, odoo_source, period, sources
from reports.coverage import CoverageError
from reports.regulator import build_summary

# -- conversion helpers (no server) ------------------------------------------------------------


def test_flatten_turns_odoo_values_into_stable_keys():
    # Rows as search_read answers them: a many2one is [id, display name], empty is False.
    rows = [
        {"id": 1, "name": "TS2026-000001", "channel_id": [11, "Regulator"],
         "category_id": [7, "Attitude"], "department_id": [4, "客服中心"],
         "date_accepted": False, "satisfaction": False, "is_emergency": False,
         "affected_count": 12},
        {"id": 2, "name": "TS2026-000002", "channel_id": [99, "Retired channel"],
         "category_id": False, "department_id": False, "date_accepted": "2026-07-01 01:00:00",
         "satisfaction": "satisfied", "is_emergency": True, "affected_count": 1},
    ]
    keyed = {"channel_id": {11: "regulator"}, "category_id": {7: "服务 / 服务态度"}}
    frame = odoo_source._flatten(rows, keyed)
    assert list(frame["channel_id"]) == ["regulator", "Retired channel"]  # unknown id: its name
    assert frame["category_id"].iloc[0] == "服务 / 服务态度" and pd.isna(frame["category_id"].iloc[1])
    assert frame["department_id"].iloc[0] == "客服中心" and pd.isna(frame["department_id"].iloc[1])
    assert pd.isna(frame["date_accepted"].iloc[0]) and pd.isna(frame["satisfaction"].iloc[0])
    assert frame["date_accepted"].iloc[1] == "2026-07-01 01:00:00"  # converted to local later
    assert list(frame["is_emergency"]) == [False, True]  # a boolean's False stays False
    assert list(frame["affected_count"]) == [12, 1]


def test_only_the_fields_the_reports_read_are_asked_for():
    assert "customer_demand" in model.CASE_READ and "date_received" in model.CASE_READ
    assert not set(model.CASE_READ) & set(model.CASE_UNREAD)
    assert "description" in model.CASE_UNREAD


def test_url_is_checked():
    cfg = odoo_source.OdooConfig("ftp://x", "db", "u", "p")
    with pytest.raises(odoo_source.OdooConfigError, match="ODOO_URL"):
        odoo_source.connect(cfg)


def test_missing_configuration_names_the_variables():
    with pytest.raises(odoo_source.OdooConfigError, match="ODOO_DB"):
        odoo_source.OdooConfig.from_env({"ODOO_URL": "http://127.0.0.1:8069"})


# -- a real Odoo ------------------------------------------------------------------------------

Q3 = period.parse("2025Q3")
# Shanghai is UTC+8 all year: the quarter in UTC, and the history the source reads with it
# (three years before the quarter).
Q3_UTC = ("2025-06-30 16:00:00", "2025-09-30 16:00:00")
HISTORY_UTC = "2022-06-30 16:00:00"

# (date received in UTC, channel code, demand type, customers involved)
CASES = [
    ("2025-06-30 16:30:00", "hotline", "complaint", 1),        # 1 July 00:30 local: Q3
    ("2025-06-30 15:30:00", "hotline", "complaint", 1),        # 30 June 23:30 local: Q2
    ("2025-08-12 02:00:00", "regulator", "complaint", 12),     # group, regulator-forwarded
    ("2025-08-13 03:00:00", "web", "consultation", 1),
    ("2025-09-20 08:00:00", "hotline", "suggestion", 1),
    ("2025-09-30 15:59:00", "regulator", "complaint", 1),      # 23:59 local on the last day
    ("2025-09-30 16:00:00", "web", "complaint", 1),            # 1 October local: after Q3
    ("2022-06-30 16:30:00", "hotline", "complaint", 1),        # first day of the history
    ("2022-06-30 15:30:00", "hotline", "complaint", 1),        # before the history
]


@pytest.fixture(scope="module")
def company(odoo):
    """A company of its own, so the figures are those of the cases made here."""
    ex = odoo.execute_kw
    name = f"报表测试公司 {uuid.uuid4().hex[:8]}"
    company_id = ex("res.company", "create", [{"name": name}])
    ex("res.users", "write", [[odoo.env.uid], {"company_ids": [(4, company_id)]}])
    ctx = {"allowed_company_ids": [company_id], "tz": "UTC"}
    channels = {r["code"]: r["id"] for r in ex("complaint.channel", "search_read", [[]], {"fields": ["code"]})}
    categories = ex("complaint.category", "search_read", [[]], {"fields": ["complete_name"], "order": "id"})
    values = [
        {"company_id": company_id, "subject": f"报表测试 {i}", "date_received": received,
         "channel_id": channels[channel], "demand_type": demand, "affected_count": customers,
         "category_id": categories[i % len(categories)]["id"], "partner_name": "张三",
         "partner_phone": "13800001234", "description": "送货延迟两天", "customer_demand": "要求补偿运费"}
        for i, (received, channel, demand, customers) in enumerate(CASES)
    ]
    case_ids = ex("complaint.case", "create", [values], {"context": ctx})
    # Two cases accepted (now: late for a 2025 case), with a proposal on one where the model exists.
    ex("complaint.case", "action_accept", [case_ids[2:4]], {"context": ctx})
    if ex("ir.model", "search_count", [[("model", "=", "complaint.compensation")]]):
        cash = ex("complaint.remedy.type", "search", [[("code", "=", "cash")]])
        ex("complaint.compensation", "create",
           [[{"case_id": case_ids[2], "remedy_type_id": cash[0], "amount": 188.5}]], {"context": ctx})
    return {"id": company_id, "name": name, "case_ids": case_ids}


@pytest.fixture(scope="module")
def loaded(odoo_server, company):
    env = {"ODOO_URL": odoo_server.url, "ODOO_DB": odoo_server.db, "ODOO_USER": odoo_server.login,
           "ODOO_PASSWORD": odoo_server.password}
    with pytest.MonkeyPatch.context() as mp:
        for var, value in env.items():
            mp.setenv(var, value)
        mp.setattr(odoo_source, "BATCH", 3)  # seven cases: three pages
        return sources.load("odoo", Q3, company=company["name"])


def _count(odoo, company, *domain, model="complaint.case") -> int:
    field = "company_id" if model == "complaint.case" else "case_id.company_id"
    return odoo.execute_kw(model, "search_count", [[(field, "=", company["id"]), *domain]])


def _in_q3(field: str = "date_received") -> list[tuple]:
    return [(field, ">=", Q3_UTC[0]), (field, "<", Q3_UTC[1])]


@pytest.mark.odoo
def test_reads_the_quarter_and_its_history_from_odoo(odoo, company, loaded):
    cases = loaded.cases
    window = _count(odoo, company, ("date_received", ">=", HISTORY_UTC), ("date_received", "<", Q3_UTC[1]))
    assert len(cases) == window == 7  # neither the case before the history nor the Q4 one
    names = odoo.execute_kw("complaint.case", "search_read",
                            [[("id", "in", company["case_ids"])]], {"fields": ["name", "date_received"]})
    by_utc = {r["date_received"]: r["name"] for r in names}
    assert by_utc["2022-06-30 15:30:00"] not in set(cases["name"])
    assert by_utc["2025-09-30 16:00:00"] not in set(cases["name"])
    # Local time: 16:30 UTC on 30 June is 00:30 on 1 July.
    first = cases.set_index("name").loc[by_utc["2025-06-30 16:30:00"]]
    assert first["date_received"] == pd.Timestamp("2025-07-01 00:30")
    assert set(cases["company_id"]) == {company["name"]}
    paths = {r["id"]: r["complete_name"] for r in odoo.execute_kw(
        "complaint.category", "search_read", [[]], {"fields": ["complete_name"]})}
    read_back = odoo.execute_kw("complaint.case", "read", [company["case_ids"], ["name", "category_id"]])
    expected_paths = {r["name"]: paths[r["category_id"][0]] for r in read_back}
    # The history outside the quarters the documents list comes as counted stand-ins, with
    # no reference (test_reports_odoo_grouped.py shows the figures are the same).
    listed = cases[cases["name"].notna()]
    assert all(expected_paths[n] == p for n, p in zip(listed["name"], listed["category_id"], strict=True))
    assert loaded.issues == []


@pytest.mark.odoo
def test_quarter_figures_match_odoo_counts(odoo, company, loaded):
    q3 = _in_q3()
    summary = build_summary(loaded.cases, loaded.compensations, Q3, company["name"], loaded.as_of)
    counts = summary["counts"]
    received = _count(odoo, company, *q3)
    assert counts["received"] == len(metrics.received(loaded.cases, Q3)) == received == 5
    assert counts["complaints"] == _count(odoo, company, *q3, ("demand_type", "=", "complaint"))
    assert counts["regulator_forwarded"] == _count(odoo, company, *q3, ("is_regulator_forwarded", "=", True))
    assert counts["group"] == _count(odoo, company, *q3, ("affected_count", ">=", 10)) == 1
    for code in ("hotline", "regulator", "web", "email"):
        assert counts["by_channel"].get(code, 0) == _count(odoo, company, *q3, ("channel_id.code", "=", code))
    for level in ("normal", "urgent", "major", "crisis"):
        assert counts["by_level"][level] == _count(odoo, company, *q3, ("level", "=", level))
    # Nothing is closed: all received are still open at the period end.
    assert counts["open_at_period_end"] == received - _count(odoo, company, *q3, ("date_closed", "!=", False))
    # Every acceptance due date of 2025 has passed; the two accepted today were late.
    acc = summary["kpis"]["acceptance_timeliness"]
    assert (acc["numerator"], acc["denominator"]) == (0, received)
    assert _count(odoo, company, *q3, ("date_accepted", "!=", False)) == 2


@pytest.mark.odoo
def test_compensations_come_with_their_case_reference(odoo, company, loaded):
    if not odoo.execute_kw("ir.model", "search_count", [[("model", "=", "complaint.compensation")]]):
        pytest.skip("complaint.compensation is not in this database")
    rows = odoo.execute_kw("complaint.compensation", "search_read",
                           [[("case_id.company_id", "=", company["id"])]],
                           {"fields": ["case_id", "amount_company", "currency_id", "date_submitted"]})
    comps = loaded.compensations
    assert len(comps) == len(rows) == 1
    (row,) = rows
    (case,) = odoo.execute_kw("complaint.case", "read", [[row["case_id"][0]], ["name"]])
    assert comps["case_id"].iloc[0] == case["name"]
    assert comps["remedy_type_id"].iloc[0] == "cash"
    assert comps["amount_company"].iloc[0] == pytest.approx(row["amount_company"])
    assert comps["currency_id"].iloc[0] == row["currency_id"][1]
    assert comps["company_id"].iloc[0] == company["name"]
    summary = build_summary(loaded.cases, loaded.compensations, Q3, company["name"], loaded.as_of)
    # A draft proposal: nothing proposed (submitted), approved or paid in the quarter.
    assert summary["compensation"]["proposed_count"] == _count(
        odoo, company, *_in_q3("date_submitted"), model="complaint.compensation") == 0


@pytest.mark.odoo
def test_the_worker_files_what_the_reports_read(odoo_server, company, loaded):
    # The sync worker's filing reads through reports.sources over its own connection.
    from sync_worker.odoo_gateway import OdooGateway, OdooSettings, RunContext
    from sync_worker.timetable import filing_periods

    gateway = OdooGateway(OdooSettings(odoo_server.url, odoo_server.db, odoo_server.login, odoo_server.password))
    (q3_filing,) = [p for p in filing_periods(2025) if p.label == "2025Q3"]
    filing_period = q3_filing.report_period()
    assert (filing_period.start, filing_period.end) == (Q3.start, pd.Timestamp("2025-09-21"))
    name, data = gateway.report_data(RunContext(company["id"], {}, {}), Q3)
    assert name == company["name"]
    assert len(data.cases) == len(loaded.cases)
    assert sorted(data.cases["name"].dropna()) == sorted(loaded.cases["name"].dropna())
    assert sorted(data.compensations["case_id"]) == sorted(loaded.compensations["case_id"])
    ours = build_summary(data.cases, data.compensations, Q3, name, loaded.as_of)
    assert ours == build_summary(loaded.cases, loaded.compensations, Q3, company["name"], loaded.as_of)


# -- timeliness: the add-on's stored outcomes, figure by figure --------------------------------

Q4 = period.parse("2026Q4")


@pytest.fixture(scope="module")
def timeliness_company(odoo):
    """A Shanghai company whose quarter has cases on time, late, pending, paused, forwarded by
    the regulator with a chain of extensions up to the ceiling, and cases on the quarter's
    edges."""
    ex = odoo.execute_kw
    name = f"时效测试公司 {uuid.uuid4().hex[:8]}"
    china = ex("res.country", "search", [[("code", "=", "CN")]])[0]
    general = ex("ir.model.data", "check_object_reference",
                 ["addon_complaints", "complaint_sla_policy_general"])[1]
    cbirc = ex("ir.model.data", "check_object_reference",
               ["addon_complaints", "complaint_sla_policy_cbirc"])[1]
    company_id = ex("res.company", "create", [{"name": name, "country_id": china,
                                               "complaint_sla_policy_id": general}])
    ex("res.users", "write", [[odoo.env.uid], {"company_ids": [(4, company_id)]}])
    ctx = {"allowed_company_ids": [company_id], "tz": "UTC"}
    ex("complaint.sla.policy", "copy", [cbirc, {"company_id": company_id, "sequence": 1,
                                                "regulator_forwarded": "yes"}], {"context": ctx})
    office = ex("ir.model.data", "check_object_reference",
                ["addon_complaints", "group_complaint_office"])[1]
    login = f"office_{uuid.uuid4().hex[:6]}"
    ex("res.users", "create", [{"name": "Office Two", "login": login, "password": login,
                                "email": f"{login}@example.com",
                                "company_id": company_id, "company_ids": [(6, 0, [company_id])],
                                "groups_id": [(4, office)]}])
    channels = {r["code"]: r["id"] for r in ex("complaint.channel", "search_read", [[]], {"fields": ["code"]})}
    now = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
    received = [
        (now - pd.Timedelta(hours=2), "hotline"),          # accepted at once: on time
        (pd.Timestamp("2026-10-12 02:00"), "hotline"),     # accepted today: late
        (pd.Timestamp("2026-11-16 02:00"), "web"),         # never decided: late
        (pd.Timestamp("2026-10-20 02:00"), "regulator"),   # 15 days + 15 + 30: the ceiling
        (pd.Timestamp("2026-11-25 02:00"), "hotline"),     # paused, accepted late
        (pd.Timestamp("2026-09-30 15:59"), "hotline"),     # 23:59 local on 30 September: Q3
        (pd.Timestamp("2026-09-30 16:00"), "hotline"),     # midnight local on 1 October: Q4
    ]
    values = [{"company_id": company_id, "subject": f"时效 {i}", "channel_id": channels[channel],
               "date_received": at.strftime("%Y-%m-%d %H:%M:%S"), "demand_type": "complaint",
               "partner_name": "李四", "partner_phone": "13800005678",
               "description": "快递延误", "customer_demand": "尽快送达", "readback_confirmed": True}
              for i, (at, channel) in enumerate(received)]
    ids = ex("complaint.case", "create", [values], {"context": ctx})
    ex("complaint.case", "action_accept", [[ids[0], ids[1], ids[4], ids[6]]], {"context": ctx})
    ex("complaint.case", "action_pause_clock", [[ids[4]], "testing", "Waiting for the lab"],
       {"context": ctx})
    ex("complaint.case", "action_resume_clock", [[ids[4]]], {"context": ctx})
    import odoorpc

    second = odoorpc.ODOO(odoo.host, port=odoo.port, timeout=300)
    second.login(odoo.env.db, login, login)
    requested = [("case_id", "=", ids[3]), ("state", "=", "requested")]
    # Each extension is approved by someone other than who asked; the second by an admin.
    ex("complaint.case", "action_request_extension", [[ids[3]], "Complex case", 15], {"context": ctx})
    second.execute_kw("complaint.extension", "action_approve",
                      [ex("complaint.extension", "search", [requested])], {"context": ctx})
    second.execute_kw("complaint.case", "action_request_extension", [[ids[3]], "Appraisal", 30],
                      {"context": ctx})
    ex("complaint.extension", "action_approve", [ex("complaint.extension", "search", [requested])],
       {"context": ctx})
    return {"id": company_id, "name": name, "case_ids": ids}


@pytest.mark.odoo
def test_timeliness_is_the_addons_stored_outcome(odoo, odoo_server, timeliness_company):
    from reports import figures
    from reports.workbook import bulletin

    company = timeliness_company
    ex = odoo.execute_kw
    (forwarded,) = ex("complaint.case", "read", [[company["case_ids"][3]],
                                                ["date_reply_deadline", "reply_outcome"]])
    assert forwarded["date_reply_deadline"] == "2026-12-21 15:59:59"  # day 60, off Saturday 19
    env = {"ODOO_URL": odoo_server.url, "ODOO_DB": odoo_server.db, "ODOO_USER": odoo_server.login,
           "ODOO_PASSWORD": odoo_server.password}
    with pytest.MonkeyPatch.context() as mp:
        for var, value in env.items():
            mp.setenv(var, value)
        data = sources.load("odoo", Q4, company=company["name"])
    # The quarter is still running (the cases are dated around today): the summary that
    # would be filed is refused until the quarter is over; its KPIs are metrics.kpis.
    with pytest.raises(CoverageError):
        build_summary(data.cases, data.compensations, Q4, company["name"], data.as_of)
    countable = metrics.countable(data.cases)
    filed_kpis = metrics.kpis(countable, Q4, data.as_of, metrics.Policy())
    fig = figures.compute(company["name"], data.cases, data.compensations, Q4, data.as_of,
                          "odoo", metrics.Policy())
    shown = bulletin.kpi_frame(fig).set_index("kpi")
    q4 = [("date_received", ">=", "2026-09-30 16:00:00"), ("date_received", "<", "2026-12-31 16:00:00"),
          ("state", "not in", ("withdrawn", "merged"))]
    replied = [*q4, ("state", "!=", "not_accepted")]

    def count(domain, field, outcomes):
        return _count(odoo, company, *domain, (field, "in", outcomes))

    expected = {
        "acceptance_timeliness": (count(q4, "acceptance_outcome", ["met"]),
                                  count(q4, "acceptance_outcome", ["met", "late"])),
        "handling_timeliness": (count(replied, "reply_outcome", ["met"]),
                                count(replied, "reply_outcome", ["met", "late"])),
        "overdue_rate": (count(replied, "reply_outcome", ["late"]),
                         count(replied, "reply_outcome", ["met", "late", "pending"])),
        "feedback_timeliness": (count(q4, "handling_outcome", ["met"]),
                                count(q4, "handling_outcome", ["met", "late"])),
    }
    assert expected["acceptance_timeliness"] == (1, 5)  # on time; late: accepted, undecided, paused, edge
    assert metrics.outcomes_source(metrics.received(countable, Q4)) == "odoo"
    for key, (numerator, denominator) in expected.items():
        filed = filed_kpis[key]
        assert (filed.numerator, filed.denominator) == (numerator, denominator), key
        definition = metrics.KPI_BY_KEY[key]
        row = shown.loc[f"{definition.zh} {definition.en}"]
        assert (row["numerator"], row["denominator"]) == (numerator, denominator), key
    assert "stored outcome" in metrics.outcomes_note(data.cases, fig.policy)


@pytest.mark.odoo
def test_every_label_the_workbooks_show_is_odoos_in_both_languages(odoo):
    ex = odoo.execute_kw
    zh = ex("res.lang", "search", [[("code", "=", "zh_CN"), ("active", "in", [True, False])]])
    wizard = ex("base.language.install", "create", [{"lang_ids": [(6, 0, zh)], "overwrite": True}])
    ex("base.language.install", "lang_install", [[wizard]])
    mismatches = []
    for model_name, tables in (("complaint.case", model.CASE_CODED),
                               ("complaint.compensation", model.COMP_CODED)):
        for lang, attr in (("en_US", "en"), ("zh_CN", "zh")):
            described = ex(model_name, "fields_get", [list(tables)],
                           {"attributes": ["type", "selection"], "context": {"lang": lang}})
            for field, table in tables.items():
                # A field of an optional add-on (accounting_state) is absent without it.
                if field not in described or described[field]["type"] != "selection":
                    continue
                labels = dict(described[field]["selection"])
                mismatches += [(model_name, field, code, lang, getattr(label, attr), labels.get(code))
                               for code, label in table.items() if getattr(label, attr) != labels.get(code)]
    assert mismatches == []
