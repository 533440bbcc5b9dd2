"""Native tools of the chat-style families, read into the family-neutral fields of a
`NativeCall` (the emulator side) and written back in each family's shape:

* Mistral Large (chat format): OpenAI-style ``tools`` ``[{"type": "function", "function":
  {"name", "description", "parameters"}}]``, ``tool_choice`` ``auto|any|none`` (or a named
  function), assistant ``tool_calls`` and ``role: tool`` messages → ``message.tool_calls``
  with ``stop_reason: "tool_calls"``.
* Cohere Command R/R+: ``tools`` with ``parameter_definitions`` (types ``str``, ``int``,
  ``float``, ``bool``, ``List[...]``, ``Dict``), ``tool_results`` → ``tool_calls``
  ``[{"name", "parameters"}]``.
Field names from the wire reference §2.5/§2.6 (Mistral's tool fields UNVERIFIED there; they
follow Mistral's own API).
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
_COHERE_TYPES = {"str": "string", "string": "string", "int": "integer", "integer": "integer",
                 "float": "number", "number": "number", "bool": "boolean", "boolean": "boolean",
                 "dict": "object", "object": "object"}


def _name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise RangeError(f"{where}: a tool name must match ^[a-zA-Z0-9_-]{{1,64}}$.")
    return name


# ---------------------------------------------------------------------------- Mistral


def mistral_tools(body: Mapping[str, Any], call: NativeCall) -> None:
    raw = body.get("tools")
    if raw is None:
        if body.get("tool_choice") not in (None, "none", "auto"):
            raise RangeError("tool_choice needs tools.")
        return
    tools = []
    for i, tool in enumerate(raw):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(function, dict):
            raise RangeError(f"tools.{i}.function: field required")
        tools.append(ToolDef(_name(function.get("name"), f"tools.{i}.function.name"),
                             str(function.get("description") or ""),
                             function.get("parameters", {"type": "object", "properties": {}}),
                             f"tools.{i}.function.parameters"))
    call.tools = tools
    choice = body.get("tool_choice", "auto")
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        if name not in {t.name for t in tools}:
            raise RangeError(f"tool_choice names the function {name!r}, which is not in tools.")
        call.tool_choice = ("tool", str(name))
    elif choice in ("auto", "any", "none", "required"):
        call.tool_choice = ("any" if choice == "required" else str(choice), None)
    else:
        raise RangeError("tool_choice must be auto, any, none or a function.")


def mistral_message(message: Mapping[str, Any], calls: dict[str, dict[str, Any]]) -> str:
    """The text a chat message adds to the prompt; remembers assistant tool calls by id."""
    for item in message.get("tool_calls") or []:
        function = item.get("function") or {}
        try:
            args = json.loads(function.get("arguments") or "{}")
        except ValueError:
            args = {}
        calls[str(item.get("id"))] = {"name": function.get("name"), "input": args}
    content = message.get("content")
    if isinstance(content, str):
        return content
    return " ".join(str(c.get("text", "")) for c in content or [] if isinstance(c, dict))


def mistral_results(messages: list[Mapping[str, Any]], calls: dict[str, dict[str, Any]],
                    call: NativeCall) -> None:
    """The trailing ``role: tool`` messages are the results; the question is the last user
    text."""
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        use = calls.get(str(message.get("tool_call_id")))
        if use is None:
            raise RangeError(f"Tool message with tool_call_id {message.get('tool_call_id')!r} "
                             "does not answer a tool call of the assistant message before it.")
        given = use["input"] if isinstance(use["input"], dict) else {}
        call.tool_results.insert(0, ToolResult(str(use["name"]), given,
                                               mistral_message(message, {})))
    for message in reversed(messages):
        if message.get("role") == "user":
            call.question = mistral_message(message, {})
            break


def mistral_tool_calls(done_uses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": u["id"], "function": {"name": u["name"],
                                         "arguments": json.dumps(u["input"])}}
            for u in done_uses]


# ---------------------------------------------------------------------------- Cohere


def _cohere_schema(definitions: Any, where: str) -> dict[str, Any]:
    if not isinstance(definitions, dict):
        raise RangeError(f"{where}: parameter_definitions must be an object.")
    props: dict[str, Any] = {}
    required = []
    for name, spec in definitions.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            raise RangeError(f"{where}.{name}.type: field required")
        kind = spec["type"].strip()
        listed = re.fullmatch(r"(?i)list\[(\w+)\]", kind)
        if listed:
            item = _COHERE_TYPES.get(listed.group(1).lower(), "string")
            schema: dict[str, Any] = {"type": "array", "items": {"type": item}}
        elif kind.lower() in ("list", "array"):
            schema = {"type": "array", "items": {"type": "string"}}
        else:
            schema = {"type": _COHERE_TYPES.get(kind.lower().split("[")[0], "string")}
        if spec.get("description"):
            schema["description"] = str(spec["description"])
        props[name] = schema
        if spec.get("required"):
            required.append(name)
    return {"type": "object", "properties": props, "required": required}


def cohere_tools(body: Mapping[str, Any], call: NativeCall) -> None:
    raw = body.get("tools")
    if not raw:
        if body.get("tool_results"):
            raise RangeError("tool_results needs the tools they answer.")
        return
    call.tools = [ToolDef(_name(t.get("name"), f"tools.{i}.name"),
                          str(t.get("description") or ""),
                          _cohere_schema(t.get("parameter_definitions", {}),
                                         f"tools.{i}.parameter_definitions"),
                          f"tools.{i}.parameter_definitions")
                  for i, t in enumerate(raw) if isinstance(t, dict)]
    names = {t.name for t in call.tools}
    for i, result in enumerate(body.get("tool_results") or []):
        made = result.get("call") if isinstance(result, dict) else None
        if not isinstance(made, dict) or made.get("name") not in names:
            raise RangeError(f"tool_results.{i}.call must name one of the tools.")
        outputs = result.get("outputs") or []
        text = "; ".join(", ".join(f"{k} {v}" for k, v in o.items()) if isinstance(o, dict)
                         else str(o) for o in outputs)
        params: dict[str, Any] = made["parameters"] if isinstance(made.get("parameters"),
                                                                   dict) else {}
        call.tool_results.append(ToolResult(str(made["name"]), params, text))
    call.question = str(body.get("message", ""))


def cohere_tool_calls(done_uses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": u["name"], "parameters": u["input"]} for u in done_uses]
