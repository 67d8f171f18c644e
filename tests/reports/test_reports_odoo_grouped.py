"""The history read as grouped counts gives the same documents as the history read row by row
(Odoo tier): a company of its own with cases over three and a half years — closed, reopened,
not accepted, withdrawn, merged, in several departments, with compensation of an old case
paid in the quarter — built both ways, every workbook cell and the regulator summary
compared."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from reports import period as period_mod
from reports import pipeline, sources

Q3 = period_mod.parse("2025Q3")
STATES = ["closed", "closed", "closed", "not_accepted", "withdrawn", "merged", "replied",
          "handling", "closed"]


def _psql(pg: str, db: str, sql: str) -> str:
    host, port, user = pg.split(":")
    return subprocess.run(["psql", "-h", host, "-p", port, "-U", user, "-d", db, "-v",
                           "ON_ERROR_STOP=1", "-Atc", sql], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def history_company(odoo, odoo_server):
    if not odoo_server.pg:
        pytest.skip("the stored history is shaped in SQL: ODOO_TEST_PG is not set")
    ex = odoo.execute_kw
    name = f"历史测试公司 {uuid.uuid4().hex[:8]}"
    company_id = ex("res.company", "create", [{"name": name}])
    ex("res.users", "write", [[odoo.env.uid], {"company_ids": [(4, company_id)]}])
    ctx = {"allowed_company_ids": [company_id], "tz": "UTC"}
    channels = [r["id"] for r in ex("complaint.channel", "search_read", [[]], {"fields": ["code"]})]
    categories = [r["id"] for r in ex("complaint.category", "search_read", [[]], {"fields": ["id"]})]
    departments = [ex("complaint.department", "create", [{"name": f"部门{k} {name[-8:]}",
                                                          "company_id": company_id}])
                   for k in range(3)]
    # Every 11 days from three and a half years before the quarter's end, at 20:00 UTC (the
    # next morning in Shanghai: periods and days are cut in local time).
    received = pd.date_range("2022-03-20 20:00", "2025-09-30 15:00", freq="11D")
    values = [{"company_id": company_id, "subject": f"历史 {i}", "date_received": str(at),
               "channel_id": channels[i % len(channels)], "category_id": categories[i % len(categories)],
               "demand_type": "complaint" if i % 3 else "consultation",
               "partner_name": f"王{i}", "partner_phone": f"1390000{i:04d}", "description": "历史案件",
               "customer_demand": "要求赔偿" if i % 2 else "尽快处理", "location": f"门店{i % 4}",
               "readback_confirmed": True}
              for i, at in enumerate(received)]
    ids = ex("complaint.case", "create", [values], {"context": ctx})
    if ex("ir.model", "search_count", [[("model", "=", "complaint.compensation")]]):
        cash = ex("complaint.remedy.type", "search", [[("code", "=", "cash")]])
        # Proposals on cases of 2024 Q1 (history), one paid in the quarter, one earlier.
        old = [ids[i] for i, at in enumerate(received) if at.year == 2024 and at.month in (1, 2)][:2]
        ex("complaint.case", "action_accept", [old], {"context": ctx})
        comp_ids = ex("complaint.compensation", "create",
                      [[{"case_id": c, "remedy_type_id": cash[0], "amount": 100.0 + k} for k, c in enumerate(old)]],
                      {"context": ctx})
    else:
        comp_ids = []
    # The stored history is shaped in SQL: states, closing and acceptance dates, reopen
    # counts and departments the add-on's steps would give, without walking every case through them.
    updates = []
    for i, (case_id, at) in enumerate(zip(ids, received, strict=True)):
        state = STATES[i % len(STATES)]
        closed = at + pd.Timedelta(days=(i * 7) % 120) if state == "closed" else None
        accepted = at + pd.Timedelta(days=(i * 5) % 80)
        closed_sql = f"'{closed}'" if closed is not None else "NULL"
        reopened = 1 if state == "closed" and i % 4 == 0 else 0
        updates.append(
            f"UPDATE complaint_case SET state = '{state}', date_accepted = '{accepted}', "
            f"date_closed = {closed_sql}, reopen_count = {reopened}, "
            f"department_id = {departments[i % 3]} WHERE id = {case_id};")
    for k, comp in enumerate(comp_ids):
        paid = "2025-08-01 02:00:00" if k == 0 else "2024-03-01 02:00:00"
        updates.append(f"UPDATE complaint_compensation SET state = 'paid', date_submitted = "
                       f"'2024-02-20 02:00:00', date_approved = '2024-02-25 02:00:00', "
                       f"date_paid = '{paid}' WHERE id = {comp};")
    _psql(odoo_server.pg, odoo_server.db, "\n".join(updates))
    return {"id": company_id, "name": name, "ids": ids, "compensations": comp_ids}


def _cells(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]
            for ws in wb.worksheets}


@pytest.mark.odoo
def test_grouped_history_gives_the_same_documents_as_rows(odoo, history_company, tmp_path):
    company = history_company
    label = "odoo test"
    rows = sources.from_odoo_connection(odoo, Q3, company["id"], label, grouped_history=False)
    grouped = sources.from_odoo_connection(odoo, Q3, company["id"], label)
    assert len(grouped.cases) == len(rows.cases) > 100
    # Only the cases of the three periods the documents list come as rows (and the old
    # case whose compensation was paid in the quarter); the others are counted.
    assert grouped.cases["name"].notna().sum() < len(rows.cases) / 2
    if company["compensations"]:
        assert len(rows.compensations) == 2
        assert len(grouped.compensations) == 1  # the one paid in the quarter
        assert grouped.compensations["case_id"].iloc[0] in set(grouped.cases["name"])
    grouped.as_of = rows.as_of
    out_rows = pipeline.run(rows, Q3, tmp_path / "rows", pipeline.RunOptions(progress=False))
    out_grouped = pipeline.run(grouped, Q3, tmp_path / "grouped",
                               pipeline.RunOptions(progress=False))
    (a,), (b,) = out_rows, out_grouped
    assert a.summary == b.summary and a.summary["counts"]["received"] > 0
    assert [f.name for f in a.files] == [f.name for f in b.files]
    for fa, fb in zip(a.files, b.files, strict=True):
        if fa.suffix == ".json":
            assert json.loads(fa.read_text()) == json.loads(fb.read_text())
            continue
        ca, cb = _cells(fa), _cells(fb)
        assert ca.keys() == cb.keys(), fa.name
        for sheet in ca:
            assert ca[sheet] == cb[sheet], (fa.name, sheet)
