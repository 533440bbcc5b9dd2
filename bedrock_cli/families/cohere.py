"""Cohere Command R / R+: `message` + `chat_history` + `preamble` (§2.6).

Top-k is `k`, top-p is `p`. `finish_reason` is upper case in real traffic (`COMPLETE`,
`MAX_TOKENS`). Stream chunks: `stream-start`, `text-generation`..., `stream-end` carrying the
whole response; token counts are in `meta.billed_units`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.families.base import Done, Family, NativeCall, Parsed, StreamState
from bedrock_cli.families.body_schema import F, RangeError, check_max, validate
from bedrock_cli.families.chat_tools import cohere_tool_calls, cohere_tools
from bedrock_cli.families.helpers import plain_turns, sampling_fields
from bedrock_cli.types import StreamEvent, TextDelta, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import TextRequest

FIELDS: dict[str, F] = {
    "message": F("string", required=True),
    "chat_history": F("array"),
    "documents": F("array"),
    "search_queries_only": F("boolean"),
    "preamble": F("string"),
    "max_tokens": F("integer", minimum=1),
    "temperature": F("number", minimum=0, maximum=1),
    "p": F("number", minimum=0.01, maximum=0.99),
    "k": F("integer", minimum=0, maximum=500),
    "prompt_truncation": F("string", enum=("OFF", "AUTO_PRESERVE_ORDER")),
    "frequency_penalty": F("number", minimum=0, maximum=1),
    "presence_penalty": F("number", minimum=0, maximum=1),
    "seed": F("integer"),
    "return_prompt": F("boolean"),
    "tools": F("array"),
    "tool_results": F("array"),
    "stop_sequences": F("array", items="string"),
    "raw_prompting": F("boolean"),
}
ROLES = {"USER": "user", "CHATBOT": "assistant"}
DEFAULT_TEMPERATURE = 0.3  # Cohere's documented default for Command R (UNVERIFIED on Bedrock)
TO_CONVERSE = {"COMPLETE": "end_turn", "MAX_TOKENS": "max_tokens", "ERROR_TOXIC":
               "content_filtered", "complete": "end_turn", "max_tokens": "max_tokens"}
FROM_ENGINE = {"end_turn": "COMPLETE", "stop_sequence": "COMPLETE", "max_tokens": "MAX_TOKENS"}


def _billed(body: Mapping[str, Any]) -> Usage | None:
    billed = (body.get("meta") or {}).get("billed_units")
    if not isinstance(billed, dict):
        return None
    inp, out = int(billed.get("input_tokens") or 0), int(billed.get("output_tokens") or 0)
    return Usage(inp, out, inp + out)


class Cohere(Family):
    name = "cohere"

    def build(self, request: TextRequest, model: ModelInfo | None) -> dict[str, Any]:
        turns = [(role, text) for role, text, _ in plain_turns(request, self.name)]
        if not turns or turns[-1][0] != "user":
            raise UsageError("Cohere's native body needs the conversation to end with a user "
                             "message.", "Use --api converse.")
        body: dict[str, Any] = {"message": turns[-1][1]}
        if len(turns) > 1:
            body["chat_history"] = [
                {"role": "USER" if role == "user" else "CHATBOT", "message": text}
                for role, text in turns[:-1]
            ]
        if request.system:
            body["preamble"] = "\n\n".join(request.system)
        body.update(sampling_fields(request, model, {
            "max_tokens": "max_tokens", "temperature": "temperature", "top_p": "p",
            "top_k": "k", "seed": "seed", "stop": "stop_sequences"}))
        return body

    def parse(self, body: Mapping[str, Any]) -> Parsed:
        reason = str(body.get("finish_reason") or "")
        return Parsed(str(body.get("text", "")), TO_CONVERSE.get(reason, reason), _billed(body))

    def read_chunk(self, chunk: Mapping[str, Any], state: StreamState) -> list[StreamEvent]:
        kind = chunk.get("event_type")
        if kind == "text-generation" and chunk.get("text"):
            return [TextDelta(str(chunk["text"]))]
        if kind == "stream-end":
            reason = str(chunk.get("finish_reason") or "")
            state.stop_reason = TO_CONVERSE.get(reason, reason)
            if state.usage is None:
                state.usage = _billed(chunk.get("response") or {})
        return []

    # -- emulator side -----------------------------------------------------------------
    def read(self, body: Mapping[str, Any], model: ModelInfo) -> NativeCall:
        validate(body, FIELDS)
        turns: list[tuple[str, str]] = []
        system = [str(body["preamble"])] if body.get("preamble") else []
        for item in body.get("chat_history") or []:
            role = item.get("role") if isinstance(item, dict) else None
            if role == "SYSTEM":
                system.append(str(item.get("message", "")))
            elif role in ROLES:
                turns.append((ROLES[role], str(item.get("message", ""))))
            else:
                raise RangeError(f"chat_history: invalid role {role!r}; use USER, CHATBOT or "
                                 "SYSTEM.")
        turns.append(("user", str(body["message"])))
        for doc in body.get("documents") or []:
            if isinstance(doc, dict):
                system.append("\n".join(f"{k}: {v}" for k, v in doc.items()))
        limit = int(model.default_max_tokens or model.max_output_tokens or 4000)
        call = NativeCall(
            system=system, turns=turns,
            max_tokens=check_max("max_tokens", int(body.get("max_tokens", limit)), model),
            temperature=float(body.get("temperature", DEFAULT_TEMPERATURE)),
            top_p=body.get("p"), top_k=body.get("k") or None,
            stop=[str(s) for s in body.get("stop_sequences") or []], seed=body.get("seed"),
            extra={"history": list(body.get("chat_history") or []),
                   "message": body["message"]},
        )
        cohere_tools(body, call)
        return call

    def respond(self, call: NativeCall, done: Done) -> dict[str, Any]:
        history = [*call.extra.get("history", []),
                   {"role": "USER", "message": call.extra.get("message", "")},
                   {"role": "CHATBOT", "message": done.text}]
        return {
            "response_id": done.response_id or str(uuid.uuid4()),
            "text": done.text,
            "generation_id": str(uuid.uuid4()),
            "chat_history": history,
            "finish_reason": FROM_ENGINE.get(done.stop_reason, "COMPLETE"),
            **({"tool_calls": cohere_tool_calls(done.tool_uses)} if done.tool_uses else {}),
            "meta": {"api_version": {"version": "1"},
                     "billed_units": {"input_tokens": done.input_tokens,
                                      "output_tokens": done.output_tokens}},
        }

    def chunks(self, call: NativeCall, pieces: Iterator[str],
               done: Callable[[], Done]) -> Iterator[dict[str, Any]]:
        generation = str(uuid.uuid4())
        yield {"is_finished": False, "event_type": "stream-start", "generation_id": generation}
        for piece in pieces:
            yield {"is_finished": False, "event_type": "text-generation", "text": piece}
        end = done()
        if end.tool_uses:
            yield {"is_finished": False, "event_type": "tool-calls-generation", "text": end.text,
                   "tool_calls": cohere_tool_calls(end.tool_uses)}
        yield {"is_finished": True, "event_type": "stream-end",
               "finish_reason": FROM_ENGINE.get(end.stop_reason, "COMPLETE"),
               "response": self.respond(call, end)}
