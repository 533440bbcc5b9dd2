"""Tool use through both transports (in-process and `serve`): the same agent loop, the same
streamed tool input, the same refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import Target

HAIKU = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
SCHEMA = {"type": "object", "required": ["city", "days"], "properties": {
    "city": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 5}}}
TOOLS = {"tools": [{"toolSpec": {"name": "forecast", "description": "Weather forecast for a city",
                                 "inputSchema": {"json": SCHEMA}}}]}
QUESTION = [{"role": "user", "content": [{"text": "What's the forecast in Paris for 3 days?"}]}]


def _stream(target: Target, **kwargs: Any) -> list[dict[str, Any]]:
    return list(target.runtime.converse_stream(**kwargs)["stream"])


def test_agent_loop(target: Target) -> None:
    r = target.runtime.converse(modelId=HAIKU, messages=QUESTION, toolConfig=TOOLS)
    assert r["stopReason"] == "tool_use"
    [block] = r["output"]["message"]["content"]
    use = block["toolUse"]
    assert use["input"] == {"city": "Paris", "days": 3}
    messages = [*QUESTION, r["output"]["message"], {"role": "user", "content": [{"toolResult": {
        "toolUseId": use["toolUseId"], "content": [{"json": {"high": 24, "low": 15}}]}}]}]
    r = target.runtime.converse(modelId=HAIKU, messages=messages, toolConfig=TOOLS)
    assert r["stopReason"] == "end_turn"
    assert r["output"]["message"]["content"] == [
        {"text": "According to forecast (Paris, 3): high 24, low 15."}]


def test_streamed_tool_input(target: Target) -> None:
    events = _stream(target, modelId=HAIKU, messages=QUESTION,
                     toolConfig={**TOOLS, "toolChoice": {"tool": {"name": "forecast"}}})
    assert [next(iter(e)) for e in events][:2] == ["messageStart", "contentBlockStart"]
    parts = [e["contentBlockDelta"]["delta"]["toolUse"]["input"] for e in events
             if "contentBlockDelta" in e]
    assert len(parts) > 1
    assert json.loads("".join(parts)) == {"city": "Paris", "days": 3}
    assert events[-2] == {"messageStop": {"stopReason": "tool_use"}}


def test_native_anthropic_stream(target: Target) -> None:
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
            "tools": [{"name": "forecast", "description": "Weather forecast for a city",
                       "input_schema": SCHEMA}],
            "messages": [{"role": "user", "content": "Forecast for Paris, 3 days?"}]}
    stream = target.runtime.invoke_model_with_response_stream(modelId=HAIKU,
                                                              body=json.dumps(body))
    chunks = [json.loads(e["chunk"]["bytes"]) for e in stream["body"]]
    partial = "".join(c["delta"]["partial_json"] for c in chunks
                      if c["type"] == "content_block_delta")
    assert json.loads(partial) == {"city": "Paris", "days": 3}
    assert chunks[-2]["delta"]["stop_reason"] == "tool_use"


def test_unknown_tool_choice_is_refused_before_the_stream(target: Target) -> None:
    with pytest.raises(ClientError) as caught:
        _stream(target, modelId=HAIKU, messages=QUESTION,
                toolConfig={**TOOLS, "toolChoice": {"tool": {"name": "nope"}}})
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"].startswith("The tool 'nope' named in toolConfig.toolChoice")
