"""Schema filling: find values for a JSON Schema's properties in what a text contains.

A pure library. :func:`fill` looks for dates, amounts, numbers, emails, phone numbers,
URLs, identifiers, names, booleans, lists and "Label: value" lines, and matches them to
properties by the words of each property's name and description. Values have the type the
schema asks for; a property nothing fits is ``None`` — the engine never invents a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .extraction_facts import ages, country_of, items_after, languages, occupations, pick, places
from .extraction_finders import (
    MONEY,
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
    to_bool,
    to_number,
    urls,
)
from .extraction_names import names
from .extraction_words import Found, keywords, spans

__all__ = ["fill"]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


GENERIC = _set("number date amount value name code text field info detail time day")
# Qualifiers that make a property specific: "due_date" must not take the invoice's date.
SPECIFIC = _set(
    "due birth ship deliv start end expir expiry payment paid renew depart arriv return "
    "deadline effect termin tax subtotal discount shipping deposit"
)
RELATED = {
    "total": {"due", "balance", "payable", "grand", "sum"},
    "due": {"total", "balance", "payable"},
    "customer": {"bill", "client", "buyer", "sold", "recipient", "to", "dear", "attn"},
    "client": {"bill", "customer", "buyer", "sold", "recipient", "to", "dear"},
    "recipient": {"to", "bill", "dear", "attn", "customer"},
    "vendor": {"from", "supplier", "seller", "company", "issuer", "remit", "merchant", "header"},
    "supplier": {"from", "vendor", "seller", "company", "remit", "header"},
    "seller": {"from", "vendor", "supplier", "merchant", "header"},
    "sender": {"from", "sign", "sincerely", "regard"},
    "company": {"from", "vendor", "header", "organization"},
    "issue": {"invoice", "date"},
    "invoice": {"issue"},
    "author": {"by", "from", "sign"},
    "salary": {"earn", "paid", "pay", "wage", "income", "salary"},
    "live": {"live", "base", "resid", "home", "current", "locat"},
    "home": {"live", "base", "resid"},
    "birth": {"birth", "birthplace", "native"},
    "birthplace": {"birth"},
    "hometown": {"birth", "grew"},
}
ORG_HINTS = _set("company organization vendor supplier seller business employer merchant")
# Words a property may carry that still mean "the document's own" date, number, email, …
DOCUMENTISH = _set("invoice document issue bill receipt statement letter report created sent order")
_KIND_CUES = {"phone": {"call", "fax", "contact", "reach"}, "email": {"contact", "write"}}


@dataclass(frozen=True)
class _Prop:
    name_words: frozenset[str]
    desc_words: frozenset[str]

    @property
    def words(self) -> frozenset[str]:
        return self.name_words | self.desc_words

    @property
    def distinct(self) -> frozenset[str]:
        return self.name_words - GENERIC


def _prop(name: str, spec: dict[str, Any]) -> _Prop:
    words = frozenset(keywords(name))
    desc = frozenset(keywords(str(spec.get("description", "")))) - words
    return _Prop(words, desc)


def _match(prop: _Prop, label: frozenset[str]) -> float:
    """How well a label ("Invoice No.", "Total due") names the property; 0 when it does not."""
    if not label:
        return 0.0
    score = 0.0
    for word in prop.name_words:
        if word in label:
            score += 1.0
        elif RELATED.get(word, set()) & label:
            score += 0.6
    score += 0.4 * len(prop.desc_words & label)
    if score == 0.0:
        return 0.0
    if prop.distinct and not (prop.distinct | _related(prop.distinct)) & (label | prop.desc_words):
        return 0.0  # only a generic word ("date") matched a specific property ("due_date")
    extra = label - prop.words - _related(prop.words)
    conflict = extra & SPECIFIC
    if conflict:
        return 0.0  # "Subtotal" or "Tax" for a property that asks for neither
    return score / max(1.0, len(prop.name_words) + 0.4 * len(prop.desc_words)) - 0.05 * len(extra)


def _related(words: frozenset[str]) -> frozenset[str]:
    return frozenset(w for word in words for w in RELATED.get(word, ()))


def _best(prop: _Prop, found: list[Found], *, fallback: bool = False) -> Found | None:
    """The candidate whose label best names ``prop``; with ``fallback``, a plainly labelled one."""
    scored = [(_match(prop, f.label), -i, f) for i, f in enumerate(found)]
    scored = [s for s in scored if s[0] > 0]
    if scored:
        return max(scored, key=lambda s: (s[0], s[1]))[2]
    if fallback:  # "email", "invoice_date": the plainly labelled one, or the only kind there is
        plain = [f for f in found if f.label - {"header"} <= GENERIC | prop.words]
        return plain[0] if plain else None
    return None


def _type_of(spec: dict[str, Any]) -> str:
    kind = spec.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if "enum" in spec and kind == "string":
        return "enum"
    return str(kind)


def _kind(prop: _Prop, spec: dict[str, Any]) -> str:
    """What to look for: date, email, phone, url, id, name, amount, number, integer, …"""
    kind = _type_of(spec)
    fmt = str(spec.get("format", ""))
    words = prop.name_words
    if kind in ("date", "datetime") or fmt in ("date", "date-time"):
        return "date"
    fact = next((k for k, cue in _FACTS if words & cue), None)
    if fact and (kind in ("integer", "number") if fact == "age" else kind == "string"):
        return fact
    if kind in ("number", "integer"):
        return "amount" if words & MONEY or prop.desc_words & MONEY else kind
    if kind != "string":
        return "list" if kind == "array" else kind
    checks = (
        ("date", {"date", "dob", "birthday"}), ("email", {"email"}), ("phone", {"phone", "fax"}),
        ("url", {"url"}), ("id", {"number", "id", "reference", "code", "po", "sku", "iban"}),
        ("amount", MONEY),
        ("name", {"name", "person", "customer", "client", "vendor", "supplier", "seller",
                  "company", "organization", "recipient", "sender", "author", "payee", "sign"}),
    )  # fmt: skip
    if fmt == "email":
        return "email"
    if fmt in ("uri", "url"):
        return "url"
    for found_kind, cue in checks:
        if words & cue:
            return found_kind
    for found_kind, cue in checks:
        if prop.desc_words & cue:
            return found_kind
    return "string"


_FACTS = (
    ("age", {"age"}), ("city", {"city", "town", "birthplace", "hometown"}),
    ("country", {"country", "nation"}), ("occupation", {"occupation", "job", "profession"}),
)  # fmt: skip


def _fact(t: _Text, prop: _Prop, kind: str) -> Found | None:
    """The age, city, country or occupation whose cue ("lives in", "born in") fits ``prop``."""
    wanted = prop.words - {kind, "person", "where"}
    return pick([f for f in t.facts() if f.kind == kind], wanted | _related(wanted))


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
    prop = _prop(name, spec)
    kind = _kind(prop, spec)
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
            return _coerce(parse_as("integer" if kind == "age" else kind, pair.raw), spec)
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
        implied = _Prop(prop.name_words - {kind}, prop.desc_words - {kind})
        if fallback and not implied.distinct:  # "phone": the one labelled so, else the first
            cued = [f for f in pool if f.label & (_KIND_CUES.get(kind, set()) | {kind})]
            found = next(iter(cued or pool), None)
        else:
            fallback = fallback and implied.distinct <= DOCUMENTISH
            found = _best(implied if implied.name_words else prop, pool, fallback=fallback)
        if found is None and kind == "amount" and prop.name_words & {"total", "amount", "due"}:
            money = [f for f in t.amounts if f.money]
            found = max(money, key=lambda f: f.value) if money else None  # totals are largest
    elif kind == "name":
        found = _name(t, prop)
        if found is None and prop.name_words & {"company", "organization", "employer", "business"}:
            return None  # a "From:" line names a person as often as a company
    if found is None:  # a "Label: value" line that names the property
        pair = _best(prop, t.pairs)
        if pair is not None:
            return _coerce(parse_as(kind, pair.raw), spec)
        return None
    return _coerce(found.value, spec)


def _name(t: _Text, prop: _Prop) -> Found | None:
    wants_org = bool(prop.words & ORG_HINTS)
    strict = prop.name_words & {"company", "organization", "employer", "business"}
    scored = []
    for i, f in enumerate(t.names):
        score = _match(prop, f.label)
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
    best = max(scored, key=lambda s: (s[0], s[1]))[2]
    parts = str(best.value).split()
    if "first" in prop.name_words and len(parts) > 1:
        return Found("person", parts[0], parts[0], best.start, best.end, best.label)
    if prop.name_words & {"last", "surname", "family"} and len(parts) > 1:
        return Found("person", parts[-1], parts[-1], best.start, best.end, best.label)
    return best


def _enum(t: _Text, prop: _Prop, spec: dict[str, Any]) -> Any:
    options = [o for o in spec.get("enum", []) if o is not None]
    pair = _best(prop, t.pairs)
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


def _list(t: _Text, prop: _Prop, spec: dict[str, Any], *, every: bool = False) -> list[Any] | None:
    items = spec.get("items") or {"type": "string"}
    if _type_of(items) == "object":
        rows = _records(t.text, items)
        return rows or None
    pair = _best(prop, t.pairs)
    raw_items = list_after(pair) if pair else None
    if raw_items is None and "language" in prop.words:
        raw_items = languages(t.text) or None
    if raw_items is None:
        raw_items = items_after(t.text, prop.distinct)
    if raw_items is None:
        kind = _kind(prop, items)
        pool = {"email": t.emails, "phone": t.phones, "url": t.urls, "date": t.dates}.get(kind)
        if pool and (every or kind in prop.words):
            return list(dict.fromkeys(f.value for f in pool)) or None
        return None
    kind = _kind(prop, items)
    values = [_coerce(parse_as(kind, raw), items) for raw in raw_items]
    return [v for v in values if v is not None] or None


def _coerce(value: Any, spec: dict[str, Any]) -> Any:
    """Give ``value`` the schema's type, or None when it cannot have it."""
    if value is None:
        return None
    kind = _type_of(spec)
    if kind in ("number", "integer"):
        number = to_number(value) if isinstance(value, str) else value
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            return None
        if kind == "number":
            return float(number)
        return int(number) if float(number).is_integer() else None
    if kind == "boolean":
        return value if isinstance(value, bool) else to_bool(str(value))
    if kind in ("string", "enum", "date", "datetime"):
        return value if isinstance(value, str) else str(value)
    return value


def _object(t: _Text, schema: dict[str, Any]) -> dict[str, Any]:
    return {name: _value(t, name, spec) for name, spec in schema.get("properties", {}).items()}


def _cells(line: str) -> list[str]:
    return [
        c.strip() for c in re.split(r"\t|\s{2,}|\s*\|\s*", line.strip().strip("|")) if c.strip()
    ]


def _table(text: str, items: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the first table whose header names at least two of the item's properties."""
    props = {name: (_prop(name, spec), spec) for name, spec in items.get("properties", {}).items()}
    lines = text.split("\n")
    for n, line in enumerate(lines):
        header = _cells(line)
        if len(header) < 2 or any(not re.search(r"[A-Za-z]", c) for c in header):
            continue
        columns: dict[str, int] = {}
        for name, (prop, _) in props.items():
            scores = [(_match(prop, frozenset(keywords(c))), -i) for i, c in enumerate(header)]
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
                row[name] = _coerce(parse_as(_kind(prop, spec), cells[col]), spec)
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
    if _type_of(schema) == "array":
        items = schema.get("items") or {}
        if _type_of(items) == "object":
            return _records(text, items)
        found = _list(t, _prop("", items), {**schema, "items": items}, every=True)
        return found or []
    return _object(t, schema)
