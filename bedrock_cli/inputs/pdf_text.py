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

import binascii
import re
from collections.abc import Iterator
from typing import Any, cast

from bedrock_cli.inputs.pdf_objects import Document, Lexer, Name, Op, PdfError

__all__ = ["PdfError", "check", "extract_text"]


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


def check(data: bytes) -> None:
    """Raises :class:`PdfError` unless ``data`` is a PDF with at least one page: the test every
    command applies before a PDF is sent or read, so a damaged file is refused the same way
    everywhere. Whether the pages hold text is not asked (a scan goes to a model that reads
    it). An encrypted PDF passes: its pages cannot be looked into here, so Bedrock decides."""
    try:
        doc = Document(data)
    except PdfError as exc:
        if "encrypted" in str(exc):
            return
        raise
    if not doc.pages():
        raise PdfError("no pages were found in it")


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
