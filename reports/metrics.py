"""Counts and KPIs of a period. Every formula here is written down in reports/README.md.

All functions take canonical frames (reports.model) of one company and return plain frames
or dataclasses; nothing here knows about workbooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reports import model
from reports.calendar import WorkCalendar
from reports.period import Period


@dataclass(frozen=True)
class Policy:
    """Deadlines the reports check that the add-on does not store per case."""

    accept_working_days: int = 1  # acceptance decision (forward within 1 working day)
    feedback_working_days: int = 3  # handler feedback after dispatch (§3: 3 working days)
    group_threshold: int = 10  # customers in a group complaint (§1)
    top_n: int = 10
    calendar: WorkCalendar = field(default_factory=WorkCalendar)


@dataclass(frozen=True)
class KpiDef:
    key: str
    zh: str
    en: str
    numerator: str
    denominator: str


# From Odoo the timeliness KPIs count the outcomes the add-on stores with each case
# (acceptance_outcome, handling_outcome, reply_outcome: met, late or pending); for a file
# they are computed with the default policy (see ``stage_outcomes``).
KPI_DEFS: tuple[KpiDef, ...] = (
    KpiDef("acceptance_timeliness", "受理及时率", "Acceptance timeliness",
           "acceptance outcome met: from Odoo the add-on's stored outcome (acceptance_outcome); "
           "from a file, the decision (date_accepted) before the end of the default policy's "
           "Nth working day after the day of receipt",
           "cases received in the period whose acceptance outcome is met or late (decided, or "
           "undecided past its due date; withdrawn cases excluded)"),
    KpiDef("handling_timeliness", "办结及时率", "Handling timeliness",
           "reply outcome met: from Odoo the add-on's stored outcome (reply_outcome); from a "
           "file, replied (date_replied) on or before the case's due date (date_deadline)",
           "cases received in the period whose reply outcome is met or late (not accepted and "
           "withdrawn cases excluded)"),
    KpiDef("feedback_timeliness", "反馈及时率", "Feedback timeliness",
           "handling outcome met: from Odoo the add-on's stored outcome (handling_outcome); "
           "from a file, the department's feedback (date_feedback) before the end of the "
           "default policy's Nth working day after the day of dispatch",
           "cases received in the period whose handling outcome is met or late"),
    KpiDef("satisfaction_rate", "回访满意率", "Satisfaction at callback",
           "callback result satisfied or basically satisfied",
           "cases received in the period with a callback result (satisfaction set)"),
    KpiDef("repeat_rate", "重复投诉率", "Repeat-complaint rate",
           "complaints raised more than once (repeat_count ≥ 2 or repeat_of_id set)",
           "complaints (demand_type = complaint) received in the period"),
    KpiDef("reopen_rate", "重开率", "Reopen rate",
           "closed cases reopened at least once (reopen_count ≥ 1)",
           "cases closed in the period (date_closed in the period)"),
    KpiDef("overdue_rate", "超期率", "Overdue rate",
           "reply outcome late (replied after the due date, or not replied past it)",
           "cases received in the period with a reply outcome (not accepted and withdrawn "
           "excluded)"),
)
KPI_BY_KEY = {k.key: k for k in KPI_DEFS}


@dataclass(frozen=True)
class Kpi:
    key: str
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def countable(cases: pd.DataFrame) -> pd.DataFrame:
    """Cases that count: a repeat merged into its original (state merged) is not a case of
    its own — the original carries it in repeat_count (a repeat opens no new case)."""
    merged = cases["state"] == "merged"
    return cases[~merged] if merged.any() else cases


def in_period(ts: pd.Series, period: Period) -> pd.Series:
    return (ts >= period.start) & (ts < period.end)


def received(cases: pd.DataFrame, period: Period) -> pd.DataFrame:
    return cases[in_period(cases["date_received"], period)]


# The fields the KPIs read: callers filtering many rows can keep just these.
KPI_FIELDS = ["date_received", "state", "date_accepted", "date_deadline", "date_replied",
              "date_dispatched", "date_feedback", "satisfaction", "demand_type", "repeat_count",
              "repeat_of_id", "date_closed", "reopen_count",
              *(f"{stage}_outcome" for stage in model.OUTCOME_STAGES)]


def _outcome(done: pd.Series, due: pd.Series, as_of: pd.Timestamp,
             strict: bool) -> np.ndarray:
    """met / late / pending of one stage from its done and due dates (None without a due
    date, unless the stage is done). The four cases exclude one another, so one
    ``np.select`` decides them (masked assignment on a Series costs a pass each)."""
    done_at, due_at = done.to_numpy(), due.to_numpy()
    is_done, has_due = ~np.isnat(done_at), ~np.isnat(due_at)
    met = done_at < due_at if strict else done_at <= due_at  # False where either is NaT
    waiting = ~is_done & has_due
    return np.select(
        [is_done & (met | ~has_due), is_done, waiting & (due_at <= as_of.to_datetime64()),
         waiting],
        np.array(["met", "late", "late", "pending"], dtype=object), default=None)


def stage_outcomes(cases: pd.DataFrame, as_of: pd.Timestamp, policy: Policy) -> pd.DataFrame:
    """The outcome of acceptance, handling (the department's feedback) and reply of each case.

    Rows read from Odoo carry the add-on's stored outcomes (its policies, working calendar,
    company days, pauses, extensions, review and new facts): they are used as they are.
    Rows from a file have none: they are computed with the default policy — acceptance and
    feedback within ``policy.accept_working_days`` / ``policy.feedback_working_days`` working
    days of the reports' calendar, the reply by the file's ``date_deadline`` — without
    pauses or extensions."""
    stored = (cases[model.OUTCOMES_STORED].fillna(False).to_numpy(bool)
              if model.OUTCOMES_STORED in cases else np.zeros(len(cases), bool))
    n = len(cases)
    columns = {}
    for stage in model.OUTCOME_STAGES:
        column = cases.get(f"{stage}_outcome")
        columns[stage] = (np.full(n, None, dtype=object) if column is None
                          else column.to_numpy(dtype=object, copy=True))
    computed = ~stored
    if computed.any():
        c = cases if computed.all() else cases[computed]
        accept_due = policy.calendar.due_dates(c["date_received"], policy.accept_working_days)
        feedback_due = policy.calendar.due_dates(c["date_dispatched"],
                                                 policy.feedback_working_days)
        columns["acceptance"][computed] = _outcome(c["date_accepted"], accept_due, as_of,
                                                   True)
        feedback = _outcome(c["date_feedback"], feedback_due, as_of, True)
        feedback[c["date_dispatched"].isna().to_numpy()] = None
        columns["handling"][computed] = feedback
        reply = _outcome(c["date_replied"], c["date_deadline"], as_of, False)
        reply[c["date_deadline"].isna().to_numpy()] = None
        columns["reply"][computed] = reply
    return pd.DataFrame(columns, index=cases.index)


def outcomes_source(cases: pd.DataFrame) -> str:
    """"odoo" when every row's outcomes are the add-on's stored ones, "policy" when all are
    computed with the default policy, "mixed" otherwise."""
    if model.OUTCOMES_STORED not in cases:
        return "policy"
    stored = cases[model.OUTCOMES_STORED].fillna(False).astype(bool)
    return "odoo" if stored.all() else "policy" if not stored.any() else "mixed"


def outcomes_note(cases: pd.DataFrame, policy: Policy) -> str:
    """One line for every sheet that shows timeliness: where its outcomes come from."""
    source = outcomes_source(cases)
    if source == "odoo":
        return ("时效结果取自 Odoo 中投诉模块保存的各环节结果（含暂停、延期、核查与公司日历） "
                "Timeliness is the add-on's own stored outcome of each stage, read from Odoo")
    computed = (f"受理 {policy.accept_working_days} 个工作日、反馈 "
                f"{policy.feedback_working_days} 个工作日、答复以文件中的办结期限为准，不含暂停与延期 "
                f"Acceptance within {policy.accept_working_days} and feedback within "
                f"{policy.feedback_working_days} working day(s), reply by the file's deadline; "
                "no pauses or extensions")
    if source == "mixed":
        return ("部分时效结果为报表按默认规则计算 Some timeliness outcomes are computed by the "
                "reports with the default policy: " + computed)
    return "时效结果由报表按默认规则计算 Timeliness computed with the default policy: " + computed


def _kpi_rows(cases: pd.DataFrame, period: Period, as_of: pd.Timestamp,
              policy: Policy) -> pd.DataFrame:
    """Per case, whether it counts in each KPI's numerator (``<key>`` column) and in its
    denominator (``<key>/of``): the KPIs are sums of these, for a company or for any split
    of it (reports/README.md defines them)."""
    cases = cases[[c for c in (*KPI_FIELDS, model.OUTCOMES_STORED) if c in cases]]
    n = len(cases)
    got = in_period(cases["date_received"], period).to_numpy()
    r = cases[got]
    active = (r["state"] != "withdrawn").to_numpy()
    outcomes = stage_outcomes(r, as_of, policy)
    decided = outcomes.isin(["met", "late"])
    met = outcomes == "met"
    handled = (active & (r["state"] != "not_accepted").to_numpy()
               & outcomes["reply"].notna().to_numpy())
    sat = r["satisfaction"]
    complaints = (r["demand_type"] == "complaint").to_numpy()
    repeated = ((r["repeat_count"] >= 2) | r["repeat_of_id"].notna()).to_numpy()
    pop = {"acceptance": active & decided["acceptance"].to_numpy(),
           "reply": handled & decided["reply"].to_numpy(),
           "handling": decided["handling"].to_numpy()}
    among_received = {
        "acceptance_timeliness": (pop["acceptance"] & met["acceptance"].to_numpy(),
                                  pop["acceptance"]),
        "handling_timeliness": (pop["reply"] & met["reply"].to_numpy(), pop["reply"]),
        "overdue_rate": (handled & (outcomes["reply"] == "late").to_numpy(), handled),
        "feedback_timeliness": (pop["handling"] & met["handling"].to_numpy(),
                                pop["handling"]),
        "satisfaction_rate": (sat.isin(["satisfied", "basically_satisfied"]).to_numpy(),
                              sat.notna().to_numpy()),
        "repeat_rate": (complaints & repeated, complaints),
    }
    columns: dict[str, np.ndarray] = {}
    for key, (num, den) in among_received.items():
        for name, part in ((key, num), (f"{key}/of", den)):
            full = np.zeros(n, bool)
            full[got] = part
            columns[name] = full
    closed = in_period(cases["date_closed"], period).to_numpy()
    columns["reopen_rate"] = closed & (cases["reopen_count"] >= 1).to_numpy()
    columns["reopen_rate/of"] = closed
    return pd.DataFrame(columns, index=cases.index)


def kpis(cases: pd.DataFrame, period: Period, as_of: pd.Timestamp,
         policy: Policy) -> dict[str, Kpi]:
    """The KPIs (defined in reports/README.md) for the cases of one company."""
    return _as_kpis(_kpi_rows(cases, period, as_of, policy).sum())


def kpis_by(cases: pd.DataFrame, key: pd.Series, period: Period, as_of: pd.Timestamp,
            policy: Policy) -> dict[object, dict[str, Kpi]]:
    """``kpis`` of each group of ``cases`` by ``key`` (one value per case): the outcomes are
    decided once for all the cases instead of once per group."""
    sums = _kpi_rows(cases, period, as_of, policy).groupby(key.to_numpy(), sort=False).sum()
    return {group: _as_kpis(row)
            for group, row in zip(sums.index, sums.to_dict("records"), strict=True)}


def _as_kpis(sums) -> dict[str, Kpi]:
    """The KPIs from the sums of ``_kpi_rows``' columns (a Series or a record)."""
    return {d.key: Kpi(d.key, int(sums[d.key]), int(sums[f"{d.key}/of"])) for d in KPI_DEFS}


def count_by(frame: pd.DataFrame, column: str,
             table: dict[str, model.Code] | None = None) -> pd.DataFrame:
    """Count per value: columns code, label, count, share. Known codes come first in their
    table order (zero rows included so periods line up), then other values by count."""
    counts = frame[column].fillna("(空)").value_counts()
    rows = []
    if table:
        for code, c in table.items():
            rows.append((code, f"{c.zh} {c.en}", int(counts.get(code, 0))))
        rest = counts.drop([k for k in table if k in counts.index])
    else:
        rest = counts
    rows += [(str(k), str(k) if k != "(空)" else "(空) (empty)", int(v))
             for k, v in rest.sort_values(ascending=False, kind="stable").items()]
    out = pd.DataFrame(rows, columns=["code", "label", "count"])
    total = out["count"].sum()
    out["share"] = out["count"] / total if total else 0.0
    return out


def category_tree(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts per category path with a subtotal row for every parent (level 1 first)."""
    paths = frame["category_id"].fillna("(空)").astype(str)
    leaf = paths.value_counts()
    rows: dict[str, int] = {}
    for path, n in leaf.items():
        parts = [p.strip() for p in path.split("/")]
        for depth in range(1, len(parts) + 1):
            key = " / ".join(parts[:depth])
            rows[key] = rows.get(key, 0) + int(n)
    out = pd.DataFrame(sorted(rows.items()), columns=["path", "count"])
    out["depth"] = out["path"].str.count(" / ")
    out["is_subtotal"] = out["path"].map(
        lambda p: any(k.startswith(p + " / ") for k in rows))
    total = int(leaf.sum())
    out["share"] = out["count"] / total if total else 0.0
    return out


def acceptance(r: pd.DataFrame) -> pd.DataFrame:
    """Accepted / not accepted (with reasons) / undecided among cases received."""
    not_acc = r["state"] == "not_accepted"
    decided = r["date_accepted"].notna()
    rows = [("accepted", "已受理 Accepted", int((decided & ~not_acc).sum())),
            ("not_accepted", "不予受理 Not accepted", int(not_acc.sum()))]
    for reason, n in r.loc[not_acc, "not_accepted_reason_id"].fillna("(未填原因) (no reason)") \
            .value_counts().items():
        rows.append(("reason", f"  — {reason}", int(n)))
    rows.append(("undecided", "未决定 Undecided", int((~decided & ~not_acc).sum())))
    return pd.DataFrame(rows, columns=["code", "label", "count"])


def finished_by(cases: pd.DataFrame, end: pd.Timestamp) -> pd.Series:
    """Closed (latest closure) before ``end``, not accepted before it, or withdrawn."""
    return ((cases["date_closed"] < end)
            | ((cases["state"] == "not_accepted") & (cases["date_accepted"] < end))
            | (cases["state"] == "withdrawn"))


def closure(cases: pd.DataFrame, period: Period) -> pd.DataFrame:
    cases = cases[["date_received", "date_closed", "date_accepted", "state"]]
    r = received(cases, period)
    done = finished_by(r, period.end)
    before = cases[(cases["date_received"] < period.start)]
    carried = before[~finished_by(before, period.start)]
    carried_closed = in_period(carried["date_closed"], period)
    rows = [
        ("received_closed", "本期受理、期末已办结 Received, finished by period end",
         int(done.sum())),
        ("received_open", "本期受理、期末未办结 Received, open at period end",
         int((~done).sum())),
        ("carried_in", "上期结转 Open at period start", len(carried)),
        ("carried_closed", "上期结转本期办结 Carried in, closed in period",
         int(carried_closed.sum())),
        ("closed_in_period", "本期结案合计 Closed in period (any intake date)",
         int(in_period(cases["date_closed"], period).sum())),
    ]
    return pd.DataFrame(rows, columns=["code", "label", "count"])


def _in_ledger(comps: pd.DataFrame) -> pd.Series:
    """Compensation paid through Odoo Accounting: its figures are the ledger's."""
    state = comps.get("accounting_state", pd.Series(None, index=comps.index, dtype=object))
    return state.notna() & (state != "none")


def approved_amount(comps: pd.DataFrame) -> pd.Series:
    """Approved amounts in company currency: at the approval date's rate, as booked, where
    Accounting books them; otherwise at the proposal date's rate."""
    booked = comps.get("amount_approved_company", pd.Series(float("nan"), index=comps.index))
    return booked.where(_in_ledger(comps), comps["amount_company"]).astype(float)


def paid_amount(comps: pd.DataFrame) -> pd.Series:
    """Paid amounts in company currency: what the ledger reconciled where Accounting pays
    the compensation; otherwise the amount at the proposal date's rate."""
    ledger = comps.get("amount_paid_company", pd.Series(float("nan"), index=comps.index))
    return ledger.where(_in_ledger(comps), comps["amount_company"]).astype(float)


def compensation(comps: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per remedy type: proposals submitted, approvals, payments in the period.

    Amounts are in company currency, so proposals in different currencies add up: proposed
    at the proposal date's rate; approved and paid as the ledger booked them where Odoo
    Accounting pays the compensation, otherwise at the proposal date's rate."""
    proposed = comps[in_period(comps["date_submitted"], period)]
    approved = comps[in_period(comps["date_approved"], period)
                     & comps["state"].isin(["approved", "paid"])]
    approved = approved.assign(amount_company=approved_amount(approved))
    paid = comps[in_period(comps["date_paid"], period) & (comps["state"] == "paid")]
    paid = paid.assign(amount_company=paid_amount(paid))
    codes = list(model.REMEDY_TYPES) + sorted(
        set(comps["remedy_type_id"].dropna()) - set(model.REMEDY_TYPES))
    # Each frame split by remedy once (a comparison per remedy costs a pass each); a part
    # keeps the rows in order, so its sum is the sum of the same values as before.
    parts = [dict(list(f.groupby("remedy_type_id", sort=False)["amount_company"]))
             for f in (proposed, approved, paid)]
    empty = pd.Series([], dtype=float)
    rows = []
    for code in codes:
        found = [p.get(code, empty) for p in parts]
        rows.append((code, model.label(model.REMEDY_TYPES, code),
                     len(found[0]), float(found[0].sum()), len(found[1]),
                     float(found[1].sum()), len(found[2]), float(found[2].sum())))
    return pd.DataFrame(rows, columns=["code", "label", "proposed_count", "proposed_amount",
                                       "approved_count", "approved_amount", "paid_count",
                                       "paid_amount"])


def hot_spots(r: pd.DataFrame, prev: pd.DataFrame, top_n: int = 10) -> pd.DataFrame:
    """Top category × department × location among complaints received, with the previous
    period's count for the same combination."""
    keys = ["category_id", "department_id", "location"]
    cur = r[r["demand_type"] == "complaint"][keys].fillna("(空)")
    before = prev[prev["demand_type"] == "complaint"][keys].fillna("(空)")
    if cur.empty:
        return pd.DataFrame(columns=[*keys, "count", "share", "previous"])
    counts = cur.value_counts().rename("count").reset_index()
    counts = counts.sort_values(["count", *keys], ascending=[False, True, True, True])
    top = counts.head(top_n).copy()
    top["share"] = top["count"] / len(cur)
    prev_counts = before.value_counts().rename("previous").reset_index()
    top = top.merge(prev_counts, on=keys, how="left")
    top["previous"] = top["previous"].fillna(0).astype(int)
    return top.reset_index(drop=True)


NOTABLE_ORDER = {"crisis": 0, "major": 1, "urgent": 2}  # then every other level


def notable(r: pd.DataFrame, policy: Policy, limit: int | None = None) -> pd.DataFrame:
    """Crisis, regulator-forwarded, group and emergency cases, with why each is listed:
    crisis first, then major, urgent and the rest, each by date received. With ``limit``
    only the first ``limit`` of that order; ``attrs["total"]`` is the count of all."""
    flags = {
        "crisis": (r["level"] == "crisis").to_numpy(),
        "regulator": r["is_regulator_forwarded"].to_numpy(bool),
        "group": (r["affected_count"] >= policy.group_threshold).to_numpy(),
        "emergency": r["is_emergency"].to_numpy(bool),
    }
    names = {"crisis": "危机 crisis", "regulator": "监管转办 regulator",
             "group": "群体 group", "emergency": "紧急 emergency"}
    any_flag = np.zeros(len(r), bool)
    for m in flags.values():
        any_flag |= m
    hit = np.flatnonzero(any_flag)
    order = r["level"].to_numpy(object)[hit]
    rank = np.array([NOTABLE_ORDER.get(v, 3) for v in order], dtype=int)
    received = r["date_received"].to_numpy()[hit]
    # Sorted before anything is built, so a limit keeps the work at the rows shown.
    pick = hit[np.lexsort((received, rank))][:limit]
    out = r.iloc[pick].copy()
    reasons = [[] for _ in range(len(pick))]
    for k, m in flags.items():
        for i in np.flatnonzero(m[pick]):
            reasons[i].append(names[k])
    out["why"] = ["; ".join(x) for x in reasons]
    out.attrs["total"] = len(hit)
    return out


def accountability(r: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Valid complaints where the company is at fault, per department and level, and the
    missed deadlines (the events accountability is decided on)."""
    base = r[(r["validity"] == "valid") & (r["cause_type"] == "company")]
    if base.empty:
        return pd.DataFrame(columns=["department_id", *model.LEVELS, "total",
                                     "with_employee", "overdue"])
    table = pd.crosstab(base["department_id"].fillna("(空)"), base["level"])
    table = table.reindex(columns=list(model.LEVELS), fill_value=0)
    table["total"] = table.sum(axis=1)
    table["with_employee"] = base.groupby(base["department_id"].fillna("(空)"))[
        "respondent_user_id"].apply(lambda s: int(s.notna().sum()))
    late = stage_outcomes(base, as_of, Policy())["reply"] == "late"
    table["overdue"] = late.groupby(base["department_id"].fillna("(空)")).sum().astype(int)
    return table.reset_index().sort_values("total", ascending=False, kind="stable")


DEMAND_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("refund", "退款退货 Refund / return", ("退款", "退货", "退钱", "退费")),
    ("compensation", "赔偿补偿 Compensation", ("赔偿", "补偿", "赔付")),
    ("apology", "赔礼道歉 Apology", ("道歉",)),
    ("replacement", "更换补发 Replacement", ("更换", "换货", "补发")),
    ("repair", "维修 Repair", ("维修", "修理")),
    ("accountability", "追究责任 Hold staff accountable", ("责任人", "处罚", "追责")),
    ("speed", "尽快处理 Faster handling", ("尽快", "加快", "催")),
    ("explanation", "解释说明 Explanation", ("解释", "说明", "答复")),
    ("invoice", "发票 Invoice", ("发票",)),
    ("improvement", "改进服务 Improvement", ("改进", "增加", "希望", "建议")),
)


def demand_groups(r: pd.DataFrame) -> pd.DataFrame:
    """Group the demand text (customer_demand) by the first keyword group it matches."""
    text = r["customer_demand"].fillna("").astype(str)
    # Demands repeat: each distinct text is matched once, then every row takes its group.
    codes, uniques = pd.factorize(text)
    distinct = pd.Series(uniques, dtype=object)
    hits = [distinct.str.contains("|".join(words), regex=True).to_numpy(bool)
            for _, _, words in DEMAND_GROUPS]
    keys = np.array([key for key, _, _ in DEMAND_GROUPS], dtype=object)
    per_text = np.select([distinct.eq("").to_numpy(bool), *hits],
                         np.concatenate([["empty"], keys]).astype(object), default="other")
    group = pd.Series(per_text[codes], index=r.index, dtype=object)
    labels = {k: lab for k, lab, _ in DEMAND_GROUPS}
    labels.update({"other": "其他 Other", "empty": "(未填) (not recorded)"})
    rows = []
    for key, n in group.value_counts().items():
        examples = text[group == key].value_counts().head(3).index.tolist()
        rows.append((key, labels[key], int(n), "；".join(e for e in examples if e)))
    out = pd.DataFrame(rows, columns=["group", "label", "count", "examples"])
    total = out["count"].sum()
    out["share"] = out["count"] / total if total else 0.0
    return out


def monthly_counts(cases: pd.DataFrame, end: pd.Timestamp, months: int) -> pd.Series:
    """Cases received per month for the ``months`` months before ``end`` (zeros kept)."""
    start = (end - pd.DateOffset(months=months)).normalize()
    idx = pd.period_range(start, end - pd.Timedelta(days=1), freq="M")
    sel = cases["date_received"]
    sel = sel[(sel >= start) & (sel < end)]
    counts = sel.dt.to_period("M").value_counts()
    return counts.reindex(idx, fill_value=0).astype(int)
