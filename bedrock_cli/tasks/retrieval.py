"""Context for question answering: files and folders read into passages with line ranges,
and the passages most relevant to a question picked when they do not all fit the budget.

Relevance is Okapi BM25 (`bedrock_cli.text.bm25`) — a plain ranking algorithm, in-process; the
local QA engine ranks with the same implementation, and nothing here depends on the backend.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from bedrock_cli.errors import UsageError
from bedrock_cli.inputs import read_bytes, user_path
from bedrock_cli.tasks.chunking import split_pieces
from bedrock_cli.tasks.documents import (
    HTML_SUFFIXES,
    PDF_SUFFIXES,
    TEXT_SUFFIXES,
    read_document,
)

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


def _file_text(path: Path) -> str | None:
    """A file's text: PDF, HTML, text and extension-less files as `documents` reads them (the
    same detection as summarize), any other file (code, CSV, …) as UTF-8 text; None when it is
    not text. Raises UsageError when the file cannot be read at all (`inputs.read_bytes`)."""
    if path.suffix.lower() in PDF_SUFFIXES | HTML_SUFFIXES | TEXT_SUFFIXES:
        return read_document(path).text()
    data = read_bytes(path)
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _walk(root: Path) -> tuple[list[Path], list[Path]]:
    """The regular files under a folder, and the other entries it skips: a named pipe,
    socket or device found in a walk is never opened (opening a pipe would wait for a writer
    for ever); its stat (following links) decides."""
    found: list[Path] = []
    other: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            (found if _is_regular(path) else other).append(path)
            if len(found) > MAX_FILES:
                raise UsageError(f"{root} holds more than {MAX_FILES} files.",
                                 "Point --context at a smaller folder.")
    return found, other


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:  # a dangling link, or gone since the listing
        return False


def _folder(root: Path, ctx: Context) -> None:
    files, other = _walk(root)
    ctx.skipped.extend(str(path) for path in other)
    for path in files:
        try:
            text = _file_text(path)
        except UsageError:  # binary, unreadable, too large, a PDF without text
            text = None
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
        path = user_path(raw)
        if path.is_dir():
            before = len(ctx.texts)
            _folder(path, ctx)
            if len(ctx.texts) == before:
                raise UsageError(f"{path} holds no readable text files.",
                                 "Point --context at text, markdown, HTML or PDF files.")
        else:
            text = _file_text(path)
            if text is None:
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
