"""What a text contains, for schema filling: labelled values, dates, amounts, numbers,
emails, phones, URLs, identifiers, names, booleans — each with the words that label it.

Used by :mod:`.extraction`, which matches these candidates to a schema's properties.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


MONEY = _set(
    "total amount price cost subtotal tax due balance sum fee paid charge pay budget salary "
    "revenue income rent deposit refund"
)

# ------------------------------------------------------------------ words and labels

_LABEL_STOP = _set(
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


def _norm(word: str) -> str:
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
    return [w for w in (_norm(r) for r in raw) if w and w not in _LABEL_STOP]


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


def _label(text: str, start: int) -> frozenset[str]:
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


def _free(m: re.Match[str], taken: set[int], group: int | str = 0) -> bool:
    return not any(i in taken for i in range(m.start(group), m.end(group)))


# ------------------------------------------------------------------------- finders

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_MON = r"(?P<mon>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?)"
_DATE_PATTERNS = [
    re.compile(r"\b(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b"),
    re.compile(rf"(?i)\b{_MON}[ \t]+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(?P<y>\d{{4}})\b"),
    re.compile(
        rf"(?i)\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[ \t-]+(?:of[ \t]+)?{_MON}[ \t,-]+(?P<y>\d{{4}})\b"
    ),
    re.compile(r"\b(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})\b"),
]


def _date_of(m: re.Match[str]) -> str | None:
    parts = m.groupdict()
    year = int(parts["y"])
    year += 2000 if year < 70 else 1900 if year < 100 else 0
    if parts.get("mon"):
        month = _MONTHS.get(parts["mon"][:3].lower())
        day = int(parts["d"])
    elif parts.get("a"):
        a, b = int(parts["a"]), int(parts["b"])
        # 13/03 is day-first; 03/13 is month-first; otherwise "." means day-first (European).
        month, day = (b, a) if a > 12 or (b <= 12 and parts["sep"] == ".") else (a, b)
    else:
        month, day = int(parts["m"]), int(parts["d"])
    try:
        return date(year, month or 0, day).isoformat()
    except ValueError:
        return None


def dates(text: str) -> list[Found]:
    found: list[Found] = []
    taken: set[int] = set()
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            iso = _date_of(m)
            if iso and _free(m, taken):
                found.append(
                    Found("date", iso, m.group(), m.start(), m.end(), _label(text, m.start()))
                )
                taken |= set(range(m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,5}){1,3}(?![\w-])"
)
_CURRENCY = r"[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|JPY|CAD|AUD|INR)\b"
_AMOUNT = re.compile(
    rf"(?P<pre>(?:{_CURRENCY})\s?)?(?<![\w/.-])(?P<num>-?\d{{1,3}}(?:[,.']\d{{3}})+(?:[.,]\d{{1,2}})?"
    rf"|-?\d+(?:[.,]\d{{1,2}})?)(?![\w/-]|[.,]\d)(?P<post>\s?(?:{_CURRENCY}))?(?!\s?%)"
)
_NUMBER = re.compile(
    r"(?<![\w/.,-])-?(?:\d{1,3}(?:[,.']\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\w/-]|[.,]\d)"
)
_ID_CUE = re.compile(
    r"(?i:\b(?P<cue>invoice|inv|order|purchase order|po|reference|ref|account|acct|customer|"
    r"client|receipt|ticket|tracking|transaction|txn|booking|confirmation|case|claim|policy|"
    r"member|contract|quote|serial|sku|item|product|vat|tax|registration|licen[cs]e|patient|"
    r"employee|student|shipment|bill)\b\.?[ \t]*(?:number|no\.?|num\.?|nr\.?|#|id|code)?)"
    r"[ \t]*[:#.]?[ \t]*(?P<id>[A-Z0-9][A-Z0-9_/.-]*\d[A-Z0-9_/-]*|\d+)"
)


def _simple(kind: str, pattern: re.Pattern[str], text: str, taken: set[int]) -> list[Found]:
    return [
        Found(
            kind, m.group().rstrip(".,;:"), m.group(), m.start(), m.end(), _label(text, m.start())
        )
        for m in pattern.finditer(text)
        if _free(m, taken)
    ]


def emails(text: str) -> list[Found]:
    return _simple("email", _EMAIL, text, set())


def urls(text: str) -> list[Found]:
    return _simple("url", _URL, text, set())


def phones(text: str, taken: set[int]) -> list[Found]:
    return [
        f
        for f in _simple("phone", _PHONE, text, taken)
        if 7 <= sum(c.isdigit() for c in f.raw) <= 15
    ]


def identifiers(text: str, taken: set[int]) -> list[Found]:
    found = []
    for m in _ID_CUE.finditer(text):
        if _free(m, taken, "id"):
            label = frozenset(keywords(m.group("cue"))) | {"number"}
            found.append(
                Found(
                    "id",
                    m.group("id").rstrip("."),
                    m.group("id"),
                    m.start("id"),
                    m.end("id"),
                    label,
                )
            )
    return found


def to_number(raw: str) -> float | None:
    """ "1,234.50" → 1234.5, "1.234,50" → 1234.5, "(12)" stays 12; None when not a number."""
    s = re.sub(r"[^\d,.'-]", "", raw).replace("'", "")
    if "," in s and "." in s:
        s = (
            s.replace(",", "")
            if s.rfind(".") > s.rfind(",")
            else s.replace(".", "").replace(",", ".")
        )
    elif "," in s:
        s = s.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+", s) else s.replace(",", ".")
    elif s.count(".") > 1:
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return None


def amounts(text: str, taken: set[int]) -> list[Found]:
    found = []
    for m in _AMOUNT.finditer(text):
        value = to_number(m.group("num"))
        if value is None or not _free(m, taken, "num"):
            continue
        label = _label(text, m.start())
        money = bool(m.group("pre") or m.group("post"))
        if money or label & MONEY or re.search(r"[.,]\d\d$", m.group("num")):
            found.append(Found("amount", value, m.group(), m.start(), m.end(), label, money))
    return found


def numbers(text: str, taken: set[int]) -> list[Found]:
    found = []
    for m in _NUMBER.finditer(text):
        value = to_number(m.group())
        if value is not None and _free(m, taken):
            label = _label(text, m.start())
            after = re.match(r"\s*([A-Za-z]+)", text[m.end() : m.end() + 30])
            if after:  # "3 items" names its number too
                label = label | {_norm(after.group(1).lower())}
            found.append(Found("number", value, m.group(), m.start(), m.end(), label))
    return found


_NAME = re.compile(
    r"[A-Z][\w'’.&-]*(?: (?:(?:&|and|of|de|van|von|der|du|la|le) )?[A-Z][\w'’.&-]*){0,5}"
)
_NAME_CUE = re.compile(
    r"(?im)^[ \t]*(?P<cue>bill(?:ed)? to|sold to|ship(?:ped)? to|remit to|pay to|issued (?:to|by)|"
    r"prepared (?:for|by)|from|to|customer(?: name)?|client(?: name)?|vendor|supplier|seller|"
    r"buyer|payee|recipient|(?:full )?name|contact(?: person)?|attn|attention|company(?: name)?|"
    r"author|signed(?: by)?|dear|sincerely|(?:best |kind |warm )?regards|thanks|thank you)"
    r"\b[ \t]*[:,-]?[ \t]*(?P<rest>[^\n]*)"
)
ORG_WORDS = _set(
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
            hit = _NAME.match(rest.strip())
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
        hit = _NAME.match(body)
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


_LABELISH = _set(
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


_NOT_NAMES = _set("invoice receipt date total sir madam customer team all")


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


_TRUE = re.compile(r"(?i)(?<!\w)(yes|y|true|✓|✔|☑|\[x\]|checked|included|enabled|required)(?!\w)")
_FALSE = re.compile(
    r"(?i)(?<!\w)(no|n|false|✗|✘|☐|\[ \]|none|unchecked|excluded|disabled|n/a)(?!\w)"
)


def to_bool(raw: str) -> bool | None:
    t, f = _TRUE.search(raw), _FALSE.search(raw)
    if t and (not f or t.start() < f.start()):
        return True
    return False if f else None


def boolean(text: str, words: frozenset[str]) -> bool | None:
    """yes/no (true/false, ✓/✗) next to the property's words; "Status: Paid" means paid."""
    for line in text.split("\n"):
        line_words = keywords(line)
        hits = [i for i, w in enumerate(line_words) if w in words]
        if not hits:
            if any(w in {"un" + x for x in words} | {"non" + x for x in words} for w in line_words):
                return False
            continue
        after = " ".join(line_words[hits[-1] + 1 :])
        decided = to_bool(after)
        if decided is not None:
            return decided
        before = line_words[: hits[0]]
        if before and before[-1] in {"not", "no", "never", "without"}:
            return False
        if ":" in line and line.index(":") < line.lower().find(
            next(iter(words & set(line_words))) or " "
        ):
            return True  # the word is the value: "Status: Paid"
    return None


def pairs(text: str) -> list[Found]:
    """ "Label: value" segments; a label alone on its line takes the lines under it."""
    found = []
    offset = 0
    lines = text.split("\n")
    for n, line in enumerate(lines):
        for seg in re.finditer(r"[^\t|]+?(?=\s{2,}[A-Z][^:\n]{0,40}:|\t|\||$)", line):
            m = re.match(
                r"\s*(?:[-*•]\s*)?(?P<label>[A-Za-z][\w .#/&'()%-]{0,50}?)\s*[:：]\s*(?P<value>.*)",
                seg.group(),
            )
            if not m:
                continue
            value, start = m.group("value").strip(), offset + seg.start() + m.start("value")
            if not value:  # "Items:" followed by bullet lines, or "Bill To:" then a line
                below = [ln for ln in lines[n + 1 : n + 12] if ln.strip()]
                bullets = [
                    re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", b)
                    for b in below
                    if re.match(r"\s*(?:[-*•]|\d+[.)])\s+", b)
                ]
                value = "\n".join(bullets) if bullets else (below[0].strip() if below else "")
                start = text.find(value.split("\n", 1)[0], offset) if value else start
            if value:
                found.append(
                    Found(
                        "pair",
                        value,
                        value,
                        start,
                        start + len(value),
                        frozenset(keywords(m.group("label"))),
                    )
                )
        offset += len(line) + 1
    return found


def list_after(pair: Found) -> list[str]:
    parts = re.split(r"\n|;|,(?!\d{3})|\band\b", pair.raw)
    return [p.strip(" .") for p in parts if p.strip(" .")]


def parse_as(kind: str, raw: str) -> Any:
    """Read a "Label: value" value as ``kind``; None when it is not one."""
    if kind == "date":
        found = dates(raw)
        return found[0].value if found else None
    if kind in ("amount", "number", "integer"):
        m = _NUMBER.search(raw.replace("$", " ").replace("€", " ").replace("£", " "))
        return to_number(m.group()) if m else None
    finder = {"email": _EMAIL, "url": _URL, "phone": _PHONE}.get(kind)
    if finder is not None:
        m = finder.search(raw)
        return m.group().rstrip(".,;:") if m else None
    if kind == "boolean":
        return to_bool(raw)
    if kind == "name":
        m = _NAME.match(raw.strip())
        return m.group().rstrip(",") if m else None
    return raw.strip() or None
