"""`generate --tool FILE.json` on the local backend: tool calls as JSON lines, --json, the
accepted spec shapes, and exit 2 for bad files and choices."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bedrock_cli.history import History
from tests.helpers import cli

SCHEMA = {"type": "object", "required": ["city"], "properties": {
    "city": {"type": "string", "description": "City name"},
    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}
SHAPES: dict[str, Any] = {
    "converse": {"toolSpec": {"name": "get_weather", "description": "Current weather in a city",
                              "inputSchema": {"json": SCHEMA}}},
    "bare": {"name": "get_weather", "description": "Current weather in a city",
             "inputSchema": {"json": SCHEMA}},
    "anthropic": {"name": "get_weather", "description": "Current weather in a city",
                  "input_schema": SCHEMA},
    "openai": {"type": "function", "function": {"name": "get_weather",
                                                "description": "Current weather in a city",
                                                "parameters": SCHEMA}},
}
TIME = {"name": "get_time", "description": "The local time in a timezone", "input_schema": {
    "type": "object", "required": ["timezone"], "properties": {"timezone": {"type": "string"}}}}


def local(*args: str) -> Any:
    return cli(["--backend", "local", "generate", *args])


def write(name: str, doc: Any) -> str:
    Path(name).write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return name


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_tool_call_is_printed_as_json(isolated_env: Path, shape: str) -> None:
    run = local("--tool", write("weather.json", SHAPES[shape]), "What's the weather in Paris?")
    assert run.exit_code == 0, run.stderr
    assert run.stderr == ""
    [line] = run.stdout.splitlines()
    call = json.loads(line)
    assert call["name"] == "get_weather"
    assert call["input"] == {"city": "Paris"}
    assert call["id"].startswith("tooluse_")


def test_several_tools_and_parallel_calls(isolated_env: Path) -> None:
    run = local("--tool", write("w.json", SHAPES["converse"]), "--tool", write("t.json", TIME),
                "What's the weather in Paris and in Rome, and the time in Tokyo?")
    assert run.exit_code == 0, run.stderr
    calls = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(c["name"], c["input"]) for c in calls] == [
        ("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"}),
        ("get_time", {"timezone": "Tokyo"})]


def test_an_array_file_and_json_output(isolated_env: Path) -> None:
    path = write("tools.json", [SHAPES["bare"], TIME])
    run = local("--json", "--tool", path, "--tool-choice", "get_time", "Weather in Oslo?")
    assert run.exit_code == 0, run.stderr
    doc = run.json()
    assert doc["stop_reason"] == "tool_use"
    assert doc["text"] == ""
    assert [c["name"] for c in doc["tool_calls"]] == ["get_time"]
    assert doc["tool_calls"][0]["input"] == {"timezone": "Oslo"}
    row = History(isolated_env / "data").get(doc["history_id"])
    assert row is not None and row["status"] == "complete"
    assert "get_time" in str(row["response"])  # the tool call is in the recorded answer


def test_auto_answers_text_when_no_tool_fits(isolated_env: Path) -> None:
    run = local("--tool", write("w.json", SHAPES["converse"]), "--max-tokens", "8", "--json",
                "Tell me a story about a lighthouse.")
    assert run.exit_code == 0, run.stderr
    doc = run.json()
    assert doc["tool_calls"] == [] and doc["text"]


def test_any_forces_a_call(isolated_env: Path) -> None:
    run = local("--tool", write("w.json", SHAPES["converse"]), "--tool-choice", "any", "Hello")
    assert run.exit_code == 0, run.stderr
    call = json.loads(run.stdout)
    assert call["name"] == "get_weather" and isinstance(call["input"]["city"], str)


@pytest.mark.parametrize(("content", "args", "message"), [
    ('{"name": "x"', [], "bad.json is not valid JSON: Expecting ',' delimiter"),
    ({"name": "bad name", "input_schema": SCHEMA}, [],
     "bad.json: the tool name 'bad name' is missing or not valid."),
    ({"name": "t"}, [], "bad.json: the tool t has no input schema."),
    ({"name": "t", "input_schema": {"type": "array", "items": {}}}, [],
     "bad.json: the input schema of t is not usable: a tool's input schema must be an object"),
    ([], [], "bad.json holds no tool."),
    (SHAPES["bare"], ["--tool-choice", "nope"],
     "--tool-choice 'nope' is not auto, any or a tool's name."),
])
def test_bad_tool_files_exit_2(isolated_env: Path, content: Any, args: list[str],
                               message: str) -> None:
    run = local("--tool", write("bad.json", content), *args, "hi")
    assert run.exit_code == 2
    assert run.stdout == ""
    assert message in run.stderr
    assert "Hint:" in run.stderr


def test_missing_file_and_choice_without_tools(isolated_env: Path) -> None:
    run = local("--tool", "missing.json", "hi")
    assert run.exit_code == 2
    assert "Tool file not found: missing.json" in run.stderr
    run = local("--tool-choice", "any", "hi")
    assert run.exit_code == 2
    assert "--tool-choice needs at least one --tool." in run.stderr


def test_models_without_tools_and_the_invoke_api(isolated_env: Path) -> None:
    path = write("w.json", SHAPES["converse"])
    run = local("-m", "titan-express", "--tool", path, "hi")
    assert run.exit_code == 2
    assert "titan-express does not support tool use." in run.stderr
    run = local("--api", "invoke", "--tool", path, "hi")
    assert run.exit_code == 2
    assert "--tool works with the Converse API only." in run.stderr
