"""The bounded answer reader and the text repair, on any input (hypothesis for the shapes)."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import xmlrpc.client

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync_worker.portals.reader import AnswerRefused, ReadLimits, Refused, ResponseReader
from sync_worker.records import InboundCase, Rejection
from sync_worker.validation import Invalid, decode_bytes, validate

LIMITS = ReadLimits(max_depth=6, max_string=200, max_base64=400, max_values=500, max_bytes=64 * 1024)


def read(data: bytes, limits: ReadLimits = LIMITS, chunk: int = 97):
    reader = ResponseReader(limits)
    for start in range(0, len(data), chunk):
        reader.feed(data[start : start + chunk])
    return reader.close()


scalars = st.one_of(
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=300),
    st.binary(max_size=500).map(xmlrpc.client.Binary),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)).map(lambda d: xmlrpc.client.DateTime(d.replace(microsecond=0))),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(min_size=1, max_size=20), inner, max_size=5),
    max_leaves=40,
)


def _xmlrpc_safe(value) -> bool:
    try:
        xmlrpc.client.dumps((value,), methodresponse=True)
    except (TypeError, OverflowError, ValueError):
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(value=values.filter(_xmlrpc_safe))
def test_any_answer_is_read_or_refused_never_raised_otherwise(value):
    data = xmlrpc.client.dumps((value,), methodresponse=True).encode("utf-8")
    try:
        result = read(data)
    except AnswerRefused as refused:
        assert refused.reason and refused.size <= len(data)
        return
    _assert_bounded(result, 0)


def _assert_bounded(value, depth: int) -> None:
    assert depth <= LIMITS.max_depth + 1
    if isinstance(value, dict):
        for item in value.values():
            _assert_bounded(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _assert_bounded(item, depth + 1)
    elif isinstance(value, str):
        assert len(value) <= LIMITS.max_string
    else:
        assert isinstance(value, (int, float, bool, bytes, Refused, xmlrpc.client.Binary, xmlrpc.client.DateTime))


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=2000), cut=st.integers(min_value=0, max_value=2000))
def test_garbage_and_truncated_answers_are_refused(data, cut):
    valid = xmlrpc.client.dumps(({"orders": [], "next_cursor": "c"},), methodresponse=True).encode()
    for candidate in (data, valid[:cut] + data, valid[: min(cut, len(valid) - 1)]):
        with contextlib.suppress(AnswerRefused):  # anything else fails the test
            read(candidate)


@settings(max_examples=200, deadline=None)
@given(record=values.filter(_xmlrpc_safe), source=st.sampled_from(["hotline", "regulator"]))
def test_validation_of_any_record_shape_never_raises(record, source):
    data = xmlrpc.client.dumps(([record],), methodresponse=True).encode("utf-8")
    try:
        (read_back,) = read(data)
    except AnswerRefused:
        return
    checked = validate(source, read_back)
    assert isinstance(checked, (InboundCase, Rejection))
    if isinstance(checked, Rejection):
        field, _, detail = checked.reason.partition(": ")
        assert field and detail, checked.reason


def test_a_too_deep_value_becomes_a_marker_and_its_siblings_survive():
    deep = "<value><struct><member><name>n</name>" * 3000 + "<value>x</value>" + "</member></struct></value>" * 3000
    data = (
        "<?xml version='1.0'?><methodResponse><params><param><value><array><data>"
        f"<value><struct><member><name>a</name>{deep}</member></struct></value><value>next</value>"
        "</data></array></value></param></params></methodResponse>"
    ).encode()
    first, second = read(data, ReadLimits(max_depth=16))
    assert second == "next"
    node = first["a"]
    while isinstance(node, dict):
        node = node["n"]
    assert node == Refused("nested deeper than 16 levels")


def test_size_and_value_count_refuse_the_whole_answer():
    data = xmlrpc.client.dumps(([1] * 1000,), methodresponse=True).encode()
    with pytest.raises(AnswerRefused, match="more than 500 values"):
        read(data)
    with pytest.raises(AnswerRefused, match="larger than 100 bytes"):
        read(data, ReadLimits(max_bytes=100))


def test_a_gbk_answer_and_raw_gbk_bytes_in_a_utf8_answer():
    gbk = (
        "<?xml version='1.0' encoding='GBK'?><methodResponse><params><param><value>"
        "<string>投诉内容</string></value></param></params></methodResponse>"
    )
    assert read(gbk.encode("gbk")) == "投诉内容"
    raw = b"<?xml version='1.0'?><methodResponse><params><param><value><string>" + "投诉".encode("gbk")
    raw += b"</string></value></param></params></methodResponse>"
    assert read(raw) == "投诉".encode("gbk")  # handed to the validation as bytes of the field


UTF8_THEN_GBK = "前半段UTF-8，".encode() + "后半段GBK。".encode("gbk")
SEGMENTS = ["客户反映", "送货员", "未按约定时间送达", "，要求", "赔偿运费", "。"]


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (UTF8_THEN_GBK, "前半段UTF-8，后半段GBK。"),
        ("前半段GBK，".encode("gbk") + "后半段UTF-8。".encode(), "前半段GBK，后半段UTF-8。"),
        (b"".join(s.encode("utf-8" if n % 2 else "gbk") for n, s in enumerate(SEGMENTS)), "".join(SEGMENTS)),
        (b"".join(s.encode("gbk" if n % 2 else "utf-8") for n, s in enumerate(SEGMENTS)), "".join(SEGMENTS)),
        ("投诉：".encode() + "物流".encode("gbk") + "延误三天".encode() + "，".encode("gbk"), "投诉：物流延误三天，"),
    ],
    ids=["utf8-then-gbk", "gbk-then-utf8", "alternating-gbk-first", "alternating-utf8-first", "short-segments"],
)
def test_mixed_encodings_are_split_at_their_boundaries(data, text):
    assert decode_bytes(data) == text


def test_a_mix_that_cannot_be_split_with_confidence_is_kept_raw_and_flagged():
    data = "前半段UTF-8，".encode() + "丗后半段GBK。".encode("gbk")  # a rare GBK character at the boundary
    with pytest.raises(Invalid, match="cannot be repaired with confidence"):
        decode_bytes(data)
    order = {
        "order_no": "MIX-2",
        "revision": 1,
        "dispatched_at": "2026-03-01T09:00:00+08:00",
        "deadline": "2026-03-04T09:00:00+08:00",
        "demand_type": "complaint",
        "title": xmlrpc.client.Binary(data),
        "content": "内容",
    }
    rejection = validate("hotline", order)
    assert isinstance(rejection, Rejection)
    assert rejection.reason.startswith("title: mixed UTF-8/GBK text that cannot be repaired with confidence")
    assert '"base64"' in rejection.payload_text  # the raw bytes are kept


def test_a_hostile_mix_costs_bounded_work_and_is_kept_raw():
    data = UTF8_THEN_GBK * 3000  # 6,000 encoding changes in 84 KB
    started = time.monotonic()
    with pytest.raises(Invalid, match="too much to repair with confidence; kept raw"):
        decode_bytes(data)
    assert time.monotonic() - started < 5
