"""Tool input that always conforms to the tool's JSON Schema, with values from the prompt.

:func:`instance` asks the extraction engine (:func:`extraction.fill`) for what the text holds,
adds the places, numbers and free text a tool call usually wants (a city named in the
question fills ``city``; a ``query`` gets the question; "add 3 and 4" fills two numbers), then
:func:`schema_repair.conform` repairs the result until ``schemacheck.validate`` accepts it (a
property test holds that for random schemas).
"""

from __future__ import annotations

import re
from typing import Any

from bedrock_cli.schemacheck import kinds_of

from .schema_repair import conform

__all__ = ["conform", "evidence", "instance", "places"]


def _words_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PLACE_WORDS = _words_of(
    "city location place town country region destination origin address where area state "
    "airport station timezone zone tz")
_FREE_TEXT = _words_of(
    "query question text prompt input message search topic keyword keywords term terms q "
    "request content body expression sentence description")
_CAP = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:de|del|la|le|of|upon|on)?\s*[A-Z][\w'’.-]*)*")
_SUBJECT = re.compile(r"\s+(?:is|has|was|had|lies|sits|remains)\b")
_PREP = re.compile(r"(?i)\b(?:in|at|for|to|from|near|of|about|around)\s+$")
_NOT_PLACES = _words_of(
    "what what's whats how who where when which why is are can could would will please tell "
    "give find get show i i'm the a an and or but also then today tomorrow now celsius "
    "fahrenheit monday tuesday wednesday thursday friday saturday sunday")


def places(text: str) -> list[str]:
    """Capitalised names in ``text`` (not a sentence's first word unless a preposition leads
    to it): "What's the weather in Paris and in New York?" → ["Paris", "New York"]."""
    found: list[str] = []
    led: list[bool] = []  # whether a preposition leads to it ("in Paris"): those come first
    subjects: list[str] = []  # "Lyon has …": a sentence's first word, before a verb of being
    for match in _CAP.finditer(text):
        words = match.group(0).rstrip(".").split()
        before = text[: match.start()]
        starts_sentence = not before.strip() or before.rstrip()[-1] in ".!?\n"
        while words and words[0].lower().strip("'’") in _NOT_PLACES:
            words.pop(0)
            starts_sentence = False
        if not words:
            continue
        if starts_sentence and not _PREP.search(before) and len(words) == 1:
            if _SUBJECT.match(text, match.end()):
                subjects.append(words[0])
            continue
        name = " ".join(words)
        if name not in found:
            found.append(name)
            led.append(bool(_PREP.search(before)))
    return [n for n, lead in zip(found, led, strict=True) if lead] + [
        n for n, lead in zip(found, led, strict=True) if not lead] + [
        n for n in subjects if n not in found]


def _words(name: str) -> set[str]:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    return set(spaced.lower().split())


def _from_text(name: str, spec: dict[str, Any], text: str, *, required: bool) -> Any:
    """A value the extraction engine does not look for: a place, the question itself, or
    (for a required string nothing else fills) a code or name the text holds."""
    if "string" not in kinds_of(spec) and kinds_of(spec):
        return None
    if "enum" in spec or "pattern" in spec or "format" in spec:
        return None  # the extraction engine and the repair know those better
    words = _words(name) | _words(str(spec.get("description", "")))
    if _words(name) & _PLACE_WORDS or (not _words(name) & _FREE_TEXT and words & _PLACE_WORDS):
        found = places(text)
        return found[0] if found else None
    if _words(name) & _FREE_TEXT:
        return " ".join(text.split()) or None
    if required:
        codes = [c for c in _CODE.findall(text) if c.lower() not in _NOT_PLACES]
        named = codes or places(text)
        return named[0] if named else None
    return None


_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?!\w)(?!\.\d)")
_CODE = re.compile(r"\b(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]*[A-Z0-9]\b")  # WZPZ, INV-7, AB12


def _number_near(name: str, text: str, *, only: bool) -> float | int | None:
    """The number written closest to a word of the property's name ("age" in "Ada is 36
    years of age"), or the text's only number when the schema has one numeric property."""
    numbers = [(m.start(), m.group(0)) for m in _NUMBER.finditer(text)]
    if not numbers:
        return None
    spots = [m.start() for w in _words(name) if len(w) > 2
             for m in re.finditer(rf"(?i)\b{re.escape(w)}", text)]
    if spots:
        at, raw = min(numbers, key=lambda n: min(abs(n[0] - s) for s in spots))
        if min(abs(at - s) for s in spots) <= 40:
            return _as_number(raw)
    if only and len(numbers) == 1:
        return _as_number(numbers[0][1])
    return None


def _as_number(raw: str) -> float | int:
    return float(raw) if "." in raw else int(raw)


def evidence(schema: dict[str, Any], text: str) -> int:
    """How many of the schema's top-level properties the text itself holds a value for (the
    extraction engine's finds, and places for place-like properties) — not the defaults."""
    from .extraction import fill

    schema = inline_refs(schema) if isinstance(schema, dict) else {}
    props = schema.get("properties")
    if not isinstance(props, dict) or not props:
        return 0
    try:
        found = fill(schema, text)
    except (TypeError, ValueError, KeyError, AttributeError, re.error):
        return 0
    if not isinstance(found, dict):
        return 0
    def held(name: str, spec: Any) -> bool:
        if found.get(name) is not None:
            return True
        if not isinstance(spec, dict):
            return False
        if _words(name) & _PLACE_WORDS:
            return bool(places(text))
        numeric = {"number", "integer"} & set(kinds_of(spec))
        return bool(numeric) and _number_near(name, text, only=False) is not None

    return sum(held(name, spec) for name, spec in props.items())


def instance(schema: dict[str, Any], text: str) -> Any:
    """A value valid against ``schema``, taking what it can from ``text``."""
    from .extraction import fill

    if not isinstance(schema, dict):
        return {}
    schema = inline_refs(schema)
    found: Any = None
    props = schema.get("properties")
    if isinstance(props, dict) and props:
        try:
            found = fill(schema, text)
        except (TypeError, ValueError, KeyError, AttributeError, re.error):
            found = None  # a schema shape the engine does not read: defaults only
        if isinstance(found, dict):
            _augment(found, schema, text)
    return conform(found, schema, text)


def _augment(found: dict[str, Any], schema: dict[str, Any], text: str) -> None:
    """Fill what the extraction engine left empty, nested objects included."""
    props = schema.get("properties") or {}
    numeric = [n for n, p in props.items() if isinstance(p, dict) and
               {"number", "integer"} & set(kinds_of(p))]
    for name, spec in props.items():
        if not isinstance(spec, dict):
            continue
        if isinstance(found.get(name), dict) and isinstance(spec.get("properties"), dict):
            _augment(found[name], spec, text)
        elif found.get(name) is None and isinstance(spec.get("properties"), dict):
            found[name] = {}
            _augment(found[name], spec, text)
        elif found.get(name) is None:
            found[name] = _from_text(name, spec, text,
                                     required=name in (schema.get("required") or []))
            if found[name] is None and name in numeric:
                found[name] = _number_near(name, text, only=len(numeric) == 1)
    empty = [n for n in numeric if found.get(n) is None]
    if empty:  # "add 3 and 4": the numbers nobody took, in order, to the numbers left
        taken = {found.get(n) for n in numeric}
        free = [_as_number(m.group(0)) for m in _NUMBER.finditer(text)]
        free = [n for n in free if n not in taken]
        for name, value in zip(empty, free, strict=False):
            found[name] = value


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Local ``$ref``s (``#/$defs/X``, ``#/definitions/X``, as Pydantic writes nested models)
    replaced by what they point at; a cycle stops at an empty schema."""
    root = schema

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [resolve(n, seen) for n in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in seen:
                return {}
            target: Any = root
            for part in ref[2:].split("/"):
                target = target.get(part) if isinstance(target, dict) else None
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return resolve({**target, **rest} if isinstance(target, dict) else rest,
                           (*seen, ref))
        return {k: resolve(v, seen) for k, v in node.items() if k not in ("$defs", "definitions")}

    return resolve(schema, ())
