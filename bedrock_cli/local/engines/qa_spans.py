"""Typed answer spans for extractive QA: what kind of answer a question wants, and where
such an answer (a date and time, a duration, a measure, a number, a name, a place) sits in a
sentence.

A pure library used by :mod:`.qa`.
"""

from __future__ import annotations

import re

from bedrock_cli.text.terms import STOPWORDS, terms

from .structure import VERBS

__all__ = ["TYPE_WORDS", "question_kind", "span"]

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = (r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
        r"(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\b\.?)")
_ORD = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b(?:{_MONTH}\.? \d{{1,2}}{_ORD},? \d{{4}}|\d{{1,2}}{_ORD} (?:of )?{_MONTH},? \d{{4}}|"
    rf"{_MONTH},? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|"
    rf"(?:the )?(?:first|second|third|fourth|last|final) (?:week|weekend|day) of {_MONTH}|"
    rf"(?:early|mid|late|mid-) ?{_MONTH}|(?:the (?:end|beginning|start|middle) of) {_MONTH}|"
    rf"{_MONTH}\.? \d{{1,2}}{_ORD}\b|\d{{1,2}}{_ORD} (?:of )?{_MONTH}\b|"
    rf"(?:next|last|this) (?:week|month|year|{_DAY})|{_DAY}s?|"
    rf"\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?: ?[ap]\.?m\.?)?|\d{{1,2}} ?[ap]\.?m\.?|noon|midnight|"
    rf"\b\d{{4}}s?\b(?! ?%)|yesterday|today|tomorrow)"
)
# What may stand between two parts of one date: "Thursday, 14 March 2024 at 10:00".
_DATE_GLUE = re.compile(r"[ \t]*(?:,[ \t]*)?(?:(?:at|on|from|the)[ \t]+)?")
_UNIT = (
    r"(?:%|percent|per cent|million|billion|thousand|hundred|k|kg|g|grams?|kilos?|kilograms?|"
    r"mg|lbs?|pounds?|ounces?|oz|tons?|tonnes?|km|m|cm|mm|mi|miles?|metres?|meters?|"
    r"kilometres?|kilometers?|feet|foot|ft|inch(?:es)?|yards?|acres?|hectares?|litres?|"
    r"liters?|ml|gallons?|cups?|tbsp|tsp|tablespoons?|teaspoons?|°[CF]?|degrees?|km/h|mph|"
    r"years?|months?|weeks?|days?|hours?|minutes?|seconds?|people|[a-z]+s)"
)
_NUMBER = re.compile(
    rf"(?:[$€£¥]\s?)?\b\d[\d,]*(?:\.\d+)?(?:\s?{_UNIT}\b)?|\b(?:one|two|three|four|five|six|"
    r"seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|dozen)\b"
    r"(?:\s[a-z]+s\b)?",
    re.I,
)
_MEASURE = re.compile(
    r"\b\d[\d,]*(?:\.\d+)?\s?(?:km|m|cm|mm|mi|miles?|metres?|meters?|kilometres?|kilometers?|"
    r"feet|foot|ft|inch(?:es)?|yards?|kg|g|grams?|kilos?|kilograms?|lbs?|pounds?|tons?|tonnes?|"
    r"°[CF]?|degrees?|km/h|mph|litres?|liters?|acres?|hectares?)(?![\w])"
    r"(?:\s\((?:[^()]{1,20})\))?",
    re.I,
)
_NAME = re.compile(
    r"\b[A-Z][\w'’.-]*(?:\s+(?:of|de|du|des|la|le|van|von|der|da|di|del|the|and|&)?\s*[A-Z][\w'’.-]*)*"
)
_NUMBERED = re.compile(r" \d+[A-Z]?\b")
_PLACE_CUE = re.compile(r"\b(?:in|at|on|from|near|to|into|inside|outside|across)\s+(?:the\s+)?$")
_DURATION = re.compile(
    r"\b(?:(?:about|around|roughly|nearly|over|under|up to|at least)\s+)?"
    r"(?:\d[\d,.]*(?:\s?(?:-|–|to)\s?\d[\d,.]*)?|an?|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|sixty|several|a few)\s+"
    r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|decades?|centuries)\b",
    re.I,
)
# "how X" words that only say what kind of answer is wanted: not the question's subject.
TYPE_WORDS = frozenset(
    re.findall(r"\w+", "high tall deep wide big large heavy far long old many much often hot "
               "cold fast temperature height length weight size distance depth")
)
_KINDS = (
    ("how long", "duration"), ("how many", "number"), ("how much", "number"),
    ("how old", "number"), ("how often", "number"), ("how far", "measure"),
    ("how high", "measure"), ("how tall", "measure"), ("how deep", "measure"),
    ("how wide", "measure"), ("how big", "measure"), ("how large", "measure"),
    ("how heavy", "measure"), ("how hot", "measure"), ("how cold", "measure"),
    ("how fast", "measure"), ("what temperature", "measure"), ("what height", "measure"),
    ("what length", "measure"), ("what weight", "measure"), ("what size", "measure"),
    ("what distance", "measure"), ("what depth", "measure"), ("what time", "date"),
    ("what year", "date"), ("what date", "date"), ("which year", "date"), ("which day", "date"),
    ("what day", "date"),
    ("who", "name"), ("whom", "name"), ("whose", "name"), ("when", "date"), ("where", "place"),
)  # fmt: skip


def question_kind(question: str) -> str:
    """date, duration, measure, number, name, place, or other."""
    q = " " + re.sub(r"[^\w\s]", " ", question.lower()) + " "
    for prefix, kind in _KINDS:
        if f" {prefix} " in q:
            return kind
    return "other"


def _in_question(candidate: str, question_terms: set[str]) -> bool:
    words = terms(candidate)
    return bool(words) and all(w in question_terms for w in words)


def _dates(text: str, qterms: set[str]) -> tuple[int, int] | None:
    """The first date not named in the question, with the parts that follow it joined."""
    found = [m for m in _DATE.finditer(text) if not _in_question(m.group(), qterms)]
    if not found:
        return None
    start, end = found[0].span()
    for m in found[1:]:
        glue = _DATE_GLUE.fullmatch(text, end, m.start())
        if glue is None:
            break
        end = m.end()
    return start, end


def _pattern(pattern: re.Pattern[str], text: str, qterms: set[str]) -> tuple[int, int] | None:
    for m in pattern.finditer(text):
        if not _in_question(m.group(), qterms):
            return m.start(), m.end()
    return None


def _names(text: str, question: str, qterms: set[str], place: bool) -> tuple[int, int] | None:
    found = []
    dates = [d.span() for d in _DATE.finditer(text)]
    for m in _NAME.finditer(text):
        value = m.group().rstrip(".")
        opener = value.split()[0].lower()
        first = m.start() == 0 and (opener in STOPWORDS | {"how", "what"}
                                    or (" " not in value and opener in VERBS))
        if any(a <= m.start() < b for a, b in dates):
            continue  # "Mon Mar 4" is a date
        label = text[m.start() + len(value) : m.start() + len(value) + 1] == ":"
        if first or label or _in_question(value, qterms) or _DATE.fullmatch(value):
            continue  # "on Thursday" is a date, "Author:" a label: neither a place nor a person
        number = _NUMBERED.match(text, m.start() + len(value))
        if place and number:  # "Room 4B", "Gate 12"
            value += number.group()
        cue = bool(_PLACE_CUE.search(text[max(0, m.start() - 12) : m.start()]))
        found.append((m.start(), m.start() + len(value), cue))
    if place:
        found = [f for f in found if f[2]] or found
    if not found:
        return None
    start, end, _ = found[0]
    if not place:  # "Alice Martin, Bob Chen and Carla Diaz": the whole enumeration
        for other_start, other_end, _ in found[1:]:
            if not re.fullmatch(r",?\s*(?:and\s+)?|\s*,\s*", text[end:other_start]):
                break
            end = other_end
    return start, end


def span(kind: str, text: str, question: str) -> tuple[int, int] | None:
    """The offsets (within ``text``, one sentence) of a short answer of ``kind``, if clear."""
    qterms = set(terms(question))
    if kind == "date":
        return _dates(text, qterms)
    if kind == "duration":
        return _pattern(_DURATION, text, qterms) or _pattern(_MEASURE, text, qterms)
    if kind == "measure":
        return _pattern(_MEASURE, text, qterms)
    if kind == "number":
        return _pattern(_NUMBER, text, qterms)
    if kind in ("name", "place"):
        return _names(text, question, qterms, kind == "place")
    return None
