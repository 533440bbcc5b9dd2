"""A small JSON Schema validator, shared by the client (`extract` checks the model's answer)
and the emulator (tool input must conform to the tool's ``inputSchema``).

It sits below both sides and imports nothing from either. It covers the keywords tool
schemas use in practice: ``type`` (one or a list, ``null`` included), ``properties``,
``required``, ``additionalProperties`` (``false`` or a schema), ``items``, ``enum``,
``const``, ``minimum``/``maximum``, ``exclusiveMinimum``/``exclusiveMaximum``,
``multipleOf``, ``minLength``/``maxLength``, ``pattern``, ``minItems``/``maxItems``,
``uniqueItems``, ``format`` (``date``, ``date-time``, ``email``), and ``anyOf``/``oneOf``/
``allOf``. Other keywords (``$ref``, ``if``, …) are not checked; :func:`unchecked` names them.
No dependency is added for this.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

CHECKED = frozenset({
    "type", "properties", "required", "additionalProperties", "items", "enum", "const",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
    "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "format", "anyOf", "oneOf",
    "allOf", "description", "title", "$schema", "default", "examples", "$id", "$comment",
})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def kinds_of(schema: dict[str, Any]) -> list[str]:
    """The schema's ``type`` as a list (empty when it names none)."""
    kind = schema.get("type")
    return [str(k) for k in kind] if isinstance(kind, list) else [str(kind)] if kind else []


def is_type(value: Any, kind: str) -> bool:
    """Whether ``value`` (parsed JSON) has the JSON type ``kind``."""
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


def format_ok(value: str, fmt: str) -> bool:
    try:
        if fmt == "date":
            return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and bool(
                date.fromisoformat(value))
        if fmt == "date-time":
            return bool(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return False
    if fmt == "email":
        return bool(_EMAIL.match(value))
    return True


def pattern_ok(value: str, pattern: Any) -> bool:
    """``pattern`` matches anywhere in ``value``, as JSON Schema says; a pattern Python cannot
    compile is not held against the value."""
    try:
        return re.search(str(pattern), value) is not None
    except re.error:
        return True


def _short(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)[:60]


def _number(value: Any, schema: dict[str, Any], where: str) -> list[str]:
    errors = []
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{where}: {value} is below the minimum {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        errors.append(f"{where}: {value} is above the maximum {schema['maximum']}")
    low, high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if is_type(low, "number") and value <= low:
        errors.append(f"{where}: {value} is not above {low}")
    if is_type(high, "number") and value >= high:
        errors.append(f"{where}: {value} is not below {high}")
    step: Any = schema.get("multipleOf")
    if is_type(step, "number") and step > 0 and abs(value / step - round(value / step)) > 1e-9:
        errors.append(f"{where}: {value} is not a multiple of {step}")
    return errors


def _string(value: str, schema: dict[str, Any], where: str) -> list[str]:
    errors = []
    if "format" in schema and not format_ok(value, str(schema["format"])):
        errors.append(f"{where}: {value!r} is not a valid {schema['format']}")
    if "minLength" in schema and len(value) < schema["minLength"]:
        errors.append(f"{where}: shorter than {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        errors.append(f"{where}: longer than {schema['maxLength']} characters")
    if "pattern" in schema and not pattern_ok(value, schema["pattern"]):
        errors.append(f"{where}: {value!r} does not match the pattern {schema['pattern']!r}")
    return errors


def _object(value: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    errors = []
    props = schema.get("properties") or {}
    for name in schema.get("required") or []:
        if name not in value:
            errors.append(f"{where}: missing required property {name!r}")
    extra_schema = schema.get("additionalProperties")
    extra = sorted(set(value) - set(props))
    if extra_schema is False and extra:
        errors.append(f"{where}: unexpected properties {extra}")
    elif isinstance(extra_schema, dict):
        for name in extra:
            errors += validate(value[name], extra_schema, f"{where}.{name}")
    for name, sub in props.items():
        if name in value and isinstance(sub, dict):
            errors += validate(value[name], sub, f"{where}.{name}")
    return errors


def _array(value: list[Any], schema: dict[str, Any], where: str) -> list[str]:
    errors = []
    if "minItems" in schema and len(value) < schema["minItems"]:
        errors.append(f"{where}: fewer than {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        errors.append(f"{where}: more than {schema['maxItems']} items")
    if schema.get("uniqueItems") is True:
        seen = [json.dumps(v, sort_keys=True, default=str) for v in value]
        if len(set(seen)) != len(seen):
            errors.append(f"{where}: items are not unique")
    if isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], f"{where}[{i}]")
    return errors


def _combined(value: Any, schema: dict[str, Any], where: str) -> list[str]:
    errors = []
    for sub in schema.get("allOf") or []:
        if isinstance(sub, dict):
            errors += validate(value, sub, where)
    options = [s for s in schema.get("anyOf") or [] if isinstance(s, dict)]
    if options and all(validate(value, s, where) for s in options):
        errors.append(f"{where}: {_short(value)} matches none of anyOf")
    options = [s for s in schema.get("oneOf") or [] if isinstance(s, dict)]
    if options and sum(not validate(value, s, where) for s in options) != 1:
        errors.append(f"{where}: {_short(value)} does not match exactly one of oneOf")
    return errors


def validate(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Every way ``value`` breaks ``schema`` (the keywords above); empty when it conforms."""
    if not isinstance(schema, dict):
        return []
    kinds = kinds_of(schema)
    if kinds and not any(is_type(value, k) for k in kinds):
        return [f"{where}: expected {' or '.join(kinds)}, got {_short(value)}"]
    errors: list[str] = []
    if "enum" in schema and isinstance(schema["enum"], list) and value not in schema["enum"]:
        errors.append(f"{where}: {_short(value)} is not one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: must be {_short(schema['const'])}")
    if is_type(value, "number"):
        errors += _number(value, schema, where)
    if isinstance(value, str):
        errors += _string(value, schema, where)
    if isinstance(value, dict):
        errors += _object(value, schema, where)
    if isinstance(value, list):
        errors += _array(value, schema, where)
    return errors + _combined(value, schema, where)


def unchecked(schema: Any, where: str = "$") -> list[str]:
    """Keywords :func:`validate` does not check, with where they are."""
    if not isinstance(schema, dict):
        return []
    found = [f"{key} at {where}" for key in schema if key not in CHECKED]
    for name, sub in (schema.get("properties") or {}).items():
        found += unchecked(sub, f"{where}.{name}")
    if isinstance(schema.get("items"), dict):
        found += unchecked(schema["items"], f"{where}[]")
    return found
