"""Tool use on Converse and ConverseStream, through a real boto3 client: the decision to call a
tool, schema-valid input, streamed input fragments, the round trip, and Bedrock's errors."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bedrock_cli.schemacheck import validate

HAIKU = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
NOVA = "amazon.nova-lite-v1:0"
WEATHER_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["city", "unit"], "properties": {
        "city": {"type": "string", "description": "City name"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}
WEATHER = {"toolSpec": {"name": "get_weather", "description": "Get the current weather for a city",
                        "inputSchema": {"json": WEATHER_SCHEMA}}}
TIME = {"toolSpec": {"name": "get_time", "description": "The local time in a timezone",
                     "inputSchema": {"json": {"type": "object", "required": ["timezone"],
                                              "properties": {"timezone": {"type": "string"}}}}}}
TOOLS = {"tools": [WEATHER, TIME]}
TOOL_USE_ID = re.compile(r"^tooluse_[A-Za-z0-9_-]{22}$")


def ask(runtime: Any, text: str, config: dict[str, Any] = TOOLS, model: str = HAIKU,
        **extra: Any) -> dict[str, Any]:
    return runtime.converse(modelId=model, toolConfig=config, **extra,
                            messages=[{"role": "user", "content": [{"text": text}]}])


def uses(response: dict[str, Any]) -> list[dict[str, Any]]:
    return [b["toolUse"] for b in response["output"]["message"]["content"] if "toolUse" in b]


def test_auto_calls_the_tool_the_question_is_about(runtime: Any) -> None:
    r = ask(runtime, "What's the weather in Paris in fahrenheit?")
    assert r["stopReason"] == "tool_use"
    [use] = uses(r)
    assert use["name"] == "get_weather"
    assert use["input"] == {"city": "Paris", "unit": "fahrenheit"}
    assert TOOL_USE_ID.match(use["toolUseId"])
    assert r["usage"]["outputTokens"] > 0


def test_auto_answers_text_when_no_tool_fits(runtime: Any) -> None:
    r = ask(runtime, "Tell me a story about a river.", inferenceConfig={"maxTokens": 20})
    assert r["stopReason"] in ("end_turn", "max_tokens")
    assert uses(r) == []
    assert r["output"]["message"]["content"][0]["text"]


def test_any_forces_a_call_and_tool_forces_the_named_one(runtime: Any) -> None:
    r = ask(runtime, "Hello there.", {**TOOLS, "toolChoice": {"any": {}}})
    assert r["stopReason"] == "tool_use"
    assert [u["name"] for u in uses(r)] == ["get_weather"]  # nothing fits: the first tool
    r = ask(runtime, "What's the weather in Rome?", {**TOOLS, "toolChoice": {"tool": {
        "name": "get_time"}}})
    [use] = uses(r)
    assert use["name"] == "get_time"
    assert use["input"] == {"timezone": "Rome"}


def test_parallel_calls_for_several_asks(runtime: Any) -> None:
    r = ask(runtime, "What's the weather in Paris and in London?")
    assert [(u["name"], u["input"]["city"]) for u in uses(r)] == [
        ("get_weather", "Paris"), ("get_weather", "London")]
    assert len({u["toolUseId"] for u in uses(r)}) == 2
    r = ask(runtime, "What time is it in Tokyo, and what's the weather in Oslo?")
    assert [(u["name"], u["input"]) for u in uses(r)] == [
        ("get_time", {"timezone": "Tokyo"}), ("get_weather", {"city": "Oslo", "unit": "celsius"})]


def test_input_validates_against_a_demanding_schema(runtime: Any) -> None:
    schema = {"type": "object", "additionalProperties": False,
              "required": ["origin", "destination", "passengers", "date", "code", "legs", "meta"],
              "properties": {
                  "origin": {"type": "string"}, "destination": {"type": "string"},
                  "passengers": {"type": "integer", "minimum": 1, "maximum": 9},
                  "date": {"type": "string", "format": "date"},
                  "code": {"type": "string", "pattern": "^[A-Z]{3}-\\d{2}$"},
                  "cabin": {"type": "string", "enum": ["economy", "business"]},
                  "legs": {"type": "array", "minItems": 1, "items": {
                      "type": "object", "required": ["stop"],
                      "properties": {"stop": {"type": "string", "minLength": 2}}}},
                  "meta": {"type": "object", "required": ["budget"], "properties": {
                      "budget": {"type": "number", "exclusiveMinimum": 0}}}}}
    tool = {"toolSpec": {"name": "book_flight", "description": "Book a flight",
                         "inputSchema": {"json": schema}}}
    r = ask(runtime, "Book a flight from New York to London on 2025-03-14 for 12 passengers "
                     "in business", {"tools": [tool], "toolChoice": {"any": {}}})
    [use] = uses(r)
    assert validate(use["input"], schema) == []
    assert use["input"]["date"] == "2025-03-14"
    assert use["input"]["passengers"] == 9  # 12 asked, the schema allows at most 9
    assert use["input"]["cabin"] == "business"


def test_stream_sends_the_input_in_json_fragments(runtime: Any) -> None:
    r = runtime.converse_stream(
        modelId=HAIKU, toolConfig=TOOLS,
        messages=[{"role": "user", "content": [{"text": "Weather in Paris and in London?"}]}])
    events = list(r["stream"])
    names = [next(iter(e)) for e in events]
    assert names[0] == "messageStart" and names[-2:] == ["messageStop", "metadata"]
    assert events[-2]["messageStop"]["stopReason"] == "tool_use"
    starts = [e["contentBlockStart"] for e in events if "contentBlockStart" in e]
    assert [s["contentBlockIndex"] for s in starts] == [0, 1]
    assert [s["start"]["toolUse"]["name"] for s in starts] == ["get_weather", "get_weather"]
    assert all(TOOL_USE_ID.match(s["start"]["toolUse"]["toolUseId"]) for s in starts)
    for index, city in ((0, "Paris"), (1, "London")):
        parts = [e["contentBlockDelta"]["delta"]["toolUse"]["input"] for e in events
                 if e.get("contentBlockDelta", {}).get("contentBlockIndex") == index]
        assert len(parts) > 1  # fragments, as Bedrock streams them
        assert json.loads("".join(parts)) == {"city": city, "unit": "celsius"}
    stops = [e["contentBlockStop"]["contentBlockIndex"] for e in events
             if "contentBlockStop" in e]
    assert stops == [0, 1]


def _call(runtime: Any, messages: list[dict[str, Any]], stream: bool = False) -> dict[str, Any]:
    if not stream:
        return dict(runtime.converse(modelId=HAIKU, messages=messages, toolConfig=TOOLS))
    text, reason = "", ""
    for event in runtime.converse_stream(modelId=HAIKU, messages=messages,
                                         toolConfig=TOOLS)["stream"]:
        text += event.get("contentBlockDelta", {}).get("delta", {}).get("text", "")
        reason = event.get("messageStop", {}).get("stopReason", reason)
    return {"stopReason": reason, "output": {"message": {"role": "assistant",
                                                          "content": [{"text": text}]}}}


def run_tool(use: dict[str, Any]) -> dict[str, Any]:
    """The user's side of the loop: a fake weather service."""
    temps = {"Paris": 21, "London": 14}
    return {"toolUseId": use["toolUseId"], "status": "success",
            "content": [{"json": {"temperature": temps[use["input"]["city"]], "sky": "clear"}}]}


@pytest.mark.parametrize("stream", [False, True])
def test_agent_loop_call_result_answer(runtime: Any, stream: bool) -> None:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"text": "What's the weather in Paris and London?"}]}]
    for _ in range(3):
        r = _call(runtime, messages)
        messages.append(r["output"]["message"])
        if r["stopReason"] != "tool_use":
            break
        messages.append({"role": "user", "content": [
            {"toolResult": run_tool(use)} for use in uses(r)]})
        r = _call(runtime, messages, stream)
        messages.append(r["output"]["message"])
        break
    assert r["stopReason"] == "end_turn"
    answer = r["output"]["message"]["content"][0]["text"]
    assert "temperature 21" in answer and "Paris" in answer
    assert "temperature 14" in answer and "London" in answer


def test_text_and_error_results(runtime: Any) -> None:
    first = ask(runtime, "Weather in Paris?")
    [use] = uses(first)
    for content, status, expect in (([{"text": "Sunny, 25 degrees."}], "success",
                                     "Sunny, 25 degrees"),
                                    ([{"text": "service down"}], "error", "failed: service down")):
        messages = [{"role": "user", "content": [{"text": "Weather in Paris?"}]},
                    first["output"]["message"],
                    {"role": "user", "content": [{"toolResult": {
                        "toolUseId": use["toolUseId"], "content": content, "status": status}}]}]
        r = runtime.converse(modelId=HAIKU, messages=messages, toolConfig=TOOLS)
        assert r["stopReason"] == "end_turn"
        assert expect in r["output"]["message"]["content"][0]["text"]


def test_aws_cli_tool_config_body(runtime: Any) -> None:
    """`aws bedrock-runtime converse --tool-config file://tools.json` sends the file as is."""
    cli_json = json.dumps({"tools": [{"toolSpec": {
        "name": "top_song", "description": "Get the most popular song played on a radio station.",
        "inputSchema": {"json": {"type": "object", "properties": {"sign": {
            "type": "string", "description": "The call sign for the radio station for which "
            "you want the most popular song. Example calls signs are WZPZ and WKRP."}},
            "required": ["sign"]}}}}]})
    r = runtime.converse(modelId=HAIKU, toolConfig=json.loads(cli_json), messages=[
        {"role": "user", "content": [{"text": "What is the most popular song on WZPZ?"}]}])
    [use] = uses(r)
    assert use == {"toolUseId": use["toolUseId"], "name": "top_song", "input": {"sign": "WZPZ"}}


# -- structured output, as LangChain sends it -----------------------------------------------

PERSON = {"title": "Person", "description": "Information about a person.", "type": "object",
          "properties": {"name": {"title": "Name", "type": "string"},
                         "age": {"title": "Age", "type": "integer"},
                         "address": {"$ref": "#/$defs/Address"}},
          "required": ["name", "age", "address"],
          "$defs": {"Address": {"title": "Address", "type": "object", "required": ["city"],
                                "properties": {"city": {"title": "City", "type": "string"}}}}}


def test_with_structured_output_converse_shape(runtime: Any) -> None:
    """ChatBedrockConverse.with_structured_output(Person): one tool, toolChoice tool."""
    r = runtime.converse(
        modelId=HAIKU, messages=[{"role": "user", "content": [
            {"text": "Ada Lovelace is 36 and lives in London."}]}],
        toolConfig={"tools": [{"toolSpec": {"name": "Person",
                                            "description": "Information about a person.",
                                            "inputSchema": {"json": PERSON}}}],
                    "toolChoice": {"tool": {"name": "Person"}}})
    [use] = uses(r)
    assert use["input"] == {"name": "Ada Lovelace", "age": 36, "address": {"city": "London"}}


# -- Bedrock's refusals ---------------------------------------------------------------------

def _refused(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    return str(caught.value.response["Error"]["Message"])


def test_tool_choice_naming_an_unknown_tool(runtime: Any) -> None:
    message = _refused(lambda: ask(runtime, "hi", {**TOOLS, "toolChoice": {"tool": {
        "name": "nope"}}}))
    assert message == ("The tool 'nope' named in toolConfig.toolChoice.tool isn't in "
                       "toolConfig.tools. Name one of the tools you pass.")


@pytest.mark.parametrize(("spec", "expected"), [
    ({"name": "get weather", "inputSchema": {"json": {"type": "object"}}},
     "1 validation error detected: Value 'get weather' at 'toolConfig.tools.1.member.toolSpec."
     "name' failed to satisfy constraint: Member must satisfy regular expression pattern: "
     "[a-zA-Z0-9_-]+"),
    ({"name": "t", "inputSchema": {"json": {"type": "string"}}},
     "The value at toolConfig.tools.0.toolSpec.inputSchema.json.type must be one of the "
     "following: object."),
    ({"name": "t", "inputSchema": {"json": {"type": "object", "required": "city"}}},
     "The value at toolConfig.tools.0.toolSpec.inputSchema.json.required must be a list of "
     "property names."),
])
def test_malformed_tool_specs(runtime: Any, spec: dict[str, Any], expected: str) -> None:
    assert _refused(lambda: ask(runtime, "hi", {"tools": [{"toolSpec": spec}]})) == expected


def test_duplicate_tool_names(runtime: Any) -> None:
    assert "duplicate tool names: get_weather" in _refused(
        lambda: ask(runtime, "hi", {"tools": [WEATHER, WEATHER]}))


def test_tool_result_without_a_matching_tool_use(runtime: Any) -> None:
    messages = [{"role": "user", "content": [{"text": "Weather?"}]},
                {"role": "assistant", "content": [{"toolUse": {
                    "toolUseId": "tooluse_a", "name": "get_weather", "input": {}}}]},
                {"role": "user", "content": [{"toolResult": {
                    "toolUseId": "tooluse_b", "content": [{"text": "x"}]}}]}]
    message = _refused(lambda: runtime.converse(modelId=HAIKU, messages=messages,
                                                toolConfig=TOOLS))
    assert message.startswith("messages.2.content.0: unexpected `tool_use_id` found in "
                              "`tool_result` blocks: tooluse_b.")
    messages[1] = {"role": "assistant", "content": [{"text": "Let me see."}]}
    assert _refused(lambda: runtime.converse(modelId=HAIKU, messages=messages,
                                             toolConfig=TOOLS)) == (
        "The number of toolResult blocks at messages.2.content exceeds the number of toolUse "
        "blocks of previous turn.")


def test_tool_use_without_its_result(runtime: Any) -> None:
    messages = [{"role": "user", "content": [{"text": "Weather?"}]},
                {"role": "assistant", "content": [{"toolUse": {
                    "toolUseId": "tooluse_a", "name": "get_weather", "input": {}}}]},
                {"role": "user", "content": [{"text": "never mind"}]}]
    assert _refused(lambda: runtime.converse(modelId=HAIKU, messages=messages,
                                             toolConfig=TOOLS)) == (
        "Expected toolResult blocks at messages.2.content for the following Ids: tooluse_a")
    assert _refused(lambda: runtime.converse(modelId=HAIKU, messages=messages)) == (
        "The toolConfig field must be defined when using toolUse and toolResult content "
        "blocks.")


def test_models_without_tools_or_tool_streaming_or_that_tool_choice(runtime: Any) -> None:
    assert _refused(lambda: ask(runtime, "hi", model="amazon.titan-text-express-v1")) == (
        "This model doesn't support tool use.")
    large = "mistral.mistral-large-2402-v1:0"
    assert _refused(lambda: runtime.converse_stream(
        modelId=large, toolConfig=TOOLS,
        messages=[{"role": "user", "content": [{"text": "hi"}]}])) == (
        "This model doesn't support tool use in streaming mode.")
    assert _refused(lambda: ask(runtime, "hi", {**TOOLS, "toolChoice": {"tool": {
        "name": "get_time"}}}, model=large)) == (
        "This model doesn't support the toolConfig.toolChoice.tool field. Remove "
        "toolConfig.toolChoice.tool and try again.")
    [use] = uses(ask(runtime, "Weather in Paris?", model=large))  # auto works
    assert use["input"]["city"] == "Paris"


def test_extract_hint_input_is_schema_valid(runtime: Any) -> None:
    """A strict schema (no null allowed) through the extract task: every required property
    comes back with the right type even when the text does not hold it."""
    schema = {"type": "object", "required": ["invoice_number", "total", "paid"],
              "properties": {"invoice_number": {"type": "string"},
                             "total": {"type": "number"}, "paid": {"type": "boolean"}}}
    r = runtime.converse(
        modelId=NOVA, requestMetadata={"task": "extract"},
        messages=[{"role": "user", "content": [{"text": "<document>\nInvoice No. INV-7\n"
                                                        "</document>"}]}],
        toolConfig={"tools": [{"toolSpec": {"name": "record_extraction",
                                            "inputSchema": {"json": schema}}}],
                    "toolChoice": {"tool": {"name": "record_extraction"}}})
    [use] = uses(r)
    assert validate(use["input"], schema) == []
    assert use["input"]["invoice_number"] == "INV-7"


def test_tool_definitions_count_as_input_tokens(runtime: Any) -> None:
    messages = [{"role": "user", "content": [{"text": "Tell me a story."}]}]
    bare = runtime.converse(modelId=HAIKU, messages=messages, inferenceConfig={"maxTokens": 5})
    with_tools = runtime.converse(modelId=HAIKU, messages=messages, toolConfig=TOOLS,
                                  inferenceConfig={"maxTokens": 5})
    assert with_tools["usage"]["inputTokens"] > bare["usage"]["inputTokens"] + 20
    counted = runtime.count_tokens(modelId="anthropic.claude-3-5-haiku-20241022-v1:0", input={
        "converse": {"messages": messages, "toolConfig": TOOLS}})
    assert counted["inputTokens"] == with_tools["usage"]["inputTokens"]


def test_structured_output_without_tool_choice(runtime: Any) -> None:
    """LangChain binds the schema with no toolChoice where it thinks the model cannot force one
    (Nova; Claude with thinking): one tool whose input the turn holds is called with `auto`."""
    schema = {"type": "object", "required": ["name", "age"],
              "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}
    config = {"tools": [{"toolSpec": {"name": "Person", "description": "Information about a "
                                      "person.", "inputSchema": {"json": schema}}}]}
    r = ask(runtime, "Ada Lovelace is 36 and lives in London.", config, model=NOVA)
    assert uses(r)[0]["input"] == {"name": "Ada Lovelace", "age": 36}
    r = ask(runtime, "Tell me a story about the sea.", config, model=NOVA,
            inferenceConfig={"maxTokens": 10})
    assert uses(r) == []


# -- Bedrock's native structured outputs (outputConfig.textFormat) ---------------------------

SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
CONTACT = {"type": "object", "additionalProperties": False, "required": ["name", "email"],
           "properties": {"name": {"type": "string"}, "email": {"type": "string",
                                                                "format": "email"},
                          "plan": {"type": "string", "enum": ["free", "pro"]}}}
OUTPUT = {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": {
    "schema": json.dumps(CONTACT), "name": "contact", "description": "A contact"}}}}
PROMPT = [{"role": "user", "content": [{"text": "Extract: Grace Hopper, grace@navy.mil, on the "
                                                "pro plan."}]}]


@pytest.mark.parametrize("stream", [False, True])
def test_output_config_json_schema(runtime: Any, stream: bool) -> None:
    if stream:
        events = list(runtime.converse_stream(modelId=SONNET_45, messages=PROMPT,
                                              outputConfig=OUTPUT)["stream"])
        text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events
                       if "contentBlockDelta" in e)
        assert events[-2]["messageStop"]["stopReason"] == "end_turn"
    else:
        r = runtime.converse(modelId=SONNET_45, messages=PROMPT, outputConfig=OUTPUT)
        assert r["stopReason"] == "end_turn"
        text = r["output"]["message"]["content"][0]["text"]
    value = json.loads(text)
    assert validate(value, CONTACT) == []
    assert value == {"name": "Grace Hopper", "email": "grace@navy.mil", "plan": "pro"}


def test_output_config_refusals(runtime: Any) -> None:
    assert _refused(lambda: runtime.converse(modelId=HAIKU, messages=PROMPT,
                                             outputConfig=OUTPUT)) == (
        "This model doesn't support the outputConfig.textFormat field. Remove "
        "outputConfig.textFormat and try again.")
    bad = {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": {
        "schema": "{not json"}}}}
    assert _refused(lambda: runtime.converse(modelId=SONNET_45, messages=PROMPT,
                                             outputConfig=bad)) == (
        "The value at outputConfig.textFormat.structure.jsonSchema.schema must be a JSON "
        "Schema, as JSON text.")


def test_calculator_tools_from_arithmetic(runtime: Any) -> None:
    """LangChain's tool-calling tutorial: add and multiply, two questions in one turn."""
    def tool(name: str, description: str) -> dict[str, Any]:
        return {"toolSpec": {"name": name, "description": description, "inputSchema": {"json": {
            "type": "object", "required": ["a", "b"],
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}}}}

    config = {"tools": [tool("add", "Adds a and b."), tool("multiply", "Multiplies a and b.")]}
    r = ask(runtime, "What is 3 * 12? Also, what is 11 + 49?", config)
    assert [(u["name"], u["input"]) for u in uses(r)] == [
        ("multiply", {"a": 3, "b": 12}), ("add", {"a": 11, "b": 49})]
