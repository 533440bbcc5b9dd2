"""`generate --tool FILE.json`: tool specs read from files into a Converse ``toolConfig``, and
the model's tool calls read back from the answer.

A tool file holds one tool, or a JSON array of them, in any of the shapes people already have:
Converse's ``{"toolSpec": {...}}``, the bare ``{"name", "description", "inputSchema":
{"json": ...}}``, Anthropic's ``{"name", "description", "input_schema"}``, or OpenAI's
``{"type": "function", "function": {"name", "description", "parameters"}}``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.tasks import schema as schemas
from bedrock_cli.types import TextRequest, TextResult

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
SHAPES = ('{"toolSpec": {"name", "description", "inputSchema": {"json": SCHEMA}}}, '
          '{"name", "description", "inputSchema": {"json": SCHEMA}} or '
          '{"name", "description", "input_schema": SCHEMA}')


def _spec(raw: Any, path: Path) -> dict[str, Any]:
    """One tool in any accepted shape → a Converse toolSpec."""
    if not isinstance(raw, dict):
        raise UsageError(f"{path}: a tool must be a JSON object.", f"Use {SHAPES}.")
    if isinstance(raw.get("toolSpec"), dict):
        raw = raw["toolSpec"]
    elif raw.get("type") == "function" and isinstance(raw.get("function"), dict):
        raw = {**raw["function"], "input_schema": raw["function"].get("parameters", {})}
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise UsageError(f"{path}: the tool name {name!r} is missing or not valid.",
                         "Name it with 1 to 64 letters, digits, _ or -.")
    if isinstance(raw.get("inputSchema"), dict) and "json" in raw["inputSchema"]:
        schema = raw["inputSchema"]["json"]
    elif "input_schema" in raw or "parameters" in raw:
        schema = raw.get("input_schema", raw.get("parameters"))
    else:
        raise UsageError(f"{path}: the tool {name} has no input schema.", f"Use {SHAPES}.")
    problems = schemas.check(schema)
    if not problems and schemas.is_array(schema):
        problems = ["a tool's input schema must be an object schema."]
    if problems:
        raise UsageError(f"{path}: the input schema of {name} is not usable: {problems[0]}",
                         'A tool input is an object schema: {"type": "object", '
                         '"properties": {...}}.')
    spec: dict[str, Any] = {"name": name, "inputSchema": {"json": schema}}
    description = raw.get("description")
    if isinstance(description, str) and description:
        spec["description"] = description
    return spec


def load(path: Path) -> list[dict[str, Any]]:
    """The tool specs in one file (one tool or an array); any problem is exit 2 naming it."""
    from bedrock_cli.inputs import read_bytes

    data = read_bytes(path, noun="tool file", hint="Check the path of --tool.")
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a text file.", "Pass a JSON tool spec.") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column "
                         f"{exc.colno}).", "Fix the JSON, e.g. check it with `jq . FILE`.") \
            from None
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise UsageError(f"{path} holds no tool.", f"Use {SHAPES}.")
    return [_spec(item, path) for item in items]


def tool_config(paths: list[Path], choice: str | None) -> dict[str, Any] | None:
    """The Converse toolConfig for `--tool` files and `--tool-choice auto|any|NAME`."""
    if not paths:
        if choice:
            raise UsageError("--tool-choice needs at least one --tool.",
                             "Add --tool FILE.json, or drop --tool-choice.")
        return None
    specs = [spec for path in paths for spec in load(path)]
    names = [s["name"] for s in specs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"The tool {twice[0]} is given twice.", "Give each tool once.")
    config: dict[str, Any] = {"tools": [{"toolSpec": s} for s in specs]}
    if choice in (None, "", "auto"):
        return config
    if choice == "any":
        config["toolChoice"] = {"any": {}}
    elif choice in names:
        config["toolChoice"] = {"tool": {"name": choice}}
    else:
        raise UsageError(f"--tool-choice {choice!r} is not auto, any or a tool's name.",
                         f"Use auto, any or one of: {', '.join(names)}.")
    return config


def calls(result: TextResult) -> list[dict[str, Any]]:
    """The tool calls in an answer: ``[{"id", "name", "input"}]``."""
    return [{"id": use.get("toolUseId"), "name": use.get("name"), "input": use.get("input")}
            for block in result.content
            if isinstance(use := block.get("toolUse"), dict)]


def apply(request: TextRequest, model: ModelInfo | None, name: str, paths: list[Path],
          choice: str | None) -> bool:
    """Put the `--tool` files on the request; True when there are tools (the answer is then
    waited for whole, and tool calls are printed as JSON)."""
    config = tool_config(paths, choice)
    if config is None:
        return False
    if model is not None and not model.tools:
        raise UsageError(f"{name} does not support tool use.",
                         "Use a model with tool use, e.g. -m nova-lite or -m haiku.")
    if request.api != "converse":
        raise UsageError("--tool works with the Converse API only.",
                         "Drop --api invoke (Converse is the default).")
    request.tool_config = config
    return True
