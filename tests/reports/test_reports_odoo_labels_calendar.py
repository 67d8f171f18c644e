"""Reading from Odoo, the documents take the labels of coded values from the server in both
languages, and count working days on the company's calendar stored in Odoo (Odoo tier)."""

from __future__ import annotations

import uuid
from datetime import date

import openpyxl
import pytest

from reports import forecast, model, odoo_calendar, pipeline, sources
from reports import period as period_mod
from reports.odoo_calendar import DAY, days_by_company

Q3 = period_mod.parse("2025Q3")


# -- the calendar from the resource records (no server) ---------------------------------------


def test_each_company_counts_its_own_time_off_and_its_calendars_working_lines():
    dates = {1: date(2025, 10, 1), 2: date(2025, 9, 28), 3: date(2025, 10, 15), 4: date(2025, 10, 16)}
    companies = [{"id": 7, "resource_calendar_id": [70, "Ours"]},
                 {"id": 8, "resource_calendar_id": [80, "Theirs"]},
                 {"id": 9, "resource_calendar_id": False}]
    leaves = [{"company_id": [7, "Ours"], DAY: [1, "National Day"]},
              {"company_id": [8, "Theirs"], DAY: [1, "National Day"]},
              {"company_id": [7, "Ours"], DAY: [3, "Closure"]},
              {"company_id": [8, "Theirs"], DAY: [4, "Closure"]}]
    lines = [{"calendar_id": [70, "Ours"], DAY: [2, "Make-up"]},
             {"calendar_id": [81, "Other calendar"], DAY: [2, "Make-up"]}]
    days = days_by_company(companies, leaves, lines, dates)
    cal = days[7].calendar(frozenset({2025}))
    assert not cal.is_workday(date(2025, 10, 1))  # public time off
    assert cal.is_workday(date(2025, 9, 28))  # a make-up working Sunday on its calendar
    assert not cal.is_workday(date(2025, 10, 15))  # the company's own day off
    assert cal.is_workday(date(2025, 10, 16))  # another company's day off
    assert cal.knows(date(2025, 12, 31)) and not cal.knows(date(2026, 1, 1))
    assert cal.is_workday_or_weekday(date(2026, 1, 1))  # unknown year: Monday to Friday
    assert days[8].makeup_workdays == frozenset()  # the line is on another calendar
    assert days[9] == odoo_calendar.CompanyDays(frozenset(), frozenset())  # no calendar, no days


# -- a real Odoo -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def company(odoo):
    ex = odoo.execute_kw
    zh = ex("res.lang", "search", [[("code", "=", "zh_CN"), ("active", "in", [True, False])]])
    wizard = ex("base.language.install", "create", [{"lang_ids": [(6, 0, zh)], "overwrite": False}])
    ex("base.language.install", "lang_install", [[wizard]])
    name = f"标签日历公司 {uuid.uuid4().hex[:8]}"
    company_id = ex("res.company", "create", [{"name": name}])
    ex("res.users", "write", [[odoo.env.uid], {"company_ids": [(4, company_id)]}])
    ctx = {"allowed_company_ids": [company_id], "tz": "UTC"}
    hotline = ex("complaint.channel", "search", [[("code", "=", "hotline")]])[0]
    ex("complaint.case", "create", [[{
        "company_id": company_id, "subject": f"标签 {i}", "date_received": at, "channel_id": hotline,
        "demand_type": "complaint", "partner_name": f"赵{i}", "partner_phone": f"1370000{i:04d}",
        "description": "测试", "customer_demand": "尽快处理"}
        for i, at in enumerate(["2025-07-02 02:00:00", "2025-08-05 02:00:00", "2025-04-03 02:00:00"])]],
       {"context": ctx})
    # The company works on National Day's 8 October and closes on 15 October.
    ex("complaint.calendar.day", "create", [[
        {"name": "公司调班", "date": "2025-10-08", "day_type": "workday", "company_id": company_id},
        {"name": "公司休息日", "date": "2025-10-15", "day_type": "holiday", "company_id": company_id}]],
       {"context": ctx})
    return {"id": company_id, "name": name}


def _state_selection(odoo, value: str) -> int:
    (sel,) = odoo.execute_kw("ir.model.fields.selection", "search", [[
        ("field_id.model", "=", "complaint.case"), ("field_id.name", "=", "state"),
        ("value", "=", value)]])
    return sel


@pytest.mark.odoo
def test_a_label_changed_on_the_server_is_the_one_the_workbooks_show(odoo, company, tmp_path):
    ex = odoo.execute_kw
    sel = _state_selection(odoo, "draft")
    zh = {"lang": "zh_CN"}
    (before,) = ex("ir.model.fields.selection", "read", [[sel], ["name"]], {"context": zh})
    renamed = "已登记待受理"
    ex("ir.model.fields.selection", "write", [[sel], {"name": renamed}], {"context": zh})
    try:
        data = sources.from_odoo_connection(odoo, Q3, company["id"], "odoo test")
        assert data.labels["STATES"]["draft"].zh == renamed
        assert data.labels["STATES"]["draft"].en == "Registered"
        assert before["name"] in data.labels["STATES"]["draft"].aliases  # still recognised
        (out,) = pipeline.run(data, Q3, tmp_path, pipeline.RunOptions(progress=False, allow_empty=True))
        register = next(f for f in out.files if f.name == pipeline.REGISTER_FILE)
        ws = openpyxl.load_workbook(register, read_only=True).worksheets[0]
        cells = {c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}
        assert renamed in cells
    finally:
        ex("ir.model.fields.selection", "write", [[sel], {"name": before["name"]}], {"context": zh})
        model.use_labels(None)
    # A file source (or the next run) is labelled with the reports' own table again.
    assert model.STATES["draft"].zh == "已登记"


@pytest.mark.odoo
def test_working_days_are_the_companys_days_stored_in_odoo(odoo, company, tmp_path, monkeypatch):
    data = sources.from_odoo_connection(odoo, Q3, company["id"], "odoo test")
    cal = data.calendars[company["name"]]
    assert not cal.is_workday(date(2025, 10, 1))  # official National Day holiday
    assert cal.is_workday(date(2025, 9, 28))  # official make-up working Sunday
    assert cal.is_workday(date(2025, 10, 8))  # the company's own working day wins
    assert not cal.is_workday(date(2025, 10, 15))  # the company's own day off
    seen = []
    daily = forecast.daily

    def spy(series, calendar, *args, **kwargs):
        seen.append(calendar)
        return daily(series, calendar, *args, **kwargs)

    monkeypatch.setattr(forecast, "daily", spy)
    pipeline.run(data, Q3, tmp_path, pipeline.RunOptions(progress=False, allow_empty=True))
    assert seen == [cal]  # the forecast counted on the company's calendar
    model.use_labels(None)
