"""Seeded generator of realistic synthetic complaint histories.

Volume follows the retail year (Spring Festival and Double-11 peaks, quieter weekends and
holidays, slow growth); cases go through the whole life cycle of a complaint (acceptance, dispatch,
feedback, verification, reply, callback, closure, reopening) and are cut at ``as_of`` so the
latest ones are still open. Repeats point at an earlier case of the same complainant,
regulator-forwarded and media cases raise the level, and a few group events (≥ 10
customers, one place, one day) appear each year.

    python -m data.generate --cases 4000 --out data/sample
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

SPRING_FESTIVALS = ["2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17",
                    "2027-02-06"]


@dataclass(frozen=True)
class Company:
    name: str
    prefix: str
    share: float


COMPANIES = (
    Company("申城示范零售有限公司", "SC", 0.7),
    Company("江南示范服务有限公司", "JN", 0.3),
)

# category path → (departments it is routed to, weight)
CATEGORIES = {
    "商品质量 / 食品安全": (["质量管理部", "门店运营部"], 6),
    "商品质量 / 功能故障": (["质量管理部", "售后服务部"], 10),
    "商品质量 / 假冒伪劣": (["质量管理部"], 3),
    "服务 / 服务态度": (["门店运营部", "客服中心"], 14),
    "服务 / 办理效率": (["客服中心", "门店运营部"], 9),
    "服务 / 承诺未兑现": (["营销中心", "客服中心"], 5),
    "价格 / 价格欺诈": (["营销中心"], 4),
    "价格 / 收费争议": (["财务部", "营销中心"], 6),
    "配送 / 延迟送达": (["物流中心"], 11),
    "配送 / 货物损坏": (["物流中心"], 5),
    "合同 / 退换货": (["售后服务部", "门店运营部"], 12),
    "合同 / 会员卡与积分": (["营销中心", "信息技术部"], 6),
    "系统 / 线上支付": (["信息技术部", "财务部"], 5),
    "其他 / 其他": (["客服中心"], 4),
}
LOCATIONS = ["上海市黄浦区南京东路店", "上海市浦东新区陆家嘴店", "上海市徐汇区徐家汇店",
             "上海市静安区静安寺店", "杭州市西湖区湖滨店", "苏州市姑苏区观前街店",
             "南京市鼓楼区新街口店", "宁波市海曙区天一店", "无锡市梁溪区中山路店", "线上商城"]
DEMAND_TYPES = {"complaint": 55, "consultation": 19, "suggestion": 8, "help": 8, "report": 4,
                "grumble": 6}
CHANNELS = {"hotline": 38, "web": 14, "im": 12, "email": 5, "walk_in": 8, "letter": 2,
            "comment_book": 2, "third_party": 4, "media": 1, "internet": 4, "regulator": 7,
            "provincial_center": 3}
DEMANDS = ["要求退款", "要求赔偿损失", "要求道歉", "要求更换商品", "要求维修", "要求解释说明",
           "要求改进服务", "要求尽快处理", "要求处理责任人", "要求补发商品", "要求开具发票",
           "希望增加营业时间"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建国志文")
REJECT_REASONS = ["经营者之间的纠纷", "超过保修期", "无明确被投诉方或无证据",
                  "已处理完毕且无新事实", "已进入诉讼或仲裁程序"]
REMEDIES = {"free_replacement": 15, "replacement_paid_labour": 5, "shared_cost": 6,
            "discount": 14, "repair_customer_cost": 4, "refund": 22, "cash": 20, "voucher": 12,
            "third_party_claim": 2}
CURRENCIES = {"CNY": (1.0, 90), "HKD": (0.92, 6), "USD": (7.1, 4)}


def _pick(rng: np.random.Generator, table: dict, n: int) -> np.ndarray:
    keys = list(table)
    w = np.array([table[k] if not isinstance(table[k], tuple) else table[k][-1] for k in keys],
                 float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), n, p=w / w.sum())]


def _daily_weights(days: pd.DatetimeIndex) -> np.ndarray:
    """Relative complaint volume per day: growth, weekday, Spring Festival, Double-11."""
    t = (days - days[0]).days.to_numpy() / 365.0
    w = 1.0 + 0.08 * t
    w *= np.where(days.day_of_week >= 5, 0.75, 1.0)
    w *= 1.0 + 0.12 * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - 200) / 365.0)
    for sf in pd.to_datetime(SPRING_FESTIVALS):
        offset = (days - sf).days.to_numpy()
        w *= np.where((offset >= -3) & (offset <= 3), 0.55, 1.0)  # people are home
        w *= np.where((offset >= 4) & (offset <= 20), 1.6, 1.0)  # returns and deliveries
    md = days.month * 100 + days.day
    w *= np.where((md >= 1111) & (md <= 1125), 1.9, 1.0)
    w *= np.where((md >= 618) & (md <= 625), 1.3, 1.0)
    return w


def generate(cases: int = 4000, seed: int = 20260930, start: str = "2023-01-01",
             end: str = "2026-09-30", as_of: str = "2026-10-12",
             companies: tuple[Company, ...] = COMPANIES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (cases, compensations) frames with the canonical columns of reports.model."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, end, freq="D")
    w = _daily_weights(days)
    n = cases
    received = days[rng.choice(len(days), n, p=w / w.sum())]
    # Office hours dominate, a tail into the evening.
    seconds = np.clip(rng.normal(14 * 3600, 3.5 * 3600, n), 7 * 3600, 22 * 3600).astype(int)
    received = received + pd.to_timedelta(seconds, unit="s")

    shares = np.array([c.share for c in companies])
    comp_idx = rng.choice(len(companies), n, p=shares / shares.sum())
    df = pd.DataFrame({"date_received": received, "_company": comp_idx})

    # A few group events per company and year: many customers, one place, one day.
    group = rng.random(n) < 0.004
    df["demand_type"] = _pick(rng, DEMAND_TYPES, n)
    df.loc[group, "demand_type"] = "complaint"
    df["channel_id"] = _pick(rng, CHANNELS, n)
    category = _pick(rng, CATEGORIES, n)
    df["category_id"] = category
    dept_choice = rng.random(n)
    df["department_id"] = [CATEGORIES[c][0][int(u * len(CATEGORIES[c][0]))]
                           for c, u in zip(category, dept_choice, strict=True)]
    loc_w = np.linspace(1.6, 0.6, len(LOCATIONS))
    df["location"] = np.array(LOCATIONS, dtype=object)[
        rng.choice(len(LOCATIONS), n, p=loc_w / loc_w.sum())]
    df["affected_count"] = np.where(group, rng.integers(10, 80, n), 1)

    df = df.sort_values("date_received", kind="stable").reset_index(drop=True)
    comp_idx = df["_company"].to_numpy()
    group = df["affected_count"].to_numpy() >= 10
    year = df["date_received"].dt.year
    seq = df.groupby([df["_company"], year]).cumcount() + 1
    prefixes = np.array([c.prefix for c in companies], dtype=object)[comp_idx]
    df.insert(0, "name", prefixes + year.astype(str) + "-" + seq.astype(str).str.zfill(6))
    df.insert(1, "company_id", np.array([c.name for c in companies], dtype=object)[comp_idx])

    # Complainants: a pool per company so that repeats come from the same people.
    pool = max(50, n // 3)
    person = rng.integers(0, pool, n)
    sur = np.array(SURNAMES, dtype=object)[person % len(SURNAMES)]
    given = np.array(GIVEN, dtype=object)[(person // len(SURNAMES)) % len(GIVEN)]
    given2 = np.array(GIVEN, dtype=object)[(person * 7 + 3) % len(GIVEN)]
    df["partner_name"] = sur + given + np.where(person % 3 == 0, "", given2)
    df["partner_phone"] = ("1" + pd.Series(3 + person % 7).astype(str)
                           + pd.Series(100000000 + person * 7919 % 900000000).astype(str)).values
    df["partner_address"] = df["location"].str.slice(0, 6) + "某路" + (person % 900 + 1).astype(
        str) + "号"

    # Repeats: the same complainant on the same category again within weeks.
    is_complaint = df["demand_type"].to_numpy() == "complaint"
    repeat = is_complaint & (rng.random(n) < 0.12) & ~group
    df["repeat_of_id"] = None
    df["repeat_count"] = 1
    idx = np.flatnonzero(repeat)
    # The earlier case is one of the same company: a complainant repeats to the company
    # they complained to, and the reference prefix stays the company's.
    steps = rng.integers(1, max(2, n // 300), len(idx))
    back = np.full(len(idx), -1)
    for c in range(len(companies)):
        own = np.flatnonzero(comp_idx == c)
        mine = comp_idx[idx] == c
        pos = np.searchsorted(own, idx[mine]) - steps[mine]
        back[mine] = np.where(pos >= 0, own[np.maximum(pos, 0)], -1)
    ok = back >= 0
    idx, back = idx[ok], back[ok]
    df.loc[idx, "repeat_of_id"] = df["name"].to_numpy()[back]
    for col in ("category_id", "department_id", "location", "partner_name",
                "partner_phone", "partner_address"):
        df.loc[idx, col] = df[col].to_numpy()[back]
    df.loc[idx, "repeat_count"] = np.where(rng.random(len(idx)) < 0.75, 2, 3)
    df.loc[idx, "channel_id"] = np.where(rng.random(len(idx)) < 0.3, "regulator",
                                         df.loc[idx, "channel_id"].to_numpy())
    rc = df["repeat_count"].to_numpy()
    ch = df["channel_id"].to_numpy()
    # Drawn and unused: the draws of every later column stay those of earlier samples.
    rng.random(n)
    level = case_levels(ch, rc, df["affected_count"].to_numpy())
    df["level"] = level
    df["is_regulator_forwarded"] = ch == "regulator"
    df["is_emergency"] = (rng.random(n) < 0.004) | (group & (rng.random(n) < 0.3))
    df["priority"] = np.select(
        [df["is_emergency"].to_numpy() | (level == "crisis"), rc >= 2],
        ["urgent", "important"], "normal").astype(object)

    cat = df["category_id"].str.split(" / ").str[-1]
    df["subject"] = df["location"].str.replace("店", "", regex=False) + "：" + cat + "问题"
    demand_idx = rng.integers(0, len(DEMANDS), n)
    df["customer_demand"] = np.array(DEMANDS, dtype=object)[demand_idx]
    df["description"] = ("客户反映" + df["location"] + "的" + cat + "问题，"
                         + df["customer_demand"] + "。")
    df["respondent"] = df["department_id"] + np.where(rng.random(n) < 0.5, "工作人员", "")
    staff = rng.integers(1, 40, n).astype(str)
    df["respondent_user_id"] = np.where(rng.random(n) < 0.4, "员工" + staff, None)
    df["owner_user_id"] = "坐席" + pd.Series(rng.integers(1, 25, n)).astype(str).values
    df["handler_user_id"] = df["department_id"] + "处理员" + pd.Series(
        rng.integers(1, 6, n)).astype(str).values
    df["event_date"] = df["date_received"] - pd.to_timedelta(rng.exponential(36, n), unit="h")

    _life_cycle(df, rng, pd.Timestamp(as_of) + pd.Timedelta(days=1))
    df["external_source"] = np.where(ch == "regulator", "regulator",
                                     np.where(ch == "provincial_center", "hotline", None))
    df["external_ref"] = np.where(pd.notna(df["external_source"]),
                                  "EXT" + pd.Series(rng.integers(10**7, 10**8, n)).astype(str),
                                  None)
    df["external_deadline"] = df["date_deadline"].where(pd.notna(df["external_source"]))
    comps = _compensations(df, rng)
    return df.drop(columns=["_company"]), comps


def _hours(rng: np.random.Generator, median: float, n: int, sigma: float = 0.8) -> pd.Series:
    return pd.to_timedelta(rng.lognormal(np.log(median), sigma, n), unit="h")


def _life_cycle(df: pd.DataFrame, rng: np.random.Generator, cut: pd.Timestamp) -> None:
    """Stamp the step dates, then keep only what had happened before ``cut``."""
    n = len(df)
    quick = df["demand_type"].isin(["consultation", "suggestion", "grumble"]).to_numpy()
    not_acc = (rng.random(n) < 0.05) & ~quick
    r = df["date_received"]
    acc = r + _hours(rng, 3, n, 1.2)
    disp = acc + _hours(rng, 1.5, n)
    fb = disp + _hours(rng, 40, n, 1.1)
    ver = fb + _hours(rng, 4, n)
    rep = ver + _hours(rng, 3, n)
    # Quick demand types are answered on the spot.
    rep = rep.where(~quick, acc + _hours(rng, 0.5, n))
    cb = rep + _hours(rng, 30, n, 0.6)
    sat = rng.choice(["satisfied", "basically_satisfied", "dissatisfied"], n, p=[.62, .27, .11])
    reopen = np.where(sat == "dissatisfied", rng.choice([0, 1, 2], n, p=[.4, .45, .15]), 0)
    closed = cb + _hours(rng, 6, n) + pd.to_timedelta(reopen * rng.uniform(4, 20, n), unit="D")
    deadline = r.dt.normalize() + pd.to_timedelta(np.where(quick, 3, 15), unit="D")

    df["state"] = "closed"
    df.loc[not_acc, "state"] = "not_accepted"
    df["not_accepted_reason_id"] = np.where(
        not_acc, np.array(REJECT_REASONS, dtype=object)[rng.integers(0, len(REJECT_REASONS), n)],
        None)
    df["date_accepted"] = acc
    df["date_dispatched"] = disp.where(~quick & ~not_acc)
    df["date_feedback"] = fb.where(~quick & ~not_acc)
    df["date_verified"] = ver.where(~quick & ~not_acc)
    df["date_replied"] = rep.where(~not_acc)
    df["date_callback"] = cb.where(~not_acc & ~quick)
    df["date_closed"] = closed.where(~not_acc, acc + _hours(rng, 24, n))
    df["date_deadline"] = deadline.where(~not_acc)
    df["satisfaction"] = np.where(~not_acc & ~quick, sat, None)
    df["reopen_count"] = np.where(~not_acc & ~quick, reopen, 0)
    valid = rng.choice(["valid", "invalid", "malicious"], n, p=[.84, .13, .03])
    df["validity"] = np.where(not_acc, None, valid)
    df["cause_type"] = np.select(
        [valid == "malicious", valid == "invalid", rng.random(n) < 0.72],
        ["malicious", "customer", "company"], "customer").astype(object)
    df.loc[not_acc, "cause_type"] = None
    df["closure_criterion"] = np.select(
        [valid == "invalid", sat == "dissatisfied"], ["ruled_invalid", "law_supports"],
        "customer_accepts").astype(object)
    df.loc[not_acc, "closure_criterion"] = None
    hours = (df["date_replied"] - df["date_accepted"]).dt.total_seconds() / 3600
    df["handling_hours"] = (hours * 0.25).round(1)

    # Cut at as_of: a step after the cut has not happened yet; state follows the last step.
    steps = [("date_accepted", "accepted"), ("date_dispatched", "dispatched"),
             ("date_feedback", "feedback"), ("date_verified", "verified"),
             ("date_replied", "replied"), ("date_callback", "replied"),
             ("date_closed", "closed")]
    state = np.full(n, "draft", dtype=object)
    for col, st in steps:
        happened = (df[col] < cut).to_numpy()
        state = np.where(happened, st, state)
        df.loc[~happened, col] = pd.NaT
    state = np.where((state == "dispatched"), "handling", state)
    state = np.where(not_acc & (df["date_accepted"] < cut).to_numpy(), "not_accepted", state)
    df["state"] = state
    pending = df["date_callback"].isna().to_numpy()
    df.loc[pending, "satisfaction"] = None
    df.loc[df["date_closed"].isna().to_numpy(), ["closure_criterion"]] = None
    df.loc[df["date_closed"].isna().to_numpy() & (reopen > 0), "reopen_count"] = 0
    df["reopen_count"] = df["reopen_count"].astype(int)
    withdrawn = (state != "closed") & (state != "not_accepted") & (rng.random(n) < 0.01)
    df.loc[withdrawn, "state"] = "withdrawn"


def _compensations(cases: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    eligible = ((cases["cause_type"] == "company") & (cases["demand_type"] == "complaint")
                & cases["date_accepted"].notna()).to_numpy()
    pick = eligible & (rng.random(len(cases)) < 0.35)
    c = cases.loc[pick].reset_index(drop=True)
    m = len(c)
    cur = _pick(rng, {k: v[1] for k, v in CURRENCIES.items()}, m)
    rate = np.array([CURRENCIES[x][0] for x in cur])
    amount = np.round(rng.lognormal(np.log(180), 0.9, m), 2)
    state = rng.choice(["paid", "approved", "to_approve", "rejected", "draft"], m,
                       p=[.6, .15, .1, .1, .05]).astype(object)
    submitted = c["date_feedback"].fillna(c["date_accepted"]) + _hours(rng, 4, m)
    approved = submitted + _hours(rng, 20, m)
    paid = approved + _hours(rng, 48, m)
    # Proposals of still-open cases cannot be paid yet.
    open_case = c["date_closed"].isna().to_numpy()
    state = np.where(open_case & (state == "paid"), "approved", state)
    out = pd.DataFrame({
        "case_id": c["name"],
        "remedy_type_id": _pick(rng, REMEDIES, m),
        "amount": amount,
        "currency_id": cur,
        "amount_company": np.round(amount * rate, 2),
        "amount_claimed": np.round(amount * rng.uniform(1.0, 2.5, m), 2),
        "state": state,
        "date_submitted": submitted,
        "date_approved": approved.where(np.isin(state, ["approved", "paid"])),
        "date_paid": paid.where(state == "paid"),
        "department_id": c["department_id"],
        "cause_type": c["cause_type"],
        "level": c["level"],
    })
    return out


def write(cases: pd.DataFrame, comps: pd.DataFrame, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    fmt = "%Y-%m-%d %H:%M:%S"
    cases.to_csv(out / "cases.csv", index=False, date_format=fmt)
    comps.to_csv(out / "compensations.csv", index=False, date_format=fmt)


# The add-on's level rule (complaint.case._compute_level and the channels' is_regulator /
# is_public_exposure flags shipped in addon_complaints/data/complaint_channel_data.xml).
CRISIS_CHANNELS = ("regulator", "media", "internet")
GROUP_COMPLAINT_SIZE = 10


def case_levels(channels: np.ndarray, repeat_counts: np.ndarray,
                affected_counts: np.ndarray) -> np.ndarray:
    """Crisis when forwarded by a regulator, reported by media or on the internet, or when
    ten or more customers complain together; else major from the third complaint about the
    same matter, urgent on the second, normal on the first — whatever the demand type."""
    crisis = np.isin(channels, CRISIS_CHANNELS) | (affected_counts >= GROUP_COMPLAINT_SIZE)
    return np.select([crisis, repeat_counts >= 3, repeat_counts == 2],
                     ["crisis", "major", "urgent"], "normal").astype(object)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m data.generate",
        description="Write a seeded synthetic complaint history (cases.csv, "
                    "compensations.csv) with the canonical columns of DATA_MODEL.md.")
    ap.add_argument("--cases", type=int, default=4000, help="number of cases (default 4000)")
    ap.add_argument("--seed", type=int, default=20260930, help="random seed")
    ap.add_argument("--start", default="2023-01-01", help="first day of the history")
    ap.add_argument("--end", default="2026-09-30", help="last day of the history")
    ap.add_argument("--as-of", default="2026-10-12",
                    help="extraction day: later steps have not happened yet")
    ap.add_argument("--out", type=Path, default=Path("data/sample"), help="output folder")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    cases, comps = generate(args.cases, args.seed, args.start, args.end, args.as_of)
    write(cases, comps, args.out)
    log.info("%d cases and %d compensations written to %s", len(cases), len(comps), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
