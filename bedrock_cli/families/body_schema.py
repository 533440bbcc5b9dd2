"""The native-body checks every family shares: a small schema checker that reports violations
the way Bedrock does, and the range and conversation rules a well-formed body can still break.

Bedrock validates native bodies with a JSON-schema validator (everit); its messages read
``Malformed input request: #: required key [max_tokens] not found, please reformat your input
and try again.`` for one violation and ``... 2 schema violations found ...`` for several
([ref] §4.1, and real captures in public issues). `BodyError` carries the violations;
`RangeError` carries a plain ValidationException message (a value the schema allows but the
model does not).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo

# ---------------------------------------------------------------------------- errors


class BodyError(Exception):
    """A native body that does not fit the family's schema (Bedrock: "Malformed input")."""

    def __init__(self, violations: list[str]) -> None:
        super().__init__("; ".join(violations))
        self.violations = violations


class RangeError(Exception):
    """A well-formed body with a value the model refuses (a plain ValidationException)."""


# ---------------------------------------------------------------------------- schema

_TYPE_NAMES = {"string": "String", "number": "Number", "integer": "Integer",
               "boolean": "Boolean", "array": "JSONArray", "object": "JSONObject"}


@dataclass(frozen=True)
class F:
    """One field of a native body: its JSON type(s), whether it is required, its range."""

    type: str | tuple[str, ...]
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[Any, ...] | None = None
    items: str | None = None  # the JSON type of an array's items
    fields: Mapping[str, F] | None = None  # an object's fields (others are extraneous)


def _json_type(value: Any) -> str:
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fits(value: Any, wanted: str) -> bool:
    actual = _json_type(value)
    return actual == wanted or (wanted == "number" and actual == "integer") or (
        wanted == "integer" and isinstance(value, float) and value.is_integer())


def check(doc: Mapping[str, Any], fields: Mapping[str, F], path: str = "#") -> list[str]:
    """Everit-style violations of `doc` against `fields` (closed: unknown keys are refused)."""
    out: list[str] = []
    for name, spec in fields.items():
        if spec.required and name not in doc:
            out.append(f"{path}: required key [{name}] not found")
    for name, value in doc.items():
        found = fields.get(name)
        where = f"{path}/{name}"
        if found is None:
            out.append(f"{path}: extraneous key [{name}] is not permitted")
            continue
        spec = found
        types = (spec.type,) if isinstance(spec.type, str) else spec.type
        if not any(_fits(value, t) for t in types):
            wanted = " or ".join(_TYPE_NAMES[t] for t in types)
            actual = _TYPE_NAMES.get(_json_type(value), _json_type(value))
            out.append(f"{where}: expected type: {wanted}, found: {actual}")
            continue
        if spec.enum is not None and value not in spec.enum:
            out.append(f"{where}: {value} is not a valid enum value")
        if isinstance(value, int | float) and not isinstance(value, bool):
            if spec.minimum is not None and value < spec.minimum:
                out.append(f"{where}: {value} is not greater or equal to {spec.minimum:g}")
            if spec.maximum is not None and value > spec.maximum:
                out.append(f"{where}: {value} is not less or equal to {spec.maximum:g}")
        if spec.items and isinstance(value, list):
            for i, item in enumerate(value):
                if not _fits(item, spec.items):
                    actual = _TYPE_NAMES.get(_json_type(item), _json_type(item))
                    out.append(f"{where}/{i}: expected type: {_TYPE_NAMES[spec.items]}, "
                               f"found: {actual}")
        if spec.fields is not None and isinstance(value, dict):
            out.extend(check(value, spec.fields, where))
    return out


def validate(doc: Mapping[str, Any], fields: Mapping[str, F]) -> None:
    violations = check(doc, fields)
    if violations:
        raise BodyError(violations)


def over_limit(name: str, value: int, limit: int, model_id: str) -> RangeError:
    # Wording modelled on Anthropic's "max_tokens: N > M, which is the maximum allowed number of
    # output tokens for <model>" (UNVERIFIED for the other families).
    return RangeError(f"{name}: {value} > {limit}, which is the maximum allowed number of "
                      f"output tokens for {model_id}")


def check_turns(turns: list[tuple[str, str]]) -> None:
    """Bedrock's conversation rules, as in Converse."""
    if not turns or turns[0][0] != "user":
        raise RangeError("A conversation must start with a user message. Try again with a "
                         "conversation that starts with a user message.")
    for (a, _), (b, _) in itertools.pairwise(turns):
        if a == b:
            raise RangeError("A conversation must alternate between user and assistant roles. "
                             "Make sure the conversation alternates between user and assistant "
                             "roles and try again.")


def check_max(name: str, value: int, model: ModelInfo) -> int:
    limit = int(model.max_output_tokens or 0)
    if limit and value > limit:
        raise over_limit(name, value, limit, model.id)
    return value


__all__ = ["BodyError", "F", "RangeError", "check", "check_max", "check_turns", "over_limit",
           "validate"]
