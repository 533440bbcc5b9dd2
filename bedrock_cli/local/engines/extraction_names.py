"""Names in a text, for schema filling: people and organisations after cues ("Bill To:",
"From:", "Dear", a sign-off), in a letterhead, or as a bare Title-case name opening a line.

Used by :mod:`.extraction`; :mod:`.extraction_finders` reads a "Label: value" value as a name
with :data:`NAME`.
"""

from __future__ import annotations

import re

from .extraction_words import Found, keywords, word_set

NAME = re.compile(
    r"[A-Z][\w'’.&-]*(?: (?:(?:&|and|of|de|van|von|der|du|la|le) )?[A-Z][\w'’.&-]*){0,5}"
)
_NAME_CUE = re.compile(
    r"(?im)^[ \t]*(?P<cue>bill(?:ed)? to|sold to|ship(?:ped)? to|remit to|pay to|issued (?:to|by)|"
    r"prepared (?:for|by)|from|to|customer(?: name)?|client(?: name)?|vendor|supplier|seller|"
    r"buyer|payee|recipient|(?:full )?name|contact(?: person)?|attn|attention|company(?: name)?|"
    r"author|signed(?: by)?|dear|sincerely|(?:best |kind |warm )?regards|thanks|thank you)"
    r"\b[ \t]*[:,-]?[ \t]*(?P<rest>[^\n]*)"
)
ORG_WORDS = word_set(
    "inc inc. llc ltd ltd. gmbh corp corp. corporation co co. company group plc sa ag bv "
    "limited partners associates solutions systems technologies labs bank university "
    "foundation services industries holdings enterprises agency studio studios consulting "
    "trust"
)


def names(text: str) -> list[Found]:
    """Names after cues ("Bill To:", "From:", "Dear", a sign-off), letterheads, bare names."""
    found: list[Found] = []
    pending: list[str] | None = None  # a cue whose name is on the lines below it
    below = 0
    offset = 0
    for n, line in enumerate(text.split("\n")):
        start, offset = offset, offset + len(line) + 1
        cue = _NAME_CUE.match(line)
        if not line.strip() or cue:
            pending, below = (keywords(cue.group("cue")), 0) if cue else (None, 0)
            rest = cue.group("rest") if cue else ""
            hit = NAME.match(rest.strip())
            if cue and hit:
                pending = None
                found.append(
                    _name_found(
                        hit.group(),
                        start + cue.start("rest"),
                        pending or keywords(cue.group("cue")),
                    )
                )
            continue
        body = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line)
        hit = NAME.match(body)
        at = start + len(line) - len(body)
        if pending is not None and below < 4:
            below += 1
            if hit and not set(keywords(hit.group())) & _LABELISH:
                found.append(_name_found(hit.group(), at, pending))
        elif hit and n < 3 and _is_org(hit.group()) and hit.group() == body.strip():
            found.append(_name_found(hit.group(), at, ["header"]))  # a letterhead
        elif hit and _bare_name(hit.group(), body[hit.end() :]):
            found.append(_name_found(hit.group(), at, []))
    return [f for f in found if f.value.strip(" .,").lower() not in _NOT_NAMES]


_LABELISH = word_set(
    "invoice order number date total amount due subtotal tax bill ship page description "
    "quantity price subject dear item note term payment balance"
)


def _bare_name(name: str, after: str) -> bool:
    """A line opening with two to four Title-case words and no label: "Alice Johnson, …"."""
    words = name.split()
    return (
        2 <= len(words) <= 4
        and all(re.fullmatch(r"[A-Z][a-z'’.-]+", w) for w in words)
        and not after.lstrip().startswith(":")
        and not set(keywords(name)) & _LABELISH
    )


_NOT_NAMES = word_set("invoice receipt date total sir madam customer team all")


def _is_org(name: str) -> bool:
    words = name.lower().replace(",", " ").split()
    return bool(set(words) & ORG_WORDS) or (len(words) > 1 and name.isupper())


def _name_found(raw: str, start: int, cue: list[str]) -> Found:
    value = (
        raw.strip().rstrip(",.")
        if not raw.strip().endswith(("Inc.", "Ltd.", "Co."))
        else raw.strip()
    )
    return Found(
        "org" if _is_org(value) else "person", value, raw, start, start + len(raw), frozenset(cue)
    )


__all__ = ["NAME", "ORG_WORDS", "names"]
