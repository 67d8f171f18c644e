"""Hand-made cases: every field explicit, so each expected figure can be counted by eye."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reports import sources

COMPANY = "测试公司"

BASE = {
    "name": None, "company_id": COMPANY, "subject": "测试", "customer_demand": "要求退款",
    "demand_type": "complaint", "channel_id": "hotline", "is_regulator_forwarded": False,
    "partner_name": "张三", "partner_phone": "13800001234", "respondent": "门店",
    "location": "上海店", "priority": "normal", "level": "normal", "is_emergency": False,
    "affected_count": 1, "category_id": "服务 / 服务态度", "department_id": "客服中心",
    "state": "closed", "validity": "valid", "cause_type": "company",
    "date_received": None, "date_accepted": None, "date_dispatched": None,
    "date_feedback": None, "date_replied": None, "date_callback": None, "date_closed": None,
    "date_deadline": None, "satisfaction": None, "reopen_count": 0, "repeat_count": 1,
    "repeat_of_id": None, "not_accepted_reason_id": None,
}


def case(name: str, received: str, **fields) -> dict:
    row = dict(BASE)
    row.update(name=name, date_received=received)
    row.update(fields)
    return row


def comp(case_id: str, amount_company: float, **fields) -> dict:
    row = {"case_id": case_id, "remedy_type_id": "cash", "amount": amount_company,
           "currency_id": "CNY", "amount_company": amount_company, "state": "paid",
           "date_submitted": None, "date_approved": None, "date_paid": None}
    row.update(fields)
    return row


def write(folder: Path, cases: list[dict], comps: list[dict] | None = None,
          encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(cases, columns=list(BASE)).to_csv(folder / "cases.csv", index=False,
                                                   encoding=encoding)
    pd.DataFrame(comps or [], columns=list(comp("x", 0))).to_csv(
        folder / "compensations.csv", index=False, encoding=encoding)
    return folder


def load(folder: Path, cases: list[dict], comps: list[dict] | None = None,
         as_of: str | None = None) -> sources.CaseData:
    data = sources.from_files(write(folder, cases, comps))
    if as_of:
        data.as_of = pd.Timestamp(as_of)
    return data
