"""Tiny PDF writer for tests: real, valid PDFs with text pages (Flate-compressed streams)."""

from __future__ import annotations

import zlib


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: list[str], *, hex_cids: bool) -> bytes:
    ops = [b"BT", b"/F1 11 Tf", b"72 720 Td", b"14 TL"]
    for i, line in enumerate(lines):
        if hex_cids:
            body = b"<" + "".join(f"{ord(c):04X}" for c in line).encode() + b">"
        else:
            body = b"(" + _escape(line) + b")"
        if i == 0:
            ops.append(body + b" Tj")
        elif i % 2:
            ops.append(b"0 -14 Td " + body + b" Tj")
        else:
            ops.append(b"T* [" + body + b"] TJ")
    ops.append(b"ET")
    return b"\n".join(ops)


def make_pdf(pages: list[list[str]], *, compress: bool = True, hex_cids: bool = False,
             object_stream_catalog: bool = False) -> bytes:
    """A PDF with one page per list of lines. `hex_cids` uses a two-byte font with a
    ToUnicode CMap (as Word and LaTeX emit for Unicode text)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes, extra: bytes = b"") -> bytes:
        if compress:
            data = zlib.compress(data)
            extra += b" /Filter /FlateDecode"
        return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"

    catalog = add(b"")  # placeholders, filled below
    pages_obj = add(b"")
    if hex_cids:
        cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
                b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
                b"1 beginbfrange <0000> <FFFF> <0000> endbfrange\n"
                b"endcmap CMapName currentdict /CMap defineresource pop end end")
        tounicode = add(stream(cmap))
        font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /Arial /Encoding /Identity-H "
                   b"/ToUnicode %d 0 R >>" % tounicode)
    else:
        font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    kids = []
    for lines in pages:
        content = add(stream(_content(lines, hex_cids=hex_cids)))
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
                        b"/Contents %d 0 R >>" % (pages_obj, content)))
    objects[pages_obj - 1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                              + b"] /Count %d /Resources << /Font << /F1 %d 0 R >> >> >>"
                              % (len(kids), font))
    catalog_body = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    if object_stream_catalog:  # the catalog packed in a compressed object stream (PDF 1.5)
        packed = b"%d 0 " % catalog + catalog_body
        header_len = len(b"%d 0 " % catalog)
        objects[catalog - 1] = b"null"
        data = zlib.compress(packed)
        add(b"<< /Type /ObjStm /N 1 /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
            % (header_len, len(data)) + data + b"\nendstream")
    else:
        objects[catalog - 1] = catalog_body
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, catalog, xref)
    return bytes(out)
