"""Tool use on InvokeModel / InvokeModelWithResponseStream in each family's own format:
Anthropic Messages, Nova, Mistral Large chat, Cohere Command R; Llama refuses tools."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.wire.conftest import make_client

HAIKU = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
NOVA = "amazon.nova-lite-v1:0"
SCHEMA = {"type": "object", "properties": {"city": {"type": "string", "description": "City"}},
          "required": ["city"]}
CLAUDE_TOOLS = [{"name": "get_weather", "description": "Get the weather for a city",
                 "input_schema": SCHEMA}]


def invoke(runtime: Any, model: str, body: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(runtime.invoke_model(modelId=model, body=json.dumps(body))
                           ["body"].read()))


def chunks(runtime: Any, model: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    stream = runtime.invoke_model_with_response_stream(modelId=model, body=json.dumps(body))
    return [json.loads(e["chunk"]["bytes"]) for e in stream["body"]]


def claude(text: str, **extra: Any) -> dict[str, Any]:
    return {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 200, "tools": CLAUDE_TOOLS,
            "messages": [{"role": "user", "content": text}], **extra}


def refused(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    return str(caught.value.response["Error"]["Message"])


# -- Anthropic -------------------------------------------------------------------------------

def test_anthropic_tool_use_and_round_trip(runtime: Any) -> None:
    body = claude("What's the weather in Paris?")
    r = invoke(runtime, HAIKU, body)
    assert r["stop_reason"] == "tool_use"
    [use] = r["content"]
    assert use["type"] == "tool_use" and use["name"] == "get_weather"
    assert use["input"] == {"city": "Paris"}
    assert re.fullmatch(r"toolu_bdrk_01[A-Za-z0-9]{22}", use["id"])
    body["messages"] += [
        {"role": "assistant", "content": r["content"]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use["id"],
                                      "content": [{"type": "text", "text": "22C, sunny"}]}]}]
    r = invoke(runtime, HAIKU, body)
    assert r["stop_reason"] == "end_turn"
    assert r["content"] == [{"type": "text", "text": "According to get_weather (Paris): "
                                                     "22C, sunny."}]


def test_anthropic_tool_choice(runtime: Any) -> None:
    r = invoke(runtime, HAIKU, claude("Hello!", tool_choice={"type": "any"}))
    assert [b["name"] for b in r["content"]] == ["get_weather"]
    r = invoke(runtime, HAIKU, claude("Tell me about the weather in Rome.",
                                      tool_choice={"type": "none"}, max_tokens=10))
    assert r["stop_reason"] in ("end_turn", "max_tokens")
    assert r["content"][0]["type"] == "text"


def test_anthropic_stream_tool_use(runtime: Any) -> None:
    events = chunks(runtime, HAIKU, claude("Weather in Paris and in Oslo?"))
    kinds = [e["type"] for e in events]
    assert kinds[0] == "message_start" and kinds[-2:] == ["message_delta", "message_stop"]
    starts = [e for e in events if e["type"] == "content_block_start"]
    assert [s["index"] for s in starts] == [0, 1]
    for start, city in zip(starts, ("Paris", "Oslo"), strict=True):
        block = start["content_block"]
        assert block["type"] == "tool_use" and block["input"] == {}
        parts = [e["delta"]["partial_json"] for e in events
                 if e["type"] == "content_block_delta" and e["index"] == start["index"]]
        assert all(e["delta"]["type"] == "input_json_delta" for e in events
                   if e["type"] == "content_block_delta")
        assert len(parts) > 1
        assert json.loads("".join(parts)) == {"city": city}
    assert events[-2]["delta"]["stop_reason"] == "tool_use"
    assert "amazon-bedrock-invocationMetrics" in events[-1]


def test_anthropic_structured_output_shape(runtime: Any) -> None:
    """ChatBedrock(...).with_structured_output(Person): tool_choice {type: tool, name}."""
    person = {"type": "object", "required": ["name", "age"], "properties": {
        "name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}}
    r = invoke(runtime, HAIKU, {
        "anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
        "tools": [{"name": "Person", "description": "A person", "input_schema": person}],
        "tool_choice": {"type": "tool", "name": "Person"},
        "messages": [{"role": "user", "content": [{"type": "text",
                                                    "text": "Grace Hopper was 85."}]}]})
    assert r["content"][0]["input"] == {"name": "Grace Hopper", "age": 85}


@pytest.mark.parametrize(("change", "message"), [
    ({"tools": [{"name": "x"}]}, "tools.0.custom.input_schema: Field required"),
    ({"tools": [{"name": "bad name", "input_schema": SCHEMA}]},
     "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"),
    ({"tools": [{"name": "t", "input_schema": {"type": "array"}}]},
     "The value at tools.0.custom.input_schema.type must be one of the following: object."),
    ({"tool_choice": {"type": "tool", "name": "nope"}},
     "Tool 'nope' named in tool_choice was not found in tools. Name one of the tools you "
     "pass."),
    ({"tools": [*CLAUDE_TOOLS, *CLAUDE_TOOLS]}, "tools: Tool names must be unique."),
])
def test_anthropic_malformed_tools(runtime: Any, change: dict[str, Any], message: str) -> None:
    assert refused(lambda: invoke(runtime, HAIKU, claude("hi", **change))) == message


def test_anthropic_tool_choice_without_tools(runtime: Any) -> None:
    body = claude("hi", tool_choice={"type": "any"})
    del body["tools"]
    assert refused(lambda: invoke(runtime, HAIKU, body)) == (
        "tool_choice may only be specified while providing tools.")


def test_anthropic_tool_result_pairing(runtime: Any) -> None:
    body = claude("hi")
    body["messages"] += [
        {"role": "assistant", "content": [{"type": "text", "text": "ok"}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_x",
                                      "content": "r"}]}]
    assert refused(lambda: invoke(runtime, HAIKU, body)).startswith(
        "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_x.")
    body["messages"][1]["content"] = [{"type": "tool_use", "id": "toolu_y",
                                       "name": "get_weather", "input": {}}]
    body["messages"][2]["content"] = "never mind"
    assert refused(lambda: invoke(runtime, HAIKU, body)).startswith(
        "messages.2: `tool_use` ids were found without `tool_result` blocks immediately "
        "after: toolu_y.")


# -- Nova ------------------------------------------------------------------------------------

NOVA_TOOLS = {"tools": [{"toolSpec": {"name": "get_weather", "description": "Weather",
                                      "inputSchema": {"json": SCHEMA}}}]}


def test_nova_native_tools(runtime: Any) -> None:
    body = {"schemaVersion": "messages-v1", "toolConfig": NOVA_TOOLS,
            "messages": [{"role": "user", "content": [{"text": "Weather in Lisbon?"}]}]}
    r = invoke(runtime, NOVA, body)
    assert r["stopReason"] == "tool_use"
    [block] = r["output"]["message"]["content"]
    assert block["toolUse"]["input"] == {"city": "Lisbon"}
    events = chunks(runtime, NOVA, body)
    assert [next(iter(e)) for e in events][:2] == ["messageStart", "contentBlockStart"]
    parts = [e["contentBlockDelta"]["delta"]["toolUse"]["input"] for e in events
             if "contentBlockDelta" in e]
    assert json.loads("".join(parts)) == {"city": "Lisbon"}
    assert events[-2]["messageStop"]["stopReason"] == "tool_use"
    body["messages"] += [r["output"]["message"], {"role": "user", "content": [{"toolResult": {
        "toolUseId": block["toolUse"]["toolUseId"], "content": [{"json": {"temp": 30}}]}}]}]
    r = invoke(runtime, NOVA, body)
    assert r["stopReason"] == "end_turn"
    assert r["output"]["message"]["content"][0]["text"] == (
        "According to get_weather (Lisbon): temp 30.")


# -- Mistral Large and Cohere Command R -------------------------------------------------------

def test_mistral_large_chat_tools() -> None:
    runtime = make_client("bedrock-runtime", region="us-west-2")
    model = "mistral.mistral-large-2407-v1:0"
    body: dict[str, Any] = {
        "messages": [{"role": "user", "content": "Weather in Berlin?"}], "max_tokens": 100,
        "tools": [{"type": "function", "function": {"name": "get_weather",
                                                    "description": "Weather for a city",
                                                    "parameters": SCHEMA}}]}
    r = invoke(runtime, model, body)
    choice = r["choices"][0]
    assert choice["stop_reason"] == "tool_calls"
    [call] = choice["message"]["tool_calls"]
    assert re.fullmatch(r"[A-Za-z0-9]{9}", call["id"])
    assert json.loads(call["function"]["arguments"]) == {"city": "Berlin"}
    [last] = chunks(runtime, model, body)
    assert last["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"
    body["messages"] += [choice["message"], {"role": "tool", "tool_call_id": call["id"],
                                             "content": "12 degrees"}]
    r = invoke(runtime, model, body)
    assert r["choices"][0]["message"]["content"] == "According to get_weather (Berlin): 12 degrees."


def test_cohere_command_r_tools(runtime: Any) -> None:
    model = "cohere.command-r-v1:0"
    body: dict[str, Any] = {"message": "What is the top song on WZPZ?", "tools": [{
        "name": "top_song", "description": "The most popular song on a radio station",
        "parameter_definitions": {"sign": {"description": "The station's call sign",
                                           "type": "str", "required": True}}}]}
    r = invoke(runtime, model, body)
    assert r["tool_calls"] == [{"name": "top_song", "parameters": {"sign": "WZPZ"}}]
    events = chunks(runtime, model, body)
    assert [e["event_type"] for e in events] == ["stream-start", "tool-calls-generation",
                                                 "stream-end"]
    body["tool_results"] = [{"call": r["tool_calls"][0], "outputs": [{"song": "Elemental Hotel"}]}]
    r = invoke(runtime, model, body)
    assert "tool_calls" not in r
    assert r["text"] == "According to top_song (WZPZ): song Elemental Hotel."


def test_llama_native_body_has_no_tools(runtime: Any) -> None:
    body = {"prompt": "hi", "tools": CLAUDE_TOOLS}
    assert refused(lambda: invoke(runtime, "us.meta.llama3-1-8b-instruct-v1:0", body)) == (
        "Malformed input request: #: extraneous key [tools] is not permitted, please reformat "
        "your input and try again.")


def test_anthropic_output_config_format(runtime: Any) -> None:
    schema = {"type": "object", "required": ["city", "population"], "additionalProperties": False,
              "properties": {"city": {"type": "string"},
                             "population": {"type": "integer", "minimum": 0}}}
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 200,
            "output_config": {"format": {"type": "json_schema", "schema": schema}},
            "messages": [{"role": "user", "content": "Lyon has a population of 522250."}]}
    r = invoke(runtime, "us.anthropic.claude-haiku-4-5-20251001-v1:0", body)
    assert json.loads(r["content"][0]["text"]) == {"city": "Lyon", "population": 522250}
    assert refused(lambda: invoke(runtime, HAIKU, body)) == (
        "output_config.format: structured outputs are not supported by this model.")


def test_anthropic_disable_parallel_tool_use(runtime: Any) -> None:
    body = claude("Weather in Paris and in Oslo?")
    assert len(invoke(runtime, HAIKU, body)["content"]) == 2
    body["tool_choice"] = {"type": "auto", "disable_parallel_tool_use": True}
    [only] = invoke(runtime, HAIKU, body)["content"]
    assert only["input"] == {"city": "Paris"}


@pytest.mark.parametrize(("model", "body", "message"), [
    (NOVA, {"schemaVersion": "messages-v1", "toolConfig": {"tools": [{"toolSpec": {
        "name": "bad name", "inputSchema": {"json": SCHEMA}}}]},
        "messages": [{"role": "user", "content": [{"text": "hi"}]}]},
     "toolConfig.tools.0.toolSpec.name must match [a-zA-Z0-9_-]{1,64}."),
    (NOVA, {"schemaVersion": "messages-v1", "toolConfig": {**NOVA_TOOLS, "toolChoice": {
        "tool": {"name": "nope"}}}, "messages": [{"role": "user", "content": [{"text": "hi"}]}]},
     "The tool 'nope' named in toolConfig.toolChoice.tool isn't in toolConfig.tools. Name one "
     "of the tools you pass."),
    (NOVA, {"schemaVersion": "messages-v1", "messages": [
        {"role": "user", "content": [{"text": "hi"}]},
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t", "name": "x",
                                                       "input": {}}}]},
        {"role": "user", "content": [{"text": "and?"}]}]},
     "The toolConfig field must be defined when using toolUse and toolResult content blocks."),
    ("cohere.command-r-v1:0", {"message": "hi", "tools": [{"name": "t", "parameter_definitions": {
        "x": {"description": "no type"}}}]},
     "tools.0.parameter_definitions.x.type: field required"),
    ("cohere.command-r-v1:0", {"message": "hi", "tool_results": [
        {"call": {"name": "t", "parameters": {}}, "outputs": []}]},
     "tool_results needs the tools they answer."),
])
def test_malformed_native_tools(runtime: Any, model: str, body: dict[str, Any],
                                message: str) -> None:
    assert refused(lambda: invoke(runtime, model, body)) == message


def test_mistral_malformed_tools() -> None:
    runtime = make_client("bedrock-runtime", region="us-west-2")
    model = "mistral.mistral-large-2407-v1:0"
    body = {"messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function"}]}
    assert refused(lambda: invoke(runtime, model, body)) == "tools.0.function: field required"
    body = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": ""},
                         {"role": "tool", "tool_call_id": "abc", "content": "x"}],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": SCHEMA}}]}
    assert refused(lambda: invoke(runtime, model, body)) == (
        "Tool message with tool_call_id 'abc' does not answer a tool call of the assistant "
        "message before it.")
