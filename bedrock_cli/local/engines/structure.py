"""The layout of a text's sentences: headings, boilerplate lines, and the section each is in.

A pure library shared by the QA engine and the summarizer. A *heading* is a line that titles
what follows instead of saying something: a markdown ``#`` line, a line ending with ``:``, or
a short whole line (at most :data:`HEADING_WORDS` words) with no final punctuation and no list
marker. *Boilerplate* is what a summary should not quote: headings, "Attendees: …" or
"Subject: …" header lines, greetings and sign-offs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .summarizer import Sentence

__all__ = ["HEADING_WORDS", "VERBS", "Layout", "layout"]

HEADING_WORDS = 10
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]+$")
_MARKDOWN_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]+$")
# "Label: value" lines that head a memo or an e-mail rather than say something.
_HEADER_LABEL = re.compile(
    r"(?i)^(?:attendees?|participants?|present|absent|apologies|subject|re|from|to|cc|bcc|date|"
    r"sent|time|location|venue|where|when|chair|minutes|agenda|author|by|tags?|keywords|"
    r"category|status|version|page|reference|ref|copyright|phone|tel|e-?mail|web(?:site)?)\s*:"
)
_SIGN_OFF = re.compile(
    r"(?i)^(?:(?:best|kind|warm|many)?\s*(?:regards|wishes|thanks)|thank you|cheers|sincerely|"
    r"yours(?: sincerely| truly| faithfully)?|dear\b|hi\b|hello\b|sent from my|--\s*$)"
)


# Verbs that make a short unpunctuated line a statement ("Add dark mode to the settings page"),
# not a heading ("Next meeting"); words ending in -ed count too.
VERBS = frozenset(re.findall(r"\w+", """
    is are was were be been am has have had do does did will would can could should must may
    might add adds fix fixes remove removes update updates make makes use uses change changes
    move moves support supports improve improves allow allows bump bumps rename renames
    refactor refactors drop drops let lets get gets go goes need needs take takes give gives
    show shows run runs keep keeps set sets see sees says said"""))


def _has_verb(words: list[str]) -> bool:
    return any(w.lower() in VERBS or (len(w) > 4 and w.lower().endswith("ed")) for w in words)


@dataclass(frozen=True)
class Layout:
    """Per sentence: whether it is a heading, whether it is boilerplate, and its section's
    heading (the index of the nearest heading above it, -1 when none); ``title`` is the
    index of the document's opening heading (-1 when it opens with a sentence)."""

    heading: list[bool]
    boilerplate: list[bool]
    section: list[int]
    title: int


def _line_bounds(text: str, start: int, end: int) -> tuple[str, str]:
    """What precedes the sentence on its first line, and what follows it on its last."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[line_start:start], text[end : len(text) if line_end < 0 else line_end]


def _is_heading(text: str, s: Sentence) -> bool:
    before, after = _line_bounds(text, s.start, s.end)
    if _MARKDOWN_HEADING.fullmatch(before):
        return True
    whole_line = not before.strip() or _LIST_MARKER.fullmatch(before) is not None
    if not whole_line or after.strip():
        return False
    if s.text.endswith(":"):
        return True
    if _LIST_MARKER.fullmatch(before) or s.text[-1:] in ".!?…\"'”’)":
        return False
    words = s.text.split()
    statement = len(words) >= 3 and _has_verb(words)
    return len(words) <= HEADING_WORDS and not statement and not re.search(r"[;,]\s", s.text)


def layout(text: str, sentences: Sequence[Sentence]) -> Layout:
    """Classify ``sentences`` (from :func:`split_sentences` over ``text``)."""
    heading = [_is_heading(text, s) for s in sentences]
    boilerplate = [
        h or bool(_HEADER_LABEL.match(s.text) or _SIGN_OFF.match(s.text))
        for h, s in zip(heading, sentences, strict=True)
    ]
    section: list[int] = []
    current = -1
    for i, is_heading in enumerate(heading):
        section.append(current)
        if is_heading:
            current = i
    title = 0 if heading and heading[0] else -1
    return Layout(heading, boilerplate, section, title)
