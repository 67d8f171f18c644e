"""Synthetic dispatch orders and forwarded complaints, including tricky and broken ones.

``tricky`` records are valid but awkward (GBK bytes, mojibake, UTF-8/GBK mixes, XML in
GBK); ``malformed`` records must end in quarantine. Both are labelled so tests can count.
"""

from __future__ import annotations

import datetime as dt
import random
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from .store import PortalStore

BEIJING = dt.timezone(dt.timedelta(hours=8))
SUBJECTS = [
    "配送延迟",
    "服务态度差",
    "卷烟质量问题",
    "价格异议",
    "订货电话无人接听",
    "结算扣款错误",
    "许可证办理慢",
    "货品破损",
]
CONTENTS = [
    "客户反映送货员连续三次未按约定时间送达，影响正常经营。",
    "客户称客户经理电话中态度生硬，拒绝解释价格调整原因。",
    "零售户反映本周到货的一条卷烟有受潮现象，要求更换。",
    "客户反映电子结算重复扣款，请核实并退还。",
    "客户多次拨打订货电话无人接听，无法完成当日订货。",
]
DEMANDS = ["要求书面道歉", "要求更换货品", "要求退还多扣款项", "要求说明原因", "要求加快处理"]
NAMES = ["张三", "李四", "王五", "赵六", "陈晓明", "刘芳"]
PLACES = ["城东区", "城西区", "高新区", "开发区"]
DEMAND_TYPES = ["complaint", "complaint", "complaint", "consultation", "suggestion", "help", "report", "grumble"]
URGENCY = ["normal", "normal", "normal", "important", "urgent"]
CATEGORIES = ["service/attitude", "logistics/delivery", "product/quality", "finance/settlement", ""]


def _when(base: dt.datetime, hours: float) -> str:
    return (base + dt.timedelta(hours=hours)).astimezone(BEIJING).replace(microsecond=0).isoformat()


def hotline_order(n: int, rng: random.Random, base: dt.datetime, prefix: str = "HL") -> dict[str, Any]:
    order: dict[str, Any] = {
        "order_no": f"{prefix}{n:08d}",
        "revision": 1,
        "dispatched_at": _when(base, n / 60),
        "deadline": _when(base, n / 60 + 72),
        "demand_type": rng.choice(DEMAND_TYPES),
        "urgency": rng.choice(URGENCY),
        "title": rng.choice(SUBJECTS),
        "content": rng.choice(CONTENTS),
        "demand": rng.choice(DEMANDS),
        "complainant": {
            "name": rng.choice(NAMES),
            "phone": f"1{rng.randrange(3, 9)}{rng.randrange(10**8, 10**9)}",
            "address": rng.choice(PLACES) + "建设路12号",
        },
        "respondent": "客户服务部",
        "event_time": _when(base, n / 60 - 24),
        "location": rng.choice(PLACES),
        "category": rng.choice(CATEGORIES),
        "affected_count": 1,
        "emergency": False,
        "attachments": [],
    }
    if rng.random() < 0.1:
        order["attachments"] = [
            {"filename": "现场照片.txt", "mimetype": "text/plain", "content": xmlrpc.client.Binary("照片说明".encode())}
        ]
    return order


def _xml_body(rng: random.Random, base: dt.datetime, n: int) -> str:
    return (
        f'<complaint kind="{rng.choice(DEMAND_TYPES)}" urgency="{rng.choice(URGENCY)}" emergency="false">'
        f"<title>{escape(rng.choice(SUBJECTS))}</title>"
        f"<content>{escape(rng.choice(CONTENTS))}</content>"
        f"<demand>{escape(rng.choice(DEMANDS))}</demand>"
        f"<complainant><name>{rng.choice(NAMES)}</name><phone>0571-8{rng.randrange(10**6, 10**7)}</phone>"
        f"<address>{rng.choice(PLACES)}</address></complainant>"
        f"<respondent>营销中心</respondent><event_time>{_when(base, n / 60 - 48)}</event_time>"
        f"<location>{rng.choice(PLACES)}</location><affected>1</affected></complaint>"
    )


def regulator_item(n: int, rng: random.Random, base: dt.datetime, prefix: str = "RG") -> dict[str, Any]:
    return {
        "case_id": f"{prefix}-{n:07d}",
        "version": 1,
        "forwarded_at": _when(base, n / 60),
        "due_at": _when(base, n / 60 + 15 * 24),
        "category": rng.choice(CATEGORIES),
        "body": '<?xml version="1.0" encoding="UTF-8"?>' + _xml_body(rng, base, n),
        "attachments": [],
    }


# -- valid but awkward ----------------------------------------------------------------


def _gbk_binary(order: dict) -> dict:
    order["title"] = xmlrpc.client.Binary(order["title"].encode("gbk"))
    order["content"] = xmlrpc.client.Binary(order["content"].encode("gbk"))
    return order


def _mojibake(order: dict) -> dict:
    order["content"] = order["content"].encode("gbk").decode("latin-1")
    return order


def _mixed(order: dict) -> dict:
    order["content"] = xmlrpc.client.Binary("前半段UTF-8，".encode() + "后半段GBK。".encode("gbk"))
    return order


def _gbk_xml(item: dict) -> dict:
    text = item["body"].replace('encoding="UTF-8"', 'encoding="GBK"')
    item["body"] = xmlrpc.client.Binary(text.encode("gbk"))
    return item


HOTLINE_TRICKS: list[Callable[[dict], dict]] = [_gbk_binary, _mojibake, _mixed]
REGULATOR_TRICKS: list[Callable[[dict], dict]] = [_gbk_xml]

# -- must be quarantined --------------------------------------------------------------


def _set(key: str, value: Any) -> Callable[[dict], dict]:
    def apply(record: dict) -> dict:
        record[key] = value
        return record

    apply.__name__ = f"set_{key}"
    return apply


def _drop(key: str) -> Callable[[dict], dict]:
    def apply(record: dict) -> dict:
        record.pop(key, None)
        return record

    apply.__name__ = f"drop_{key}"
    return apply


HOTLINE_BREAKS: list[Callable[[dict], dict]] = [
    _set("revision", "1"),
    _drop("title"),
    _set("demand_type", "complain"),
    _set("urgency", "critical"),
    _set("content", "很长" * 20_000),
    _set("deadline", "next tuesday"),
    _set("affected_count", 2.5),
    _set("complainant", "张三"),
    _set("content", xmlrpc.client.Binary(b"bad bytes \xfa \x80\xff")),
    _set("emergency", "yes"),
]
_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    '<complaint kind="complaint"><title>&lol2;</title><content>x</content></complaint>'
)
REGULATOR_BREAKS: list[Callable[[dict], dict]] = [
    _set("body", _BOMB),
    _set("body", '<complaint kind="complaint"><title>unterminated'),
    _set("body", '<complaint kind="gripe"><title>t</title><content>c</content></complaint>'),
    _set("body", '<complaint kind="complaint"><content>no title</content></complaint>'),
    _drop("version"),
    _set("due_at", 20260301),
    _set("body", '<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><complaint/>'),
]


@dataclass
class Seeded:
    valid: list[str] = field(default_factory=list)
    tricky: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)

    @property
    def expected_cases(self) -> set[str]:
        return set(self.valid) | set(self.tricky)


def seed(
    store: PortalStore,
    kind: str,
    count: int,
    *,
    start: int = 1,
    tricky: float = 0.0,
    malformed: float = 0.0,
    rng: random.Random | None = None,
    base: dt.datetime | None = None,
) -> Seeded:
    """Append ``count`` records to the feed; returns which refs are valid, tricky, broken."""
    rng = rng or random.Random(start)
    base = base or dt.datetime.now(BEIJING).replace(minute=0, second=0, microsecond=0)
    make = hotline_order if kind == "hotline" else regulator_item
    tricks = HOTLINE_TRICKS if kind == "hotline" else REGULATOR_TRICKS
    breaks = HOTLINE_BREAKS if kind == "hotline" else REGULATOR_BREAKS
    out = Seeded()
    for n in range(start, start + count):
        record = make(n, rng, base)
        ref = record["order_no" if kind == "hotline" else "case_id"]
        roll = rng.random()
        if roll < malformed:
            record = rng.choice(breaks)(record)
            out.malformed.append(ref)
        elif roll < malformed + tricky:
            record = rng.choice(tricks)(record)
            out.tricky.append(ref)
        else:
            out.valid.append(ref)
        store.add(record, ref=ref, revision=1)
    return out
