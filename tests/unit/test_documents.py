"""Reading task inputs: text, markdown, HTML, PDF; clear exit-2 errors for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from bedrock_cli.errors import UsageError
from bedrock_cli.tasks.documents import Document, html_to_text, read_document, sniff, text_or_file
from tests.pdfmaker import make_pdf


def test_html_text_keeps_headings_and_lists_and_drops_scripts() -> None:
    html = ("<html><head><title>T</title><style>p{}</style></head><body><h1>Peru</h1>"
            "<p>The capital   of Peru\nis Lima.</p><script>alert(1)</script>"
            "<ul><li>Andes</li><li>Coast</li></ul><pre>a  b\n  c</pre></body></html>")
    text = html_to_text(html)
    assert text == "# Peru\n\nThe capital of Peru is Lima.\n\n- Andes\n- Coast\n\na  b\n  c\n"


def test_reads_supported_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Hi\n\ntext\n")
    (tmp_path / "b.html").write_text("<p>Hello</p>")
    (tmp_path / "c.pdf").write_bytes(make_pdf([["PDF text here"]]))
    assert read_document(tmp_path / "a.md").text() == "# Hi\n\ntext\n"
    assert read_document(tmp_path / "b.html").text() == "Hello\n"
    doc = read_document(tmp_path / "c.pdf")
    assert doc.is_pdf and doc.text() == "PDF text here"


@pytest.mark.parametrize(("name", "data", "needle"), [
    ("missing.txt", None, "File not found"),
    ("report.docx", b"PK\x03\x04", ".docx files are not supported"),
    ("binary.txt", b"\x00\x01\x02", "binary"),
    ("fake.pdf", b"not a pdf", "not a PDF"),
])
def test_bad_inputs_are_usage_errors(tmp_path: Path, name: str, data: bytes | None,
                                     needle: str) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(UsageError, match=needle) as caught:
        read_document(path)
    assert caught.value.exit_code == 2


def test_unreadable_pdf_text_names_the_way_out(tmp_path: Path) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "PDF")
    (tmp_path / "scan.pdf").write_bytes(buffer.getvalue())
    with pytest.raises(UsageError) as caught:
        read_document(tmp_path / "scan.pdf").text()
    assert "no extractable text" in caught.value.message
    assert "pdftotext" in (caught.value.hint or "")


def test_text_or_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("from the file")
    assert text_or_file("notes.txt", None).text() == "from the file"
    assert text_or_file("Total: $5 due", None).text() == "Total: $5 due"
    assert text_or_file(None, Document("stdin", raw_text="piped")).text() == "piped"
    with pytest.raises(UsageError, match="File not found"):
        text_or_file("invoice.pdf", None)
    with pytest.raises(UsageError, match="No input"):
        text_or_file(None, None)


@pytest.mark.parametrize(("data", "kind"), [
    (b"%PDF-1.7\n...", "pdf"),
    (b"\n  %PDF-1.4", "pdf"),
    (b"<!DOCTYPE html><html>", "html"),
    (b"\xef\xbb\xbf  <!doctype HTML>\n<p>x</p>", "html"),
    (b"<html lang=en>", "html"),
    (b"<p>Hello</p>", "html"),
    (b"<HEAD>\n<title>x</title>", "html"),
    (b"<!-- a markdown comment -->\n# Title", "text"),
    (b"<pre-formatted> is not a tag we know", "text"),
    (b"# Title\n\n<p>inline html in markdown</p>", "text"),
    (b"Plain words. <html> later on", "text"),
    (b"", "text"),
])
def test_sniff_recognises_content_without_a_suffix(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_a_file_without_a_suffix_is_recognised_by_content(tmp_path: Path) -> None:
    (tmp_path / "page").write_text("<!doctype html><p>Hello</p><script>x()</script>")
    (tmp_path / "paper").write_bytes(make_pdf([["PDF text here"]]))
    (tmp_path / "notes").write_text("<!-- draft -->\nplain  text\n")
    assert read_document(tmp_path / "page").text() == "Hello\n"
    assert read_document(tmp_path / "paper").text() == "PDF text here"
    assert read_document(tmp_path / "notes").text() == "<!-- draft -->\nplain  text\n"
    (tmp_path / "page.txt").write_text("<p>kept as written: the suffix says text</p>")
    assert read_document(tmp_path / "page.txt").text().startswith("<p>")
