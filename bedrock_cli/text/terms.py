"""Content words for matching: lowercased words, stopwords dropped, lightly stemmed.

Shared by the client (`ask`'s passage ranking, through :mod:`.bm25`) and the emulator's
engines (summarizer, QA, tool choice), so both sides match words the same way.
"""

from __future__ import annotations

import re

__all__ = ["STOPWORDS", "stem", "terms", "words"]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOPWORDS = _set(
    "a about above after again against all also am an and any are aren't as at be because "
    "been before being below between both but by can could did do does doing down during each "
    "few for from further had has have having he her here hers herself him himself his how i "
    "if in into is isn't it it's its itself just let me more most my myself no nor not of off "
    "on once only or other ought our ours ourselves out over own same she should so some such "
    "than that that's the their theirs them themselves then there these they this those "
    "through to too under until up very was we were what when where which while who whom why "
    "will with would you your yours yourself yourselves s t don't"
)

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lowercased words of ``text`` (letters and digits, with a contraction's ending)."""
    return _WORD.findall(text.lower())


def stem(word: str) -> str:
    """A light suffix-stripping stemmer (plurals, -ing, -ed, -ly) — enough for matching."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl, min_len in (
        ("ies", "y", 5), ("sses", "ss", 5), ("ness", "", 7), ("ment", "", 8),
        ("ing", "", 6), ("edly", "", 7), ("ed", "", 5), ("ly", "", 6), ("es", "", 6),
        ("s", "", 4),
    ):  # fmt: skip
        if word.endswith(suffix) and len(word) >= min_len:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            base = word[: len(word) - len(suffix)] + repl
            if suffix in ("ing", "ed", "edly") and len(base) > 2 and base[-1] == base[-2]:
                base = base[:-1]  # running -> run, stopped -> stop
            return base[:-1] if base.endswith("e") and len(base) > 4 else base
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def terms(text: str) -> list[str]:
    """Lowercased, stemmed content words of ``text`` (stopwords removed)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]
