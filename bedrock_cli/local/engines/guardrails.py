"""Local guardrails: the policies of a JSON file applied to text, in Bedrock's assessment shapes.

A pure library (no HTTP). The file (``BEDROCK_CLI_LOCAL_GUARDRAILS``, see docs/guardrails.md)::

    {"guardrails": {"g1": {
        "version": "1",
        "blocked_message": "Sorry, I can't help with that.",
        "denied_words": ["badword", "two words"],
        "denied_topics": [{"name": "Investing", "examples": ["Which stocks should I buy?"]}],
        "pii": [{"type": "EMAIL", "action": "ANONYMIZE"}, {"type": "PHONE", "action": "BLOCK"}],
        "regexes": [{"name": "ticket", "pattern": "TCK-\\\\d+", "action": "ANONYMIZE"}]}}}

What each policy does, honestly: denied words match whole words or phrases, case-insensitively;
PII is found with regular expressions (and a Luhn check for card numbers) for the types listed
in :data:`PII_PATTERNS`; a denied topic matches when the text shares enough content words with
one of its examples or its definition (a keyword overlap, not a classifier); anonymized matches
are replaced by ``{TYPE}`` (``{name}`` for regexes), as Bedrock's ApplyGuardrail does.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_BLOCKED_MESSAGE = "Sorry, the model cannot answer this question."
ACTIONS = {"BLOCK": "BLOCKED", "ANONYMIZE": "ANONYMIZED", "NONE": "NONE"}

PII_PATTERNS: dict[str, str] = {
    "EMAIL": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    "PHONE": r"(?<![\w+])(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})[\s.-]?\d{3,4}[\s.-]?"
             r"\d{3,4}(?!\w)",
    "US_SOCIAL_SECURITY_NUMBER": r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b",
    "CREDIT_DEBIT_CARD_NUMBER": r"\b(?:\d[ -]?){12,18}\d\b",
    "IP_ADDRESS": r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b",
    "URL": r"\bhttps?://[^\s<>\"']+",
    "AWS_ACCESS_KEY": r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b",
    "MAC_ADDRESS": r"\b[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}\b",
    "US_PASSPORT_NUMBER": r"\b[A-Z]\d{8}\b",
}
_WORD = re.compile(r"[a-z0-9']+")
_STOPWORD_TEXT = (
    "a an and are as at be but by can could did do does for from had has have how i if in into "
    "is it its me my of on or our should so that the their them then there these they this to "
    "was we were what when where which who why will with would you your about any some tell "
    "give"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


class GuardrailConfigError(ValueError):
    """The guardrails file cannot be read or does not have the documented form."""


@dataclass
class Topic:
    name: str
    examples: list[str] = field(default_factory=list)
    definition: str = ""


@dataclass
class Pattern:
    name: str  # PII type or regex name
    regex: re.Pattern[str]
    action: str  # BLOCKED | ANONYMIZED | NONE
    source: str = ""  # the regex as configured (regexes only)


@dataclass
class Guardrail:
    id: str
    version: str = "DRAFT"
    blocked_input_message: str = DEFAULT_BLOCKED_MESSAGE
    blocked_output_message: str = DEFAULT_BLOCKED_MESSAGE
    denied_words: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    pii: list[Pattern] = field(default_factory=list)
    regexes: list[Pattern] = field(default_factory=list)

    def accepts_version(self, version: str) -> bool:
        return version == "DRAFT" or version == self.version


@dataclass
class Result:
    """One assessment of some texts: Bedrock's ApplyGuardrail fields, plus the masked texts."""

    action: str  # NONE | GUARDRAIL_INTERVENED
    blocked: bool
    outputs: list[str]  # the blocked message, or the masked texts (when anything was masked)
    assessment: dict[str, Any]
    usage: dict[str, int]
    characters: int

    @property
    def action_reason(self) -> str:
        if self.blocked:
            return "Guardrail blocked."
        return "Guardrail masked." if self.action != "NONE" else "No action."


def _pattern(item: Any, where: str, *, regex: bool) -> Pattern:
    if not isinstance(item, dict):
        raise GuardrailConfigError(f"{where} must be an object")
    action = str(item.get("action", "BLOCK" if regex else "ANONYMIZE")).upper()
    if action not in ACTIONS:
        raise GuardrailConfigError(f"{where}.action must be BLOCK, ANONYMIZE or NONE")
    if regex:
        name, source = str(item.get("name") or "regex"), str(item.get("pattern", ""))
        try:
            compiled = re.compile(source)
        except re.error as exc:
            raise GuardrailConfigError(f"{where}.pattern is not a valid regex: {exc}") from None
        return Pattern(name, compiled, ACTIONS[action], source)
    kind = str(item.get("type", "")).upper()
    if kind not in PII_PATTERNS:
        raise GuardrailConfigError(
            f"{where}.type {kind!r} is not one the local backend detects "
            f"({', '.join(sorted(PII_PATTERNS))})")
    return Pattern(kind, re.compile(PII_PATTERNS[kind]), ACTIONS[action])


def parse(doc: Any) -> dict[str, Guardrail]:
    if not isinstance(doc, dict) or not isinstance(doc.get("guardrails"), dict):
        raise GuardrailConfigError('the file needs a top-level "guardrails" object')
    out = {}
    for gid, spec in doc["guardrails"].items():
        if not re.fullmatch(r"[a-z0-9]+", str(gid)):
            raise GuardrailConfigError(
                f"guardrail id {gid!r} must be lower-case letters and digits, as Bedrock's are")
        if not isinstance(spec, dict):
            raise GuardrailConfigError(f"guardrail {gid!r} must be an object")
        blocked = str(spec.get("blocked_message") or DEFAULT_BLOCKED_MESSAGE)
        topics = []
        for i, topic in enumerate(spec.get("denied_topics") or []):
            if not isinstance(topic, dict) or not topic.get("name"):
                raise GuardrailConfigError(f"{gid}.denied_topics[{i}] needs a name")
            topics.append(Topic(str(topic["name"]), [str(e) for e in topic.get("examples", [])],
                                str(topic.get("definition", ""))))
        out[str(gid)] = Guardrail(
            id=str(gid), version=str(spec.get("version", "DRAFT")),
            blocked_input_message=str(spec.get("blocked_input_message") or blocked),
            blocked_output_message=str(spec.get("blocked_output_message") or blocked),
            denied_words=[str(w) for w in spec.get("denied_words") or []],
            topics=topics,
            pii=[_pattern(p, f"{gid}.pii[{i}]", regex=False)
                 for i, p in enumerate(spec.get("pii") or [])],
            regexes=[_pattern(p, f"{gid}.regexes[{i}]", regex=True)
                     for i, p in enumerate(spec.get("regexes") or [])],
        )
    return out


_cache: dict[str, tuple[float, dict[str, Guardrail]]] = {}


def load(path: str | Path) -> dict[str, Guardrail]:
    """The guardrails in a file, re-read when the file changes."""
    p = Path(path).expanduser()
    try:
        mtime = p.stat().st_mtime
        cached = _cache.get(str(p))
        if cached and cached[0] == mtime:
            return cached[1]
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GuardrailConfigError(f"{p} does not exist") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise GuardrailConfigError(f"{p} is not readable JSON: {exc}") from None
    guardrails = parse(doc)
    _cache[str(p)] = (mtime, guardrails)
    return guardrails


# ---------------------------------------------------------------------------- assessment


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 2}


def _topic_hit(topic: Topic, text: str) -> bool:
    words = _content_words(text)
    if not words:
        return False
    name = topic.name.lower().replace("_", " ")
    if re.search(rf"\b{re.escape(name)}\b", text.lower()):
        return True
    for example in [*topic.examples, topic.definition]:
        wanted = _content_words(example)
        common = wanted & words
        if wanted and len(common) >= min(2, len(wanted)) and len(common) / len(wanted) >= 0.5:
            return True
    return False


def _luhn(digits: str) -> bool:
    nums = [int(c) for c in digits if c.isdigit()]
    total = sum(n if i % 2 == 0 else (n * 2 - 9 if n * 2 > 9 else n * 2)
                for i, n in enumerate(reversed(nums)))
    return len(nums) >= 13 and total % 10 == 0


def _matches(pattern: Pattern, text: str) -> list[re.Match[str]]:
    found = list(pattern.regex.finditer(text))
    if pattern.name == "CREDIT_DEBIT_CARD_NUMBER":
        found = [m for m in found if _luhn(m.group(0))]
    return found


def assess(guardrail: Guardrail, texts: list[str], source: str = "INPUT") -> Result:
    """Apply every policy to `texts` (`source` INPUT or OUTPUT picks the blocked message)."""
    words: list[dict[str, Any]] = []
    topics: list[dict[str, Any]] = []
    pii: list[dict[str, Any]] = []
    regexes: list[dict[str, Any]] = []
    masked = []
    for text in texts:
        lowered = text.lower()
        for word in guardrail.denied_words:
            if word and re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", lowered):
                words.append({"match": word, "action": "BLOCKED", "detected": True})
        for topic in guardrail.topics:
            if _topic_hit(topic, text) and topic.name not in {t["name"] for t in topics}:
                topics.append({"name": topic.name, "type": "DENY", "action": "BLOCKED",
                               "detected": True})
        spans: list[tuple[int, int, str]] = []
        tagged = [(p, False) for p in guardrail.pii] + [(p, True) for p in guardrail.regexes]
        for pattern, is_regex in tagged:
            for m in _matches(pattern, text):
                if any(m.start() < e and s < m.end() for s, e, _ in spans):
                    continue  # one entity per span: the first policy that claims it
                entry: dict[str, Any] = {"match": m.group(0), "action": pattern.action,
                                         "detected": True}
                if is_regex:
                    regexes.append({"name": pattern.name, **entry, "regex": pattern.source})
                else:
                    pii.append({**entry, "type": pattern.name})
                if pattern.action != "NONE":
                    spans.append((m.start(), m.end(), pattern.name))
        for start, end, name in sorted(spans, reverse=True):
            text = f"{text[:start]}{{{name}}}{text[end:]}"
        masked.append(text)
    findings = [*words, *topics, *pii, *regexes]
    blocked = any(f["action"] == "BLOCKED" for f in findings)
    anonymized = any(f["action"] == "ANONYMIZED" for f in findings)
    assessment: dict[str, Any] = {}
    if topics:
        assessment["topicPolicy"] = {"topics": topics}
    if words:
        assessment["wordPolicy"] = {"customWords": words, "managedWordLists": []}
    if pii or regexes:
        assessment["sensitiveInformationPolicy"] = {"piiEntities": pii, "regexes": regexes}
    chars = sum(len(t) for t in texts)
    units = max(1, math.ceil(chars / 1000)) if chars else 0
    usage = {
        "topicPolicyUnits": units if guardrail.topics else 0,
        "contentPolicyUnits": 0,
        "wordPolicyUnits": units if guardrail.denied_words else 0,
        "sensitiveInformationPolicyUnits": units if guardrail.regexes else 0,
        "sensitiveInformationPolicyFreeUnits": units if guardrail.pii else 0,
        "contextualGroundingPolicyUnits": 0,
        "contentPolicyImageUnits": 0,
    }
    if blocked:
        message = guardrail.blocked_input_message if source == "INPUT" \
            else guardrail.blocked_output_message
        outputs = [message]
    else:
        outputs = masked if anonymized else []
    action = "GUARDRAIL_INTERVENED" if blocked or anonymized else "NONE"
    return Result(action, blocked, outputs, assessment, usage, chars)
