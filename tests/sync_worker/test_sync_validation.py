"""Payload validation: examples for each kind of bad input, and properties (hypothesis)."""

from __future__ import annotations

import datetime as dt
import random
import xmlrpc.client

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync_worker.records import DEMAND_TYPES, PRIORITIES, InboundCase, Rejection
from sync_worker.reference_portals.generate import (
    HOTLINE_BREAKS,
    REGULATOR_BREAKS,
    hotline_order,
    regulator_item,
)
from sync_worker.validation import _IMPLAUSIBLE_RE, _UTF8_RUN_RE, Limits, decode_bytes, repair_mojibake, validate

BASE = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def good_order(**changes) -> dict:
    order = hotline_order(1, random.Random(1), BASE)
    order.update(changes)
    return order


def good_item(**changes) -> dict:
    item = regulator_item(1, random.Random(1), BASE)
    item.update(changes)
    return item


def reason(source: str, payload) -> str:
    result = validate(source, payload)
    assert isinstance(result, Rejection), result
    return result.reason


def test_good_order_becomes_a_case_in_utc():
    case = validate("hotline", good_order())
    assert isinstance(case, InboundCase)
    assert case.external_ref == "HL00000001" and case.revision == 1
    assert case.date_received == dt.datetime(2026, 3, 1, 1, 1)  # 09:01 Beijing
    assert case.deadline - case.date_received == dt.timedelta(hours=72)


def test_regulator_xml_body_is_read():
    case = validate("regulator", good_item())
    assert isinstance(case, InboundCase)
    assert case.subject and case.description and case.partner_name


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"revision": "1"}, "revision: expected an integer, got str"),
        ({"revision": True}, "revision: expected an integer, got bool"),
        ({"title": ""}, "title: missing"),
        ({"demand_type": "complain"}, "demand_type: unknown value 'complain'"),
        ({"urgency": "critical"}, "urgency: unknown value 'critical'"),
        ({"content": "长" * 20_001}, "content: too long (20001 characters, limit 20000)"),
        ({"deadline": "next tuesday"}, "deadline: not an ISO 8601 date-time"),
        ({"deadline": "1970-01-01T00:00:00"}, "deadline: year 1969 out of range"),
        ({"affected_count": 2.5}, "affected_count: expected an integer, got float"),
        ({"affected_count": 0}, "affected_count: 0 out of range"),
        ({"complainant": "张三"}, "complainant: expected a struct, got str"),
        ({"emergency": "yes"}, "emergency: expected a boolean, got str"),
        ({"order_no": "bad ref with spaces"}, "order_no: not a valid reference"),
        ({"title": "a\x00b"}, "title: contains control character U+0000"),
        ({"content": xmlrpc.client.Binary(b"ok \xfa \x80\xff")}, "content: undecodable bytes b'\\xfa'"),
        ({"attachments": [{"filename": "a", "content": "!!notbase64"}]}, "attachments[0].content: not valid base64"),
        ({"attachments": "x"}, "attachments: expected an array, got str"),
        ({"title": 5}, "title: expected text, got int"),
    ],
)
def test_hotline_rejections_name_the_field(changes, expected):
    assert expected in reason("hotline", good_order(**changes))


def test_missing_field_and_non_struct():
    order = good_order()
    del order["deadline"]
    assert reason("hotline", order) == "deadline: missing"
    assert reason("hotline", "just a string") == "record: expected a struct, got str 'just a string'"
    assert validate("hotline", ["x"]).external_ref == "<unknown>"


def test_oversized_attachment():
    limits = Limits(max_attachment_bytes=10)
    payload = good_order(attachments=[{"filename": "a.bin", "content": xmlrpc.client.Binary(b"x" * 11)}])
    result = validate("hotline", payload, limits)
    assert isinstance(result, Rejection) and "11 bytes, limit 10" in result.reason


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><complaint/>',
            "hostile XML refused",
        ),
        ('<!DOCTYPE x SYSTEM "file:///etc/passwd"><complaint/>', "hostile XML refused"),
        ("<complaint><title>x", "malformed XML"),
        ("<other/>", "root element is 'other'"),
        (
            '<complaint kind="gripe"><title>t</title><content>c</content></complaint>',
            "body@kind: unknown value 'gripe'",
        ),
        ('<complaint kind="complaint"><content>c</content></complaint>', "body/title: missing"),
        (
            '<complaint kind="complaint"><title>t</title><content>c</content><affected>many</affected></complaint>',
            "body/affected: expected an integer",
        ),
        ("x" * 300_000, "XML larger than"),
    ],
)
def test_regulator_xml_rejections(body, expected):
    assert expected in reason("regulator", good_item(body=body))


def test_billion_laughs_is_refused_fast():
    body = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
        + ']><complaint kind="complaint"><title>&lol9;</title><content>x</content></complaint>'
    )
    assert "hostile XML refused" in reason("regulator", good_item(body=body))


def test_gbk_xml_document_with_declaration():
    text = (
        '<?xml version="1.0" encoding="GBK"?>'
        '<complaint kind="report"><title>举报</title><content>内容：乱收费</content></complaint>'
    )
    case = validate("regulator", good_item(body=xmlrpc.client.Binary(text.encode("gbk"))))
    assert isinstance(case, InboundCase) and case.subject == "举报" and case.demand_type == "report"


def test_every_generated_break_is_quarantined():
    for index, brk in enumerate(HOTLINE_BREAKS):
        assert isinstance(validate("hotline", brk(good_order())), Rejection), index
    for index, brk in enumerate(REGULATOR_BREAKS):
        assert isinstance(validate("regulator", brk(good_item())), Rejection), index


def test_encodings_gbk_mojibake_and_mixed():
    assert decode_bytes("投诉内容".encode("gbk")) == "投诉内容"
    assert decode_bytes("投诉内容".encode()) == "投诉内容"
    assert decode_bytes("前半段".encode() + "后半段".encode("gbk")) == "前半段后半段"
    assert decode_bytes("前半段，".encode() + b"GBK:" + "后半".encode("gbk")) == "前半段，GBK:后半"
    assert decode_bytes(b"\xef\xbb\xbf" + "带BOM".encode()) == "带BOM"
    assert repair_mojibake("投诉".encode("gbk").decode("latin-1")) == "投诉"
    assert repair_mojibake("Müller café") == "Müller café"  # genuine Latin-1 stays as it is
    order = good_order(
        title=xmlrpc.client.Binary("配送延迟".encode("gbk")), content="送货晚".encode("gbk").decode("latin-1")
    )
    case = validate("hotline", order)
    assert isinstance(case, InboundCase) and (case.subject, case.description) == ("配送延迟", "送货晚")


def test_rejection_payload_is_bounded_json():
    result = validate("hotline", good_order(content="长" * 100_000))
    assert isinstance(result, Rejection)
    assert len(result.payload_text) < 70_000 and "truncated" in result.payload_text


# -- properties ---------------------------------------------------------------------------

xmlrpc_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=50),
    st.binary(max_size=50).map(xmlrpc.client.Binary),
)
xmlrpc_values = st.recursive(
    xmlrpc_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)
HOTLINE_KEYS = list(good_order())
REGULATOR_KEYS = list(good_item())


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(["hotline", "regulator"]), payload=xmlrpc_values)
def test_never_raises_on_arbitrary_input(source, payload):
    result = validate(source, payload)
    assert isinstance(result, InboundCase | Rejection)


@settings(max_examples=300)
@given(
    key=st.sampled_from(HOTLINE_KEYS),
    value=xmlrpc_values,
)
def test_any_single_field_corruption_is_valid_or_explained(key, value):
    result = validate("hotline", good_order(**{key: value}))
    if isinstance(result, Rejection):
        assert result.reason and result.payload_text
        assert result.external_ref  # always something to show in the quarantine
    else:
        assert result.external_ref and result.subject and result.description


@settings(max_examples=200)
@given(key=st.sampled_from(REGULATOR_KEYS), value=xmlrpc_values)
def test_any_regulator_field_corruption_is_valid_or_explained(key, value):
    result = validate("regulator", good_item(**{key: value}))
    assert isinstance(result, InboundCase | Rejection)
    if isinstance(result, Rejection):
        assert result.reason


CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=100)


def _unambiguous_gbk(text: str) -> bool:
    """GBK bytes that are not also UTF-8 made of plausible characters (the documented limit)."""
    data = text.encode("gbk")
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        return _UTF8_RUN_RE.search(data) is None
    return bool(_IMPLAUSIBLE_RE.search(utf8))


@given(text=CJK)
def test_chinese_text_survives_every_transport_encoding(text):
    assert decode_bytes(text.encode("utf-8")) == text
    if _unambiguous_gbk(text):
        assert decode_bytes(text.encode("gbk")) == text
        assert decode_bytes(text.encode("gb18030")) == text


@given(text=CJK.filter(lambda t: all(b >= 0x80 for b in t.encode("gbk"))))
def test_gbk_mojibake_is_repaired(text):
    assert repair_mojibake(text.encode("gbk").decode("latin-1")) == text


@given(text=CJK.filter(_unambiguous_gbk))
def test_gbk_binary_fields_are_decoded(text):
    case = validate("hotline", good_order(title=xmlrpc.client.Binary(text.encode("gbk"))))
    assert isinstance(case, InboundCase) and case.subject == text


@given(value=st.text(min_size=1).filter(lambda v: v not in DEMAND_TYPES))
def test_unknown_demand_type_is_always_rejected(value):
    assert "demand_type" in reason("hotline", good_order(demand_type=value))


@given(value=st.text(min_size=1).filter(lambda v: v not in PRIORITIES))
def test_unknown_urgency_is_always_rejected(value):
    assert "urgency" in reason("hotline", good_order(urgency=value))


@given(size=st.integers(min_value=201, max_value=2000))
def test_subject_longer_than_the_limit_is_rejected(size):
    assert "too long" in reason("hotline", good_order(title="题" * size))


@given(
    when=st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2099, 1, 1)),
    hours=st.integers(min_value=-12, max_value=14),
)
def test_dates_with_any_offset_end_up_as_the_same_utc_instant(when, hours):
    tz = dt.timezone(dt.timedelta(hours=hours))
    local = when.replace(microsecond=0, tzinfo=tz)
    case = validate("hotline", good_order(dispatched_at=local.isoformat()))
    assert isinstance(case, InboundCase)
    assert case.date_received == local.astimezone(dt.UTC).replace(tzinfo=None)
