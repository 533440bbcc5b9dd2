"""Mistral AI: the prompt format (7B, Mixtral, Large 24.02) and the chat format (Large 24.07)
(§2.5).

Prompt format: `<s>[INST] ... [/INST]` with `max_tokens`, `temperature`, `top_p`, `top_k`,
`stop`; response `{"outputs": [{"text", "stop_reason"}]}`. Chat format: `messages` with string
content; response `{"choices": [{"index", "message": {"role", "content"}, "stop_reason"}]}`
(the chat format's field names, and its stream chunks repeating that shape, are UNVERIFIED).
Neither body reports token counts: they come from the headers or the last chunk's metrics.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.families.base import Done, Family, NativeCall, Parsed, StreamState
from bedrock_cli.families.body_schema import F, RangeError, check_max, check_turns, validate
from bedrock_cli.families.chat_tools import (
    mistral_message,
    mistral_results,
    mistral_tool_calls,
    mistral_tools,
)
from bedrock_cli.families.helpers import plain_turns, sampling_fields, top_k_of, with_last
from bedrock_cli.types import StreamEvent, TextDelta

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import TextRequest

#: models that take the chat (messages) body; the others take the prompt body
CHAT_MODELS = frozenset({"mistral.mistral-large-2407-v1:0"})

COMMON: dict[str, F] = {
    "max_tokens": F("integer", minimum=1),
    "temperature": F("number", minimum=0, maximum=1),
    "top_p": F("number", minimum=0, maximum=1),
}
PROMPT_FIELDS: dict[str, F] = {
    "prompt": F("string", required=True),
    **COMMON,
    "top_k": F("integer", minimum=0, maximum=200),
    "stop": F("array", items="string"),
}
CHAT_FIELDS: dict[str, F] = {
    "messages": F("array", required=True),
    **COMMON,
    "stop": F("array", items="string"),
    "tools": F("array"),
    "tool_choice": F(("string", "object")),
    "response_format": F("object"),
}
DEFAULT_MAX_TOKENS = 512
DEFAULT_TEMPERATURE = 0.5
DEFAULT_TOP_P = 0.9
TO_CONVERSE = {"stop": "end_turn", "length": "max_tokens", "model_length": "max_tokens",
               "tool_calls": "tool_use"}
FROM_ENGINE = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length",
               "tool_use": "tool_calls"}

_INST = re.compile(r"\[INST\](.*?)\[/INST\](.*?)(?=\[INST\]|\Z)", re.DOTALL)


def render(system: list[str], turns: list[tuple[str, str]]) -> str:
    """`<s>[INST] user [/INST] answer</s>[INST] user [/INST]`; a system prompt leads the
    first instruction."""
    out = "<s>"
    first = True
    for role, text in turns:
        if role == "user":
            if first and system:
                text = "\n\n".join([*system, text])
            out += f"[INST] {text} [/INST]"
            first = False
        else:
            out += f" {text}</s>"
    return out


def parse_prompt(prompt: str) -> list[tuple[str, str]]:
    found = _INST.findall(prompt)
    if not found:
        return [("user", prompt.replace("<s>", "").strip())]
    turns: list[tuple[str, str]] = []
    for user, answer in found:
        turns.append(("user", user.strip()))
        answer = answer.replace("</s>", "").replace("<s>", "").strip()
        if answer:
            turns.append(("assistant", answer))
    return turns


def is_chat(model_id: str) -> bool:
    """Whether the model takes the chat body (a geography prefix or ARN may lead the id)."""
    return any(model_id.endswith(chat) for chat in CHAT_MODELS)


class Mistral(Family):
    name = "mistral"
    tool_choices = ("auto", "any")

    def build(self, request: TextRequest, model: ModelInfo | None) -> dict[str, Any]:
        turns = [(role, text) for role, text, _ in plain_turns(request, self.name)]
        chat = is_chat(model.id if model is not None else request.model_id)
        body: dict[str, Any]
        if chat:
            system = [{"role": "system", "content": "\n\n".join(request.system)}] \
                if request.system else []
            body = {"messages": [*system, *({"role": r, "content": t} for r, t in turns)]}
        else:
            body = {"prompt": render(list(request.system), turns)}
        if chat and top_k_of(request, model) is not None:
            raise UsageError("This Mistral model's chat body takes no top-k.", "Drop --top-k.")
        body.update(sampling_fields(request, model, {
            "max_tokens": "max_tokens", "temperature": "temperature", "top_p": "top_p",
            "top_k": "top_k", "stop": "stop"}))
        return body

    def parse(self, body: Mapping[str, Any]) -> Parsed:
        if "choices" in body:
            choice = (body.get("choices") or [{}])[0]
            text = str((choice.get("message") or {}).get("content") or "")
        else:
            choice = (body.get("outputs") or [{}])[0]
            text = str(choice.get("text", ""))
        reason = str(choice.get("stop_reason") or "")
        return Parsed(text, TO_CONVERSE.get(reason, reason), None)

    def read_chunk(self, chunk: Mapping[str, Any], state: StreamState) -> list[StreamEvent]:
        items = chunk.get("outputs") or chunk.get("choices") or []
        events: list[StreamEvent] = []
        for item in items:
            text = item.get("text")
            if text is None:
                message = item.get("message") or item.get("delta") or {}
                text = message.get("content")
            if text:
                events.append(TextDelta(str(text)))
            if item.get("stop_reason"):
                reason = str(item["stop_reason"])
                state.stop_reason = TO_CONVERSE.get(reason, reason)
        return events

    # -- emulator side -----------------------------------------------------------------
    def read(self, body: Mapping[str, Any], model: ModelInfo) -> NativeCall:
        chat = is_chat(model.id)
        validate(body, CHAT_FIELDS if chat else PROMPT_FIELDS)
        system: list[str] = []
        calls: dict[str, dict[str, Any]] = {}
        if chat:
            turns: list[tuple[str, str]] = []
            for message in body["messages"]:
                if not isinstance(message, dict):
                    raise RangeError("messages: each message must be an object.")
                role = message.get("role")
                text = mistral_message(message, calls)
                if role == "system":
                    system.append(text)
                elif role == "tool" and turns and turns[-1][0] == "user":
                    turns[-1] = ("user", f"{turns[-1][1]}\n{text}")  # results, one turn
                elif role in ("user", "assistant", "tool"):
                    turns.append(("user" if role == "tool" else str(role), text))
                else:
                    raise RangeError(f"messages: unknown role {role!r}.")
            check_turns(turns)
        else:
            turns = parse_prompt(str(body["prompt"]))
        call = NativeCall(
            system=system, turns=turns,
            max_tokens=check_max("max_tokens", int(body.get("max_tokens",
                                                            DEFAULT_MAX_TOKENS)), model),
            temperature=float(body.get("temperature", DEFAULT_TEMPERATURE)),
            top_p=float(body.get("top_p", DEFAULT_TOP_P)), top_k=body.get("top_k") or None,
            stop=[str(s) for s in body.get("stop") or []], extra={"chat": chat},
        )
        if chat:
            mistral_tools(body, call)
            if call.tools:
                mistral_results(body["messages"], calls, call)
        return call

    def respond(self, call: NativeCall, done: Done) -> dict[str, Any]:
        reason = FROM_ENGINE.get(done.stop_reason, "stop")
        if call.extra.get("chat"):
            message: dict[str, Any] = {"role": "assistant", "content": done.text}
            if done.tool_uses:
                message["tool_calls"] = mistral_tool_calls(done.tool_uses)
            return {"choices": [{"index": 0, "message": message, "stop_reason": reason}]}
        return {"outputs": [{"text": done.text, "stop_reason": reason}]}

    def chunks(self, call: NativeCall, pieces: Iterator[str],
               done: Callable[[], Done]) -> Iterator[dict[str, Any]]:
        for piece, last in with_last(pieces):
            if last and not piece and done().tool_uses:
                break  # no text at all: the tool calls below are the one chunk
            reason = FROM_ENGINE.get(done().stop_reason, "stop") if last else None
            if call.extra.get("chat"):
                yield {"choices": [{"index": 0, "message": {"role": "assistant",
                                                            "content": piece},
                                    "stop_reason": reason}]}
            else:
                yield {"outputs": [{"text": piece, "stop_reason": reason}]}
        uses = done().tool_uses
        if uses:  # tool calls come whole, in the last chunk
            yield {"choices": [{"index": 0, "message": {
                "role": "assistant", "content": "", "tool_calls": mistral_tool_calls(uses)},
                "stop_reason": "tool_calls"}]}
