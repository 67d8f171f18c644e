"""Reads an XML-RPC answer from a portal, streamed, with hard limits that hold for any input.

``xmlrpc.client`` trusts the answer: any depth, any number of values, any string length,
any size. A portal is a third-party system, so this reader bounds all four:

* **nesting** deeper than ``max_depth`` structs/arrays: the too-deep value becomes a
  :class:`Refused` marker (its events are counted and dropped, never built);
* **string length** over ``max_string`` characters (``max_base64`` for ``base64``): the
  value becomes a :class:`Refused` marker, the rest of the text is dropped as it streams;
* **value count** over ``max_values``, **size** over ``max_bytes``, malformed XML, a DTD
  or entity declaration: the whole answer is refused with :class:`AnswerRefused`, which
  keeps the head of the raw bytes for the quarantine.

A marker stands where the value was, so the record that holds it is quarantined with the
field's path and the rest of the page still lands. Bytes that are not valid in the
answer's encoding (raw GBK inside a UTF-8 answer) do not break the parse: the string that
holds them comes back as ``bytes``, which the validation decodes or quarantines per field.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import xmlrpc.client
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

_RAW_BYTE_BASE = 0xF0000  # plane-15 private use: U+F0000 + byte stands for an invalid byte
_RAW_BYTE_RE = re.compile("[\U000f0000-\U000f00ff]")
_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.\-]+)[\"']")
_NAME_LIMIT = 200  # struct member names are field names, never long


def _raw_bytes_handler(error: UnicodeDecodeError) -> tuple[str, int]:
    bad = error.object[error.start : error.end]
    return "".join(chr(_RAW_BYTE_BASE + b) for b in bad), error.end


codecs.register_error("sync_worker.rawbyte", _raw_bytes_handler)


@dataclass(frozen=True)
class ReadLimits:
    """Hard limits on one portal answer (see PORTALS.md §1, *Limits*)."""

    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 16
    max_values: int = 2_000_000
    max_string: int = 100_000
    max_base64: int = 7 * 1024 * 1024  # a 5 MiB attachment is 6.7 MiB of base64
    keep_bytes: int = 64 * 1024  # head of a refused answer kept for the quarantine


@dataclass(frozen=True)
class Refused:
    """Stands where a value broke a limit; the validation quarantines its record."""

    reason: str

    def __repr__(self) -> str:
        return f"<refused: {self.reason}>"


class AnswerRefused(Exception):
    """The answer as a whole cannot be read within the limits (or is not XML-RPC)."""

    def __init__(self, reason: str, head: bytes, size: int):
        super().__init__(reason)
        self.reason = reason
        self.head = head
        self.size = size


class _Stop(Exception):
    """Raised inside expat callbacks to abandon the parse."""


class _Frame:
    __slots__ = ("kind", "value", "name", "text", "length", "over", "vtype")

    def __init__(self, kind: str, value: Any = None):
        self.kind = kind  # value | struct | array | member
        self.value = value
        self.name: str | None = None
        self.text: list[str] = []
        self.length = 0
        self.over = False
        self.vtype: str | None = None


class ResponseReader:
    """Feed the answer's bytes as they arrive; :meth:`close` returns the params or raises.

    A fault answer is returned as :class:`xmlrpc.client.Fault` (not raised), so the
    caller classifies it with the other errors.
    """

    def __init__(self, limits: ReadLimits = ReadLimits()):
        self.limits = limits
        self.size = 0
        self._head = bytearray()
        self._decoder: codecs.IncrementalDecoder | None = None
        self._sniff = bytearray()
        self._parser = expat.ParserCreate(encoding="UTF-8")
        self._parser.buffer_text = True
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._chars
        self._parser.StartDoctypeDeclHandler = self._doctype
        self._parser.EntityDeclHandler = self._entity
        self._stack: list[_Frame] = []
        self._params: list[Any] = []
        self._fault = False
        self._depth = 0  # struct/array nesting of the value being built
        self._skip = 0  # > 0 while dropping the events of a too-deep value
        self._values = 0
        self._root: str | None = None

    @property
    def head(self) -> bytes:
        return bytes(self._head)

    # -- feeding ---------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        self.size += len(data)
        if len(self._head) < self.limits.keep_bytes:
            self._head += data[: self.limits.keep_bytes - len(self._head)]
        if self.size > self.limits.max_bytes:
            self._refuse(f"answer larger than {self.limits.max_bytes} bytes")
        if self._decoder is None:
            # the encoding declaration sits in the first bytes: wait for it, then decode
            self._sniff += data
            if len(self._sniff) < 256 and b"?>" not in self._sniff:
                return
            self._decoder = codecs.getincrementaldecoder(self._encoding(bytes(self._sniff)))("sync_worker.rawbyte")
            data, self._sniff = bytes(self._sniff), bytearray()
        self._parse(self._decoder.decode(data))

    def close(self) -> Any:
        if self._decoder is None:
            self._decoder = codecs.getincrementaldecoder(self._encoding(bytes(self._sniff)))("sync_worker.rawbyte")
            self._parse(self._decoder.decode(bytes(self._sniff)))
        self._parse(self._decoder.decode(b"", final=True), final=True)
        if self._root != "methodResponse":
            self._refuse(f"not an XML-RPC answer (root element <{(self._root or '')[:40]}>)")
        if self._fault:
            fault = self._params[0] if self._params else None
            if not isinstance(fault, dict):
                self._refuse("fault answer without a struct")
            code, message = fault.get("faultCode"), fault.get("faultString")
            return xmlrpc.client.Fault(code if isinstance(code, int) else -1, str(message)[:1000])
        if len(self._params) != 1:
            self._refuse(f"answer holds {len(self._params)} values, expected 1")
        return self._params[0]

    def _encoding(self, head: bytes) -> str:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16"
        match = _DECL_RE.match(head)
        name = match.group(1).decode("ascii").lower() if match else "utf-8"
        if name in ("gbk", "gb2312", "gb_2312-80", "cp936"):
            name = "gb18030"  # a superset: every GBK answer decodes the same way
        try:
            codecs.lookup(name)
        except LookupError:
            self._refuse(f"answer declares an unknown encoding {name[:40]!r}")
        return name

    def _parse(self, text: str, final: bool = False) -> None:
        try:
            self._parser.Parse(text.encode("utf-8", "surrogatepass"), final)
        except expat.ExpatError as exc:
            self._refuse(
                f"malformed XML-RPC answer: {expat.errors.messages.get(exc.code, exc)} "
                f"at line {exc.lineno}, column {exc.offset}"
            )
        except _Stop as stop:
            self._refuse(str(stop))
        except RecursionError:
            self._refuse("answer nested too deeply")

    def _refuse(self, reason: str) -> None:
        raise AnswerRefused(reason, bytes(self._head), self.size)

    # -- expat callbacks ------------------------------------------------------------------
    def _doctype(self, *_args: Any) -> None:
        raise _Stop("answer with a DTD refused (entity expansion)")

    def _entity(self, *_args: Any) -> None:
        raise _Stop("answer with an entity declaration refused (entity expansion)")

    def _count(self) -> None:
        self._values += 1
        if self._values > self.limits.max_values:
            raise _Stop(f"answer holds more than {self.limits.max_values} values")

    def _start(self, tag: str, _attrs: dict) -> None:
        if self._root is None:
            self._root = tag
            if tag != "methodResponse":
                raise _Stop(f"not an XML-RPC answer (root element <{tag[:40]}>)")
            return
        if self._skip:
            self._skip += 1
            if tag == "value":
                self._count()
            return
        if tag == "fault":
            self._fault = True
            return
        if tag == "value":
            self._stack.append(_Frame("value"))
            return
        if tag in ("struct", "array"):
            if self._depth >= self.limits.max_depth:
                self._skip = 1
                return
            self._depth += 1
            self._stack.append(_Frame(tag, {} if tag == "struct" else []))
            return
        if tag == "member":
            self._stack.append(_Frame("member"))
            return
        if tag == "name":
            if not self._stack or self._stack[-1].kind != "member":
                raise _Stop("<name> outside a struct member")
            self._stack[-1].vtype = "name"
            self._stack[-1].text, self._stack[-1].length, self._stack[-1].over = [], 0, False
            return
        if self._stack and self._stack[-1].kind == "value":
            frame = self._stack[-1]
            frame.vtype = tag
            frame.text, frame.length, frame.over = [], 0, False

    def _chars(self, data: str) -> None:
        if self._skip or not self._stack:
            return
        frame = self._stack[-1]
        if frame.kind not in ("value", "member") or frame.over:
            return
        limit = self._text_limit(frame)
        frame.length += len(data)
        if frame.length > limit:
            frame.over = True
            frame.text = []
            return
        frame.text.append(data)

    def _text_limit(self, frame: _Frame) -> int:
        if frame.kind == "member":
            return _NAME_LIMIT
        return self.limits.max_base64 if frame.vtype == "base64" else self.limits.max_string

    def _end(self, tag: str) -> None:
        if self._skip:
            self._skip -= 1
            if self._skip == 0:
                # the too-deep struct/array is replaced by a marker in its <value>
                self._stack[-1].vtype = "refused"
                self._stack[-1].value = Refused(f"nested deeper than {self.limits.max_depth} levels")
            return
        if tag in ("struct", "array"):
            frame = self._stack.pop()
            self._depth -= 1
            self._stack[-1].vtype = tag
            self._stack[-1].value = frame.value
            return
        if tag == "name" and self._stack and self._stack[-1].kind == "member":
            frame = self._stack[-1]
            if frame.over:
                raise _Stop(f"struct member name longer than {_NAME_LIMIT} characters")
            frame.name = "".join(frame.text)
            frame.vtype = None
            return
        if tag == "value":
            frame = self._stack.pop()
            self._count()
            value = self._finish(frame)
            self._attach(value)
            return
        if tag == "member":
            frame = self._stack.pop()
            if frame.name is None or not self._stack or self._stack[-1].kind != "struct":
                raise _Stop("struct member without a name")
            self._stack[-1].value[frame.name] = frame.value

    def _attach(self, value: Any) -> None:
        if not self._stack:
            self._params.append(value)
            return
        parent = self._stack[-1]
        if parent.kind == "array":
            parent.value.append(value)
        elif parent.kind == "member":
            parent.value = value
        else:
            raise _Stop("<value> in an unexpected place")

    def _finish(self, frame: _Frame) -> Any:
        kind = frame.vtype
        if kind in ("struct", "array", "refused"):
            return frame.value
        if frame.over:
            limit = self._text_limit(frame)
            return Refused(f"{'base64' if kind == 'base64' else 'text'} longer than {limit} characters")
        text = "".join(frame.text)
        try:
            return _convert(kind, text)
        except (ValueError, binascii.Error):
            return Refused(f"not a valid {kind}: {escaped_excerpt(text)}")


def _convert(kind: str | None, text: str) -> Any:
    if kind in (None, "string"):
        if _RAW_BYTE_RE.search(text):
            return _raw_bytes(text)
        return text
    if kind in ("int", "i4", "i8", "i2", "i1"):
        return int(text.strip())
    if kind == "boolean":
        if text.strip() not in ("0", "1"):
            raise ValueError(text)
        return text.strip() == "1"
    if kind == "double":
        return float(text.strip())
    if kind == "dateTime.iso8601":
        return xmlrpc.client.DateTime(text.strip())
    if kind == "base64":
        return xmlrpc.client.Binary(base64.b64decode(text.encode("ascii", "replace"), validate=False))
    if kind in ("nil", "ex:nil"):
        return None
    raise ValueError(f"unknown type <{kind}>")


def _raw_bytes(text: str) -> bytes:
    """A string that held invalid bytes, back as the bytes that were sent."""
    out = bytearray()
    for part in re.split("([\U000f0000-\U000f00ff]+)", text):
        if part and _RAW_BYTE_RE.match(part):
            out += bytes(ord(c) - _RAW_BYTE_BASE for c in part)
        else:
            out += part.encode("utf-8", "surrogatepass")
    return bytes(out)


def escaped_excerpt(value: Any, size: int = 40) -> str:
    """A short, escaped rendering of a value for a log line or a quarantine reason."""
    if isinstance(value, xmlrpc.client.Binary):
        value = value.data
    if isinstance(value, (bytes, bytearray)):
        head = bytes(value[:size])
        more = len(value) > size
    elif isinstance(value, str):
        head = value[:size]
        more = len(value) > size
    else:  # a number, a list, a struct: its repr, cut short
        text = repr(value)
        return text[:size] + ("..." if len(text) > size else "")
    # repr() escapes control characters, quotes and non-ASCII bytes; Chinese stays legible
    return repr(head) + ("..." if more else "")
