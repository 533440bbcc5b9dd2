"""A minimal PDF text extractor (stdlib only), for PDFs sent to models that take no documents.

What it reads: the page tree in order (also inside compressed object streams), page content
streams that are uncompressed or FlateDecode / ASCII85 / ASCIIHex encoded, the text operators
``Tj``, ``TJ``, ``'`` and ``"`` with line breaks from ``Td``/``TD``/``T*``/``Tm``, strings in
the standard single-byte encodings (read as Windows-1252) and fonts with a ``ToUnicode``
CMap (``bfchar``/``bfrange``, one- or two-byte codes — what LaTeX, Word and most PDF writers
emit). What it does not read: encrypted PDFs, scanned pages (images of text), LZW streams,
fonts with custom ``/Differences`` encodings and no ToUnicode map. Those raise
:class:`PdfError`, never return garbage silently.

A pure library with no knowledge of the CLI or the emulator; both use it.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

__all__ = ["PdfError", "extract_text"]


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


class _Font:
    """How a font's string bytes become text: a ToUnicode map, else Windows-1252."""

    def __init__(self, cmap: bytes | None) -> None:
        self.map: dict[int, str] = {}
        self.width = 1
        if cmap:
            self._parse(cmap)

    def _parse(self, cmap: bytes) -> None:
        space = re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", cmap)
        if space:
            self.width = max(1, len(space.group(1)) // 2)
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
                self.map[int(src, 16)] = _utf16(dst)
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
            pattern = rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])"
            for lo, hi, dst in re.findall(pattern, block):
                low, high = int(lo, 16), int(hi, 16)
                if high - low > 65535:
                    continue
                if dst.startswith(b"["):
                    for i, item in enumerate(re.findall(rb"<([0-9A-Fa-f]*)>", dst)):
                        self.map[low + i] = _utf16(item)
                else:
                    base = dst[1:-1]
                    start = int(base, 16) if base else 0
                    for code in range(low, high + 1):
                        value = start + code - low
                        self.map[code] = _utf16(f"{value:0{max(4, len(base))}X}".encode())

    def text(self, raw: bytes) -> str:
        if not self.map:
            return raw.decode("cp1252", errors="replace")
        step = self.width
        return "".join(self.map.get(int.from_bytes(raw[i : i + step], "big"), "\ufffd")
                       for i in range(0, len(raw) - step + 1, step))


def _utf16(hexed: bytes) -> str:
    try:
        return binascii.unhexlify(hexed).decode("utf-16-be", errors="replace")
    except (binascii.Error, ValueError):
        return "\ufffd"


def _fonts(doc: Document, resources: dict[str, Any]) -> dict[str, _Font]:
    fonts: dict[str, _Font] = {}
    table = doc.get(resources.get("Font")) if isinstance(resources, dict) else None
    for key, ref in (table or {}).items():
        font = doc.get(ref)
        cmap = doc.stream_of(font.get("ToUnicode")) if isinstance(font, dict) else None
        fonts[key] = _Font(cmap or None)
    return fonts


def _operators(data: bytes) -> Iterator[tuple[str, list[Any]]]:
    lexer, operands = Lexer(data), cast("list[Any]", [])
    while True:
        tok = lexer.token()
        if tok is None:
            return
        if isinstance(tok, Op):
            if tok == "BI":  # an inline image: skip its binary data
                end = data.find(b"EI", lexer.pos)
                lexer.pos = len(data) if end < 0 else end + 2
            else:
                yield str(tok), operands
            operands = []
        else:
            operands.append(tok)


def _page_text(data: bytes, fonts: dict[str, _Font]) -> str:
    out: list[str] = []
    font = _Font(None)
    line_y: float | None = None

    def newline() -> None:
        if out and not out[-1].endswith("\n"):
            out.append("\n")

    for op, args in _operators(data):
        if op == "Tf" and args and isinstance(args[0], Name):
            font = fonts.get(str(args[0]), _Font(None))
        elif op == "Tj" and args and isinstance(args[-1], bytes):
            out.append(font.text(args[-1]))
        elif op in ("'", '"') and args and isinstance(args[-1], bytes):
            newline()
            out.append(font.text(args[-1]))
        elif op == "TJ" and args and isinstance(args[-1], list):
            for item in args[-1]:
                if isinstance(item, bytes):
                    out.append(font.text(item))
                elif isinstance(item, (int, float)) and item < -200 and out and \
                        not out[-1].endswith((" ", "\n")):
                    out.append(" ")
        elif op in ("Td", "TD") and len(args) >= 2 and all(
                isinstance(a, (int, float)) for a in args[:2]):
            if abs(args[1]) > 0.01:
                newline()
            elif args[0] > 1 and out and not out[-1].endswith((" ", "\n")):
                out.append(" ")
        elif op == "T*":
            newline()
        elif op == "Tm" and len(args) >= 6 and isinstance(args[5], (int, float)):
            if line_y is not None and abs(args[5] - line_y) > 0.01:
                newline()
            line_y = args[5]
        elif op == "ET":
            newline()
    return "".join(out)


def extract_text(data: bytes, *, max_pages: int | None = None) -> str:
    """The text of every page, pages separated by a blank line. Raises :class:`PdfError`."""
    doc = Document(data)
    pages = doc.pages()
    if not pages:
        raise PdfError("no pages were found in it")
    texts = []
    for page, resources in pages[:max_pages]:
        contents = doc.get(page.get("Contents"))
        refs = contents if isinstance(contents, list) else [page.get("Contents")]
        stream = b"\n".join(doc.stream_of(ref) for ref in refs)
        texts.append(_page_text(stream, _fonts(doc, resources)).strip())
    text = "\n\n".join(t for t in texts if t)
    text = re.sub(r"[ \t]+\n", "\n", text)
    if not text.strip():
        raise PdfError("it has no extractable text (a scanned or image-only PDF?)")
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\n\t"))
    if bad > max(3, len(text) // 20):
        raise PdfError("its fonts use an encoding this extractor cannot map to text")
    return text
