"""案件登记簿 — the case register: every case of the period with the regulator's fields.

Written in streaming mode and split across sheets beyond Excel's row limit. ``engine``
"stream" (default) is reports.workbook.xlsx_stream; "openpyxl" uses openpyxl's write-only
mode and writes the same cells, slower (kept as the reference the tests compare with).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from reports import metrics, model
from reports.workbook import style
from reports.workbook.xlsx_stream import (
    EXCEL_MAX_ROWS,
    HEAD_ROWS,
    StreamColumn,
    Table,
    as_arrow_text,
    prepare_table,
    write_prepared,
)

TITLE = "案件登记簿 Register"  # the sheet name
HEADING = "案件登记簿 Case register"  # the title row
MAX_DATA_ROWS = EXCEL_MAX_ROWS - HEAD_ROWS  # per sheet, under the title, subtitle and header

# (key, zh, en, kind, width); kind as in StreamColumn.
COLUMNS: list[tuple[str, str, str, str, float]] = [
    ("name", "编号", "Reference", "text", 16),
    ("company_id", "公司", "Company", "shared", 22),
    ("date_received", "受理时间", "Received", "datetime", 17),
    ("demand_type", "诉求类型", "Demand type", "shared", 10),
    ("channel_id", "渠道", "Channel", "shared", 14),
    ("is_regulator_forwarded", "监管转办", "Regulator-forwarded", "shared", 10),
    ("external_ref", "外部编号", "External reference", "text", 14),
    ("partner_name", "投诉人", "Complainant", "text", 12),
    ("partner_phone", "联系电话", "Phone", "text", 14),
    ("respondent", "被投诉对象", "Respondent", "text", 18),
    ("event_date", "事发时间", "Event date", "datetime", 17),
    ("location", "地点", "Location", "shared", 24),
    ("category_id", "类别", "Category", "shared", 20),
    ("department_id", "责任部门", "Department", "shared", 12),
    ("priority", "紧急程度", "Priority", "shared", 9),
    ("level", "投诉级别", "Level", "shared", 12),
    ("affected_count", "涉及人数", "Customers", "int", 9),
    ("subject", "主题", "Subject", "text", 36),
    ("customer_demand", "客户诉求", "Customer demand", "text", 24),
    ("state", "状态", "Status", "shared", 9),
    ("not_accepted_reason_id", "不予受理原因", "Not accepted reason", "shared", 18),
    ("validity", "有效性", "Validity", "shared", 8),
    ("cause_type", "原因类型", "Cause", "shared", 10),
    ("date_accepted", "受理决定时间", "Accepted", "datetime", 17),
    ("date_replied", "答复时间", "Replied", "datetime", 17),
    ("date_closed", "结案时间", "Closed", "datetime", 17),
    ("date_deadline", "办结期限", "Deadline", "datetime", 17),
    ("overdue", "是否超期", "Overdue", "shared", 8),
    ("satisfaction", "满意度", "Satisfaction", "shared", 10),
    ("repeat_count", "投诉次数", "Times raised", "int", 8),
    ("reopen_count", "重开次数", "Reopened", "int", 8),
    ("compensation_paid", "赔付金额(本位币)", "Compensation paid", "float", 12),
]

_CODED = {"demand_type": model.DEMAND_TYPES, "channel_id": model.CHANNELS,
          "priority": model.PRIORITIES, "level": model.LEVELS, "state": model.STATES,
          "validity": model.VALIDITIES, "cause_type": model.CAUSE_TYPES,
          "satisfaction": model.SATISFACTIONS}


def _labelled(codes: np.ndarray, labels: list[object]) -> pd.Series:
    """Row i shows ``labels[codes[i]]`` (nothing for code -1), held as a categorical: the
    writer then builds each distinct cell once without hashing a million strings."""
    lcodes, categories = pd.factorize(pd.Series([*labels, None], dtype=object))
    return pd.Series(pd.Categorical.from_codes(lcodes[codes], categories))


def _zh(table: dict[str, model.Code], s: pd.Series) -> pd.Series:
    """Chinese label for known codes; other values stay as they are (never guessed)."""
    lookup = {k: c.zh for k, c in table.items()}
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return _labelled(codes, [lookup.get(u, u) for u in uniques])


def _yes_no(flags: np.ndarray) -> pd.Series:
    return _labelled(flags.astype(np.int8), ["否", "是"])


def mask_phone(s: pd.Series) -> pd.Series:
    """138****1234: enough to recognise a caller, not to call them (personal data are
    shown only as far as handling the case needs)."""
    phones = as_arrow_text(s)
    masked = pc.binary_join_element_wise(pc.utf8_slice_codeunits(phones, 0, 3),
                                         pa.scalar("****", pa.large_string()),
                                         pc.utf8_slice_codeunits(phones, 7),
                                         pa.scalar("", pa.large_string()))
    eleven_digits = pc.match_substring_regex(phones, r"^\p{Nd}{11}$")
    shown = pc.if_else(eleven_digits, masked, phones)
    return pd.Series(shown.to_numpy(zero_copy_only=False), index=s.index, dtype=object)


def register_frame(cases: pd.DataFrame, comps: pd.DataFrame,
                   as_of: pd.Timestamp) -> pd.DataFrame:
    """The register's rows, sorted by date received; display values, not codes."""
    # By date received; exports usually come sorted already, and ties keep their order.
    received = cases["date_received"]
    f = cases if received.is_monotonic_increasing else cases.iloc[
        np.argsort(received.to_numpy(), kind="stable")]
    f = f.reset_index(drop=True)
    out = pd.DataFrame(index=f.index)
    for key, *_ in COLUMNS:
        if key in f:
            out[key] = f[key]
    for key, table in _CODED.items():
        out[key] = _zh(table, f[key])
    out["is_regulator_forwarded"] = _yes_no(f["is_regulator_forwarded"].to_numpy(bool))
    out["partner_phone"] = mask_phone(f["partner_phone"])
    # Whistle-blowers are never exposed: a report (举报) hides who made it.
    report = (f["demand_type"] == "report").to_numpy()
    out.loc[report, ["partner_name", "partner_phone"]] = "（保密）"
    late = ((f["date_replied"] > f["date_deadline"])
            | (f["date_replied"].isna() & (f["date_deadline"] < as_of)))
    out["overdue"] = _yes_no(late.to_numpy(bool))
    out.loc[f["date_deadline"].isna(), "overdue"] = None
    paid_comps = comps[comps["state"] == "paid"]
    paid = metrics.paid_amount(paid_comps).groupby(paid_comps["case_id"], sort=False).sum()
    out["compensation_paid"] = f["name"].map(paid)
    return out


def stream_columns() -> list[StreamColumn]:
    return [StreamColumn(k, f"{zh}\n{en}", kind, width) for k, zh, en, kind, width in COLUMNS]


def build(cases: pd.DataFrame, comps: pd.DataFrame, as_of: pd.Timestamp, path: Path,
          engine: str = "stream", max_rows: int = MAX_DATA_ROWS,
          progress: Callable[[int], None] | None = None, subtitle: str = "") -> list[str]:
    """Every case of ``cases`` under a title row, a ``subtitle`` row (company, period, data
    coverage, source) and the header row."""
    if engine == "stream":
        return write(prepare(cases, comps, as_of), path, max_rows, progress, subtitle)
    return write_openpyxl(register_frame(cases, comps, as_of), path, max_rows, progress,
                          subtitle)


def prepare(cases: pd.DataFrame, comps: pd.DataFrame, as_of: pd.Timestamp) -> Table:
    """The register's rows ready for ``write``, which may then run in another thread."""
    return prepare_table(register_frame(cases, comps, as_of), stream_columns())


def write(table: Table, path: Path, max_rows: int = MAX_DATA_ROWS,
          progress: Callable[[int], None] | None = None, subtitle: str = "") -> list[str]:
    return write_prepared(path, table, TITLE, max_rows=max_rows, progress=progress,
                          title=HEADING, subtitle=subtitle)


def write_openpyxl(frame: pd.DataFrame, path: Path, max_rows: int = MAX_DATA_ROWS,
                   progress: Callable[[int], None] | None = None,
                   subtitle: str = "") -> list[str]:
    wb = Workbook(write_only=True)
    total = len(frame)
    nsheets = max(1, -(-total // max_rows))
    names = []
    fmts = {"datetime": style.DATETIME, "int": style.INT, "float": style.MONEY}
    keys = [c[0] for c in COLUMNS]
    for i in range(nsheets):
        name = TITLE if nsheets == 1 else f"{TITLE} {i + 1}"[:31]
        ws = wb.create_sheet(name)
        names.append(name)
        ws.freeze_panes = f"A{HEAD_ROWS + 1}"
        ws.print_title_rows = f"1:{HEAD_ROWS}"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.orientation = "landscape"
        for j, (_, _, _, _, width) in enumerate(COLUMNS, 1):
            ws.column_dimensions[get_column_letter(j)].width = width
        top = WriteOnlyCell(ws, HEADING)
        top.font = style.TITLE
        ws.append([top])
        note = WriteOnlyCell(ws, style.cell_value(subtitle))
        note.font = style.NOTE
        ws.append([note] if subtitle else [])
        head = []
        for _, zh, en, _, _ in COLUMNS:
            cell = WriteOnlyCell(ws, f"{zh}\n{en}")
            cell.font, cell.fill, cell.alignment = style.HEADER, style.HEADER_FILL, style.CENTER
            head.append(cell)
        ws.append(head)
        part = frame.iloc[i * max_rows:(i + 1) * max_rows]
        cols = [part[k].tolist() for k in keys]
        for r in range(len(part)):
            row = []
            for j, (_, _, _, kind, _) in enumerate(COLUMNS):
                v = style.cell_value(cols[j][r])
                if kind in fmts and v is not None:
                    cell = WriteOnlyCell(ws, v)
                    cell.number_format = fmts[kind]
                    row.append(cell)
                else:
                    row.append(v)
            ws.append(row)
        if progress:
            progress(len(part))
    wb.save(path)
    return names
