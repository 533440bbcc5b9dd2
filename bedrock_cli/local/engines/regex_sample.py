"""A string that a regular expression matches: what a schema's ``pattern`` needs from a tool
input when the prompt holds nothing that fits.

It walks the expression Python's own ``re`` parser builds (literals, classes, categories,
repeats, groups, alternation, anchors); the ``seed`` picks among alternatives and characters
so callers can try a few; ``low``/``high`` bound the length where repeats allow it. The caller
checks the result (JSON Schema ``pattern`` is a search, and lookarounds or backreferences are
only approximated here).
"""

from __future__ import annotations

import importlib
import random
import re
from typing import Any


def _modules() -> tuple[Any, Any]:
    """``re``'s own parser (``re._parser`` from 3.11, ``sre_parse`` before)."""
    try:
        return importlib.import_module("re._constants"), importlib.import_module("re._parser")
    except ImportError:  # pragma: no cover - Python 3.10
        return importlib.import_module("sre_constants"), importlib.import_module("sre_parse")


C, P = _modules()

_CATEGORIES = {
    C.CATEGORY_DIGIT: "0123456789", C.CATEGORY_NOT_DIGIT: "abcxyz",
    C.CATEGORY_SPACE: " ", C.CATEGORY_NOT_SPACE: "abc123",
    C.CATEGORY_WORD: "abcxyz019_", C.CATEGORY_NOT_WORD: "-. ",
}
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_. "


def sample(pattern: str, low: int = 0, high: int | None = None, seed: int = 0) -> str | None:
    """A string ``re.search(pattern, s)`` accepts, sized within [low, high] when the
    repeats allow it; None when the pattern does not compile."""
    try:
        parsed = P.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    rng = random.Random(seed)
    out = _walk(list(parsed), rng, extra=0)
    extra = 1
    while len(out) < low and extra <= max(low, 1) * 2:
        longer = _walk(list(parsed), random.Random(seed), extra=extra)
        if len(longer) <= len(out):
            break
        out = longer
        extra += 1
    if len(out) < low and not _anchored_end(list(parsed)):
        out += "x" * (low - len(out))
    if high is not None and len(out) > high:
        return out[:high]
    return out


def _anchored_end(items: list[tuple[Any, Any]]) -> bool:
    return any(op is C.AT and arg in (C.AT_END, C.AT_END_STRING) for op, arg in items)


def _walk(items: list[tuple[Any, Any]], rng: random.Random, extra: int) -> str:
    return "".join(_one(op, arg, rng, extra) for op, arg in items)


def _one(op: Any, arg: Any, rng: random.Random, extra: int) -> str:
    if op is C.LITERAL:
        return chr(arg)
    if op is C.NOT_LITERAL:
        return next(c for c in _ALPHABET if ord(c) != arg)
    if op is C.ANY:
        return "a"
    if op is C.IN:
        return _in(arg, rng)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        low, high, sub = arg
        count = low + extra
        if high is not C.MAXREPEAT:
            count = min(count, high)
        return "".join(_walk(list(sub), rng, extra) for _ in range(count))
    if op is C.SUBPATTERN:
        return _walk(list(arg[-1]), rng, extra)
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _walk(list(arg), rng, extra)
    if op is C.BRANCH:
        branches = arg[1]
        return _walk(list(branches[rng.randrange(len(branches))]), rng, extra)
    if op is C.CATEGORY:
        return _category(arg, rng)
    return ""  # anchors, lookarounds, backreferences: nothing to emit


def _category(arg: Any, rng: random.Random) -> str:
    chars = _CATEGORIES.get(arg, "a")
    return chars[rng.randrange(len(chars))]


def _in(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    negate = bool(items) and items[0][0] is C.NEGATE
    if negate:
        banned = set()
        for op, arg in items[1:]:
            if op is C.LITERAL:
                banned.add(chr(arg))
            elif op is C.RANGE:
                banned |= {chr(c) for c in range(arg[0], min(arg[1], arg[0] + 512) + 1)}
            elif op is C.CATEGORY:
                banned |= set(_CATEGORIES.get(arg, ""))
        allowed = [c for c in _ALPHABET if c not in banned]
        return allowed[0] if allowed else "~"
    choices: list[str] = []
    for op, arg in items:
        if op is C.LITERAL:
            choices.append(chr(arg))
        elif op is C.RANGE:
            choices += [chr(arg[0]), chr(arg[1])]
        elif op is C.CATEGORY:
            choices.append(_category(arg, rng))
    return choices[rng.randrange(len(choices))] if choices else "a"
