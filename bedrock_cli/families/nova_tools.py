"""Amazon Nova native tools: `toolConfig` in the Converse shape, and toolUse/toolResult blocks
in the messages, read into the family-neutral fields of a `NativeCall` (the emulator side).
The checks and messages follow Converse's (Nova's native API is the Converse one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bedrock_cli.families.base import NativeCall
from bedrock_cli.families.body_schema import RangeError
from bedrock_cli.families.tooling import ToolDef, ToolResult

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def block_text(block: Mapping[str, Any]) -> str | None:
    """A toolUse or toolResult block as prompt text (None for other blocks)."""
    if isinstance(block.get("toolUse"), dict):
        return json.dumps(block["toolUse"].get("input", {}), ensure_ascii=False)
    if isinstance(block.get("toolResult"), dict):
        return result_text(block["toolResult"])
    return None


def result_text(result: Mapping[str, Any]) -> str:
    parts = []
    for item in result.get("content") or []:
        if isinstance(item, dict) and "text" in item:
            parts.append(str(item["text"]))
        elif isinstance(item, dict) and "json" in item:
            value = item["json"]
            parts.append(", ".join(f"{k} {v}" for k, v in value.items())
                         if isinstance(value, dict) else json.dumps(value))
    return "; ".join(parts)


def _tools(config: Any) -> list[ToolDef]:
    if not isinstance(config, dict) or not isinstance(config.get("tools"), list) \
            or not config["tools"]:
        raise RangeError("toolConfig.tools must be a list of at least one tool.")
    found = []
    for i, tool in enumerate(config["tools"]):
        spec = tool.get("toolSpec") if isinstance(tool, dict) else None
        if not isinstance(spec, dict):
            continue
        name = spec.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise RangeError(f"toolConfig.tools.{i}.toolSpec.name must match "
                             "[a-zA-Z0-9_-]{1,64}.")
        schema = (spec.get("inputSchema") or {}).get("json") \
            if isinstance(spec.get("inputSchema"), dict) else None
        if schema is None:
            raise RangeError(f"toolConfig.tools.{i}.toolSpec.inputSchema.json is required.")
        found.append(ToolDef(name, str(spec.get("description") or ""), schema,
                             f"toolConfig.tools.{i}.toolSpec.inputSchema.json"))
    return found


def _choice(config: Mapping[str, Any], tools: list[ToolDef]) -> tuple[str, str | None]:
    choice = config.get("toolChoice")
    if not isinstance(choice, dict) or not choice:
        return "auto", None
    kind = str(next(iter(choice)))
    if kind not in ("auto", "any", "tool"):
        raise RangeError("toolConfig.toolChoice must be one of auto, any or tool.")
    name = (choice.get("tool") or {}).get("name") if kind == "tool" else None
    if kind == "tool" and name not in {t.name for t in tools}:
        raise RangeError(f"The tool {name!r} named in toolConfig.toolChoice.tool isn't in "
                         "toolConfig.tools. Name one of the tools you pass.")
    return kind, name


def read_tools(body: Mapping[str, Any], call: NativeCall) -> None:
    """Fill `call.tools`, `tool_choice`, `tool_results` and `question` from a Nova body."""
    messages = body["messages"]
    has_blocks = any(isinstance(b, dict) and ("toolUse" in b or "toolResult" in b)
                     for m in messages for b in m.get("content") or [])
    config = body.get("toolConfig")
    if config is None:
        if has_blocks:
            raise RangeError("The toolConfig field must be defined when using toolUse and "
                             "toolResult content blocks.")
        return
    call.tools = _tools(config)
    call.tool_choice = _choice(config, call.tools)
    for i, message in enumerate(messages):
        uses = {b["toolUse"].get("toolUseId"): b["toolUse"] for b in
                (messages[i - 1].get("content") or [] if i else [])
                if isinstance(b, dict) and isinstance(b.get("toolUse"), dict)}
        results = [b["toolResult"] for b in message.get("content") or []
                   if isinstance(b, dict) and isinstance(b.get("toolResult"), dict)]
        if len(results) > len(uses):
            raise RangeError(f"The number of toolResult blocks at messages.{i}.content exceeds "
                             "the number of toolUse blocks of previous turn.")
        missing = [u for u in uses if u not in {r.get("toolUseId") for r in results}]
        if message.get("role") == "user" and missing:
            raise RangeError(f"Expected toolResult blocks at messages.{i}.content for the "
                             f"following Ids: {', '.join(map(str, missing))}")
        if i == len(messages) - 1:
            for result in results:
                use = uses.get(result.get("toolUseId")) or {}
                given: dict[str, Any] = use["input"] if isinstance(use.get("input"), dict) \
                    else {}
                call.tool_results.append(ToolResult(str(use.get("name", "tool")), given,
                                                    result_text(result),
                                                    result.get("status") == "error"))
    for message in reversed(messages):
        texts = [b["text"] for b in message.get("content") or []
                 if isinstance(b, dict) and isinstance(b.get("text"), str)]
        if message.get("role") == "user" and any(t.strip() for t in texts):
            call.question = "\n".join(texts)
            break
