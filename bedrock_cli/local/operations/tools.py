"""Tool use on Converse: Bedrock's checks of ``toolConfig`` and of the toolUse/toolResult
history, the decision to call tools, and the answer to tool results.

* ``toolChoice`` ``any`` or ``tool`` forces a call (the named tool for ``tool``); ``auto`` (or
  none) calls a tool when the last user turn shares words with a tool's name, description or
  property names (stemmed, stopwords and generic verbs like "get" left out), else the task
  engine answers text as without tools.
* A request that asks for several things ("the weather in Paris and in London") gets one call
  per clause that names a tool or, after one, a place.
* The input is :func:`schema_fill.instance` of the tool's ``inputSchema.json``: values from the
  prompt, repaired until ``schemacheck.validate`` accepts them.
* A last user turn of ``toolResult`` blocks (with ``auto``) gets a text answer built from the
  results' content, ``end_turn``.

The native families use the same :func:`plan` and :func:`result_answer` (native_tools.py).
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bedrock_cli import families

from .. import errors
from .tasks import Generation, TaskContext, fixed_text
from .tool_answers import converse_results, result_answer, spaced, turn_text

_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_ALNUM = string.ascii_letters + string.digits
_CLAUSE = re.compile(r"\s*(?:[;,]|\band\b|\balso\b|\bthen\b|\bplus\b)\s*", re.I)
# Words that say nothing about which tool a turn wants (stemmed like text.terms.terms).
_GENERIC_WORDS = (
    "get set fetch find retrieve look lookup call use using tool tools function return returns "
    "give current list make create info information data value values result results provide "
    "provided specify specified request input output parameter parameters string number "
    "object name type optional required the a an given user model answer")


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    schema: dict[str, Any]


# ---------------------------------------------------------------------------- ids


def tool_use_id() -> str:
    """A Converse toolUseId like Bedrock's: ``tooluse_`` and 22 URL-safe characters."""
    return "tooluse_" + secrets.token_urlsafe(16)[:22]


def anthropic_id() -> str:
    """An Anthropic tool_use id as Claude on Bedrock writes them."""
    return "toolu_bdrk_01" + "".join(secrets.choice(_ALNUM) for _ in range(22))


# ---------------------------------------------------------------------------- checks


def _constraint(value: Any, where: str, rule: str) -> errors.EmulatorError:
    shown = value if isinstance(value, str) else json.dumps(value)
    return errors.validation(f"1 validation error detected: Value '{shown}' at '{where}' "
                             f"failed to satisfy constraint: {rule}")


def read_tools(config: Any, where: str = "toolConfig") -> list[Tool]:
    """The ``toolSpec`` tools of a Converse ``toolConfig`` (or a native Nova one), checked."""
    if not isinstance(config, dict):
        raise errors.validation(f"{where} must be an object with a tools list.")
    raw = config.get("tools")
    if not isinstance(raw, list) or not raw:
        raise _constraint(raw if raw is not None else "null", f"{where}.tools",
                          "Member must have length greater than or equal to 1")
    found: list[Tool] = []
    for i, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or len(entry) != 1:
            raise errors.validation(f"{where}.tools.{i - 1} must have exactly one of toolSpec, "
                                    "systemTool or cachePoint.")
        spec = entry.get("toolSpec")
        if spec is None:
            continue  # cachePoint / systemTool: nothing to call
        found.append(_read_spec(spec, f"{where}.tools.{i}.member.toolSpec", i - 1, where))
    names = [t.name for t in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise errors.validation(f"The toolConfig contains duplicate tool names: "
                                f"{', '.join(twice)}. Give each tool a unique name.")
    return found


def _read_spec(spec: Any, where: str, index: int, root: str) -> Tool:
    if not isinstance(spec, dict):
        raise errors.validation(f"{root}.tools.{index}.toolSpec must be an object.")
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise _constraint("null", f"{where}.name", "Member must not be null")
    if len(name) > 64:
        raise _constraint(name, f"{where}.name", "Member must have length less than or equal "
                          "to 64")
    if not _NAME.match(name):
        raise _constraint(name, f"{where}.name",
                          "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+")
    description = spec.get("description", "")
    if not isinstance(description, str):
        raise errors.validation(f"{root}.tools.{index}.toolSpec.description must be a string.")
    source = spec.get("inputSchema")
    if not isinstance(source, dict) or "json" not in source:
        raise _constraint("null", f"{where}.inputSchema", "Member must not be null")
    return Tool(name, description, check_schema(source["json"], f"{root}.tools.{index}."
                                                "toolSpec.inputSchema.json"))


def check_schema(schema: Any, where: str) -> dict[str, Any]:
    """A tool's input schema, as the model providers check it: an object schema."""
    if isinstance(schema, str):  # some callers send the schema as JSON text
        try:
            schema = json.loads(schema)
        except ValueError:
            schema = None
    if not isinstance(schema, dict):
        raise errors.validation(f"The value at {where} must be a JSON object (a JSON Schema).")
    if schema.get("type", "object") != "object":
        raise errors.validation(f"The value at {where}.type must be one of the following: "
                                "object.")
    props = schema.get("properties", {})
    if not isinstance(props, dict) or not all(isinstance(p, dict) for p in props.values()):
        raise errors.validation(f"The value at {where}.properties must be an object of "
                                "JSON Schemas.")
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise errors.validation(f"The value at {where}.required must be a list of property "
                                "names.")
    return schema


def choice_of(config: dict[str, Any]) -> tuple[str, str | None]:
    """("auto" | "any" | "tool", the forced tool's name)."""
    choice = config.get("toolChoice")
    if not isinstance(choice, dict) or not choice:
        return "auto", None
    kind = next(iter(choice))
    name = (choice.get("tool") or {}).get("name") if kind == "tool" else None
    return str(kind), name if isinstance(name, str) else None


def check(body: dict[str, Any], model: Any, messages: list[dict[str, Any]], *,
          stream: bool) -> None:
    """Bedrock's ValidationExceptions for a Converse request's tools and tool history, and
    its structured-output format."""
    output_schema(body, model)
    config = body.get("toolConfig")
    uses_tools = any("toolUse" in b or "toolResult" in b
                     for m in messages for b in m.get("content") or [] if isinstance(b, dict))
    if config is None:
        if uses_tools:
            raise errors.validation("The toolConfig field must be defined when using toolUse "
                                    "and toolResult content blocks.")
        return
    if not getattr(model, "tools", False):
        raise errors.validation("This model doesn't support tool use.")
    family = families.get(str(getattr(model, "family", "")))
    if stream and family is not None and not family.stream_tools:
        raise errors.validation("This model doesn't support tool use in streaming mode.")
    tools = read_tools(config)
    kind, name = choice_of(config)
    allowed = family.tool_choices if family is not None else ("auto", "any", "tool")
    if kind not in allowed:
        raise errors.validation(f"This model doesn't support the toolConfig.toolChoice.{kind} "
                                f"field. Remove toolConfig.toolChoice.{kind} and try again.")
    if kind == "tool" and name not in {t.name for t in tools}:
        raise errors.validation(f"The tool {name!r} named in toolConfig.toolChoice.tool isn't "
                                "in toolConfig.tools. Name one of the tools you pass.")
    check_history(messages)


def output_schema(body: dict[str, Any], model: Any) -> dict[str, Any] | None:
    """The JSON Schema of ``outputConfig.textFormat`` (Bedrock's structured outputs), checked;
    None when the request asks for none."""
    config = body.get("outputConfig")
    fmt = config.get("textFormat") if isinstance(config, dict) else None
    if fmt is None:
        return None
    if not getattr(model, "structured_output", False):
        raise errors.validation("This model doesn't support the outputConfig.textFormat field. "
                                "Remove outputConfig.textFormat and try again.")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        raise errors.validation("The value at outputConfig.textFormat.type must be one of the "
                                "following: json_schema.")
    where = "outputConfig.textFormat.structure.jsonSchema.schema"
    raw = ((fmt.get("structure") or {}).get("jsonSchema") or {}).get("schema")
    try:
        schema = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        schema = None
    if not isinstance(schema, dict):
        raise errors.validation(f"The value at {where} must be a JSON Schema, as JSON text.")
    return schema


def structured(ctx: TaskContext) -> Generation | None:
    """The answer in the asked-for JSON structure: text that parses and validates."""
    from bedrock_cli.local.engines.schema_fill import instance

    schema = output_schema(ctx.request, ctx.model)
    if schema is None:
        return None
    value = instance(schema, turn_text(ctx.messages))
    return fixed_text(json.dumps(value, ensure_ascii=False), ctx)


def check_history(messages: list[dict[str, Any]]) -> None:
    """Each toolResult answers a toolUse of the assistant turn just before it, and each
    toolUse of an assistant turn gets its result in the next user turn."""
    for i, message in enumerate(messages):
        if message.get("role") != "user" or not isinstance(message.get("content"), list):
            continue
        before = messages[i - 1] if i else {}
        asked = [b["toolUse"].get("toolUseId") for b in before.get("content") or []
                 if isinstance(b, dict) and isinstance(b.get("toolUse"), dict)]
        results = [(j, b["toolResult"]) for j, b in enumerate(message["content"])
                   if isinstance(b, dict) and isinstance(b.get("toolResult"), dict)]
        if len(results) > len(asked):
            raise errors.validation(f"The number of toolResult blocks at messages.{i}.content "
                                    "exceeds the number of toolUse blocks of previous turn.")
        for j, result in results:
            if result.get("toolUseId") not in asked:
                raise errors.validation(
                    f"messages.{i}.content.{j}: unexpected `tool_use_id` found in "
                    f"`tool_result` blocks: {result.get('toolUseId')}. Each `tool_result` "
                    "block must have a corresponding `tool_use` block in the previous message.")
            if result.get("status") == "error" and not result.get("content"):
                raise errors.validation(f"The content field at messages.{i}.content.{j}."
                                        "toolResult cannot be empty when status value is "
                                        "error.")
        missing = [a for a in asked if a not in {r.get("toolUseId") for _, r in results}]
        if missing:
            raise errors.validation(f"Expected toolResult blocks at messages.{i}.content for "
                                    f"the following Ids: {', '.join(map(str, missing))}")


# ---------------------------------------------------------------------------- deciding


def _terms(text: str) -> set[str]:
    from bedrock_cli.text.terms import terms

    return set(terms(text))


@functools.cache
def _generic() -> frozenset[str]:
    return frozenset(_terms(_GENERIC_WORDS))


def tool_words(tool: Tool) -> set[str]:
    """What a tool is about: its name, description, property names and descriptions, enums."""
    parts = [spaced(tool.name), tool.description]
    for name, spec in (tool.schema.get("properties") or {}).items():
        parts += [spaced(name), str(spec.get("description", ""))]
        parts += [str(v) for v in spec.get("enum") or [] if isinstance(v, str)]
    return _terms(" ".join(parts)) - _generic()


# Arithmetic written with symbols names the operation in words ("3 * 12" asks to multiply).
_OPERATORS = ((re.compile(r"\d\s*(?:\*|×|x)\s*\d|\btimes\b"), "multiply product"),
              (re.compile(r"\d\s*\+\s*\d|\bplus\b"), "add sum"),
              (re.compile(r"\d\s+-\s*\d|\bminus\b"), "subtract difference"),
              (re.compile(r"\d\s*(?:/|÷)\s*\d|\bdivided\b"), "divide quotient"))


def _said(text: str) -> set[str]:
    """The turn's words, with the operation an arithmetic symbol stands for."""
    extra = [words for pattern, words in _OPERATORS if pattern.search(text)]
    return _terms(" ".join([text, *extra]))


def relevance(tool: Tool, text: str, *, naming: bool = False) -> int:
    """How many of the tool's words the text uses (its name's words count double). With
    `naming`, only the name and description count: a clause that names a property ("for 3
    days") gives an argument, it does not ask for another call."""
    said = _said(text)
    name_words = _terms(spaced(tool.name)) - _generic()
    about = _terms(f"{spaced(tool.name)} {tool.description}") - _generic() if naming \
        else tool_words(tool)
    return len(said & about) + len(said & name_words)


def _best(tools: list[Tool], text: str, *, naming: bool = False) -> Tool | None:
    scored = [(relevance(t, text, naming=naming), -i, t) for i, t in enumerate(tools)]
    top = max(scored, key=lambda s: (s[0], s[1]))
    return top[2] if top[0] > 0 else None


def _fills(tool: Tool, text: str) -> bool:
    """Whether the turn holds values for at least half the tool's required properties (and
    one at least): what a structured-output tool offered with `auto` is called on."""
    from bedrock_cli.local.engines.schema_fill import evidence

    required = tool.schema.get("required") or list(tool.schema.get("properties") or {})
    return evidence(tool.schema, text) >= max(1, (len(required) + 1) // 2)


def plan(tools: list[Tool], text: str, kind: str = "auto",
         forced: str | None = None) -> list[dict[str, Any]]:
    """The tool calls a turn asks for: ``[{"name": ..., "input": {...}}]`` (maybe none)."""
    from bedrock_cli.local.engines.schema_fill import instance, places

    if not tools:
        return []
    pool = [t for t in tools if t.name == forced] if kind == "tool" else tools
    clauses = [c for c in _CLAUSE.split(text) if c and c.strip()]
    groups: list[tuple[Tool, list[str]]] = []
    loose: list[str] = []
    for clause in clauses:
        best = _best(pool, clause, naming=True)
        if best is not None:
            groups.append((best, [clause]))
        elif groups and places("in " + clause.strip()):  # "… in Paris and London?"
            groups.append((groups[-1][0], ["in " + clause.strip()]))
        else:
            loose.append(clause)
    if not groups:
        best = _best(pool, text)
        if best is None and kind == "auto" and len(pool) == 1 and _fills(pool[0], text):
            best = pool[0]  # one tool whose input the turn holds: structured output
        if best is None and kind == "auto":
            return []
        groups = [(best or pool[0], [text])]
        loose = []
    calls: list[dict[str, Any]] = []
    for tool, parts in groups:
        source = text if len(groups) == 1 else " ".join(parts + loose)
        call = {"name": tool.name, "input": instance(tool.schema, source)}
        if call not in calls:
            calls.append(call)
    return calls


class ToolAnswer:
    """A Generation that is only tool calls: no text; output tokens count the tool input."""

    def __init__(self, tool_uses: list[dict[str, Any]]) -> None:
        from bedrock_cli.text.tokenizer import count_tokens

        self.tool_uses = tool_uses
        self.stop_reason: str | None = "tool_use"
        self.stop_sequence: str | None = None
        self.output_tokens = sum(count_tokens(json.dumps(use["input"])) for use in tool_uses)

    def __iter__(self) -> Iterator[str]:
        return iter(())


def respond(ctx: TaskContext) -> Generation | None:
    """The answer when the request carries tools, or None to let the task engine answer."""
    if not ctx.tool_config:
        return None
    tools = read_tools(ctx.tool_config)
    kind, forced = choice_of(ctx.tool_config)
    results = converse_results(ctx.messages)
    if results and kind == "auto":
        return fixed_text(result_answer(results), ctx)
    calls = plan(tools, turn_text(ctx.messages), kind, forced)
    return ToolAnswer(calls) if calls else None
