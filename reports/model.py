"""Canonical columns and code tables of the report frames.

The frames use the technical field names of ``complaint.case`` and
``complaint.compensation`` (addon_complaints/readme/DATA_MODEL.md). A many2one is held as
its stable key (channel and remedy type: ``code``; category: ``complete_name``; other
records: their display name) so a file export and an Odoo read land on the same values.
Datetimes are naive local time (the company's time zone), because periods are local.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

CASE_TEXT = [
    "name", "company_id", "subject", "description", "customer_demand", "demand_type",
    "channel_id", "partner_name", "partner_phone", "partner_address", "respondent",
    "respondent_user_id", "location", "priority", "level", "category_id", "department_id",
    "owner_user_id", "handler_user_id", "state", "not_accepted_reason_id", "validity",
    "cause_type", "satisfaction", "repeat_of_id", "closure_criterion", "external_source",
    "external_ref", "partner_id", "external_receipt", "handling_process", "handling_result",
    "reply_text", "acceptance_outcome", "handling_outcome", "reply_outcome",
]
CASE_DATES = [
    "event_date", "date_received", "date_accepted", "date_dispatched", "date_feedback",
    "date_verified", "date_replied", "date_callback", "date_closed", "date_deadline",
    "external_deadline", "external_pushed_at", "archive_date", "date_acceptance_deadline",
    "date_handling_deadline", "date_reply_deadline",
]
CASE_BOOL = ["is_regulator_forwarded", "is_emergency"]
CASE_INT = ["affected_count", "reopen_count", "repeat_count"]
# What the add-on stores when nobody says otherwise: a case concerns one customer and has
# been raised once. An export without the column (or with the cell empty) means the same.
CASE_INT_DEFAULTS = {"affected_count": 1, "repeat_count": 1, "reopen_count": 0}
CASE_FLOAT = ["handling_hours"]
CASE_COLUMNS = CASE_TEXT + CASE_DATES + CASE_BOOL + CASE_INT + CASE_FLOAT

# Stored fields no report reads: sources skip them (Odoo is asked only for the rest, and a
# file's columns for them are not parsed).
CASE_UNREAD = {"description", "partner_address", "owner_user_id", "handler_user_id",
               "date_verified", "handling_hours", "closure_criterion", "external_source",
               "external_deadline", "partner_id", "external_receipt", "handling_process",
               "handling_result", "reply_text", "external_pushed_at", "archive_date"}
CASE_READ = [c for c in CASE_COLUMNS if c not in CASE_UNREAD]

# What the documents read, from Odoo, of the cases of the earlier periods they compare with
# (the previous period, the same period last year): counts by value, KPIs on the stored
# outcomes, hot spots, early warnings and the cases open at the period start — never the
# texts or the contact details the case register lists, nor the step dates the outcomes
# are computed from for a file.
CASE_READ_EARLIER = [
    "name", "company_id", "date_received", "state", "demand_type", "channel_id",
    "category_id", "department_id", "level", "validity", "cause_type",
    "is_regulator_forwarded", "location", "date_accepted", "satisfaction", "repeat_count",
    "repeat_of_id", "date_closed", "reopen_count", "acceptance_outcome", "handling_outcome",
    "reply_outcome",
]

# Without these a case cannot be placed in a period or a company at all.
CASE_REQUIRED = ["name", "date_received"]

# company_id is not a documented compensation field: the Odoo source fills it from the case
# so that equal references in two companies stay apart; files may leave it out.
COMP_TEXT = ["case_id", "company_id", "remedy_type_id", "currency_id", "state",
             "department_id", "cause_type", "level", "accounting_state"]
COMP_DATES = ["date_submitted", "date_approved", "date_paid"]
COMP_FLOAT = ["amount", "amount_company", "amount_claimed", "amount_approved_company",
              "amount_paid_company"]
# Stored only where compensation is paid through Odoo Accounting (addon_complaints_account):
# the Odoo source asks for them only when the server has them, files may leave them out.
COMP_ACCOUNTING = ["accounting_state", "amount_approved_company", "amount_paid_company"]
COMP_COLUMNS = COMP_TEXT + COMP_DATES + COMP_FLOAT
COMP_REQUIRED = ["case_id", "amount_company"]


@dataclass(frozen=True)
class Code:
    """One value of a selection (or a stable record code) with its two labels — the add-on's
    own labels, English and Chinese (tests/reports check them against Odoo's ``fields_get``)
    — and older labels a file may still carry."""

    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()


def _codes(*rows: tuple) -> dict[str, Code]:
    return {row[0]: Code(row[0], row[1], row[2], tuple(row[3:])) for row in rows}


DEMAND_TYPES = _codes(
    ("consultation", "咨询", "Consultation"),
    ("suggestion", "建议", "Suggestion"),
    ("complaint", "投诉", "Complaint"),
    ("help", "求助", "Help request"),
    ("report", "举报", "Report"),
    ("grumble", "抱怨", "Grumble"),
)
CHANNELS = _codes(
    ("hotline", "热线电话", "Hotline"),
    ("email", "电子邮件", "Email"),
    ("web", "网站/在线服务", "Web form"),
    ("im", "即时通讯", "Instant messaging"),
    ("letter", "信函/传真", "Letter / fax"),
    ("walk_in", "现场", "Walk-in"),
    ("comment_book", "意见簿", "Comment book"),
    ("third_party", "第三方转办", "Third party"),
    ("media", "媒体", "Media"),
    ("internet", "互联网", "Internet"),
    ("regulator", "监管转办", "Regulator-forwarded"),
    ("provincial_center", "省投诉中心派单", "Provincial center"),
)
PRIORITIES = _codes(
    ("normal", "一般", "Normal"),
    ("important", "重要", "Important"),
    ("urgent", "紧急", "Urgent"),
)
LEVELS = _codes(
    ("normal", "一般", "Normal", "普通"),
    ("urgent", "紧急", "Urgent", "紧急(二次)", "Urgent (2nd)"),
    ("major", "重大", "Major", "重大(三次及以上)", "Major (3rd+)"),
    ("crisis", "危机", "Crisis"),
)
STATES = _codes(
    ("draft", "已登记", "Registered", "草稿", "Draft"),
    ("approval", "待审批", "Awaiting Approval"),
    ("accepted", "已受理", "Accepted"),
    ("not_accepted", "不予受理", "Not Accepted"),
    ("dispatched", "已派单", "Dispatched"),
    ("handling", "处理中", "Handling"),
    ("feedback", "已反馈", "Feedback"),
    ("verified", "已验证", "Verified"),
    ("replied", "已答复", "Replied"),
    ("closed", "已结案", "Closed"),
    ("withdrawn", "已撤诉", "Withdrawn", "已撤回"),
    ("merged", "已并入原案", "Recorded on Original", "已合并", "Merged into original"),
)
VALIDITIES = _codes(
    ("valid", "有效", "Valid"),
    ("invalid", "无效", "Invalid"),
    ("malicious", "恶意", "Malicious"),
)
CAUSE_TYPES = _codes(
    ("company", "公司责任", "Company at fault", "公司原因"),
    ("customer", "客户自身原因", "Customer's cause", "客户原因"),
    ("malicious", "恶意", "Malicious", "恶意投诉"),
)
SATISFACTIONS = _codes(
    ("satisfied", "满意", "Satisfied"),
    ("basically_satisfied", "基本满意", "Basically satisfied"),
    ("dissatisfied", "不满意", "Dissatisfied"),
)
CLOSURE_CRITERIA = _codes(
    ("customer_accepts", "客户认可处理结果", "Customer accepts the result", "客户接受",
     "Customer accepts"),
    ("law_supports", "法律法规支持公司立场", "Law or regulation supports the company",
     "依法依规支持公司", "Law supports the company"),
    ("ruled_invalid", "经投诉管理岗认定为无效", "Ruled invalid by the complaint office", "认定无效",
     "Ruled invalid"),
)
REMEDY_TYPES = _codes(
    ("free_replacement", "免费更换", "Free replacement"),
    ("replacement_paid_labour", "更换(客户付工费)", "Replacement, customer pays labour"),
    ("shared_cost", "分担费用", "Shared cost"),
    ("discount", "折价", "Discount"),
    ("repair_customer_cost", "维修(客户付费)", "Repair at customer's cost"),
    ("refund", "退货退款", "Refund"),
    ("cash", "现金赔偿", "Cash compensation"),
    ("voucher", "代金券", "Voucher"),
    ("third_party_claim", "向第三方索赔", "Claim against third party"),
)
# A stage's outcome as the add-on stores it (``<stage>_outcome`` of complaint.case).
OUTCOMES = _codes(
    ("met", "按时", "Met"),
    ("late", "逾期", "Late"),
    ("pending", "未到期", "Not Yet Due"),
)
# The stages whose stored due date and outcome the timeliness KPIs read.
OUTCOME_STAGES = ("acceptance", "handling", "reply")
# Set by the Odoo source on every row it reads: the outcomes are the add-on's own, stored
# with each case; rows from a file have none and the reports compute them (metrics).
OUTCOMES_STORED = "outcomes_stored"
COMP_STATES = _codes(
    ("draft", "草稿", "Draft"),
    ("to_approve", "待审批", "To Approve"),
    ("approved", "已批准", "Approved"),
    ("rejected", "已驳回", "Rejected"),
    ("paid", "已支付", "Paid"),
)
ACCOUNTING_STATES = _codes(
    ("none", "无会计凭证", "No accounting document"),
    ("draft", "草稿", "Draft"),
    ("posted", "已过账", "Posted"),
    ("paid", "已核销", "Paid"),
    ("reversed", "已取消或冲销", "Cancelled or reversed"),
)

# Every code table by name. Reading from Odoo, their labels are the server's (use_labels,
# reports.odoo_labels); for files they are the reports' own, as defined above.
CODE_TABLES: dict[str, dict[str, Code]] = {
    "DEMAND_TYPES": DEMAND_TYPES, "CHANNELS": CHANNELS, "PRIORITIES": PRIORITIES,
    "LEVELS": LEVELS, "STATES": STATES, "VALIDITIES": VALIDITIES, "CAUSE_TYPES": CAUSE_TYPES,
    "SATISFACTIONS": SATISFACTIONS, "CLOSURE_CRITERIA": CLOSURE_CRITERIA,
    "REMEDY_TYPES": REMEDY_TYPES, "OUTCOMES": OUTCOMES, "COMP_STATES": COMP_STATES,
    "ACCOUNTING_STATES": ACCOUNTING_STATES,
}
_OWN_LABELS = {name: dict(table) for name, table in CODE_TABLES.items()}


@contextmanager
def labels_in_force(tables: dict[str, dict[str, Code]] | None) -> Iterator[None]:
    """``use_labels(tables)`` for the block only: the labels in force before are back after
    it, so one run's server labels never reach the next run of a long-lived process."""
    before = {name: dict(table) for name, table in CODE_TABLES.items()}
    use_labels(tables)
    try:
        yield
    finally:
        use_labels(before)


def use_labels(tables: dict[str, dict[str, Code]] | None) -> None:
    """Label the codes with ``tables`` (by table name; those read from the server), or with
    the reports' own labels for None or a table not given. The tables are changed in place,
    so every module holding one shows the new labels."""
    for name, table in CODE_TABLES.items():
        labels = (tables or {}).get(name) or _OWN_LABELS[name]
        if labels is not table:
            table.clear()
            table.update(labels)


# Columns whose values must be one of a code table: anything else is reported, not guessed.
CASE_CODED: dict[str, dict[str, Code]] = {
    "demand_type": DEMAND_TYPES,
    "channel_id": CHANNELS,
    "priority": PRIORITIES,
    "level": LEVELS,
    "state": STATES,
    "validity": VALIDITIES,
    "cause_type": CAUSE_TYPES,
    "satisfaction": SATISFACTIONS,
    "closure_criterion": CLOSURE_CRITERIA,
    "acceptance_outcome": OUTCOMES,
    "handling_outcome": OUTCOMES,
    "reply_outcome": OUTCOMES,
}
COMP_CODED: dict[str, dict[str, Code]] = {
    "remedy_type_id": REMEDY_TYPES,
    "state": COMP_STATES,
    "accounting_state": ACCOUNTING_STATES,
    "cause_type": CAUSE_TYPES,
    "level": LEVELS,
}

# Field labels (Chinese, English), used for headers and to recognise list-view exports.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("编号", "Reference"),
    "company_id": ("公司", "Company"),
    "subject": ("主题", "Subject"),
    "description": ("投诉内容", "Description"),
    "customer_demand": ("客户诉求", "Customer Demand"),
    "demand_type": ("诉求类型", "Demand Type"),
    "channel_id": ("渠道", "Channel"),
    "is_regulator_forwarded": ("监管转办", "Regulator Forwarded"),
    "partner_name": ("投诉人", "Complainant"),
    "partner_phone": ("联系电话", "Phone"),
    "partner_address": ("地址", "Address"),
    "respondent": ("被投诉对象", "Respondent"),
    "respondent_user_id": ("被投诉员工", "Respondent User"),
    "event_date": ("事发时间", "Event Date"),
    "date_received": ("受理时间", "Date Received"),
    "location": ("地点", "Location"),
    "priority": ("紧急程度", "Priority"),
    "level": ("投诉级别", "Level"),
    "is_emergency": ("紧急事件", "Emergency"),
    "affected_count": ("涉及人数", "Affected Customers"),
    "category_id": ("类别", "Category"),
    "department_id": ("责任部门", "Department"),
    "owner_user_id": ("首问负责人", "Owner"),
    "handler_user_id": ("处理人", "Handler"),
    "state": ("状态", "Status"),
    "not_accepted_reason_id": ("不予受理原因", "Not Accepted Reason"),
    "validity": ("有效性", "Validity"),
    "cause_type": ("原因类型", "Cause Type"),
    "date_accepted": ("受理决定时间", "Date Accepted"),
    "date_dispatched": ("派单时间", "Date Dispatched"),
    "date_feedback": ("反馈时间", "Date Feedback"),
    "date_verified": ("验证时间", "Date Verified"),
    "date_replied": ("答复时间", "Date Replied"),
    "date_callback": ("回访时间", "Date Callback"),
    "date_closed": ("结案时间", "Date Closed"),
    "date_deadline": ("办结期限", "Deadline"),
    "handling_hours": ("处理用时(小时)", "Handling Hours"),
    "satisfaction": ("满意度", "Satisfaction"),
    "reopen_count": ("重开次数", "Reopen Count"),
    "repeat_of_id": ("原投诉", "Repeat Of"),
    "repeat_count": ("投诉次数", "Repeat Count"),
    "closure_criterion": ("结案依据", "Closure Criterion"),
    "external_source": ("外部来源", "External Source"),
    "external_ref": ("外部编号", "External Reference"),
    "external_deadline": ("外部期限", "External Deadline"),
    "partner_id": ("客户", "Customer"),
    "external_receipt": ("外部回执", "External Receipt"),
    "external_pushed_at": ("回传时间", "External Pushed At"),
    "handling_process": ("处理过程", "Handling Process"),
    "handling_result": ("处理结果", "Handling Result"),
    "reply_text": ("答复内容", "Reply Text"),
    "archive_date": ("归档日期", "Archive Date"),
    "acceptance_outcome": ("受理时效", "Acceptance"),
    "handling_outcome": ("处理时效", "Handling"),
    "reply_outcome": ("答复时效", "Reply"),
    "date_acceptance_deadline": ("受理时限", "Acceptance Due"),
    "date_handling_deadline": ("办理期限", "Handling Due"),
    "date_reply_deadline": ("答复时限", "Reply Due"),
}
COMP_FIELD_LABELS: dict[str, tuple[str, str]] = {
    "case_id": ("投诉案件", "Case"),
    "company_id": ("公司", "Company"),
    "remedy_type_id": ("补救方式", "Remedy Type"),
    "amount": ("金额", "Amount"),
    "currency_id": ("币种", "Currency"),
    "amount_company": ("本位币金额", "Amount (Company Currency)"),
    "amount_claimed": ("索赔金额", "Amount Claimed"),
    "state": ("状态", "Status"),
    "date_submitted": ("提交时间", "Date Submitted"),
    "date_approved": ("批准时间", "Date Approved"),
    "date_paid": ("支付时间", "Date Paid"),
    "department_id": ("责任部门", "Department"),
    "cause_type": ("原因类型", "Cause Type"),
    "level": ("投诉级别", "Level"),
    "accounting_state": ("会计状态", "Accounting Status"),
    "amount_approved_company": ("批准金额(本位币)", "Approved (Company Currency)"),
    "amount_paid_company": ("已付金额(本位币)", "Paid (Company Currency)"),
}


def label(table: dict[str, Code], code: object) -> str:
    """Bilingual label of a code, the code itself when the table does not know it."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return "(空) (empty)"
    found = table.get(str(code))
    return f"{found.zh} {found.en}" if found else str(code)
