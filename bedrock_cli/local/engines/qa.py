"""Extractive question answering: BM25 over sentences, then a short span by question type.

A pure library. :func:`answer` either points at text that is in the context (a sentence,
and a name/date/place/number inside it when the question asks for one) or returns
``text=None`` — it never guesses. :func:`bm25_rank` / :class:`BM25` are reused by ``ask``
to retrieve the chunks of a large context that fit the model's budget.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .summarizer import STOPWORDS, Sentence, split_sentences, stem, terms

__all__ = ["BM25", "Answer", "answer", "bm25_rank"]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that shape a question but say nothing about its subject.
_QUESTION_WORDS = _set(
    "what which who whom whose when where why how many much long old far often tell name give "
    "list does do did is are was were please know"
)
MIN_SCORE = 0.5  # share of the question's (idf-weighted) content words the answer must hold


@dataclass(frozen=True)
class Answer:
    """``text``: the answer (a short span or the sentence), None when the context lacks it.

    ``sentence``: the sentence it comes from; ``score``: 0–1 share of the question's
    content words found there; ``start``/``end``: the span of ``text`` in the context
    (-1 when there is no answer).
    """

    text: str | None
    sentence: str | None
    score: float
    start: int
    end: int


class BM25:
    """An Okapi BM25 index over ``passages`` (k1=1.5, b=0.75, non-negative idf)."""

    def __init__(self, passages: Sequence[str], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.bags = [Counter(terms(p)) for p in passages]
        self.lengths = [sum(bag.values()) for bag in self.bags]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, bag in enumerate(self.bags):
            for term, tf in bag.items():
                self.postings.setdefault(term, []).append((i, tf))

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        n = len(self.bags)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> dict[int, float]:
        """BM25 score of every passage that shares a term with ``query``."""
        out: dict[int, float] = {}
        avg = self.avg or 1.0
        for term in set(terms(query)):
            idf = self.idf(term)
            for i, tf in self.postings.get(term, ()):
                norm = 1.0 - self.b + self.b * self.lengths[i] / avg
                out[i] = out.get(i, 0.0) + idf * tf * (self.k1 + 1.0) / (tf + self.k1 * norm)
        return out

    def rank(self, query: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` best (passage index, score) pairs, best first; zero scores left out."""
        scored = sorted(self.scores(query).items(), key=lambda item: (-item[1], item[0]))
        return scored[: max(0, k)]


def bm25_rank(query: str, passages: Sequence[str], k: int) -> list[tuple[int, float]]:
    """Rank ``passages`` against ``query`` with Okapi BM25; the ``k`` best, best first."""
    return BM25(passages).rank(query, k)


# ---------------------------------------------------------------------------- answer spans

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b(?:{_MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|\d{{1,2}}(?:st|nd|rd|th)? "
    rf"(?:of )?{_MONTH},? \d{{4}}|{_MONTH},? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\b\d{{4}}s?\b(?! ?%)|"
    rf"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
    rf"\d{{1,2}}(?::\d{{2}})? ?(?:[ap]\.?m\.?)|(?:yesterday|today|tomorrow))"
)
_NUMBER = re.compile(
    r"(?:[$€£¥]\s?)?\b\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent|million|billion|thousand|hundred|"
    r"k|kg|g|km|m|cm|mm|mi|miles|feet|ft|lbs?|tons?|years?|months?|weeks?|days?|hours?|"
    r"minutes?|seconds?|people|[a-z]+s)\b)?|\b(?:one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|dozen)\b"
    r"(?:\s[a-z]+s\b)?",
    re.I,
)
_NAME = re.compile(
    r"\b[A-Z][\w'’.-]*(?:\s+(?:of|de|du|des|la|le|van|von|der|da|di|del|the|and|&)?\s*[A-Z][\w'’.-]*)*"
)
_PLACE_CUE = re.compile(r"\b(?:in|at|on|from|near|to|into|inside|outside|across)\s+(?:the\s+)?$")
_DURATION = re.compile(
    r"\b(?:\d[\d,.]*|an?|one|two|three|four|five|six|seven|eight|nine|ten|several|a few)\s+"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries)\b",
    re.I,
)


def _question_type(question: str) -> str:
    q = question.lower().strip()
    for prefix, kind in (
        ("how many", "number"), ("how much", "number"), ("how old", "number"),
        ("how far", "number"), ("how long", "duration"), ("how often", "number"),
        ("who", "name"), ("whom", "name"), ("whose", "name"), ("when", "date"),
        ("what year", "date"), ("what date", "date"), ("which year", "date"),
        ("where", "place"), ("what time", "date"),
    ):  # fmt: skip
        if q.startswith(prefix) or f" {prefix} " in f" {q}":
            return kind
    return "other"


def _in_question(candidate: str, question_terms: set[str]) -> bool:
    words = terms(candidate)
    return bool(words) and all(w in question_terms for w in words)


def _span(kind: str, sentence: Sentence, question: str) -> tuple[int, int] | None:
    """The offsets (within the sentence text) of a short answer of ``kind``, if one is clear."""
    text = sentence.text
    qterms = set(terms(question))
    if kind in ("date", "number", "duration"):
        pattern = {"date": _DATE, "number": _NUMBER, "duration": _DURATION}[kind]
        for m in pattern.finditer(text):
            if not _in_question(m.group(), qterms):
                return m.start(), m.end()
        return None
    if kind in ("name", "place"):
        found = []
        for m in _NAME.finditer(text):
            value = m.group().rstrip(".")
            first = m.start() == 0 and value.split()[0].lower() in STOPWORDS | _QUESTION_WORDS
            if first or _in_question(value, qterms):
                continue
            cue = bool(_PLACE_CUE.search(text[max(0, m.start() - 12) : m.start()]))
            found.append((m.start(), m.start() + len(value), cue))
        if kind == "place":
            found = [f for f in found if f[2]] or found
        return found[0][:2] if found else None
    return None


def _coverage(question_terms: list[str], index: BM25, bag: Counter[str]) -> float:
    """Share (idf-weighted) of the question's content terms present in ``bag``."""
    weights = {t: index.idf(t) + 0.1 for t in question_terms}
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in bag) / total if total else 0.0


def _mentioned(name: str, text: str) -> bool:
    """Whether ``name`` (a capitalised question word) occurs in ``text``, or as initials."""
    if stem(name.lower()) in terms(text):
        return True
    if name.isupper() and 2 <= len(name) <= 5:  # "EU" for "European Union"
        runs = re.findall(r"(?:\b[A-Z][a-z]+(?:\s+(?:of|and|the)\s+|\s+)?)+", text)
        return any(name in "".join(w[0] for w in r.split() if w[0].isupper()) for r in runs)
    return False


def answer(question: str, context: str) -> Answer:
    """Answer ``question`` from ``context`` extractively, or say it cannot (``text=None``)."""
    none = Answer(None, None, 0.0, -1, -1)
    sentences = split_sentences(context)
    question_terms = [
        t for t in dict.fromkeys(terms(question)) if t not in {stem(w) for w in _QUESTION_WORDS}
    ]
    if not sentences or not question_terms:
        return none
    index = BM25([s.text for s in sentences])
    ranked = index.rank(" ".join(question_terms), 5)
    if not ranked:
        return none
    # Among the best BM25 hits, prefer the one covering most of the question, then BM25.
    coverage, _, best = max(
        (round(_coverage(question_terms, index, index.bags[i]), 3), -pos, i)
        for pos, (i, _) in enumerate(ranked)
    )
    # Names in the question ("capital of *France*") must appear near the answer.
    near = " ".join(
        sentences[j].text
        for j in range(max(0, best - 1), min(len(sentences), best + 2))
        if sentences[j].paragraph == sentences[best].paragraph
    )
    names = {
        m.group()
        for m in re.finditer(r"\b[A-Z][A-Za-z]+", question.strip())
        if m.start() > 0 and m.group().lower() not in STOPWORDS | _QUESTION_WORDS
    }
    if coverage < MIN_SCORE or not all(_mentioned(n, near) for n in names):
        return Answer(None, None, round(coverage, 3), -1, -1)
    sentence = sentences[best]
    span = _span(_question_type(question), sentence, question)
    if span is None:
        return Answer(
            sentence.text, sentence.text, round(coverage, 3), sentence.start, sentence.end
        )
    a, b = span
    short = sentence.text[a:b]
    # Map the span back into the context (the sentence text is whitespace-normalised).
    raw = context[sentence.start : sentence.end]
    found = re.search(r"\s+".join(map(re.escape, short.split())), raw)
    start = sentence.start + (found.start() if found else 0)
    end = sentence.start + (found.end() if found else len(raw))
    return Answer(short, sentence.text, round(coverage, 3), start, end)
