"""Extractive question answering: BM25 over sentences, then a short span by question type.

A pure library. :func:`answer` either points at text that is in the context (a sentence,
and a name/date/place/number inside it when the question asks for one) or returns
``text=None`` — it never guesses. Sentences are ranked with :mod:`bedrock_cli.text.bm25`,
the same ranking ``ask`` uses to pick the chunks of a large context that fit the budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bedrock_cli.text.bm25 import BM25
from bedrock_cli.text.terms import STOPWORDS, stem, terms

from .qa_spans import TYPE_WORDS, question_kind, span
from .structure import layout
from .summarizer import split_sentences

__all__ = ["Answer", "answer"]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that shape a question but say nothing about its subject.
_QUESTION_WORDS = _set(
    "what which who whom whose when where why how many much long old far often tell name give "
    "list does do did is are was were please know time date year day"
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


# ---------------------------------------------------------------------------- answering

_LABEL_LINE = re.compile(r"[A-Z][\w -]{0,30}:\s")  # "Author: Dana Lee", "Date: …"
INHERITED = 0.6  # how much a section's heading (or the title) says about its sentences
SPAN_BONUS = 0.5  # a sentence holding an answer of the asked kind beats a mere mention


def _coverage(weights: dict[str, float], own: set[str], inherited: set[str]) -> float:
    """Share (idf-weighted) of the question's content terms the sentence holds; terms only its
    section heading, the document's title or the sentence before it in its paragraph hold
    count :data:`INHERITED`."""
    total = sum(weights.values())
    got = sum(w * (1.0 if t in own else INHERITED if t in inherited else 0.0)
              for t, w in weights.items())
    return got / total if total else 0.0


def _mentioned(name: str, text: str) -> bool:
    """Whether ``name`` (a capitalised question word) occurs in ``text``, or as initials."""
    if stem(name.lower()) in terms(text):
        return True
    if name.isupper() and 2 <= len(name) <= 5:  # "EU" for "European Union"
        runs = re.findall(r"(?:\b[A-Z][a-z]+(?:\s+(?:of|and|the)\s+|\s+)?)+", text)
        return any(name in "".join(w[0] for w in r.split() if w[0].isupper()) for r in runs)
    return False


def _content_terms(question: str) -> list[str]:
    """The question's subject terms: without question words or the "how X" type word."""
    stripped = re.sub(r"(?i)\b(how|what)\s+(\w+)",
                      lambda m: m.group(1) if m.group(2).lower() in TYPE_WORDS else m.group(0),
                      question)
    ignore = {stem(w) for w in _QUESTION_WORDS}
    return [t for t in dict.fromkeys(terms(stripped)) if t not in ignore]


def answer(question: str, context: str) -> Answer:
    """Answer ``question`` from ``context`` extractively, or say it cannot (``text=None``).

    Headings are never answers, but a sentence inherits its section heading's words and the
    title's ("How high is Kilimanjaro?" under "Mount Kilimanjaro": "At 5,895 metres, it is …").
    When the question asks for a kind of answer (a date, a duration, a measure, a number, a
    name, a place), sentences holding one are preferred and the answer is that span.
    """
    none = Answer(None, None, 0.0, -1, -1)
    sentences = split_sentences(context)
    question_terms = _content_terms(question)
    if not sentences or not question_terms:
        return none
    lay = layout(context, sentences)
    index = BM25([s.text for s in sentences])
    bm25 = index.scores(" ".join(question_terms))
    weights = {t: index.idf(t) + 0.1 for t in question_terms}
    kind = question_kind(question)
    title = set(index.bags[lay.title]) if lay.title >= 0 else set()
    best: tuple[tuple[float, ...], int, tuple[int, int] | None, float] | None = None
    for i, sentence in enumerate(sentences):
        if lay.heading[i]:
            continue
        own = set(index.bags[i])
        inherited = title | (set(index.bags[lay.section[i]]) if lay.section[i] >= 0 else set())
        if i and sentences[i - 1].paragraph == sentence.paragraph:  # "In 1802 … . The council
            inherited = inherited | set(index.bags[i - 1])  # recorded that 5 families …"
        coverage = _coverage(weights, own, inherited)
        if coverage < MIN_SCORE:
            continue
        found = span(kind, sentence.text, question)
        key = (round(coverage + (SPAN_BONUS if found else 0.0), 3), bm25.get(i, 0.0), -i)
        if best is None or key > best[0]:
            best = (key, i, found, coverage)
    if best is None:
        return none
    _, i, found, coverage = best
    sentence = sentences[i]
    # Names in the question ("capital of *France*") must appear near the answer.
    near = " ".join(
        sentences[j].text
        for j in [*range(max(0, i - 1), min(len(sentences), i + 2)), lay.section[i], lay.title]
        if j >= 0 and (sentences[j].paragraph == sentence.paragraph or lay.heading[j])
    )
    names = {
        m.group()
        for m in re.finditer(r"\b[A-Z][A-Za-z]+", question.strip())
        if m.start() > 0 and m.group().lower() not in STOPWORDS | _QUESTION_WORDS
    }
    if not all(_mentioned(n, near) for n in names):
        return Answer(None, None, round(coverage, 3), -1, -1)
    score = round(min(1.0, coverage), 3)
    if found is None and kind in ("name", "date"):  # "Author: …" or "Date: …" just above it
        for j in (i - 1, i - 2, i - 3, i + 1):
            if 0 <= j < len(sentences) and _LABEL_LINE.match(sentences[j].text):
                found = span(kind, sentences[j].text, question)
                if found is not None:
                    sentence = sentences[j]
                    break
    if found is None:
        return Answer(sentence.text, sentence.text, score, sentence.start, sentence.end)
    a, b = found
    short = sentence.text[a:b]
    # Map the span back into the context (the sentence text is whitespace-normalised).
    raw = context[sentence.start : sentence.end]
    located = re.search(r"\s+".join(map(re.escape, short.split())), raw)
    start = sentence.start + (located.start() if located else 0)
    end = sentence.start + (located.end() if located else len(raw))
    return Answer(short, sentence.text, score, start, end)
