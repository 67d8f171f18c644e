"""Turns an untrusted portal record into an :class:`InboundCase` or a :class:`Rejection`.

Never raises: every problem (wrong type, missing field, undecodable bytes, oversized
text, hostile XML, unknown enum value) becomes a Rejection whose reason names the field,
so one bad record is quarantined and the run goes on.

Text may arrive as XML-RPC ``string`` (already Unicode) or as ``base64`` bytes in UTF-8,
GB18030/GBK, or a mix of both (concatenated by an upstream system). A ``string`` that is
GBK bytes mis-read as Latin-1 upstream (mojibake) is repaired when that is unambiguous.
XML bodies are parsed with defusedxml and any DTD is refused (entity expansion attacks).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import re
import unicodedata
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from .portals.reader import Refused, escaped_excerpt
from .records import DEMAND_TYPES, PRIORITIES, Attachment, InboundCase, Rejection

PORTAL_TZ = dt.timezone(dt.timedelta(hours=8))  # both portals speak Beijing time when no offset is given
_REF_RE = re.compile(r"^[\w.:/\-]{1,64}$")
_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_\-]+)[\"'][^>]*\?>")
_XML_DECL_STR_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
# C0 controls other than tab/newline/CR, DEL and C1 controls have no place in complaint text.
_BAD_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_UTF8_RUN_RE = re.compile(rb"(?:[\xe0-\xef][\x80-\xbf]{2}){3,}")
_IMPLAUSIBLE_RE = re.compile(r"[\x80-\x9f\u0370-\u07ff\ue000-\uf8ff]")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


@dataclass(frozen=True)
class Limits:
    max_subject: int = 200
    max_short: int = 300
    max_text: int = 20_000
    max_xml_bytes: int = 256 * 1024
    max_attachments: int = 10
    max_attachment_bytes: int = 5 * 1024 * 1024
    max_payload_text: int = 64 * 1024


class Invalid(Exception):
    """A field failed validation; the message is the quarantine reason."""


# -- text -----------------------------------------------------------------------


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode bytes from a portal: declared encoding, UTF-8, GB18030, then a UTF-8/GBK mix.

    Raises :class:`Invalid` (without a field name; the caller adds it) when the bytes are
    neither, or when they are a mix that cannot be split with confidence: such a text is
    quarantined with its raw bytes rather than stored as mojibake.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # not UTF-16 after all; try the usual suspects
    if declared:
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        gbk: str | None = data.decode("gb18030")
    except UnicodeDecodeError:
        gbk = None
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Short GBK text can also be well-formed UTF-8 (GBK 一 = D2 BB = Cyrillic һ);
        # Cyrillic, Greek or Arabic in a Chinese complaint means the bytes were GBK.
        if gbk is not None and _IMPLAUSIBLE_RE.search(utf8) and not _IMPLAUSIBLE_RE.search(gbk):
            return gbk
        return utf8
    if gbk is not None and (
        not _UTF8_RUN_RE.search(data) or all(_char_cost(c) <= 1.0 for c in gbk if ord(c) >= 0x80)
    ):
        # valid GBK without a run of UTF-8 hanzi (three in a row are vanishingly rare in
        # real GBK), or GBK of common characters only: GBK throughout
        return gbk
    text, confident = split_mixed(data)
    if confident or text == gbk:
        return text  # common characters only, or GBK throughout is the best reading
    raise Invalid(
        f"mixed UTF-8/GBK text that cannot be repaired with confidence (best reading {escaped_excerpt(text)}); kept raw"
    )


_SWITCH_COST = 1.5  # changing encoding between two characters must pay for itself


@functools.lru_cache(maxsize=1 << 16)
def _char_cost(char: str) -> float:
    """How unlikely a character is in a Chinese complaint: common hanzi and punctuation cost 1."""
    code = ord(char)
    if _IMPLAUSIBLE_RE.match(char) or code < 0x20 or 0xD800 <= code <= 0xDFFF or code >= 0xF0000:
        return 8.0
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return 2.5 if _CJK_RE.match(char) else 3.0
    return 1.0


def split_mixed(data: bytes) -> tuple[str, bool]:
    """Read bytes that are UTF-8 and GBK in segments: the best reading and whether it is
    confident (every non-ASCII character a common one).

    ASCII reads the same in both, so each run of non-ASCII bytes is read on its own:
    whole as UTF-8 or whole as GB18030 when that gives common characters only, else by
    :func:`_cheapest_reading`, which finds the boundary inside the run.
    """
    out: list[str] = []
    searched = 0  # bytes given to the search: bounded, whatever a portal sends
    for index, run in enumerate(_RUN_SPLIT_RE.split(data)):
        if not index % 2:
            out.append(run.decode("ascii"))
            continue
        for encoding in ("utf-8", "gb18030"):
            try:
                text = run.decode(encoding)
            except UnicodeDecodeError:
                continue
            if all(_char_cost(c) <= 1.0 for c in text):
                out.append(text)
                break
        else:
            searched += len(run)
            if searched > _MAX_SPLIT_BYTES:
                raise Invalid(
                    f"mixed UTF-8/GBK text with more than {_MAX_SPLIT_BYTES} bytes around its encoding "
                    "changes, too much to repair with confidence; kept raw"
                )
            out.append(_cheapest_reading(run))
    text = "".join(out)
    return text, all(ord(c) < 0x80 or _char_cost(c) <= 1.0 for c in text)


# a run of non-ASCII bytes, with the ASCII-range second bytes GBK may have (0x40..0x7E)
_RUN_SPLIT_RE = re.compile(rb"((?:[\x80-\xff][\x40-\x7e]?)+)")
_MAX_SPLIT_BYTES = 8192


def _cheapest_reading(data: bytes) -> str:
    """Shortest path over byte positions: each step reads one character as UTF-8 or as
    GB18030; a character costs more the rarer it is, a change of encoding costs extra.
    UTF-8 read as GBK gives 1.5 rare characters per hanzi and GBK read as UTF-8 is mostly
    invalid, so the right boundary is the cheapest one."""
    size = len(data)
    inf = float("inf")
    # best[i][e]: cheapest reading of data[:i] whose last character was encoding e
    # (0 = none yet, 1 = UTF-8, 2 = GB18030)
    best = [[inf, inf, inf] for _ in range(size + 1)]
    back: list[list[tuple[int, int, str] | None]] = [[None, None, None] for _ in range(size + 1)]
    best[0][0] = 0.0
    for i in range(size):
        row = best[i]
        if min(row) == inf:
            continue
        steps: list[tuple[int, int, str, float]] = []
        if data[i] < 0x80:
            steps.append((i + 1, 0, chr(data[i]), 0.0))  # ASCII reads the same in both
        width = _utf8_length(data[i])
        if width and i + width <= size:
            try:
                char = data[i : i + width].decode("utf-8")
                # a 4-byte character (outside the BMP) is as rare as a 4-byte GB18030 one
                steps.append((i + width, 1, char, _char_cost(char) + (2.0 if width == 4 else 0.0)))
            except UnicodeDecodeError:
                pass
        for width, extra in ((2, 0.0), (4, 2.0)):
            if i + width > size:
                continue
            try:
                char = data[i : i + width].decode("gb18030")
            except UnicodeDecodeError:
                continue
            if len(char) == 1:
                steps.append((i + width, 2, char, _char_cost(char) + extra))
        for end, step_enc, char, cost in steps:
            for prev in range(3):
                enc = step_enc or prev
                total = row[prev] + cost + (_SWITCH_COST if step_enc and prev not in (0, step_enc) else 0.0)
                if total < best[end][enc]:
                    best[end][enc] = total
                    back[end][enc] = (i, prev, char)
    enc = min(range(3), key=lambda e: best[size][e])
    if best[size][enc] == inf:
        offset = max(i for i in range(size + 1) if min(best[i]) < inf)
        raise Invalid(f"undecodable bytes {escaped_excerpt(data[offset : offset + 8])} (neither UTF-8 nor GBK)")
    chars: list[str] = []
    position = size
    while position > 0:
        step = back[position][enc]
        assert step is not None
        position, enc, char = step
        chars.append(char)
    return "".join(reversed(chars))


def _utf8_length(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def repair_mojibake(text: str) -> str:
    """Undo GBK/UTF-8 bytes that an upstream system decoded as Latin-1.

    Applied when the text holds C1 control characters (never genuine) or when every run
    of U+0080..U+00FF characters has even length, and the re-decoded text is CJK: a lone
    accented letter (Müller, café) is left alone. Best effort: a rare GBK character whose
    second byte is ASCII, after a lead byte >= 0xA0, is not recognised.
    """
    runs = re.findall(r"[\x80-\xff]+", text)
    if not runs or any(ord(c) > 0xFF for c in text):
        return text
    # C1 controls never occur in real text; without them, ask for paired bytes, which
    # is what GB2312 characters (both bytes >= 0xA1) look like
    if not re.search(r"[\x80-\x9f]", text) and any(len(run) % 2 for run in runs):
        return text
    raw = text.encode("latin-1")
    for encoding in ("utf-8", "gb18030"):
        try:
            fixed = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CJK_RE.search(fixed) and not re.search(r"[\x80-\xff]", fixed):
            return fixed
    return text


def clean_text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            raise Invalid(f"{field}: missing")
        return ""
    if isinstance(value, xmlrpc.client.Binary):
        value = value.data
    if isinstance(value, (bytes, bytearray)):
        if len(value) > limit * 4:  # no encoding needs more than 4 bytes a character
            raise Invalid(f"{field}: too long ({len(value)} bytes, limit {limit} characters): {escaped_excerpt(value)}")
        try:
            text = decode_bytes(bytes(value))
        except Invalid as exc:
            raise Invalid(f"{field}: {exc}") from None
    elif isinstance(value, str):
        if len(value) > limit * 2:  # before any work on it
            raise Invalid(f"{field}: too long ({len(value)} characters, limit {limit}): {escaped_excerpt(value)}")
        text = repair_mojibake(value)
    else:
        raise Invalid(f"{field}: expected text, got {_kind(value)}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Invalid(
            f"{field}: contains an unpaired surrogate at position {exc.start}: {escaped_excerpt(text[exc.start :])}"
        ) from exc
    text = unicodedata.normalize("NFC", text).strip()
    bad = _BAD_CONTROL_RE.search(text)
    if bad:
        raise Invalid(
            f"{field}: contains control character U+{ord(bad.group()):04X} at position {bad.start()}: "
            f"{escaped_excerpt(text[max(0, bad.start() - 10) : bad.start() + 20])}"
        )
    if required and not text:
        raise Invalid(f"{field}: missing")
    if len(text) > limit:
        raise Invalid(f"{field}: too long ({len(text)} characters, limit {limit}): {escaped_excerpt(text)}")
    return text


def _kind(value: Any) -> str:
    """The type of a wrong value with an excerpt of it, for a quarantine reason."""
    if isinstance(value, Refused):
        return f"a value refused while reading ({value.reason})"
    return f"{type(value).__name__} {escaped_excerpt(value)}"


# -- scalars --------------------------------------------------------------------


def parse_datetime(value: Any, field: str, *, required: bool = False) -> dt.datetime | None:
    """ISO 8601 (offset optional, Beijing time assumed) or XML-RPC dateTime -> naive UTC."""
    if value is None or value == "":
        if required:
            raise Invalid(f"{field}: missing")
        return None
    if isinstance(value, xmlrpc.client.DateTime):
        value = value.value
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{8}T\d{2}:\d{2}:\d{2}", text):  # XML-RPC's own format
            text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise Invalid(f"{field}: not an ISO 8601 date-time: {escaped_excerpt(value)}") from exc
    else:
        raise Invalid(f"{field}: expected a date-time, got {_kind(value)}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PORTAL_TZ)
    parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    if not 2000 <= parsed.year <= 2100:
        raise Invalid(f"{field}: year {parsed.year} out of range")
    return parsed


def parse_int(value: Any, field: str, *, default: int | None = None, low: int = 0, high: int = 10**9) -> int:
    if value is None or value == "":
        if default is None:
            raise Invalid(f"{field}: missing")
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{field}: expected an integer, got {_kind(value)}")
    if not low <= value <= high:
        raise Invalid(f"{field}: {value} out of range {low}..{high}")
    return value


def parse_bool(value: Any, field: str) -> bool:
    if value is None or value == "":
        return False
    if not isinstance(value, bool):
        raise Invalid(f"{field}: expected a boolean, got {_kind(value)}")
    return value


def parse_enum(value: Any, field: str, allowed: tuple[str, ...], *, default: str | None = None) -> str:
    if value is None or value == "":
        if default is None:
            raise Invalid(f"{field}: missing")
        return default
    if not isinstance(value, str):
        raise Invalid(f"{field}: expected one of {', '.join(allowed)}, got {_kind(value)}")
    if value not in allowed:
        raise Invalid(f"{field}: unknown value {escaped_excerpt(value)} (expected one of {', '.join(allowed)})")
    return value


def parse_ref(value: Any, field: str) -> str:
    if value is None or value == "":
        raise Invalid(f"{field}: missing")
    if not isinstance(value, str):
        raise Invalid(f"{field}: expected text, got {_kind(value)}")
    if not _REF_RE.match(value):
        raise Invalid(f"{field}: not a valid reference: {escaped_excerpt(value)}")
    return value


def parse_attachments(value: Any, limits: Limits) -> tuple[Attachment, ...]:
    if value is None or value == "":
        return ()
    if not isinstance(value, list):
        raise Invalid(f"attachments: expected an array, got {_kind(value)}")
    if len(value) > limits.max_attachments:
        raise Invalid(f"attachments: {len(value)} files, limit {limits.max_attachments}")
    out = []
    for index, item in enumerate(value):
        field = f"attachments[{index}]"
        if not isinstance(item, dict):
            raise Invalid(f"{field}: expected a struct, got {_kind(item)}")
        name = clean_text(item.get("filename"), f"{field}.filename", 255, required=True)
        mimetype = clean_text(item.get("mimetype"), f"{field}.mimetype", 100) or "application/octet-stream"
        content = item.get("content")
        if isinstance(content, xmlrpc.client.Binary):
            data = content.data
        elif isinstance(content, (bytes, bytearray)):
            data = bytes(content)
        elif isinstance(content, str):
            try:
                data = base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise Invalid(f"{field}.content: not valid base64") from exc
        else:
            raise Invalid(f"{field}.content: expected base64, got {_kind(content)}")
        if len(data) > limits.max_attachment_bytes:
            raise Invalid(f"{field}: {len(data)} bytes, limit {limits.max_attachment_bytes}")
        out.append(Attachment(name=name, mimetype=mimetype, data=data))
    return tuple(out)


def _struct(value: Any, field: str) -> dict:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"{field}: expected a struct, got {_kind(value)}")
    return value


# -- XML ------------------------------------------------------------------------


def parse_xml(value: Any, field: str, limits: Limits):
    """Parse an XML document from a portal safely; returns the root element."""
    if value is None or value == "":
        raise Invalid(f"{field}: missing")
    if isinstance(value, xmlrpc.client.Binary):
        value = value.data
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
        if len(raw) > limits.max_xml_bytes:
            raise Invalid(f"{field}: {len(raw)} bytes of XML, limit {limits.max_xml_bytes}")
        match = _XML_DECL_RE.match(raw)
        # expat only knows single-byte and UTF encodings, so GBK documents are decoded
        # here and handed over as text without their declaration.
        text = decode_bytes(raw, match.group(1).decode("ascii").lower() if match else None)
    elif isinstance(value, str):
        text = value
        if len(text.encode("utf-8", "surrogatepass")) > limits.max_xml_bytes:
            raise Invalid(f"{field}: XML larger than {limits.max_xml_bytes} bytes")
    else:
        raise Invalid(f"{field}: expected an XML document, got {_kind(value)}")
    text = _XML_DECL_STR_RE.sub("", text, count=1)
    try:
        return SafeET.fromstring(text, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise Invalid(
            f"{field}: hostile XML refused ({type(exc).__name__}: DTDs and entities are not allowed)"
        ) from exc
    except SafeET.ParseError as exc:
        raise Invalid(f"{field}: malformed XML ({exc})") from exc
    except (ValueError, UnicodeError) as exc:
        raise Invalid(f"{field}: unreadable XML ({exc})") from exc


def _xml_text(root, path: str) -> str | None:
    node = root.find(path)
    return None if node is None else (node.text or "")


# -- per-portal schemas -----------------------------------------------------------


def _hotline(payload: dict, limits: Limits) -> InboundCase:
    person = _struct(payload.get("complainant"), "complainant")
    return InboundCase(
        source="hotline",
        external_ref=parse_ref(payload.get("order_no"), "order_no"),
        revision=parse_int(payload.get("revision"), "revision", low=1),
        date_received=parse_datetime(payload.get("dispatched_at"), "dispatched_at", required=True),
        deadline=parse_datetime(payload.get("deadline"), "deadline", required=True),
        demand_type=parse_enum(payload.get("demand_type"), "demand_type", DEMAND_TYPES),
        priority=parse_enum(payload.get("urgency"), "urgency", PRIORITIES, default="normal"),
        subject=clean_text(payload.get("title"), "title", limits.max_subject, required=True),
        description=clean_text(payload.get("content"), "content", limits.max_text, required=True),
        customer_demand=clean_text(payload.get("demand"), "demand", limits.max_text),
        partner_name=clean_text(person.get("name"), "complainant.name", 100),
        partner_phone=clean_text(person.get("phone"), "complainant.phone", 40),
        partner_address=clean_text(person.get("address"), "complainant.address", limits.max_short),
        respondent=clean_text(payload.get("respondent"), "respondent", limits.max_subject),
        event_date=parse_datetime(payload.get("event_time"), "event_time"),
        location=clean_text(payload.get("location"), "location", limits.max_subject),
        category_code=clean_text(payload.get("category"), "category", 100),
        affected_count=parse_int(payload.get("affected_count"), "affected_count", default=1, low=1, high=1_000_000),
        is_emergency=parse_bool(payload.get("emergency"), "emergency"),
        attachments=parse_attachments(payload.get("attachments"), limits),
    )


def _regulator(payload: dict, limits: Limits) -> InboundCase:
    ref = parse_ref(payload.get("case_id"), "case_id")
    revision = parse_int(payload.get("version"), "version", low=1)
    root = parse_xml(payload.get("body"), "body", limits)
    if root.tag != "complaint":
        raise Invalid(f"body: root element is {escaped_excerpt(root.tag)}, expected <complaint>")
    affected = _xml_text(root, "affected")
    if affected not in (None, ""):
        if not affected.strip().isdigit():
            raise Invalid(f"body/affected: expected an integer, got {escaped_excerpt(affected)}")
        affected_count = parse_int(int(affected), "body/affected", low=1, high=1_000_000)
    else:
        affected_count = 1
    emergency_attr = root.get("emergency", "false")
    if emergency_attr not in ("true", "false", "1", "0"):
        raise Invalid(f"body@emergency: expected true or false, got {escaped_excerpt(emergency_attr)}")
    return InboundCase(
        source="regulator",
        external_ref=ref,
        revision=revision,
        date_received=parse_datetime(payload.get("forwarded_at"), "forwarded_at", required=True),
        deadline=parse_datetime(payload.get("due_at"), "due_at", required=True),
        demand_type=parse_enum(root.get("kind"), "body@kind", DEMAND_TYPES),
        priority=parse_enum(root.get("urgency"), "body@urgency", PRIORITIES, default="normal"),
        subject=clean_text(_xml_text(root, "title"), "body/title", limits.max_subject, required=True),
        description=clean_text(_xml_text(root, "content"), "body/content", limits.max_text, required=True),
        customer_demand=clean_text(_xml_text(root, "demand"), "body/demand", limits.max_text),
        partner_name=clean_text(_xml_text(root, "complainant/name"), "body/complainant/name", 100),
        partner_phone=clean_text(_xml_text(root, "complainant/phone"), "body/complainant/phone", 40),
        partner_address=clean_text(
            _xml_text(root, "complainant/address"), "body/complainant/address", limits.max_short
        ),
        respondent=clean_text(_xml_text(root, "respondent"), "body/respondent", limits.max_subject),
        event_date=parse_datetime(_xml_text(root, "event_time"), "body/event_time"),
        location=clean_text(_xml_text(root, "location"), "body/location", limits.max_subject),
        category_code=clean_text(payload.get("category"), "category", 100),
        affected_count=affected_count,
        is_emergency=emergency_attr in ("true", "1"),
        attachments=parse_attachments(payload.get("attachments"), limits),
    )


_SCHEMAS: dict[str, Callable[[dict, Limits], InboundCase]] = {"hotline": _hotline, "regulator": _regulator}
_REF_KEYS = {"hotline": ("order_no", "revision"), "regulator": ("case_id", "version")}


def validate(source: str, payload: Any, limits: Limits = Limits()) -> InboundCase | Rejection:
    """Validate one record of ``source``; a Rejection carries the reason and the payload."""
    try:
        if not isinstance(payload, dict):
            raise Invalid(f"record: expected a struct, got {_kind(payload)}")
        _refuse_marked(payload, "")
        return _SCHEMAS[source](payload, limits)
    except Invalid as exc:
        reason = str(exc)
    except RecursionError:
        reason = "record: nested too deeply"
    except Exception as exc:  # noqa: BLE001 - a validator bug must not stop the run: quarantine, keep going
        reason = f"record: unexpected validation error {type(exc).__name__}: {exc}"
    ref, revision = describe(source, payload)
    return Rejection(
        source=source,
        external_ref=ref,
        revision=revision,
        reason=reason,
        payload_text=payload_to_text(payload, limits.max_payload_text),
    )


def _refuse_marked(value: Any, path: str) -> None:
    """A value the reader refused (too deep, too long) quarantines its record, named by path."""
    if isinstance(value, Refused):
        raise Invalid(f"{path or 'record'}: {value.reason}")
    if path.count(".") + path.count("[") >= 2:
        path_below = path  # deep enough to name the field; do not spell out 16 levels
        if _holds_refused(value):
            raise Invalid(f"{path_below}...: {_first_refused(value).reason}")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_marked(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_marked(item, f"{path}[{index}]")


def _first_refused(value: Any) -> Refused | None:
    stack = [value]
    while stack:  # iterative: the reader bounds the depth, this does not rely on it
        item = stack.pop()
        if isinstance(item, Refused):
            return item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _holds_refused(value: Any) -> bool:
    return _first_refused(value) is not None


def describe(source: str, payload: Any) -> tuple[str, int | None]:
    """Best-effort reference and revision of a record, even a broken one."""
    ref_key, rev_key = _REF_KEYS[source]
    if not isinstance(payload, dict):
        return "<unknown>", None
    ref = payload.get(ref_key)
    rev = payload.get(rev_key)
    ref_text = ref[:64] if isinstance(ref, str) and ref else "<missing>"
    rev_value = rev if isinstance(rev, int) and not isinstance(rev, bool) else None
    return ref_text, rev_value


def _jsonable(value: Any) -> Any:
    if isinstance(value, xmlrpc.client.Binary):
        value = value.data
    if isinstance(value, (bytes, bytearray)):
        # the raw bytes are kept (up to 32 KiB) so a text that could not be decoded can be repaired by hand
        return {"base64": base64.b64encode(bytes(value[: 32 * 1024])).decode("ascii"), "bytes": len(value)}
    if isinstance(value, xmlrpc.client.DateTime):
        return value.value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return repr(value)


def payload_to_text(payload: Any, limit: int = 64 * 1024) -> str:
    """A JSON rendering of a raw record for the quarantine, bounded in size."""
    try:
        text = json.dumps(payload, ensure_ascii=False, default=_jsonable, sort_keys=True)
    except (ValueError, TypeError, RecursionError):
        text = repr(payload)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) > limit:
        text = text[:limit] + f"... [truncated, {len(text)} characters]"
    return text
