"""Reading the documents a task works on: text, markdown, HTML (text extracted) and PDF.

A PDF is kept as bytes so it can go to Bedrock as a document block when the model takes
documents; :meth:`Document.text` extracts its text otherwise (see
``bedrock_cli.inputs.pdf_text`` for exactly what the extractor reads). Anything else is
refused with exit 2 naming what is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from bedrock_cli.errors import UsageError
from bedrock_cli.inputs import decode_text, read_bytes, read_stdin_bytes, user_path

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".rst", ".log", ""})
HTML_SUFFIXES = frozenset({".html", ".htm"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED = ".txt, .md, .rst, .log, .html, .pdf (or any of these on stdin)"


@dataclass
class Document:
    """One input: its name (a path or "stdin"), its text, or a PDF's bytes."""

    name: str
    raw_text: str | None = None
    pdf: bytes | None = None
    _extracted: str | None = None

    @property
    def is_pdf(self) -> bool:
        return self.pdf is not None

    @property
    def blank(self) -> bool:
        """Text with nothing but blanks in it (a PDF is never blank here)."""
        return not self.is_pdf and not (self.raw_text or "").strip()

    def text(self) -> str:
        """The document's text; for a PDF, extracted on first use (exit 2 if it cannot be)."""
        if self.raw_text is not None:
            return self.raw_text
        if self._extracted is None:
            from bedrock_cli.inputs.pdf_text import PdfError, extract_text

            try:
                self._extracted = extract_text(self.pdf or b"")
            except PdfError as exc:
                raise UsageError(
                    f"Cannot read the text of {self.name}: {exc}.",
                    "Use a model that takes PDF documents (e.g. -m nova-lite), or convert it "
                    "to text first (e.g. `pdftotext FILE -`) and pipe that in.",
                ) from None
        return self._extracted


def read_document(path: Path | str) -> Document:
    """Read one input file (or ``-`` for stdin) into a :class:`Document`: the suffix says what
    a named file is; a file without one, and stdin, are recognised by their content."""
    if str(path) == "-":
        return read_stdin_document(required=True) or Document("stdin", raw_text="")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return _from_bytes(str(path), read_bytes(path), "pdf")
    if suffix in HTML_SUFFIXES:
        return _from_bytes(str(path), read_bytes(path), "html")
    if suffix in TEXT_SUFFIXES:
        data = read_bytes(path)
        return _from_bytes(str(path), data, sniff(data) if not suffix else "text")
    if not path.exists():
        raise UsageError(f"File not found: {path}", "Check the path.")
    raise UsageError(f"Cannot read {path}: {suffix} files are not supported.",
                     f"Supported: {SUPPORTED}.")


def read_stdin_document(*, required: bool = False) -> Document | None:
    """What is piped in, recognised by its content as a named file without a suffix is
    (a PDF, an HTML page, else text); None on a terminal (unless ``required``)."""
    data = read_stdin_bytes(required=required)
    if data is None:
        return None
    return _from_bytes("stdin", data, sniff(data))


# The opening tags by which the WHATWG MIME Sniffing standard (§7.1, "identifying a resource
# with an unknown MIME type") recognises HTML, each followed by a space or ">". Its `<!--` is
# left out: markdown and plain text open with a comment too.
_HTML_OPENING = re.compile(rb"<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|"
                          rb"style|title|b|body|br|p)[ \t\r\n>]", re.IGNORECASE)


def sniff(data: bytes) -> str:
    """"pdf", "html" or "text", from the first bytes (after a BOM and blank space)."""
    head = data[:1024].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c")
    if head.startswith(b"%PDF-"):
        return "pdf"
    return "html" if _HTML_OPENING.match(head) else "text"


def checked_pdf(name: str, data: bytes) -> bytes:
    """The one test a PDF passes before any command sends or reads it (`pdftext.check`): a
    file that is not a PDF, or one so damaged that no page can be found, exits 2 here — the
    same for summarize, ask, extract, translate and `generate -a`."""
    from bedrock_cli.inputs.pdf_text import PdfError, check

    if not data.lstrip()[:5] == b"%PDF-":
        raise UsageError(f"{name} is not a PDF file (no %PDF- header).",
                         "Check the file, or rename it to its real type.")
    try:
        check(data)
    except PdfError as exc:
        raise UsageError(f"{name} is not a readable PDF: {exc}.",
                         "The file is damaged or not a PDF: open it in a PDF viewer, or export "
                         "it again.") from None
    return data


def _from_bytes(name: str, data: bytes, kind: str) -> Document:
    where = "Standard input" if name == "stdin" else name
    if kind == "pdf":
        return Document(name, pdf=checked_pdf(where, data))
    try:
        text = decode_text(data, where)
    except UsageError as exc:
        if "binary" in exc.message:
            raise UsageError(exc.message, f"Pass a text file. Supported: {SUPPORTED}.") from None
        raise
    return Document(name, raw_text=html_to_text(text) if kind == "html" else text)


def read_inputs(paths: list[str], stdin: Document | None) -> list[Document]:
    """Documents from the arguments; stdin when none is given (or for ``-``)."""
    if not paths:
        if stdin is None or stdin.blank:
            raise UsageError("No input given.",
                             "Pass a file (or several), or pipe text in on stdin.")
        return [stdin]
    docs = []
    for path in paths:
        if path == "-" and stdin is not None:
            docs.append(stdin)
        else:
            docs.append(read_document(path))
    return docs


def text_or_file(value: str | None, stdin: Document | None) -> Document:
    """The `[TEXT|FILE|-]` argument of extract and translate: a file when it names one."""
    if value is None or value == "-":
        if stdin is None or stdin.blank:
            raise UsageError("No input given.",
                             "Pass the text or a file as an argument, or pipe it in on stdin.")
        return stdin
    if "\n" not in value and len(value) < 4096:
        path = user_path(value)
        if path.exists() or looks_like_path(value):
            return read_document(path)
    return Document("argument", raw_text=value)


def looks_like_path(value: str) -> bool:
    """`notes.txt`, `./x`, `~/a/b.pdf`: a missing file, not a sentence to work on."""
    if " " in value.strip():
        return False
    return bool(re.fullmatch(r"[~./\w-]*[\w-]\.[A-Za-z0-9]{1,5}", value)) or \
        value.startswith(("./", "../", "~/", "/"))


# -- HTML --------------------------------------------------------------------------------

_BLOCKS = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote",
    "pre", "table", "tr", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "form",
    "fieldset", "address", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "hr", "title",
})
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in _SKIP:
            self.skip += 1
        elif tag == "pre":
            self.pre += 1
        if tag in _BLOCKS:
            self.parts.append("\n\n" if tag not in ("br", "li", "tr", "dt", "dd") else "\n")
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and not self.skip:
            self.parts.append("#" * int(tag[1]) + " ")
        elif tag == "li" and not self.skip:
            self.parts.append("- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _SKIP and self.skip:
            self.skip -= 1
        elif tag == "pre" and self.pre:
            self.pre -= 1
        if tag in _BLOCKS and tag not in ("li", "tr", "dt", "dd", "br"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if self.skip:
            return
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
            if not self.parts or self.parts[-1].endswith(("\n", "- ", "# ")):
                data = data.lstrip()
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML page: headings as markdown, list items as "- ", no scripts."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    title = " ".join("".join(parser.title).split())
    if title and not text.startswith(title) and not text.startswith("# "):
        text = f"# {title}\n\n{text}"
    return text + "\n" if text else ""
