"""The minimal PDF text extractor: what it reads, and the clear errors for what it cannot."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from PIL import Image

from bedrock_cli.inputs.pdf_text import PdfError, check, extract_text
from tests.pdfmaker import make_pdf

PAGES = [["Invoice INV-2041", "Total: $1,234.50 (due) café"], ["Page two", "second line"]]
EXPECTED = "Invoice INV-2041\nTotal: $1,234.50 (due) café\n\nPage two\nsecond line"


@pytest.mark.parametrize("options", [
    {}, {"compress": False}, {"hex_cids": True}, {"object_stream_catalog": True},
], ids=["flate", "uncompressed", "tounicode-cmap", "object-stream"])
def test_reads_text_pages_in_order(options: dict[str, bool]) -> None:
    assert extract_text(make_pdf(PAGES, **options)) == EXPECTED


def test_escapes_in_literal_strings() -> None:
    text = extract_text(make_pdf([["a (nested) \\ backslash"]]))
    assert text == "a (nested) \\ backslash"


def test_image_only_pdf_is_refused_plainly() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(buffer, "PDF")
    with pytest.raises(PdfError, match="no extractable text"):
        extract_text(buffer.getvalue())


def test_encrypted_pdf_is_refused() -> None:
    data = make_pdf(PAGES).replace(b"/Root", b"/Encrypt 9 0 R /Root")
    with pytest.raises(PdfError, match="encrypted"):
        extract_text(data)


def test_not_a_pdf() -> None:
    with pytest.raises(PdfError, match="not a PDF"):
        extract_text(b"hello")


def test_unsupported_filter_is_named() -> None:
    data = make_pdf(PAGES).replace(b"/Filter /FlateDecode", b"/Filter /LZWDecode")
    with pytest.raises(PdfError, match="LZWDecode"):
        extract_text(data)


@pytest.mark.parametrize("path", [
    "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf",
    "/usr/share/doc/libtasn1-doc/libtasn1.pdf",
])
def test_real_world_pdfs_when_present(path: str) -> None:
    if not Path(path).exists():
        pytest.skip("not installed here")
    text = extract_text(Path(path).read_bytes())
    assert len(text) > 10_000
    assert sum(ch.isalpha() for ch in text) > len(text) * 0.5


def test_check_passes_pdfs_with_pages_even_without_text() -> None:
    check(make_pdf([["Some text"]]))
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "PDF")
    check(buffer.getvalue())  # a scan: its pages are there, a model may read them
    check(b"%PDF-1.4\n1 0 obj << /Filter /Standard >> endobj trailer << /Encrypt 1 0 R >>")


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n" + bytes(range(256)),
    b"%PDF-1.7\n" + random.Random(4).randbytes(4000),
    b"%PDF-1.7\n%%EOF\n",
    b"not a pdf",
])
def test_check_refuses_what_has_no_pages(data: bytes) -> None:
    with pytest.raises(PdfError):
        check(data)
