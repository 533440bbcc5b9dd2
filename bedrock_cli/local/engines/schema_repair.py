"""Repair a value until it validates against a JSON Schema (the tool-input filler's second
half): a value of the wrong type, outside its range, too long or not matching its pattern is
replaced by a sensible value of the right type; missing required properties are added;
properties the schema forbids are dropped; valid values are kept as they are.
``schemacheck.validate`` is the judge.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from typing import Any

from bedrock_cli.schemacheck import format_ok, is_type, kinds_of, pattern_ok, validate

from .regex_sample import sample

__all__ = ["conform"]


def _num(schema: dict[str, Any], key: str) -> float | None:
    """A numeric keyword's value, or None when it is absent or not a number."""
    value: Any = schema.get(key)
    return float(value) if is_type(value, "number") else None


def conform(value: Any, schema: Any, text: str = "", name: str = "") -> Any:
    """``value`` made valid against ``schema``: kept where it is, repaired where it is not."""
    if not isinstance(schema, dict):
        return value
    if not validate(value, schema) and not isinstance(value, dict | list):
        return value
    if "const" in schema:
        return schema["const"]
    if value is None:  # the schema's own suggestion first, when it is valid
        for given in (schema.get("default"), *(schema.get("examples") or [None])[:1]):
            if given is not None and not validate(given, schema):
                return given
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return _enum(value, schema, text)
    schema = _merged(schema)
    for key in ("anyOf", "oneOf"):
        options = [o for o in schema.get(key) or [] if isinstance(o, dict)]
        if options:
            return _option(value, schema, options, key, text, name)
    kind = _kind(value, schema)
    if kind == "object":
        return _object(value, schema, text)
    if kind == "array":
        return _array(value, schema, text, name)
    if kind == "string":
        return _string(value, schema, text, name)
    if kind in ("number", "integer"):
        return _number(value, schema, kind)
    if kind == "boolean":
        return value if isinstance(value, bool) else False
    return None


def _merged(schema: dict[str, Any]) -> dict[str, Any]:
    """``allOf`` folded into one schema (properties and required joined, other keys kept)."""
    parts = [s for s in schema.get("allOf") or [] if isinstance(s, dict)]
    if not parts:
        return schema
    out = {k: v for k, v in schema.items() if k != "allOf"}
    for part in map(_merged, parts):
        for key, val in part.items():
            if key == "properties" and isinstance(val, dict):
                out["properties"] = {**(out.get("properties") or {}), **val}
            elif key == "required" and isinstance(val, list):
                out["required"] = list(dict.fromkeys([*(out.get("required") or []), *val]))
            else:
                out.setdefault(key, val)
    return out


def _option(value: Any, schema: dict[str, Any], options: list[dict[str, Any]], key: str,
            text: str, name: str) -> Any:
    base = {k: v for k, v in schema.items() if k != key}
    ordered = sorted(options, key=lambda o: kinds_of(o) == ["null"])  # null only as last resort
    for option in ordered:
        candidate = conform(value, {**base, **option}, text, name)
        if not validate(candidate, schema):
            return candidate
    return conform(value, {**base, **ordered[0]}, text, name)


def _enum(value: Any, schema: dict[str, Any], text: str) -> Any:
    options = schema["enum"]
    if value in options:
        return value
    for option in options:
        if isinstance(option, str) and re.search(rf"(?i)(?<!\w){re.escape(option)}(?!\w)", text):
            return option
    return options[0]


def _kind(value: Any, schema: dict[str, Any]) -> str:
    kinds = kinds_of(schema)
    for kind in kinds:
        if kind != "null" and is_type(value, kind):
            return kind
    if "null" in kinds and value is None:
        return "null"
    real = [k for k in kinds if k != "null"]
    if real:
        return real[0]
    if kinds:
        return "null"
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema:
        return "array"
    for kind in ("object", "array", "string", "number", "integer", "boolean"):
        if is_type(value, kind):
            return kind
    return "string"


def _object(value: Any, schema: dict[str, Any], text: str) -> dict[str, Any]:
    value = dict(value) if isinstance(value, dict) else {}
    props: dict[str, Any] = schema["properties"] if isinstance(
        schema.get("properties"), dict) else {}
    required = [r for r in schema.get("required") or [] if isinstance(r, str)]
    out: dict[str, Any] = {}
    for key, sub in props.items():
        if key in value and (value[key] is not None or key in required or
                             not validate(None, sub if isinstance(sub, dict) else {})):
            out[key] = conform(value[key], sub, text, key)
        elif key in required:
            out[key] = conform(None, sub, text, key)
    extra_schema = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in props:
            continue
        if isinstance(extra_schema, dict):
            out[key] = conform(item, extra_schema, text, key)
        elif extra_schema is not False:
            out[key] = item
    for key in required:
        if key not in out:
            sub = extra_schema if isinstance(extra_schema, dict) else {}
            out[key] = conform(None, sub, text, key)
    return out


def _array(value: Any, schema: dict[str, Any], text: str, name: str) -> list[Any]:
    items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
    value = value if isinstance(value, list) else [] if value is None else [value]
    out = [conform(item, items, text, name) for item in value]
    if schema.get("uniqueItems") is True:
        out = _unique(out)
    high = _num(schema, "maxItems")
    if high is not None:
        out = out[: int(high)]
    low = int(_num(schema, "minItems") or 0)
    tries = 0
    while len(out) < low and tries < low * 4 + 8:
        label = f"{name}{tries}" if tries else name
        out.append(conform(_variant(items, tries), items, text, label))
        if schema.get("uniqueItems") is True:
            out = _unique(out)
        tries += 1
    return out


def _variant(items: dict[str, Any], n: int) -> Any:
    """The n-th starting point for a new array item, so unique items can differ."""
    if n == 0:
        return None
    if isinstance(items.get("enum"), list) and items["enum"]:
        return items["enum"][n % len(items["enum"])]
    kinds = kinds_of(items)
    if "boolean" in kinds:
        return n % 2 == 1
    if "integer" in kinds or "number" in kinds:
        base = _num(items, "minimum")
        base = _num(items, "exclusiveMinimum") if base is None else base
        return (base or 0) + n * max(_num(items, "multipleOf") or 1, 1)
    return None


def _unique(values: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for item in values:
        seen.setdefault(json.dumps(item, sort_keys=True, default=str), item)
    return list(seen.values())


def _string(value: Any, schema: dict[str, Any], text: str, name: str) -> str:
    low = int(_num(schema, "minLength") or 0)
    most = _num(schema, "maxLength")
    high = int(most) if most is not None else None
    candidates: list[str | None] = []
    if isinstance(value, str):
        candidates.append(value)
    elif value is not None and not isinstance(value, dict | list):
        candidates.append(json.dumps(value) if isinstance(value, bool) else str(value))
    fmt = str(schema.get("format", ""))
    candidates += _format_default(fmt)
    pattern = schema.get("pattern")
    if pattern is not None:
        candidates += [sample(str(pattern), low, high, seed) for seed in range(4)]
    candidates += [name.replace("_", " ") if name else "", "x" * max(low, 1), ""]
    for candidate in candidates:
        if candidate is None:
            continue
        fixed = candidate[:high] if high is not None else candidate
        if len(fixed) < low and pattern is None:
            fixed = fixed + "x" * (low - len(fixed))
        if _string_ok(fixed, schema):
            return fixed
    return candidates[0] if candidates and candidates[0] is not None else ""


def _string_ok(value: str, schema: dict[str, Any]) -> bool:
    low, high = _num(schema, "minLength"), _num(schema, "maxLength")
    return (low is None or len(value) >= low) and (high is None or len(value) <= high) and (
        "pattern" not in schema or pattern_ok(value, schema["pattern"])) and (
        "format" not in schema or format_ok(value, str(schema["format"])))


def _format_default(fmt: str) -> list[str]:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return {"date": [date.today().isoformat()], "date-time": [now.isoformat()],
            "email": ["user@example.com"], "uri": ["https://example.com"],
            "url": ["https://example.com"], "uuid": ["00000000-0000-4000-8000-000000000000"],
            "time": ["12:00:00"]}.get(fmt, [])


def _number(value: Any, schema: dict[str, Any], kind: str) -> float | int:
    if isinstance(value, str):
        match = re.search(r"-?\d+(?:\.\d+)?", value.replace(",", ""))
        value = float(match.group(0)) if match else None
    number = float(value) if is_type(value, "number") else 0.0
    lows = [b for b in (_num(schema, "minimum"), _num(schema, "exclusiveMinimum")) if b is not None]
    highs = [b for b in (_num(schema, "maximum"), _num(schema, "exclusiveMaximum"))
             if b is not None]
    lo, hi = (max(lows) if lows else None), (min(highs) if highs else None)
    if lo is not None and number < lo:
        number = lo
    if hi is not None and number > hi:
        number = hi
    return _step(number, schema, kind, lo, hi)


def _step(number: float, schema: dict[str, Any], kind: str, lo: float | None,
          hi: float | None) -> float | int:
    """The nearest value to ``number`` that is of ``kind``, a multiple of ``multipleOf`` and
    inside the bounds (exclusive ones included)."""
    step = _num(schema, "multipleOf")
    step = step if step is not None and step > 0 else None
    integer = kind == "integer"
    unit = step or 1.0
    if integer and unit != int(unit):
        unit = float(_lcm_unit(unit))
    candidates: list[float] = [number]
    if step is not None or integer:
        base = round(number / unit)
        candidates = [(base + d) * unit for d in (0, 1, -1, 2, -2)]
        if lo is not None:
            candidates += [(lo // unit + d) * unit for d in (0, 1, 2)]
        if hi is not None:
            candidates += [(hi // unit - d) * unit for d in (0, 1)]
    else:
        if lo is not None and hi is not None:
            candidates.append((lo + hi) / 2)
        candidates += [lo + 1] if lo is not None else []
        candidates += [hi - 1] if hi is not None else []
    for cand in candidates:
        out: float | int = round(cand) if integer or float(cand).is_integer() else cand
        if not validate(out, schema):
            return out
    return round(number) if integer or float(number).is_integer() else number


def _lcm_unit(step: float) -> int:
    """The smallest integer multiple of a fractional ``multipleOf`` (0.5 → 1, 0.25 → 1)."""
    for n in range(1, 1001):
        if abs(step * n - round(step * n)) < 1e-9:
            return max(1, round(step * n))
    return 1
