"""The Odoo source against a stand-in that answers execute_kw like Odoo's external API."""

from __future__ import annotations

import pandas as pd

from reports import metrics, odoo_source, period, sources


class FakeOdoo:
    """Records every call; search_read pages through fixed rows."""

    def __init__(self, cases: list[dict], comps: list[dict]):
        self.rows = {"complaint.case": cases, "complaint.compensation": comps,
                     "complaint.channel": [{"id": 1, "code": "hotline"},
                                           {"id": 2, "code": "regulator"}],
                     "complaint.category": [{"id": 7, "complete_name": "服务 / 服务态度"}],
                     "complaint.remedy.type": [{"id": 3, "code": "cash"}]}
        self.calls: list[tuple] = []

    def execute_kw(self, model, method, args, kwargs=None):
        kwargs = kwargs or {}
        self.calls.append((model, method, args, kwargs))
        rows = self.rows[model]
        if method == "search_count":
            return len(rows)
        start, limit = kwargs.get("offset", 0), kwargs.get("limit") or len(rows)
        fields = kwargs.get("fields")
        return [{k: v for k, v in r.items() if fields is None or k in fields or k == "id"}
                for r in rows[start:start + limit]]


def _case(i: int, received: str, channel: int) -> dict:
    return {"id": i, "name": f"TS2026-{i:06d}", "company_id": [1, "示范公司"],
            "demand_type": "complaint", "channel_id": [channel, "Hotline"],
            "is_regulator_forwarded": channel == 2, "category_id": [7, "服务态度"],
            "department_id": [4, "客服中心"], "date_received": received,
            "date_accepted": False, "state": "draft", "level": "normal",
            "repeat_of_id": False, "affected_count": 1, "reopen_count": 0, "repeat_count": 1,
            "satisfaction": False}


def test_reads_in_batches_and_converts(monkeypatch):
    # 16:30 UTC on 30 June is 00:30 on 1 July in Shanghai: a Q3 case.
    cases = [_case(i, "2026-06-30 16:30:00" if i == 1 else "2026-08-01 02:00:00",
                   2 if i == 2 else 1) for i in range(1, 8)]
    comps = [{"id": 1, "case_id": [2, "TS2026-000002 主题"], "remedy_type_id": [3, "现金"],
              "amount": 10.0, "currency_id": [2, "USD"], "amount_company": 71.0,
              "state": "paid", "date_paid": "2026-08-02 01:00:00", "date_submitted": False,
              "date_approved": False}]
    fake = FakeOdoo(cases, comps)
    monkeypatch.setattr(odoo_source, "connect", lambda cfg: fake)
    monkeypatch.setattr(odoo_source, "BATCH", 3)
    for var, value in (("ODOO_URL", "http://127.0.0.1:8069"), ("ODOO_DB", "db"),
                       ("ODOO_USER", "u"), ("ODOO_PASSWORD", "p")):
        monkeypatch.setenv(var, value)
    q3 = period.parse("2026Q3")
    data = sources.load("odoo", q3)
    reads = [c for c in fake.calls if c[0] == "complaint.case" and c[1] == "search_read"]
    assert [c[3]["offset"] for c in reads] == [0, 3, 6]  # batches of 3
    fields = reads[0][3]["fields"]
    assert "customer_demand" in fields and "id" in fields
    assert "description" not in fields  # only what the reports read
    domain = reads[0][2][0]
    # Three years of history before the quarter, bounds in UTC.
    assert domain[0] == ("date_received", ">=", "2023-06-30 16:00:00")
    assert domain[1] == ("date_received", "<", "2026-09-30 16:00:00")
    c = data.cases
    assert c["date_received"].iloc[0] == pd.Timestamp("2026-07-01 00:30")
    assert list(c["channel_id"][:2]) == ["hotline", "regulator"]
    assert c["category_id"].iloc[0] == "服务 / 服务态度"
    assert c["company_id"].iloc[0] == "示范公司" and c["department_id"].iloc[0] == "客服中心"
    assert pd.isna(c["date_accepted"].iloc[0]) and c["satisfaction"].isna().all()
    assert len(metrics.received(c, q3)) == 7
    comp = data.compensations.iloc[0]
    assert (comp["case_id"], comp["remedy_type_id"], comp["currency_id"]) == (
        "TS2026-000002", "cash", "USD")
    assert comp["company_id"] == "示范公司"
    assert data.issues == []


def test_url_is_checked():
    cfg = odoo_source.OdooConfig("ftp://x", "db", "u", "p")
    try:
        odoo_source.connect(cfg)
    except odoo_source.OdooConfigError as exc:
        assert "ODOO_URL" in str(exc)
    else:
        raise AssertionError("an ftp URL must be refused")
