"""What a text contains, for schema filling: labelled values, dates, amounts, numbers,
emails, phones, URLs, identifiers and booleans — each with the words that label it.

Used by :mod:`.extraction`, which matches these candidates to a schema's properties. The
words and labels themselves are in :mod:`.extraction_words`, names in :mod:`.extraction_names`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from .extraction_names import NAME
from .extraction_words import Found, free, keywords, label_of, norm, word_set

MONEY = word_set(
    "total amount price cost subtotal tax due balance sum fee paid charge pay budget salary "
    "revenue income rent deposit refund"
)


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
            if iso and free(m, taken):
                found.append(
                    Found("date", iso, m.group(), m.start(), m.end(), label_of(text, m.start()))
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
            kind, m.group().rstrip(".,;:"), m.group(), m.start(), m.end(), label_of(text, m.start())
        )
        for m in pattern.finditer(text)
        if free(m, taken)
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
        if free(m, taken, "id"):
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
        if value is None or not free(m, taken, "num"):
            continue
        label = label_of(text, m.start())
        money = bool(m.group("pre") or m.group("post"))
        if money or label & MONEY or re.search(r"[.,]\d\d$", m.group("num")):
            found.append(Found("amount", value, m.group(), m.start(), m.end(), label, money))
    return found


def numbers(text: str, taken: set[int]) -> list[Found]:
    found = []
    for m in _NUMBER.finditer(text):
        value = to_number(m.group())
        if value is not None and free(m, taken):
            label = label_of(text, m.start())
            after = re.match(r"\s*([A-Za-z]+)", text[m.end() : m.end() + 30])
            if after:  # "3 items" names its number too
                label = label | {norm(after.group(1).lower())}
            found.append(Found("number", value, m.group(), m.start(), m.end(), label))
    return found


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
        m = NAME.match(raw.strip())
        return m.group().rstrip(",") if m else None
    return raw.strip() or None
