"""The main commands and a tool-use round trip against real Bedrock (``--run-live``).

Each test states what any correct Bedrock answer satisfies, so the same checks can hold the
offline emulator to the real service: run them here, compare with ``--backend local``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli
from tests.live.conftest import EMBED_MODEL, IMAGE_MODEL, REGION, TEXT_MODEL, TOKENS_MODEL

pytestmark = pytest.mark.live

AWS = ["--backend", "aws", "--region", REGION, "--no-log"]


def run(*args: str, input: str | None = None) -> Any:
    result = cli([*AWS, *args], input=input)
    assert result.exit_code == 0, result.stderr
    return result


def test_generate() -> None:
    result = run("generate", "Reply with the single word: pong", "-m", TEXT_MODEL,
                 "--max-tokens", "20", "-t", "0", "--json")
    doc = result.json()
    assert "pong" in doc["text"].lower()
    assert doc["usage"]["output_tokens"] > 0 and doc["backend"] == "aws"


def test_generate_streams_to_stdout() -> None:
    result = run("generate", "Count from 1 to 5, digits only.", "-m", TEXT_MODEL,
                 "--max-tokens", "30", "-t", "0")
    assert "3" in result.stdout


def test_ask_answers_from_the_context(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("The office moved to 14 Harbour Street in March.", encoding="utf-8")
    result = run("ask", "Where is the office?", "-f", str(note), "-m", TEXT_MODEL)
    assert "harbour" in result.stdout.lower()


def test_extract_fills_the_fields() -> None:
    result = run("extract", "-F", "name", "-F", "age:integer", "-m", TEXT_MODEL, "--json",
                 input="Alice Martin is 30 years old.")
    data = result.json()["data"]
    assert "Alice" in data["name"] and data["age"] == 30


def test_image(tmp_path: Path) -> None:
    out = tmp_path / "square.png"
    run("image", "a red square on a white background", "-m", IMAGE_MODEL, "--width", "512",
        "--height", "512", "-o", str(out))
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_embed() -> None:
    doc = run("embed", "hello world", "-m", EMBED_MODEL, "--json").json()
    vector = doc["embedding"]
    assert len(vector) in (256, 512, 1024) and any(vector)


def test_tokens() -> None:
    result = run("tokens", "How many tokens is this sentence?", "-m", TOKENS_MODEL, "--json")
    doc = result.json()
    assert doc["input_tokens"] > 0 and doc["exact"] is True


WEATHER_TOOL = {"toolSpec": {
    "name": "get_weather",
    "description": "The current weather in a city.",
    "inputSchema": {"json": {"type": "object", "properties": {
        "city": {"type": "string", "description": "The city name"}}, "required": ["city"]}}}}


def test_tool_use_round_trip() -> None:
    import boto3

    runtime = boto3.client("bedrock-runtime", region_name=REGION)
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"text": "What is the weather in Paris right now?"}]}]
    config = {"tools": [WEATHER_TOOL], "toolChoice": {"any": {}}}
    first = runtime.converse(modelId=TEXT_MODEL, messages=messages, toolConfig=config,
                             inferenceConfig={"maxTokens": 200, "temperature": 0})
    assert first["stopReason"] == "tool_use"
    uses = [b["toolUse"] for b in first["output"]["message"]["content"] if "toolUse" in b]
    assert uses and uses[0]["name"] == "get_weather"
    assert "paris" in json.dumps(uses[0]["input"]).lower()
    messages.append(first["output"]["message"])
    messages.append({"role": "user", "content": [{"toolResult": {
        "toolUseId": uses[0]["toolUseId"],
        "content": [{"json": {"city": "Paris", "weather": "sunny", "celsius": 21}}]}}]})
    second = runtime.converse(modelId=TEXT_MODEL, messages=messages,
                              toolConfig={"tools": [WEATHER_TOOL]},
                              inferenceConfig={"maxTokens": 200, "temperature": 0})
    assert second["stopReason"] == "end_turn"
    answer = "".join(b.get("text", "") for b in second["output"]["message"]["content"])
    assert "21" in answer or "sunny" in answer.lower()


def test_tool_use_streamed() -> None:
    import boto3

    runtime = boto3.client("bedrock-runtime", region_name=REGION)
    events = list(runtime.converse_stream(
        modelId=TEXT_MODEL,
        messages=[{"role": "user", "content": [{"text": "Weather in Oslo?"}]}],
        toolConfig={"tools": [WEATHER_TOOL], "toolChoice": {"tool": {"name": "get_weather"}}},
        inferenceConfig={"maxTokens": 200, "temperature": 0})["stream"])
    starts = [e["contentBlockStart"]["start"]["toolUse"] for e in events
              if "toolUse" in e.get("contentBlockStart", {}).get("start", {})]
    assert starts and starts[0]["name"] == "get_weather"
    fragments = "".join(e["contentBlockDelta"]["delta"]["toolUse"]["input"] for e in events
                        if "toolUse" in e.get("contentBlockDelta", {}).get("delta", {}))
    assert "oslo" in json.loads(fragments)["city"].lower()
    assert any(e.get("messageStop", {}).get("stopReason") == "tool_use" for e in events)
