"""PDF syntax and objects for the text extractor: a lexer for PDF tokens (shared by object
bodies and content streams), the objects of a file (also inside compressed object streams),
stream filters, and the page tree in reading order. Stdlib only; see ``pdf_text``."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass
from typing import Any


class PdfError(ValueError):
    """The PDF cannot be read by this extractor; the message says why in plain words."""


@dataclass(frozen=True)
class Ref:
    num: int
    gen: int = 0


class Name(str):
    """A PDF name (``/Font``), kept apart from strings."""


class Op(str):
    """A content-stream operator (``Tj``)."""


_WS = b" \t\r\n\x0c\x00"
_DELIM = b"()<>[]{}/%"
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)")
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


class Lexer:
    """Tokens and objects of PDF syntax, for object bodies and content streams alike."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def _skip(self) -> None:
        data, n = self.data, len(self.data)
        while self.pos < n:
            c = data[self.pos]
            if c in _WS:
                self.pos += 1
            elif c == 0x25:  # % comment
                end = data.find(b"\n", self.pos)
                self.pos = n if end < 0 else end + 1
            else:
                return

    def _string(self) -> bytes:
        data, out, depth = self.data, bytearray(), 1
        self.pos += 1
        while self.pos < len(data):
            c = data[self.pos]
            self.pos += 1
            if c == 0x5C:  # backslash
                if self.pos >= len(data):
                    break
                e = data[self.pos]
                self.pos += 1
                if e in _ESCAPES:
                    out.append(_ESCAPES[e])
                elif 0x30 <= e <= 0x37:
                    digits = bytes([e])
                    while (len(digits) < 3 and self.pos < len(data)
                           and 0x30 <= data[self.pos] <= 0x37):
                        digits += data[self.pos : self.pos + 1]
                        self.pos += 1
                    out.append(int(digits, 8) & 0xFF)
                elif e in b"\r\n":
                    if e == 0x0D and data[self.pos : self.pos + 1] == b"\n":
                        self.pos += 1
                else:
                    out.append(e)
            elif c == 0x28:
                depth += 1
                out.append(c)
            elif c == 0x29:
                depth -= 1
                if depth == 0:
                    break
                out.append(c)
            else:
                out.append(c)
        return bytes(out)

    def token(self) -> Any:
        """The next object or operator; ``None`` at the end."""
        self._skip()
        data = self.data
        if self.pos >= len(data):
            return None
        c = data[self.pos : self.pos + 1]
        if c == b"(":
            return self._string()
        if data.startswith(b"<<", self.pos):
            self.pos += 2
            return self._dict()
        if c == b"<":
            end = data.find(b">", self.pos)
            end = len(data) if end < 0 else end
            hexed = re.sub(rb"\s", b"", data[self.pos + 1 : end])
            self.pos = end + 1
            try:
                return binascii.unhexlify(hexed + b"0" * (len(hexed) % 2))
            except binascii.Error:
                return b""
        if c == b"[":
            self.pos += 1
            items: list[Any] = []
            while True:
                item = self.token()
                if item is None or item == Op("]"):
                    return items
                items.append(item)
        if c in (b"]", b">", b")", b"{", b"}"):
            closing = ">>" if data.startswith(b">>", self.pos) else c.decode()
            self.pos += len(closing)
            return Op(closing)
        if c == b"/":
            start = self.pos + 1
            self.pos = start
            while self.pos < len(data) and data[self.pos] not in _WS + _DELIM:
                self.pos += 1
            raw = data[start : self.pos]
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
            return Name(name.decode("latin-1"))
        match = _NUMBER.match(data, self.pos)
        if match and (match.end() >= len(data) or data[match.end()] in _WS + _DELIM):
            self.pos = match.end()
            text = match.group()
            number: float | int = float(text) if b"." in text else int(text)
            return self._maybe_ref(number)
        start = self.pos
        while self.pos < len(data) and data[self.pos] not in _WS + _DELIM:
            self.pos += 1
        if self.pos == start:  # a stray delimiter
            self.pos += 1
        word = data[start : self.pos].decode("latin-1")
        return {"true": True, "false": False, "null": None}.get(word, Op(word))

    def _maybe_ref(self, number: float | int) -> Any:
        if not isinstance(number, int):
            return number
        m = re.compile(rb"\s+(\d+)\s+R(?=[\s/\[\]<>()%]|$)").match(self.data, self.pos)
        if m:
            self.pos = m.end()
            return Ref(number, int(m.group(1)))
        return number

    def _dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while True:
            key = self.token()
            if key is None or key == Op(">>"):
                return out
            if isinstance(key, Name):
                out[str(key)] = self.token()


_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")


@dataclass
class _Object:
    value: Any
    stream: bytes | None = None


class Document:
    """The objects of one PDF, with streams decoded on demand."""

    def __init__(self, data: bytes) -> None:
        if not data.lstrip(b"\x00\t\r\n ").startswith(b"%PDF-"):
            raise PdfError("it is not a PDF file (no %PDF- header)")
        if re.search(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)", data):
            raise PdfError("it is encrypted")
        self.data = data
        self.objects: dict[int, _Object] = {}
        for match in _OBJ.finditer(data):
            lexer = Lexer(data, match.end())
            try:
                value = lexer.token()
            except (ValueError, IndexError, RecursionError):
                continue
            stream = None
            if isinstance(value, dict):
                at = re.compile(rb"\s*stream\r?\n").match(data, lexer.pos)
                if at:
                    stream = self._stream_bytes(value, at.end())
            self.objects[int(match.group(1))] = _Object(value, stream)
        for obj in list(self.objects.values()):
            if isinstance(obj.value, dict) and obj.value.get("Type") == "ObjStm":
                self._expand(obj)

    def _stream_bytes(self, info: dict[str, Any], start: int) -> bytes:
        length = info.get("Length")
        if isinstance(length, int) and self.data[start + length : start + length + 20].lstrip(
                b"\r\n ").startswith(b"endstream"):
            return self.data[start : start + length]
        end = self.data.find(b"endstream", start)
        return self.data[start : end if end >= 0 else len(self.data)].rstrip(b"\r\n")

    def _expand(self, obj: _Object) -> None:
        """Objects packed in a compressed object stream (PDF 1.5+)."""
        try:
            raw = self.decoded(obj)
            first = int(obj.value.get("First", 0))
            header = Lexer(raw[:first])
            numbers = []
            while (tok := header.token()) is not None:
                numbers.append(tok)
            for num, offset in zip(numbers[::2], numbers[1::2], strict=False):
                if isinstance(num, int) and isinstance(offset, int) and num not in self.objects:
                    self.objects[num] = _Object(Lexer(raw, first + offset).token())
        except (PdfError, ValueError, IndexError):
            return

    def get(self, value: Any) -> Any:
        for _ in range(32):  # follow references, with a bound against cycles
            if not isinstance(value, Ref):
                return value
            obj = self.objects.get(value.num)
            value = obj.value if obj else None
        return None

    def decoded(self, obj: _Object) -> bytes:
        data = obj.stream or b""
        filters = self.get(obj.value.get("Filter")) if isinstance(obj.value, dict) else None
        if filters is None:
            filters = []
        for name in filters if isinstance(filters, list) else [filters]:
            data = _decode(str(name), data)
        return data

    def stream_of(self, ref: Any) -> bytes:
        obj = self.objects.get(ref.num) if isinstance(ref, Ref) else None
        return self.decoded(obj) if obj is not None and obj.stream is not None else b""

    def pages(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """Each page's dictionary and its (inherited) resources, in reading order."""
        root = None
        for obj in self.objects.values():
            if isinstance(obj.value, dict) and obj.value.get("Type") == "Catalog":
                root = self.get(obj.value.get("Pages"))
                break
        found: list[tuple[dict[str, Any], dict[str, Any]]] = []
        if isinstance(root, dict):
            self._walk(root, {}, found, 0)
        if not found:  # no usable page tree: every page object in file order
            found = [(o.value, self.get(o.value.get("Resources")) or {})
                     for o in self.objects.values()
                     if isinstance(o.value, dict) and o.value.get("Type") == "Page"]
        return found

    def _walk(self, node: dict[str, Any], resources: dict[str, Any],
              found: list[tuple[dict[str, Any], dict[str, Any]]], depth: int) -> None:
        if depth > 64:
            return
        own = self.get(node.get("Resources"))
        resources = own if isinstance(own, dict) else resources
        if node.get("Type") == "Page" or "Kids" not in node:
            found.append((node, resources))
            return
        for kid in self.get(node.get("Kids")) or []:
            child = self.get(kid)
            if isinstance(child, dict):
                self._walk(child, resources, found, depth + 1)


def _decode(name: str, data: bytes) -> bytes:
    if name in ("FlateDecode", "Fl"):
        inflater = zlib.decompressobj()
        try:
            return inflater.decompress(data) + inflater.flush()
        except zlib.error:
            try:  # a raw deflate stream, without the zlib header
                return zlib.decompressobj(-15).decompress(data)
            except zlib.error:
                raise PdfError("a compressed stream is damaged") from None
    if name in ("ASCII85Decode", "A85"):
        body = data.strip()
        body = body[2:] if body.startswith(b"<~") else body
        body = body[:-2] if body.endswith(b"~>") else body
        try:
            return base64.a85decode(re.sub(rb"\s", b"", body))
        except ValueError:
            raise PdfError("an ASCII85 stream is damaged") from None
    if name in ("ASCIIHexDecode", "AHx"):
        hexed = re.sub(rb"[^0-9A-Fa-f]", b"", data.split(b">")[0])
        return binascii.unhexlify(hexed + b"0" * (len(hexed) % 2))
    raise PdfError(f"it uses the {name} encoding, which this extractor does not read")
