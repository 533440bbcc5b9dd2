"""Facts about people and places, for schema filling: ages, cities and countries (from the
gazetteer shipped in ``data/places.txt``), languages, occupations, and the items of an
enumeration ("speaks English, French and German").

Used by :mod:`.extraction`. Each finder returns :class:`~.extraction_words.Found` values
labelled with the words before them in their sentence ("lives in", "born in"), so the
caller can pick the one a property's name or description asks for.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .extraction_words import Found, keywords

__all__ = [
    "Gazetteer", "ages", "country_of", "enumeration", "gazetteer", "items_after", "languages",
    "occupations", "pick", "places",
]

PLACES = Path(__file__).parent / "data" / "places.txt"
# Place names that are also common words or first names: taken only after "in", "from", …
def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_NEEDS_CUE = _set(
    "Chad Jordan Florence Victoria Washington Georgia Nice Bath Split Turkey China Guinea "
    "Salvador Santiago Kingston Columbus Cambridge Niger Cali Mali Oman Sofia Split Reading "
    "America US Congo Perth Darwin Luxembourg Singapore Monaco Victoria"
)
_PLACE_CUE = re.compile(
    r"(?i)\b(?:in|from|to|at|near|of|into|across|visit(?:ed|ing|s)?|left|via|outside)\s+$"
)


@dataclass(frozen=True)
class Gazetteer:
    countries: dict[str, str]  # every name as written -> the country's usual name
    cities: dict[str, str]  # city -> its country's usual name
    languages: frozenset[str]
    pattern: re.Pattern[str]  # any city or country name, longest first


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    countries: dict[str, str] = {}
    cities: dict[str, str] = {}
    langs: set[str] = set()
    section = ""
    for line in PLACES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "countries":
            names = line.split("|")
            countries.update((n, names[0]) for n in names)
        elif section == "cities":
            city, country = line.split("\t")
            cities[city] = countries.get(country, country)
        elif section == "languages":
            langs.add(line.strip())
    names = sorted({*countries, *cities}, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])")
    return Gazetteer(countries, cities, frozenset(langs), pattern)


def _before(text: str, start: int, words: int = 8) -> frozenset[str]:
    """The words before ``start`` in its clause (its cue: "lives in", "born in")."""
    head = text[max(0, start - 120) : start]
    head = re.split(r"[.!?;\n](?:\s|$)|,|\b(?:and|but|while|whereas)\b", head)[-1]
    return frozenset(keywords(head)[-words:])


def places(text: str) -> list[Found]:
    """Cities (kind ``city``) and countries (kind ``country``) named in ``text``."""
    g = gazetteer()
    found: list[Found] = []
    for m in g.pattern.finditer(text):
        name = m.group()
        cued = _PLACE_CUE.search(text[max(0, m.start() - 16) : m.start()]) is not None
        after_city = re.search(r"[A-Za-z], $", text[max(0, m.start() - 3) : m.start()])
        if name in _NEEDS_CUE and not (cued or after_city):
            continue
        kind = "country" if name in g.countries else "city"
        label = _before(text, m.start()) | ({"cue"} if cued else set())
        if after_city and found and found[-1].end == m.start() - 2:
            label = found[-1].label  # "lives in London, United Kingdom"
        found.append(Found(kind, name, name, m.start(), m.end(), label))
    return found


def country_of(city: str) -> str | None:
    return gazetteer().cities.get(city)


_AGE = re.compile(
    r"(?i)\b(?P<n>\d{1,3})(?:[- ](?:years?|yrs?)[- ]old\b|[- ]year[- ]old\b|\s?(?:y/o|yo)\b)"
    r"|\b(?:aged?|age:|age of|turned|turns)\s*(?P<m>\d{1,3})\b"
    r"|(?<=[A-Za-z]) \((?P<p>\d{1,3})\)"
)


def ages(text: str) -> list[Found]:
    """Ages: "42-year-old", "42 years old", "aged 42", "Age: 42", "Maria (42)"."""
    found = []
    for m in _AGE.finditer(text):
        raw = m.group("n") or m.group("m") or m.group("p")
        if raw is not None and 0 < int(raw) < 130:
            label = _before(text, m.start())
            found.append(Found("age", int(raw), m.group(), m.start(), m.end(), label))
    return found


_OCCUPATION_HEADS = _set(
    "engineer developer programmer designer architect scientist doctor nurse surgeon teacher "
    "professor lecturer lawyer attorney solicitor accountant consultant analyst manager director "
    "officer chef cook baker pilot driver farmer writer author journalist editor artist painter "
    "musician singer actor actress photographer student researcher economist banker broker "
    "plumber electrician carpenter mechanic technician pharmacist dentist vet veterinarian "
    "therapist psychologist librarian clerk secretary assistant administrator entrepreneur "
    "founder ceo cto cfo executive salesman saleswoman translator interpreter firefighter "
    "soldier police policeman policewoman detective judge diplomat politician physicist "
    "chemist biologist mathematician statistician historian philosopher poet novelist "
    "composer dancer athlete coach footballer cyclist runner waiter waitress cashier tailor "
    "builder gardener miner fisherman sailor captain paramedic midwife carer caregiver "
    "specialist expert owner worker employee intern apprentice freelancer"
)
_OCCUPATION = re.compile(
    r"\b(?:works? as|working as|worked as|employed as|job as|career as|is|was|as)\s+"
    r"(?:an?|the)\s+(?:\d{1,3}[- ]year[- ]old\s+)?(?P<x>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3})"
)


def occupations(text: str) -> list[Found]:
    """Jobs: "works as a nurse", "is a 42-year-old software engineer who …"."""
    found = []
    for m in _OCCUPATION.finditer(text):
        words = m.group("x").split()
        for end in range(len(words), 0, -1):  # the longest phrase ending on a job word
            head = words[end - 1].lower()
            if head in _OCCUPATION_HEADS or head.rstrip("s") in _OCCUPATION_HEADS:
                value = " ".join(words[:end])
                start = m.start("x")
                found.append(Found("occupation", value, value, start, start + len(value),
                                   _before(text, m.start())))
                break
    return found


_ITEM_SPLIT = re.compile(r"\s*(?:,\s*(?:and|or)\s+|,\s*|\s+(?:and|or|&)\s+|\s*/\s*)")


def enumeration(text: str, start: int) -> list[str]:
    """The items of the list that starts at ``start``: "English, Spanish and German, and is …"
    gives the three names (the list ends at its sentence's end or at an item of many words)."""
    stop = re.search(r"[.;:!?\n](?:\s|$)|\s—\s|\s\(", text[start:])
    body = text[start : start + (stop.start() if stop else len(text) - start)]
    items = []
    for part in _ITEM_SPLIT.split(body.strip()):
        part = part.strip(" .\"'")
        if not part or len(part.split()) > 4:
            break
        items.append(part)
    return items


_SPEAK = re.compile(
    r"(?i)\b(?:speaks?|speaking|spoke|fluent in|languages?(?: spoken)?(?: are| include| known)?"
    r":?|native(?: language)? is|mother tongue is)\s+(?:fluent\s+|fluently\s+)?"
)


def languages(text: str) -> list[str]:
    """The languages a text says are spoken: those listed after "speaks", "fluent in",
    "Languages:"; else every language it names."""
    known = gazetteer().languages
    spoken: list[str] = []
    for m in _SPEAK.finditer(text):
        items = enumeration(text, m.end())
        spoken += [i for i in items if i in known]
    if not spoken:
        spoken = [m.group() for m in re.finditer(r"\b[A-Z][a-z]+\b", text) if m.group() in known]
    return list(dict.fromkeys(spoken))


def pick(pool: list[Found], wanted: frozenset[str]) -> Found | None:
    """The fact whose cue fits the property's words best ("lives in" for a city "where the
    person lives"); none for a birth place when no fact is said to be one."""
    if not pool or ("birth" in wanted and not any("birth" in f.label for f in pool)):
        return None

    def fit(f: Found) -> float:
        score = len(wanted & f.label) + (0.5 if "cue" in f.label else 0.0)
        if "birth" in f.label and "birth" not in wanted:
            score -= 1.0  # "born in Madrid" is not where she lives
        return score

    return max(pool, key=lambda f: (fit(f), -f.start))


def items_after(text: str, words: frozenset[str]) -> list[str] | None:
    """The enumeration after a property's word: "Hobbies include chess, running and …"."""
    if not words:
        return None
    stems = (w[:-1] if w.endswith("y") else w for w in words)
    cue = re.search(
        rf"(?i)\b(?:{'|'.join(map(re.escape, stems))})\w*\b"
        r"(?:\s+(?:are|is|include|includes|including|such as|like))?:?\s+",
        text,
    )
    return (enumeration(text, cue.end()) or None) if cue else None
