"""Context for question answering: files and folders read into passages with line ranges,
and the passages most relevant to a question picked when they do not all fit the budget.

Relevance is Okapi BM25 (`bedrock_cli.text.bm25`) — a plain ranking algorithm, in-process; the
local QA engine ranks with the same implementation, and nothing here depends on the backend.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bedrock_cli.errors import UsageError
from bedrock_cli.inputs import MAX_TEXT_BYTES
from bedrock_cli.tasks.chunking import split_pieces
from bedrock_cli.tasks.documents import HTML_SUFFIXES, PDF_SUFFIXES, html_to_text, read_document

PASSAGE_CHARS = 1200
MAX_FILES = 5000
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv",
                        ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache", "dist", "build"})


@dataclass(frozen=True)
class Passage:
    source: str
    first_line: int
    last_line: int
    text: str

    @property
    def lines(self) -> str:
        if self.first_line == self.last_line:
            return str(self.first_line)
        return f"{self.first_line}-{self.last_line}"


@dataclass
class Context:
    texts: list[tuple[str, str]]  # (name, text) of every file read
    skipped: list[str]  # files in folders that were not text

    def passages(self, max_chars: int = PASSAGE_CHARS) -> list[Passage]:
        out = []
        for name, text in self.texts:
            for piece in split_pieces(text, max_chars):
                out.append(Passage(name, piece.first_line, piece.last_line, piece.text.strip()))
        return out


def _sniff_text(path: Path) -> str | None:
    """A file's text if it is UTF-8 text, else None (binaries are skipped, not errors)."""
    try:
        if path.stat().st_size > MAX_TEXT_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\x00" in data[:8192]:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    suffix = path.suffix.lower()
    return html_to_text(text) if suffix in HTML_SUFFIXES else text


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                found.append(Path(folder) / name)
            if len(found) > MAX_FILES:
                raise UsageError(f"{root} holds more than {MAX_FILES} files.",
                                 "Point --context at a smaller folder.")
    return found


def _folder(root: Path, ctx: Context) -> None:
    for path in _walk(root):
        if path.suffix.lower() in PDF_SUFFIXES:
            try:
                ctx.texts.append((str(path), read_document(path).text()))
            except UsageError:
                ctx.skipped.append(str(path))
            continue
        text = _sniff_text(path)
        if text is None:
            ctx.skipped.append(str(path))
        elif text.strip():
            ctx.texts.append((str(path), text))


def gather(paths: list[str], stdin_text: str | None) -> Context:
    """Read `--context` files, folders (walked for text files) and `-` (stdin)."""
    ctx = Context([], [])
    for raw in paths:
        if raw == "-":
            if stdin_text is None or not stdin_text.strip():
                raise UsageError("--context - reads stdin, but nothing was piped in.",
                                 "Pipe the text in, or pass a file.")
            ctx.texts.append(("stdin", stdin_text))
            continue
        path = Path(raw).expanduser()
        if path.is_dir():
            before = len(ctx.texts)
            _folder(path, ctx)
            if len(ctx.texts) == before:
                raise UsageError(f"{path} holds no readable text files.",
                                 "Point --context at text, markdown, HTML or PDF files.")
        elif path.suffix.lower() in PDF_SUFFIXES | HTML_SUFFIXES or not path.exists():
            ctx.texts.append((str(path), read_document(path).text()))
        else:
            text = _sniff_text(path)
            if text is None:
                if not path.is_file():
                    raise UsageError(f"Cannot read {path}.", "Pass a regular file.")
                raise UsageError(f"{path} is not a text file.",
                                 "Pass text, markdown, HTML or PDF files, or a folder of them.")
            ctx.texts.append((str(path), text))
    if stdin_text is not None and "-" not in paths and stdin_text.strip():
        ctx.texts.append(("stdin", stdin_text))
    return ctx


def select(question: str, passages: list[Passage], budget_chars: int) -> list[Passage]:
    """All passages when they fit; else the most relevant (BM25) that fit, in reading order."""
    if sum(len(p.text) for p in passages) <= budget_chars:
        return passages
    from bedrock_cli.text.bm25 import bm25_rank

    ranked = [i for i, _score in bm25_rank(question, [p.text for p in passages], len(passages))]
    if not ranked:  # nothing shares a word with the question: the opening passages
        ranked = list(range(len(passages)))
    chosen, used = [], 0
    for i in ranked:
        size = len(passages[i].text)
        if used + size > budget_chars:
            continue
        chosen.append(i)
        used += size
    return [passages[i] for i in sorted(chosen)]
