"""JSON Schemas for `extract`: built from `--field` specs or read from a file, checked for
shape, and a small validator for the answers.

The validator is :mod:`bedrock_cli.schemacheck` (shared with the emulator, which holds tool
input to the same rules); keywords it does not check are passed to the model and named by
:func:`unchecked` so the user is told.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bedrock_cli.errors import UsageError
from bedrock_cli.schemacheck import CHECKED, unchecked, validate

__all__ = ["CHECKED", "check", "from_fields", "is_array", "load", "unchecked", "validate"]

FIELD_TYPES = ("string", "number", "integer", "boolean", "date", "list")
JSON_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_FIELD = re.compile(r"^(?P<name>[^:=]+?)\s*(?::\s*(?P<type>[^=]+?))?\s*(?:=(?P<desc>.*))?$", re.S)
_LIST_OF = re.compile(r"^list\[(\w+)\]$")


def _field_schema(kind: str, description: str | None) -> dict[str, Any]:
    of = _LIST_OF.match(kind)
    if of and of.group(1) in FIELD_TYPES and of.group(1) != "list":
        items = _field_schema(of.group(1), None)
        items["type"] = items["type"][0]
        spec: dict[str, Any] = {"type": ["array", "null"], "items": items}
    elif kind == "list":
        spec = {"type": ["array", "null"], "items": {"type": "string"}}
    elif kind == "date":
        spec = {"type": ["string", "null"], "format": "date"}
        description = (description + " " if description else "") + "(a date, YYYY-MM-DD)"
    elif kind in FIELD_TYPES:
        spec = {"type": [kind, "null"]}
    else:
        raise UsageError(f"Unknown field type {kind!r}.",
                         f"Use one of {', '.join(FIELD_TYPES)} (or list[TYPE]).")
    if description:
        spec["description"] = description.strip()
    return spec


def from_fields(fields: list[str]) -> dict[str, Any]:
    """`--field NAME[:TYPE][=DESCRIPTION]` → an object schema; every field required, null
    allowed (a value the text does not hold is null, not invented)."""
    properties: dict[str, Any] = {}
    for raw in fields:
        match = _FIELD.match(raw.strip())
        name = match.group("name").strip() if match else ""
        if not match or not _NAME.fullmatch(name):
            raise UsageError(f"--field {raw!r} is not NAME[:TYPE][=DESCRIPTION].",
                             'Use e.g. --field total:number="Amount due" (names: letters, '
                             "digits, _).")
        if name in properties:
            raise UsageError(f"--field {name} is given twice.", "Give each field once.")
        kind = (match.group("type") or "string").strip().lower()
        properties[name] = _field_schema(kind, match.group("desc"))
    return {"type": "object", "properties": properties, "required": list(properties)}


def load(path: Path) -> dict[str, Any]:
    """A JSON Schema from a file; unreadable, not JSON or not a usable schema → exit 2."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"Schema file not found: {path}", "Check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"Cannot read the schema {path}: {exc}.", "Pass a JSON file.") \
            from None
    try:
        schema = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column "
                         f"{exc.colno}).", "Fix the JSON, e.g. check it with `jq . FILE`.") \
            from None
    problems = check(schema)
    if problems:
        raise UsageError(f"{path} is not a usable JSON Schema: {problems[0]}",
                         "Extraction needs an object (or array) schema with typed properties.")
    return schema


def check(schema: Any, where: str = "$") -> list[str]:
    """What makes ``schema`` unusable (empty when it is fine)."""
    if not isinstance(schema, dict):
        return [f"{where} must be a JSON object, not {type(schema).__name__}."]
    problems: list[str] = []
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    for k in kinds:
        if k not in JSON_TYPES:
            problems.append(f"{where}: unknown type {k!r}.")
    props = schema.get("properties")
    if props is not None:
        if not isinstance(props, dict):
            problems.append(f"{where}.properties must be an object.")
        else:
            for name, sub in props.items():
                problems += check(sub, f"{where}.{name}")
    required = schema.get("required")
    if required is not None and not (isinstance(required, list) and
                                     all(isinstance(r, str) for r in required)):
        problems.append(f"{where}.required must be a list of property names.")
    if "items" in schema:
        problems += check(schema["items"], f"{where}[]")
    if "enum" in schema and not isinstance(schema["enum"], list):
        problems.append(f"{where}.enum must be a list.")
    if where == "$" and not problems and _top(schema) not in ("object", "array"):
        problems.append("the top level must be an object (or an array of records).")
    return problems


def _top(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "properties" in schema:
        return "object"
    return str(kind)


def is_array(schema: dict[str, Any]) -> bool:
    return _top(schema) == "array"
