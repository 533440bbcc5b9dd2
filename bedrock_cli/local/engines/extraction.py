"""Schema filling: find values for a JSON Schema's properties in what a text contains.

A pure library. :func:`fill` looks for dates, amounts, numbers, emails, phone numbers,
URLs, identifiers, names, booleans, lists and "Label: value" lines, and matches them to
properties by the words of each property's name and description. Values have the type the
schema asks for; a property nothing fits is ``None`` — the engine never invents a value.
"""

from __future__ import annotations

import re
from typing import Any

from .extraction_facts import ages, country_of, items_after, languages, occupations, pick, places
from .extraction_finders import (
    amounts,
    boolean,
    dates,
    emails,
    identifiers,
    list_after,
    numbers,
    pairs,
    parse_as,
    phones,
    urls,
)
from .extraction_names import names
from .extraction_props import (
    DOCUMENTISH,
    KIND_CUES,
    ORG_HINTS,
    Prop,
    best,
    coerce,
    kind_of,
    match,
    prop_of,
    related,
    type_of,
)
from .extraction_words import Found, keywords, spans

__all__ = ["fill"]


def _fact(t: _Text, prop: Prop, kind: str) -> Found | None:
    """The age, city, country or occupation whose cue ("lives in", "born in") fits ``prop``."""
    wanted = prop.words - {kind, "person", "where"}
    return pick([f for f in t.facts() if f.kind == kind], wanted | related(wanted))


class _Text:
    """One text, with its candidates found once and shared by every property."""

    def __init__(self, text: str) -> None:
        text = re.sub(r"\*\*|__", "", text)  # markdown emphasis hides "**Invoice Number:**"
        self.text = text
        self.pairs = pairs(text)
        self.dates = dates(text)
        taken = spans(self.dates)
        self.emails = emails(text)
        self.urls = urls(text)
        taken |= spans(self.emails) | spans(self.urls)
        self.ids = identifiers(text, taken)
        self.phones = phones(text, taken | spans(self.ids))
        taken |= spans(self.phones) | spans(self.ids)
        self.amounts = amounts(text, taken)
        self.numbers = numbers(text, taken)
        self.names = names(text)
        self._facts: list[Found] | None = None

    def facts(self) -> list[Found]:
        if self._facts is None:
            self._facts = ages(self.text) + places(self.text) + occupations(self.text)
        return self._facts


def _value(t: _Text, name: str, spec: dict[str, Any]) -> Any:
    prop = prop_of(name, spec)
    kind = kind_of(prop, spec)
    if kind == "object":
        return _object(t, spec)
    if kind == "list":
        return _list(t, prop, spec)
    if kind == "boolean":
        return boolean(t.text, prop.distinct or prop.name_words)
    if kind == "enum":
        return _enum(t, prop, spec)
    found: Found | None = None
    if kind in ("age", "city", "country", "occupation"):
        pair = next((f for f in t.pairs if prop.name_words <= f.label), None)
        if pair is not None:  # "City: Springfield" says it, gazetteer or not
            return coerce(parse_as("integer" if kind == "age" else kind, pair.raw), spec)
        found = _fact(t, prop, kind)
        if found is None and kind == "country" and (city := _fact(t, prop, "city")):
            found = Found("country", country_of(str(city.value)), "", 0, 0, frozenset())
    pools = {
        "date": (t.dates, True), "email": (t.emails, True), "phone": (t.phones, True),
        "url": (t.urls, True), "id": (t.ids, False), "amount": (t.amounts, False),
        "number": (t.numbers, False), "integer": (t.numbers, False),
    }  # fmt: skip
    if kind in pools:
        pool, fallback = pools[kind]
        # Every candidate is an email (a phone, a URL): "customer_email" is about "customer".
        implied = Prop(prop.name_words - {kind}, prop.desc_words - {kind})
        if fallback and not implied.distinct:  # "phone": the one labelled so, else the first
            cued = [f for f in pool if f.label & (KIND_CUES.get(kind, set()) | {kind})]
            found = next(iter(cued or pool), None)
        else:
            fallback = fallback and implied.distinct <= DOCUMENTISH
            found = best(implied if implied.name_words else prop, pool, fallback=fallback)
        if found is None and kind == "amount" and prop.name_words & {"total", "amount", "due"}:
            money = [f for f in t.amounts if f.money]
            found = max(money, key=lambda f: f.value) if money else None  # totals are largest
    elif kind == "name":
        found = _name(t, prop)
        if found is None and prop.name_words & {"company", "organization", "employer", "business"}:
            return None  # a "From:" line names a person as often as a company
    if found is None:  # a "Label: value" line that names the property
        pair = best(prop, t.pairs)
        if pair is not None:
            return coerce(parse_as(kind, pair.raw), spec)
        return None
    return coerce(found.value, spec)


def _name(t: _Text, prop: Prop) -> Found | None:
    wants_org = bool(prop.words & ORG_HINTS)
    strict = prop.name_words & {"company", "organization", "employer", "business"}
    scored = []
    for i, f in enumerate(t.names):
        score = match(prop, f.label)
        if strict and f.kind != "org" and not strict & f.label:
            continue  # a person is not a company, unless a "Company:" label says so
        if strict and f.kind == "org":
            score = max(score, 0.1)
        if score <= 0 and not prop.distinct - {"first", "last", "full", "person"}:
            score = 0.2 if f.label & {"name", "dear"} else 0.1 if f.kind == "person" else 0.0
        if score > 0:
            score += 0.3 if (f.kind == "org") == wants_org else 0.0
            scored.append((score, -i, f))
    if not scored:
        return None
    top = max(scored, key=lambda s: (s[0], s[1]))[2]
    parts = str(top.value).split()
    if "first" in prop.name_words and len(parts) > 1:
        return Found("person", parts[0], parts[0], top.start, top.end, top.label)
    if prop.name_words & {"last", "surname", "family"} and len(parts) > 1:
        return Found("person", parts[-1], parts[-1], top.start, top.end, top.label)
    return top


def _enum(t: _Text, prop: Prop, spec: dict[str, Any]) -> Any:
    options = [o for o in spec.get("enum", []) if o is not None]
    pair = best(prop, t.pairs)
    haystacks = ([pair.raw] if pair else []) + [t.text]
    for hay in haystacks:
        hits = [
            (m.start(), o)
            for o in options
            if (m := re.search(rf"(?<!\w){re.escape(str(o))}(?!\w)", hay, re.I))
        ]
        if hits:
            return min(hits)[1]
    return None


def _list(t: _Text, prop: Prop, spec: dict[str, Any], *, every: bool = False) -> list[Any] | None:
    items = spec.get("items") or {"type": "string"}
    if type_of(items) == "object":
        rows = _records(t.text, items)
        return rows or None
    pair = best(prop, t.pairs)
    raw_items = list_after(pair) if pair else None
    if raw_items is None and "language" in prop.words:
        raw_items = languages(t.text) or None
    if raw_items is None:
        raw_items = items_after(t.text, prop.distinct)
    if raw_items is None:
        kind = kind_of(prop, items)
        pool = {"email": t.emails, "phone": t.phones, "url": t.urls, "date": t.dates}.get(kind)
        if pool and (every or kind in prop.words):
            return list(dict.fromkeys(f.value for f in pool)) or None
        return None
    kind = kind_of(prop, items)
    values = [coerce(parse_as(kind, raw), items) for raw in raw_items]
    return [v for v in values if v is not None] or None


def _object(t: _Text, schema: dict[str, Any]) -> dict[str, Any]:
    return {name: _value(t, name, spec) for name, spec in schema.get("properties", {}).items()}


def _cells(line: str) -> list[str]:
    return [
        c.strip() for c in re.split(r"\t|\s{2,}|\s*\|\s*", line.strip().strip("|")) if c.strip()
    ]


def _table(text: str, items: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the first table whose header names at least two of the item's properties."""
    props = {
        name: (prop_of(name, spec), spec) for name, spec in items.get("properties", {}).items()
    }
    lines = text.split("\n")
    for n, line in enumerate(lines):
        header = _cells(line)
        if len(header) < 2 or any(not re.search(r"[A-Za-z]", c) for c in header):
            continue
        columns: dict[str, int] = {}
        for name, (prop, _) in props.items():
            scores = [(match(prop, frozenset(keywords(c))), -i) for i, c in enumerate(header)]
            score, col = max(scores)
            if score > 0 and -col not in columns.values():
                columns[name] = -col
        if len(columns) < min(2, len(props)):
            continue
        rows = []
        for row_line in lines[n + 1 :]:
            if re.fullmatch(r"[\s|:+-]*", row_line) and row_line.strip():
                continue  # a markdown separator row
            cells = _cells(row_line)
            if len(cells) != len(header):
                break
            row = {name: None for name in props}
            for name, col in columns.items():
                prop, spec = props[name]
                row[name] = coerce(parse_as(kind_of(prop, spec), cells[col]), spec)
            rows.append(row)
        if rows:
            return rows
    return []


def _records(text: str, items: dict[str, Any]) -> list[Any]:
    """Many records: a table's rows, else one record per paragraph, list item or line."""
    rows = _table(text, items)
    if rows:
        return rows
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    if len(blocks) < 2:
        blocks = re.findall(r"(?m)^\s*(?:[-*•]|\d+[.)])\s+(.+)$", text)
    if len(blocks) < 2:
        blocks = [ln for ln in text.split("\n") if ln.strip()]
    records = [_object(_Text(block), items) for block in blocks]
    return [r for r in records if any(v is not None for v in r.values())]


def fill(schema: dict[str, Any], text: str) -> dict[str, Any] | list[Any]:
    """Fill ``schema`` from ``text``: an object's properties, or a list for ``type: array``.

    Each property gets a value of its schema type found in the text, or None.
    """
    t = _Text(text)
    if type_of(schema) == "array":
        items = schema.get("items") or {}
        if type_of(items) == "object":
            return _records(text, items)
        found = _list(t, prop_of("", items), {**schema, "items": items}, every=True)
        return found or []
    return _object(t, schema)
