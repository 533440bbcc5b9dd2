"""Simple instructions for the text engine: which form an answer must take.

:func:`parse` reads the instruction in a prompt — a line that starts with an imperative
("Write …", "List …", "Name …") or asks a question — and returns the form it asks for:
a haiku, a list of N items, a title, a yes/no answer, one sentence, or a plain answer, with
the topic words the answer should use. The n-gram model then generates the content under
that form's constraints (:mod:`._lmcompose`); a prompt that is not an instruction is
continued as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Instruction", "parse"]

_IMPERATIVE = re.compile(
    r"(?i)^\s*(?:please\s+|(?:can|could|would|will) you\s+(?:please\s+)?|now\s+|i want you to\s+)?"
    r"(?:write|compose|give|list|name|tell|describe|explain|summari[sz]e|suggest|create|"
    r"generate|make|draft|answer|say|propose|provide|recommend|think of|come up with|produce|"
    r"brainstorm|define|outline|invent|pick|choose|compare)\b"
)
_YES_NO = re.compile(
    r"(?i)^\s*(?:is|are|was|were|do|does|did|can|could|will|would|should|shall|has|have|had|"
    r"am|may|might|must|isn't|aren't|doesn't|don't|didn't|won't|can't)\b[^?]*\?\s*$"
)
_NUMBERS = {
    w: i + 1
    for i, w in enumerate(re.findall(
        r"\w+", "one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty"))
}
_COUNT = r"(?P<{}>\d{{1,2}}|" + "|".join(_NUMBERS) + r")"
_LIST = re.compile(
    r"(?i)\b(?:(?:list|name|give(?: me)?|suggest|write|provide|brainstorm|recommend|"
    r"what are|top|a list of|make|create)\s+(?:me\s+)?(?:a list of\s+|the\s+)?"
    + _COUNT.format("n") + r"\b|" + _COUNT.format("m")
    + r"\s+(?:\w+\s+)?(?:things|ideas|ways|reasons|tips|examples|items|words|names|"
    r"facts|benefits|steps|questions|points|colou?rs|animals|places|uses|features))"
)
_TITLE = re.compile(r"(?i)\b(?:title|headline|heading|a name for)\b")
_SENTENCES = re.compile(r"(?i)\b(?:in\s+)?" + _COUNT.format("n") + r"\s+(?:short\s+)?sentences\b")
_ONE_SENTENCE = re.compile(
    r"(?i)\b(?:one|a single|1)[ -](?:sentence|line)\b|\bin a (?:sentence|line)\b|\bone-liner\b"
    r"|\bbriefly\b"
)
_FORM_WORDS = frozenset(re.findall(
    r"\w+", "write compose give list name tell describe explain summarise summarize suggest create "
    "generate make draft answer say propose provide recommend think come up produce "
    "brainstorm define outline invent pick choose compare please can could would will you me "
    "haiku poem title headline heading sentence line one single short brief briefly a an the "
    "about on of for with some few list things ideas ways reasons tips examples items words "
    "names facts benefits steps questions points is are was were do does did what why how who "
    "when where which that this it to in and or i my your top new good"
)) | frozenset(_NUMBERS)


@dataclass(frozen=True)
class Instruction:
    """``form``: haiku, list, title, yesno, sentence or answer; ``count``: a list's items or
    the sentences asked for;
    ``topic``: the instruction's subject words, as written; ``text``: the instruction."""

    form: str
    count: int
    topic: tuple[str, ...]
    text: str


def _instruction_lines(prompt: str) -> list[str]:
    """The first line of the prompt's first two and last two paragraphs, and its last line:
    where a system prompt, a question or an instruction before piped input sits."""
    paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n", prompt.strip()) if p.strip()]
    if not paragraphs:
        return []
    firsts = [p.split("\n", 1)[0] for p in [*paragraphs[:2], *paragraphs[-2:]]]
    return list(dict.fromkeys([*firsts, paragraphs[-1].rsplit("\n", 1)[-1]]))


_GREETING = re.compile(
    r"(?i)^\s*(?:hi|hello|hey|hiya|thanks|thank you|good (?:morning|afternoon|evening))\b"
    r"[\s\w,]{0,20}[.!?]?\s*$"
)


def _is_instruction(line: str) -> bool:
    """An imperative, a question, or a greeting: what is answered, not continued."""
    return bool(_IMPERATIVE.match(line) or (line.rstrip().endswith("?") and len(line) < 400)
                or _GREETING.match(line))


def _topic(text: str) -> tuple[str, ...]:
    about = re.search(r"(?i).*\b(?:about|on|of|for|regarding|describing)\s+(.+)$", text)
    source = about.group(1) if about else text
    words = re.findall(r"[A-Za-z][A-Za-z0-9'’-]*|\d+[A-Za-z]+\w*", source)
    return tuple(dict.fromkeys(w for w in words if w.lower() not in _FORM_WORDS))


def parse(prompt: str) -> Instruction | None:
    """The instruction a prompt gives, or None when the prompt is text to continue."""
    tail = prompt[-4000:]
    lines = [ln for ln in _instruction_lines(prompt[:2000] + "\n\n" + tail) if _is_instruction(ln)]
    if not lines:
        return None
    text = " ".join(lines)
    plain = [_SENTENCES.sub("", ln) for ln in lines if not _ONE_SENTENCE.search(ln)]
    topic = _topic(" ".join(plain) or text)
    count = 0
    if re.search(r"(?i)\bhaikus?\b", text):
        form = "haiku"
    elif m := _LIST.search(text):
        n = (m.group("n") or m.group("m")).lower()
        form, count = "list", min(20, int(n) if n.isdigit() else _NUMBERS[n])
    elif _TITLE.search(text):
        form = "title"
    elif any(_YES_NO.match(ln) for ln in lines):
        form = "yesno"
    elif _ONE_SENTENCE.search(text):
        form, count = "sentence", 1
    elif m := _SENTENCES.search(text):  # "Explain DNS in two sentences"
        n = m.group("n").lower()
        form, count = "sentence", min(10, int(n) if n.isdigit() else _NUMBERS[n])
    else:
        form = "answer"
    return Instruction(form, max(count, 1) if form in ("list", "sentence") else 0, topic, text)
