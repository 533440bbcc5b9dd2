"""The words that label a value in a text, for schema filling: normalised keywords
("Invoice #" → invoice number), the label of an offset (its line, the line above, its
block's heading), and :class:`Found`, the candidate value every finder returns.

Used by the finders (:mod:`.extraction_finders`, :mod:`.extraction_names`,
:mod:`.extraction_facts`) and by :mod:`.extraction`, which matches labels to properties.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_LABEL_STOP = word_set(
    "the a an of for your our this please is are by on at in and with me us my we you it mon "
    "tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday"
)
_SYNONYMS = {
    "num": "number", "nr": "number", "nbr": "number", "#": "number",
    "id": "number", "ref": "reference", "mail": "email", "tel": "phone", "telephone": "phone",
    "mobile": "phone", "cell": "phone", "vat": "tax", "gst": "tax", "amt": "amount",
    "qty": "quantity", "inv": "invoice", "addr": "address", "website": "url", "web": "url",
    "homepage": "url", "link": "url", "uri": "url", "organisation": "organization",
    "org": "organization", "billed": "bill", "billing": "bill", "shipped": "ship",
    "shipping": "ship", "dated": "date", "dob": "birth", "delivered": "delivery",
    "expires": "expiry", "expiration": "expiry", "expiring": "expiry", "issued": "issue",
    "signed": "sign", "regards": "regard", "sincerely": "sign", "e": "", "born": "birth",
}  # fmt: skip


def norm(word: str) -> str:
    word = _SYNONYMS.get(word, word)
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]  # meeting -> meet
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return _SYNONYMS.get(word, word)


def keywords(text: str) -> list[str]:
    """Normalised words of a label or property name ("invoiceNo", "Invoice #" → invoice number)."""
    text = (
        re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
        .replace("e-mail", "email")
        .replace("E-mail", "email")
    )
    text = re.sub(r"(?i)(?<=[a-z])[ \t]+no\b\.?", " number", text)  # "Order No." but not "No"
    raw = re.findall(r"[A-Za-z]+|\d+|#", text.replace("_", " ").lower())
    return [w for w in (norm(r) for r in raw) if w and w not in _LABEL_STOP]


@dataclass(frozen=True)
class Found:
    """A value seen in the text: its kind, parsed value, raw text, offset and label words."""

    kind: str
    value: Any
    raw: str
    start: int
    end: int
    label: frozenset[str]
    money: bool = False


def label_of(text: str, start: int) -> frozenset[str]:
    """The words naming a value: text before it on its line, or a short line above it, plus
    the heading of its block ("Bill To:") and "header" for the document's opening block."""
    line_start = text.rfind("\n", 0, start) + 1
    label: list[str] = []
    for segment in reversed(re.split(r"\s{2,}|\t|\|", text[line_start:start])):
        if re.search(r"[A-Za-z]", segment):
            label = keywords(segment)[-6:]
            break
    window = max(0, line_start - 400)
    lines_above = text[window : max(0, line_start - 1)].split("\n")[1 if window else 0 :][::-1]
    for k, above in enumerate(lines_above[:8]):
        above = above.strip()
        if not above:
            break
        short = len(above.split()) <= 4 and not re.search(r"\d", above)
        if k == 0 and not label and (above.endswith(":") or short):
            label = keywords(above)[-6:]
        elif re.fullmatch(r"[A-Za-z][\w .&/-]{0,40}:", above):
            label += keywords(above)
            break
    if line_start <= _opening_block_end(text):
        label.append("header")
    return frozenset(label)


@functools.lru_cache(maxsize=8)
def _opening_block_end(text: str) -> int:
    """Where the document's first block (its letterhead) ends: the first blank line."""
    m = re.search(r"\S[^\n]*\n[ \t]*\n", text)
    return m.end() if m else len(text)


def spans(found: Iterable[Found]) -> set[int]:
    return {i for f in found for i in range(f.start, f.end)}


def free(m: re.Match[str], taken: set[int], group: int | str = 0) -> bool:
    return not any(i in taken for i in range(m.start(group), m.end(group)))


__all__ = ["Found", "free", "keywords", "label_of", "norm", "spans", "word_set"]
