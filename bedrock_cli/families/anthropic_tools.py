"""Anthropic Messages tools on Bedrock: `tools`, `tool_choice`, and the tool_use/tool_result
history, read into the family-neutral fields of a `NativeCall` (the emulator side).

Messages are Anthropic's own (its API validates these fields and Bedrock passes the text on):
``tools.0.custom.input_schema: Field required``, ``tool_choice may only be specified while
providing tools.``, and the two tool_use/tool_result pairing errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bedrock_cli.families.base import NativeCall
from bedrock_cli.families.body_schema import RangeError
from bedrock_cli.families.tooling import ToolDef, ToolResult

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
CHOICES = ("auto", "any", "tool", "none")


def _tool(i: int, tool: Any) -> ToolDef | None:
    if not isinstance(tool, dict):
        raise RangeError(f"tools.{i}: Input should be a valid dictionary")
    if tool.get("type") not in (None, "custom"):
        return None  # a server tool (computer use, text editor, …): nothing to fill here
    name = tool.get("name")
    if not isinstance(name, str):
        raise RangeError(f"tools.{i}.custom.name: Field required")
    if not _NAME.match(name):
        raise RangeError(f"tools.{i}.custom.name: String should match pattern "
                         "'^[a-zA-Z0-9_-]{1,64}$'")
    if "input_schema" not in tool:
        raise RangeError(f"tools.{i}.custom.input_schema: Field required")
    return ToolDef(name, str(tool.get("description") or ""), tool["input_schema"],
                   f"tools.{i}.custom.input_schema")


def _choice(body: Mapping[str, Any], tools: list[ToolDef]) -> tuple[str, str | None]:
    choice = body.get("tool_choice")
    if choice is None:
        return "auto", None
    if "tools" not in body:
        raise RangeError("tool_choice may only be specified while providing tools.")
    kind = choice.get("type")
    if kind not in CHOICES:
        raise RangeError("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")
    if kind != "tool":
        return str(kind), None
    name = choice.get("name")
    if not isinstance(name, str):
        raise RangeError("tool_choice.tool.name: Field required")
    if name not in {t.name for t in tools}:
        raise RangeError(f"Tool '{name}' named in tool_choice was not found in tools. "
                         "Name one of the tools you pass.")
    return "tool", name


def _pairs(seen: list[dict[str, Any]]) -> list[ToolResult]:
    """Anthropic's pairing rules; the results of the last turn, with their calls."""
    results: list[ToolResult] = []
    for i, blocks in enumerate(seen):
        asked = {str(u.get("id")): u for u in seen[i - 1]["uses"]} if i else {}
        answered = {str(r.get("tool_use_id")) for r, _ in blocks["results"]}
        for j, (result, _) in enumerate(blocks["results"]):
            if str(result.get("tool_use_id")) not in asked:
                raise RangeError(
                    f"messages.{i}.content.{j}: unexpected `tool_use_id` found in "
                    f"`tool_result` blocks: {result.get('tool_use_id')}. Each `tool_result` "
                    "block must have a corresponding `tool_use` block in the previous message.")
        missing = [u for u in asked if u not in answered]
        if missing:
            raise RangeError(f"messages.{i}: `tool_use` ids were found without `tool_result` "
                             f"blocks immediately after: {', '.join(missing)}. Each `tool_use` "
                             "block must have a corresponding `tool_result` block in the next "
                             "message.")
        if i == len(seen) - 1:
            for result, text in blocks["results"]:
                use = asked[str(result.get("tool_use_id"))]
                given = use.get("input") if isinstance(use.get("input"), dict) else {}
                results.append(ToolResult(str(use.get("name", "tool")), given, text,
                                          bool(result.get("is_error"))))
    return results


def read_tools(body: Mapping[str, Any], call: NativeCall, seen: list[dict[str, Any]]) -> None:
    """Fill `call.tools`, `tool_choice`, `tool_results` and `question` from the body."""
    raw = body.get("tools")
    read = [_tool(i, t) for i, t in enumerate(raw)] if isinstance(raw, list) else []
    tools = [t for t in read if t is not None]
    names = [t.name for t in tools]
    if len(set(names)) != len(names):
        raise RangeError("tools: Tool names must be unique.")
    call.tools = tools
    call.tool_choice = _choice(body, tools)
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("disable_parallel_tool_use") is True:
        call.extra["single_tool_call"] = True  # at most one tool_use block
    call.tool_results = _pairs(seen)
    call.question = next((("\n".join(b["text"])) for b in reversed(seen[::2]) if
                          any(t.strip() for t in b["text"])), "")


def output_format(body: Mapping[str, Any], model: ModelInfo) -> dict[str, Any] | None:
    """``output_config.format`` (structured outputs): the JSON Schema the answer must match."""
    config = body.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else None
    if fmt is None:
        return None
    if not model.structured_output:
        raise RangeError("output_config.format: structured outputs are not supported by this "
                         "model.")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        raise RangeError("output_config.format.type: Input should be 'json_schema'")
    schema = fmt.get("schema")
    if not isinstance(schema, dict):
        raise RangeError("output_config.format.schema: Field required")
    return schema
