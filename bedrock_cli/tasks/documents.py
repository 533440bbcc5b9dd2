"""Reading the documents a task works on: text, markdown, HTML (text extracted) and PDF.

A PDF is kept as bytes so it can go to Bedrock as a document block when the model takes
documents; :meth:`Document.text` extracts its text otherwise (see ``bedrock_cli.pdftext`` for
exactly what the extractor reads). Anything else is refused with exit 2 naming what is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from bedrock_cli.errors import UsageError
from bedrock_cli.inputs import read_bytes, read_stdin, read_text_file

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".rst", ".log", ""})
HTML_SUFFIXES = frozenset({".html", ".htm"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED = ".txt, .md, .rst, .log, .html, .pdf (or text on stdin)"


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

    def text(self) -> str:
        """The document's text; for a PDF, extracted on first use (exit 2 if it cannot be)."""
        if self.raw_text is not None:
            return self.raw_text
        if self._extracted is None:
            from bedrock_cli.pdftext import PdfError, extract_text

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
    """Read one input file (or ``-`` for stdin) into a :class:`Document`."""
    if str(path) == "-":
        return Document("stdin", raw_text=read_stdin(required=True) or "")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return Document(str(path), pdf=_read_pdf(path))
    if suffix in HTML_SUFFIXES:
        return Document(str(path), raw_text=html_to_text(_text(path)))
    if suffix in TEXT_SUFFIXES:
        return Document(str(path), raw_text=_text(path))
    if not path.exists():
        raise UsageError(f"File not found: {path}", "Check the path.")
    raise UsageError(f"Cannot read {path}: {suffix} files are not supported.",
                     f"Supported: {SUPPORTED}.")


def _text(path: Path) -> str:
    try:
        return read_text_file(path)
    except UsageError as exc:
        if "binary" in exc.message:
            raise UsageError(exc.message, f"Pass a text file. Supported: {SUPPORTED}.") from None
        raise


def _read_pdf(path: Path) -> bytes:
    data = read_bytes(path)
    if not data.lstrip()[:5] == b"%PDF-":
        raise UsageError(f"{path} is not a PDF file (no %PDF- header).",
                         "Check the file, or rename it to its real type.")
    return data


def read_inputs(paths: list[str], stdin_text: str | None) -> list[Document]:
    """Documents from the arguments; stdin when none is given (or for ``-``)."""
    if not paths:
        if stdin_text is None or not stdin_text.strip():
            raise UsageError("No input given.",
                             "Pass a file (or several), or pipe text in on stdin.")
        return [Document("stdin", raw_text=stdin_text)]
    docs = []
    for path in paths:
        if path == "-" and stdin_text is not None:
            docs.append(Document("stdin", raw_text=stdin_text))
        else:
            docs.append(read_document(path))
    return docs


def text_or_file(value: str | None, stdin_text: str | None) -> Document:
    """The `[TEXT|FILE|-]` argument of extract and translate: a file when it names one."""
    if value is None or value == "-":
        if stdin_text is None or not stdin_text.strip():
            raise UsageError("No input given.",
                             "Pass the text or a file as an argument, or pipe it in on stdin.")
        return Document("stdin", raw_text=stdin_text)
    if "\n" not in value and len(value) < 4096:
        path = Path(value).expanduser()
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
