"""The tool-input filler: every value it returns validates against the schema it was given
(random schemas, random prompts), and values come from the prompt where they can."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bedrock_cli.local.engines.regex_sample import sample
from bedrock_cli.local.engines.schema_fill import conform, instance, places
from bedrock_cli.schemacheck import validate

NAMES = st.sampled_from(["city", "location", "query", "count", "unit", "tags", "email", "due_date",
                         "price", "name", "flag", "id", "options", "x_y", "zip"])
PATTERNS = st.sampled_from([r"^[A-Z]{2}-\d{3}$", r"^\d{5}(-\d{4})?$", r"^[a-z]+$",
                            r"(foo|bar)baz", r"^\w+@\w+\.com$", r"[^abc]{2,4}"])


def _string() -> st.SearchStrategy[dict[str, Any]]:
    plain = st.fixed_dictionaries({"type": st.just("string")}, optional={
        "minLength": st.integers(0, 5), "maxLength": st.integers(5, 20),
        "description": st.sampled_from(["City name", "A search query", "Any text"])})
    formatted = st.fixed_dictionaries({"type": st.just("string"), "format": st.sampled_from(
        ["date", "date-time", "email"])}, optional={"maxLength": st.integers(30, 40)})
    patterned = st.fixed_dictionaries({"type": st.just("string"), "pattern": PATTERNS})
    enum = st.fixed_dictionaries({"type": st.just("string"), "enum": st.lists(
        st.sampled_from(["celsius", "fahrenheit", "kelvin", "low", "high"]),
        min_size=1, max_size=4, unique=True)})
    return st.one_of(plain, formatted, patterned, enum)


def _number() -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        kind = draw(st.sampled_from(["integer", "number"]))
        spec: dict[str, Any] = {"type": kind}
        low = draw(st.one_of(st.none(), st.integers(-50, 50)))
        if low is not None:
            spec[draw(st.sampled_from(["minimum", "exclusiveMinimum"]))] = low
        step = draw(st.sampled_from([None, 1, 2, 5, 0.5]))
        if draw(st.booleans()):  # wide enough to hold a multiple of the step (satisfiable)
            spec[draw(st.sampled_from(["maximum", "exclusiveMaximum"]))] = (low or 0) + draw(
                st.integers(3 if step is None else 12, 100))
        if step is not None:
            spec["multipleOf"] = step
        return spec
    return build()


LEAVES = st.one_of(_string(), _number(), st.just({"type": "boolean"}),
                   st.just({"type": ["string", "null"]}), st.just({"type": "null"}),
                   st.just({"const": "fixed"}), st.just({}))


def _extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def obj(draw: st.DrawFn) -> dict[str, Any]:
        props = draw(st.dictionaries(NAMES, children, max_size=4))
        required = draw(st.lists(st.sampled_from(sorted(props)), unique=True)) if props else []
        spec: dict[str, Any] = {"type": "object", "properties": props, "required": required}
        if draw(st.booleans()):
            spec["additionalProperties"] = False
        return spec

    arr = st.builds(lambda items, lo, extra: {
        "type": "array", "items": items, "minItems": lo, "maxItems": lo + extra},
        children, st.integers(0, 3), st.integers(0, 3))
    unique = st.builds(lambda items, lo: {  # only items that have enough distinct values
        "type": "array", "items": items, "minItems": lo, "uniqueItems": True},
        st.one_of(st.builds(lambda low, step: {"type": "integer", "exclusiveMinimum": low,
                                               "multipleOf": step},
                            st.integers(-9, 9), st.sampled_from([1, 3])),
                  st.just({"type": "string"}), st.just({"type": "boolean"})),
        st.integers(0, 2))
    any_of = st.builds(lambda a, b: {"anyOf": [a, b]}, children, children)
    return st.one_of(obj(), arr, unique, any_of)


SCHEMAS = st.recursive(LEAVES, _extend, max_leaves=12)
PROMPTS = st.one_of(st.text(max_size=80), st.sampled_from([
    "What's the weather in Paris in fahrenheit for 3 days?",
    "Find flights from New York to London on 2025-03-14, budget $450, email me at a@b.io",
    "count 7, tags: red, green; name: Ada Lovelace; zip 90210",
]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCHEMAS, PROMPTS)
def test_instance_always_validates(schema: dict[str, Any], prompt: str) -> None:
    top = {"type": "object", "properties": {"value": schema}, "required": ["value"]}
    value = instance(top, prompt)
    assert validate(value, top) == [], (schema, value)


@settings(max_examples=200, deadline=None)
@given(SCHEMAS, st.one_of(st.none(), st.integers(), st.text(max_size=10), st.booleans(),
                          st.lists(st.integers(), max_size=3),
                          st.dictionaries(NAMES, st.integers())))
def test_conform_repairs_any_value(schema: dict[str, Any], value: Any) -> None:
    assert validate(conform(value, schema), schema) == []


def test_valid_values_are_kept() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "maximum": 9}},
              "required": ["n"]}
    assert conform({"n": 4}, schema) == {"n": 4}
    assert conform({"n": 40}, schema) == {"n": 9}
    assert conform({"n": "7 days"}, schema) == {"n": 7}


def test_values_come_from_the_prompt() -> None:
    schema = {"type": "object", "required": ["city", "unit", "days"], "properties": {
        "city": {"type": "string", "description": "The city"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7}}}
    assert instance(schema, "What's the weather in Paris for 3 days in fahrenheit?") == {
        "city": "Paris", "unit": "fahrenheit", "days": 3}
    # nothing in the prompt: defaults of the right type, inside the bounds
    assert instance(schema, "hello") == {"city": "city", "unit": "celsius", "days": 1}


def test_places_skip_question_words_and_sentence_starts() -> None:
    assert places("What's the weather in Paris and in New York?") == ["Paris", "New York"]
    assert places("Tell me a joke.") == []
    assert places("London weather please") == []  # a capitalised first word alone is not enough


def test_regex_sample_matches() -> None:
    for pattern in (r"^[A-Z]{2}-\d{3}$", r"^(ab|cd)+e$", r"^\d{5}(-\d{4})?$"):
        found = sample(pattern)
        assert found is not None and re.search(pattern, found)
    assert sample("(unclosed") is None
