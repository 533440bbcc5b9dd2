"""Tool use on InvokeModel: the family adapters read a native body's tools into
`NativeCall.tools` / `tool_choice` / `tool_results` / `question`; this module decides what the
model does with them, the same way Converse does (`tools.plan`, `tools.result_answer`), and
hands `native_text` a Generation: tool calls, the answer to tool results, or None to let the
text engine answer.
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable, Iterator
from typing import Any

from bedrock_cli.families.base import NativeCall

from .. import errors
from .tasks import FixedText
from .tool_answers import result_answer
from .tools import Tool, anthropic_id, check_schema, plan, tool_use_id

_ALNUM = string.ascii_letters + string.digits


def mistral_id() -> str:
    """Mistral's tool call ids: nine letters and digits."""
    return "".join(secrets.choice(_ALNUM) for _ in range(9))


ID_MAKERS: dict[str, Callable[[], str]] = {
    "anthropic": anthropic_id, "nova": tool_use_id, "mistral": mistral_id,
    "cohere": lambda: "",
}


class Scripted:
    """A decided answer as a Generation native_text can read (`text` once spent), maybe with
    tool calls; max tokens and stop sequences honoured as for Converse."""

    def __init__(self, text: str, call: NativeCall,
                 tool_uses: list[dict[str, Any]] | None = None) -> None:
        from bedrock_cli.text.tokenizer import count_tokens

        self._inner = FixedText(text, call.max_tokens, call.stop, tool_uses)
        self.tool_uses = list(tool_uses or [])
        self.text = ""
        self._tool_tokens = sum(count_tokens(json.dumps(u["input"])) for u in self.tool_uses)

    def __iter__(self) -> Iterator[str]:
        for piece in self._inner:
            self.text += piece
            yield piece

    @property
    def stop_reason(self) -> str | None:
        return self._inner.stop_reason

    @property
    def stop_sequence(self) -> str | None:
        return self._inner.stop_sequence

    @property
    def output_tokens(self) -> int:
        return self._inner.output_tokens + self._tool_tokens


def _structured(call: NativeCall) -> Scripted | None:
    """Structured outputs (Anthropic's ``output_config.format``): JSON text that validates."""
    from bedrock_cli.local.engines.schema_fill import instance

    schema = call.extra.get("output_schema")
    if not isinstance(schema, dict):
        return None
    question = call.question or next((t for r, t in reversed(call.turns) if r == "user"), "")
    return Scripted(json.dumps(instance(schema, question), ensure_ascii=False), call)


def decide(call: NativeCall, family: str) -> Scripted | None:
    """Tool calls, the answer to tool results, or the asked-for JSON structure; None when the
    text engine should answer."""
    structured = _structured(call)
    if not call.tools:
        return structured
    tools = [Tool(t.name, t.description, check_schema(t.schema, t.where)) for t in call.tools]
    kind, forced = call.tool_choice
    if kind == "none":
        return structured
    if kind == "tool" and forced not in {t.name for t in tools}:  # pragma: no cover - families
        raise errors.validation(f"The tool {forced!r} named in the tool choice isn't in tools.")
    if call.tool_results and kind == "auto":
        answer = result_answer([(r.name, r.input, r.text, r.error) for r in call.tool_results])
        return Scripted(answer, call)
    calls = plan(tools, call.question, kind, forced)
    if not calls:
        return structured
    if call.extra.get("single_tool_call"):
        calls = calls[:1]
    make_id = ID_MAKERS.get(family, tool_use_id)
    return Scripted("", call, [{"id": make_id(), **c} for c in calls])
