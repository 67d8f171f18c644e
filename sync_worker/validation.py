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
import json
import re
import unicodedata
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

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
    """Decode bytes from a portal: declared encoding, UTF-8, GB18030, then a UTF-8/GBK mix."""
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
    if gbk is None:
        return _decode_mixed(data)
    # UTF-8 and GBK pieces glued together often still decode as GB18030 (as nonsense).
    # A run of three well-formed UTF-8 CJK sequences is vanishingly rare in real GBK
    # text, so it marks a mix.
    if _UTF8_RUN_RE.search(data):
        try:
            return _decode_mixed(data)
        except Invalid:
            pass
    return gbk


def _utf8_length(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _decode_mixed(data: bytes) -> str:
    # Walk the bytes: a run of UTF-8 CJK sequences is UTF-8, otherwise a GB18030
    # character, otherwise a lone well-formed UTF-8 sequence; anything else is a
    # genuine decoding error.
    out: list[str] = []
    i = 0
    while i < len(data):
        byte = data[i]
        if byte < 0x80:
            out.append(chr(byte))
            i += 1
            continue
        run = _UTF8_RUN_RE.match(data, i)
        if run:
            out.append(run.group().decode("utf-8"))
            i = run.end()
            continue
        try:
            out.append(data[i : i + 2].decode("gb18030"))
            i += 2
            continue
        except UnicodeDecodeError:
            pass
        size = _utf8_length(byte)
        if size:
            try:
                out.append(data[i : i + size].decode("utf-8"))
                i += size
                continue
            except UnicodeDecodeError:
                pass
        try:
            out.append(data[i : i + 4].decode("gb18030"))
            i += 4
        except UnicodeDecodeError:
            raise Invalid(f"undecodable byte 0x{byte:02x} at offset {i} (neither UTF-8 nor GBK)") from None
    return "".join(out)


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
        text = decode_bytes(bytes(value))
    elif isinstance(value, str):
        text = repair_mojibake(value)
    else:
        raise Invalid(f"{field}: expected text, got {type(value).__name__}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Invalid(f"{field}: contains an unpaired surrogate at position {exc.start}") from exc
    text = unicodedata.normalize("NFC", text).strip()
    bad = _BAD_CONTROL_RE.search(text)
    if bad:
        raise Invalid(f"{field}: contains control character U+{ord(bad.group()):04X} at position {bad.start()}")
    if required and not text:
        raise Invalid(f"{field}: missing")
    if len(text) > limit:
        raise Invalid(f"{field}: too long ({len(text)} characters, limit {limit})")
    return text


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
            raise Invalid(f"{field}: not an ISO 8601 date-time: {value[:40]!r}") from exc
    else:
        raise Invalid(f"{field}: expected a date-time, got {type(value).__name__}")
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
        raise Invalid(f"{field}: expected an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise Invalid(f"{field}: {value} out of range {low}..{high}")
    return value


def parse_bool(value: Any, field: str) -> bool:
    if value is None or value == "":
        return False
    if not isinstance(value, bool):
        raise Invalid(f"{field}: expected a boolean, got {type(value).__name__}")
    return value


def parse_enum(value: Any, field: str, allowed: tuple[str, ...], *, default: str | None = None) -> str:
    if value is None or value == "":
        if default is None:
            raise Invalid(f"{field}: missing")
        return default
    if not isinstance(value, str):
        raise Invalid(f"{field}: expected one of {', '.join(allowed)}, got {type(value).__name__}")
    if value not in allowed:
        raise Invalid(f"{field}: unknown value {value[:40]!r} (expected one of {', '.join(allowed)})")
    return value


def parse_ref(value: Any, field: str) -> str:
    if value is None or value == "":
        raise Invalid(f"{field}: missing")
    if not isinstance(value, str):
        raise Invalid(f"{field}: expected text, got {type(value).__name__}")
    if not _REF_RE.match(value):
        raise Invalid(f"{field}: not a valid reference: {value[:40]!r}")
    return value


def parse_attachments(value: Any, limits: Limits) -> tuple[Attachment, ...]:
    if value is None or value == "":
        return ()
    if not isinstance(value, list):
        raise Invalid(f"attachments: expected an array, got {type(value).__name__}")
    if len(value) > limits.max_attachments:
        raise Invalid(f"attachments: {len(value)} files, limit {limits.max_attachments}")
    out = []
    for index, item in enumerate(value):
        field = f"attachments[{index}]"
        if not isinstance(item, dict):
            raise Invalid(f"{field}: expected a struct, got {type(item).__name__}")
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
            raise Invalid(f"{field}.content: expected base64, got {type(content).__name__}")
        if len(data) > limits.max_attachment_bytes:
            raise Invalid(f"{field}: {len(data)} bytes, limit {limits.max_attachment_bytes}")
        out.append(Attachment(name=name, mimetype=mimetype, data=data))
    return tuple(out)


def _struct(value: Any, field: str) -> dict:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"{field}: expected a struct, got {type(value).__name__}")
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
        raise Invalid(f"{field}: expected an XML document, got {type(value).__name__}")
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
        raise Invalid(f"body: root element is <{root.tag[:40]}>, expected <complaint>")
    affected = _xml_text(root, "affected")
    if affected not in (None, ""):
        if not affected.strip().isdigit():
            raise Invalid(f"body/affected: expected an integer, got {affected[:20]!r}")
        affected_count = parse_int(int(affected), "body/affected", low=1, high=1_000_000)
    else:
        affected_count = 1
    emergency_attr = root.get("emergency", "false")
    if emergency_attr not in ("true", "false", "1", "0"):
        raise Invalid(f"body@emergency: expected true or false, got {emergency_attr[:20]!r}")
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
            raise Invalid(f"record: expected a struct, got {type(payload).__name__}")
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
        return {"base64": base64.b64encode(bytes(value[:4096])).decode("ascii"), "bytes": len(value)}
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
