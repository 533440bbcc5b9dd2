"""Schemas for extract: built from --field, loaded from files, and the answer validator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bedrock_cli.errors import UsageError
from bedrock_cli.tasks.schema import check, from_fields, is_array, load, unchecked, validate


def test_fields_become_a_typed_nullable_object_schema() -> None:
    schema = from_fields(["invoice_number", "total:number=Amount due", "date:date",
                          "paid:boolean", "lines:list", "qty:integer", "tags:list[number]"])
    props = schema["properties"]
    assert schema["required"] == list(props)
    assert props["invoice_number"] == {"type": ["string", "null"]}
    assert props["total"] == {"type": ["number", "null"], "description": "Amount due"}
    assert props["date"] == {"type": ["string", "null"], "format": "date",
                             "description": "(a date, YYYY-MM-DD)"}
    assert props["lines"] == {"type": ["array", "null"], "items": {"type": "string"}}
    assert props["tags"] == {"type": ["array", "null"], "items": {"type": "number"}}
    assert check(schema) == []


def test_description_may_hold_colons_and_equals() -> None:
    props = from_fields(["due:date=When: the due date (a=b)"])["properties"]
    assert props["due"]["description"] == "When: the due date (a=b) (a date, YYYY-MM-DD)"


@pytest.mark.parametrize(("spec", "needle"), [
    ("total:money", "Unknown field type 'money'"),
    ("2bad", "is not NAME[:TYPE][=DESCRIPTION]"),
    ("has space", "is not NAME"),
])
def test_bad_fields(spec: str, needle: str) -> None:
    with pytest.raises(UsageError, match=needle.replace("[", r"\[").replace("]", r"\]")):
        from_fields([spec])


def test_duplicate_field() -> None:
    with pytest.raises(UsageError, match="twice"):
        from_fields(["a", "a:number"])


@pytest.mark.parametrize(("content", "needle"), [
    ("{not json", "not valid JSON"),
    ('"a string"', "must be a JSON object"),
    ('{"type": "object", "properties": {"a": {"type": "money"}}}', "unknown type 'money'"),
    ('{"type": "string"}', "top level must be an object"),
    ('{"type": "object", "required": "a"}', "required must be a list"),
])
def test_invalid_schema_files(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "schema.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=needle) as caught:
        load(path)
    assert caught.value.exit_code == 2


def test_missing_schema_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        load(tmp_path / "nope.json")


def test_array_schema_and_unchecked_keywords(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"type": "array", "items": {"properties": {
        "a": {"$ref": "#/defs/a"}}}}))
    schema = load(path)
    assert is_array(schema)
    assert unchecked(schema) == ["$ref at $[].a"]


SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["n", "d"], "additionalProperties": False,
    "properties": {
        "n": {"type": "integer", "minimum": 0}, "d": {"type": "string", "format": "date"},
        "e": {"type": ["string", "null"], "format": "email"},
        "k": {"enum": ["a", "b"]}, "l": {"type": "array", "items": {"type": "number"},
                                         "maxItems": 2},
    },
}


@pytest.mark.parametrize(("value", "errors"), [
    ({"n": 3, "d": "2025-03-03"}, []),
    ({"n": 3.0, "d": "2025-03-03", "e": None, "k": "a", "l": [1, 2.5]}, []),
    ({"n": "3", "d": "2025-03-03"}, ['$.n: expected integer, got "3"']),
    ({"n": True, "d": "2025-03-03"}, ["$.n: expected integer, got true"]),
    ({"n": -1, "d": "2025-02-30"}, ["$.d: '2025-02-30' is not a valid date",
                                    "$.n: -1 is below the minimum 0"]),
    ({"d": "March 3"}, ["$: missing required property 'n'",
                        "$.d: 'March 3' is not a valid date"]),
    ({"n": 1, "d": "2025-03-03", "x": 1}, ["$: unexpected properties ['x']"]),
    ({"n": 1, "d": "2025-03-03", "e": "nope", "k": "c", "l": [1, "2", 3]}, [
        "$.e: 'nope' is not a valid email", '$.k: "c" is not one of [\'a\', \'b\']',
        "$.l: more than 2 items", '$.l[1]: expected number, got "2"']),
    ([], ["$: expected object, got []"]),
])
def test_validate(value: Any, errors: list[str]) -> None:
    assert sorted(validate(value, SCHEMA)) == sorted(errors)
