"""Splitting long text into pieces that fit a budget, on paragraph, then sentence boundaries.

Pieces are spans of the original text, so whatever lies between two pieces (the blank lines,
the indentation) can be put back exactly — translation keeps the layout that way — and line
numbers can be computed for citations. Fenced code blocks are never split across pieces
unless a single block is larger than the budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAGRAPH_GAP = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|\n")
_FENCE = re.compile(r"^\s*(```|~~~)", re.M)

Span = tuple[int, int]


@dataclass(frozen=True)
class Piece:
    """``text[start:end]`` of the original, with its 1-based first and last line."""

    start: int
    end: int
    first_line: int
    last_line: int
    text: str


def _paragraphs(text: str) -> list[Span]:
    spans, at = [], 0
    for gap in _PARAGRAPH_GAP.finditer(text):
        if gap.start() > at:
            spans.append((at, gap.start()))
        at = gap.end()
    if at < len(text) and text[at:].strip():
        spans.append((at, len(text.rstrip())))
    return _merge_fences(text, spans)


def _merge_fences(text: str, spans: list[Span]) -> list[Span]:
    """A fenced code block with blank lines inside stays one unit."""
    merged: list[Span] = []
    open_fence = False
    for start, end in spans:
        if open_fence and merged:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
        if len(_FENCE.findall(text, start, end)) % 2:
            open_fence = not open_fence
    return merged


def _sentences(text: str, start: int, end: int) -> list[Span]:
    spans, at = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.end() - at > 0:
            spans.append((at, match.end()))
            at = match.end()
    if at < end:
        spans.append((at, end))
    return spans


def _words(text: str, start: int, end: int, limit: int) -> list[Span]:
    """Hard cuts at whitespace (or anywhere, for a run with no whitespace)."""
    spans, at = [], start
    while end - at > limit:
        cut = text.rfind(" ", at + 1, at + limit)
        cut = cut if cut > at else at + limit
        spans.append((at, cut))
        at = cut
    spans.append((at, end))
    return spans


def _units(text: str, limit: int) -> list[Span]:
    units: list[Span] = []
    for start, end in _paragraphs(text):
        if end - start <= limit:
            units.append((start, end))
            continue
        for s_start, s_end in _sentences(text, start, end):
            if s_end - s_start <= limit:
                units.append((s_start, s_end))
            else:
                units.extend(_words(text, s_start, s_end, limit))
    return units


def split_spans(text: str, max_chars: int) -> list[Span]:
    """Spans of ``text`` of at most ``max_chars`` each, packed greedily from whole units."""
    limit = max(1, max_chars)
    pieces: list[Span] = []
    for start, end in _units(text, limit):
        if pieces and end - pieces[-1][0] <= limit:
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
    return [(s, e) for s, e in pieces if text[s:e].strip()]


def split_text(text: str, max_chars: int) -> list[str]:
    return [text[s:e].strip() for s, e in split_spans(text, max_chars)]


def split_pieces(text: str, max_chars: int) -> list[Piece]:
    """Pieces with line numbers (for citing file and line range)."""
    pieces, line, at = [], 1, 0
    for start, end in split_spans(text, max_chars):
        line += text.count("\n", at, start)
        at = start
        body = text[start:end]
        pieces.append(Piece(start, end, line, line + body.rstrip().count("\n"), body))
    return pieces
