"""What a schema property asks for, for schema filling: its words (name and description),
the kind of value to look for (date, email, amount, name, …), how well a label found in the
text names it, and giving a found value the schema's type.

Used by :mod:`.extraction`, which finds the candidates and fills the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .extraction_finders import MONEY, to_bool, to_number
from .extraction_words import Found, keywords, word_set

GENERIC = word_set("number date amount value name code text field info detail time day")
# Qualifiers that make a property specific: "due_date" must not take the invoice's date.
SPECIFIC = word_set(
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
ORG_HINTS = word_set("company organization vendor supplier seller business employer merchant")
# Words a property may carry that still mean "the document's own" date, number, email, …
DOCUMENTISH = word_set(
    "invoice document issue bill receipt statement letter report created sent order"
)
KIND_CUES = {"phone": {"call", "fax", "contact", "reach"}, "email": {"contact", "write"}}


@dataclass(frozen=True)
class Prop:
    name_words: frozenset[str]
    desc_words: frozenset[str]

    @property
    def words(self) -> frozenset[str]:
        return self.name_words | self.desc_words

    @property
    def distinct(self) -> frozenset[str]:
        return self.name_words - GENERIC


def prop_of(name: str, spec: dict[str, Any]) -> Prop:
    words = frozenset(keywords(name))
    desc = frozenset(keywords(str(spec.get("description", "")))) - words
    return Prop(words, desc)


def match(prop: Prop, label: frozenset[str]) -> float:
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
    if prop.distinct and not (prop.distinct | related(prop.distinct)) & (label | prop.desc_words):
        return 0.0  # only a generic word ("date") matched a specific property ("due_date")
    extra = label - prop.words - related(prop.words)
    conflict = extra & SPECIFIC
    if conflict:
        return 0.0  # "Subtotal" or "Tax" for a property that asks for neither
    return score / max(1.0, len(prop.name_words) + 0.4 * len(prop.desc_words)) - 0.05 * len(extra)


def related(words: frozenset[str]) -> frozenset[str]:
    return frozenset(w for word in words for w in RELATED.get(word, ()))


def best(prop: Prop, found: list[Found], *, fallback: bool = False) -> Found | None:
    """The candidate whose label best names ``prop``; with ``fallback``, a plainly labelled one."""
    scored = [(match(prop, f.label), -i, f) for i, f in enumerate(found)]
    scored = [s for s in scored if s[0] > 0]
    if scored:
        return max(scored, key=lambda s: (s[0], s[1]))[2]
    if fallback:  # "email", "invoice_date": the plainly labelled one, or the only kind there is
        plain = [f for f in found if f.label - {"header"} <= GENERIC | prop.words]
        return plain[0] if plain else None
    return None


def type_of(spec: dict[str, Any]) -> str:
    kind = spec.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if "enum" in spec and kind == "string":
        return "enum"
    return str(kind)


def kind_of(prop: Prop, spec: dict[str, Any]) -> str:
    """What to look for: date, email, phone, url, id, name, amount, number, integer, …"""
    kind = type_of(spec)
    fmt = str(spec.get("format", ""))
    words = prop.name_words
    if kind in ("date", "datetime") or fmt in ("date", "date-time"):
        return "date"
    fact = next((k for k, cue in FACTS if words & cue), None)
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


FACTS = (
    ("age", {"age"}), ("city", {"city", "town", "birthplace", "hometown"}),
    ("country", {"country", "nation"}), ("occupation", {"occupation", "job", "profession"}),
)  # fmt: skip


def coerce(value: Any, spec: dict[str, Any]) -> Any:
    """Give ``value`` the schema's type, or None when it cannot have it."""
    if value is None:
        return None
    kind = type_of(spec)
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


__all__ = ["DOCUMENTISH", "FACTS", "GENERIC", "KIND_CUES", "ORG_HINTS", "RELATED", "SPECIFIC",
           "Prop", "best", "coerce", "kind_of", "match", "prop_of", "related", "type_of"]
