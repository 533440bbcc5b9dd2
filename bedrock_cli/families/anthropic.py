"""Anthropic Claude — the Messages API on Bedrock (`anthropic_version: bedrock-2023-05-31`).

Request, response and stream chunks as in the wire reference §2.1. There is no `model` and no
`stream` field: the operation (InvokeModel or InvokeModelWithResponseStream) decides streaming.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.families.anthropic_tools import output_format, read_tools
from bedrock_cli.families.base import Done, Family, NativeCall, Parsed, StreamState
from bedrock_cli.families.body_schema import F, RangeError, check_max, check_turns, validate
from bedrock_cli.families.helpers import (
    b64,
    block_text,
    default_max_tokens,
    describe_image,
    sampling_fields,
    unb64,
)
from bedrock_cli.families.tooling import json_fragments
from bedrock_cli.types import ReasoningDelta, StreamEvent, TextDelta, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import TextRequest

VERSION = "bedrock-2023-05-31"

FIELDS: dict[str, F] = {
    "anthropic_version": F("string", required=True, enum=(VERSION,)),
    "anthropic_beta": F("array", items="string"),
    "max_tokens": F("integer", required=True, minimum=1),
    "system": F(("string", "array")),
    "messages": F("array", required=True),
    "temperature": F("number", minimum=0, maximum=1),
    "top_p": F("number", minimum=0, maximum=1),
    "top_k": F("integer", minimum=0, maximum=500),
    "stop_sequences": F("array", items="string"),
    "tools": F("array"),
    "tool_choice": F("object"),
    "output_config": F("object"),
    "thinking": F("object"),
    "metadata": F("object"),
}

# native stop_reason -> Converse stopReason
TO_CONVERSE = {"end_turn": "end_turn", "max_tokens": "max_tokens",
               "stop_sequence": "stop_sequence", "tool_use": "tool_use",
               "refusal": "content_filtered",
               "model_context_window_exceeded": "model_context_window_exceeded"}


def short_model_name(model_id: str) -> str:
    """`anthropic.claude-3-5-haiku-20241022-v1:0` -> `claude-3-5-haiku-20241022`."""
    return re.sub(r"-v\d+:\d+$", "", model_id.split(".", 1)[-1])


class Anthropic(Family):
    name = "anthropic"
    tool_choices = ("auto", "any", "tool")
    stream_tools = True

    # -- client side -------------------------------------------------------------------
    def build(self, request: TextRequest, model: ModelInfo | None) -> dict[str, Any]:
        body: dict[str, Any] = {"anthropic_version": VERSION,
                                "max_tokens": default_max_tokens(request, model)}
        if request.system:
            body["system"] = "\n\n".join(request.system)
        body["messages"] = [
            {"role": message["role"], "content": [self._block(b) for b in message["content"]]}
            for message in request.messages
        ]
        body.update(sampling_fields(request, model, {
            "temperature": "temperature", "top_p": "top_p", "top_k": "top_k",
            "stop": "stop_sequences"}))
        return body

    def _block(self, block: Mapping[str, Any]) -> dict[str, Any]:
        if "image" in block:
            image = block["image"]
            fmt = str(image.get("format", "png"))
            return {"type": "image", "source": {"type": "base64", "media_type": f"image/{fmt}",
                                                "data": b64(bytes(image["source"]["bytes"]))}}
        text = block_text(block, self.name)
        if text is None:  # pragma: no cover - block_text returns None only for images
            raise UsageError("Unsupported content block.", None)
        return {"type": "text", "text": text}

    def parse(self, body: Mapping[str, Any]) -> Parsed:
        content = body.get("content") or []
        text = "".join(str(b.get("text", "")) for b in content if b.get("type") == "text")
        reasoning = "".join(str(b.get("thinking", "")) for b in content
                            if b.get("type") == "thinking")
        usage = body.get("usage")
        parsed_usage = None
        if isinstance(usage, dict):
            inp, out = int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)
            parsed_usage = Usage(inp, out, inp + out,
                                 int(usage.get("cache_read_input_tokens") or 0),
                                 int(usage.get("cache_creation_input_tokens") or 0))
        stop = str(body.get("stop_reason") or "")
        return Parsed(text, TO_CONVERSE.get(stop, stop), parsed_usage, reasoning)

    def read_chunk(self, chunk: Mapping[str, Any], state: StreamState) -> list[StreamEvent]:
        kind = chunk.get("type")
        if kind == "message_start":
            usage = (chunk.get("message") or {}).get("usage") or {}
            state.extra["input"] = int(usage.get("input_tokens") or 0)
        elif kind == "content_block_delta":
            delta = chunk.get("delta") or {}
            if delta.get("type") == "text_delta":
                return [TextDelta(str(delta.get("text", "")))]
            if delta.get("type") == "thinking_delta":
                return [ReasoningDelta(str(delta.get("thinking", "")))]
        elif kind == "message_delta":
            stop = str((chunk.get("delta") or {}).get("stop_reason") or "")
            state.stop_reason = TO_CONVERSE.get(stop, stop)
            state.extra["output"] = int((chunk.get("usage") or {}).get("output_tokens") or 0)
        elif kind == "message_stop" and state.usage is None:
            inp, out = state.extra.get("input", 0), state.extra.get("output", 0)
            state.usage = Usage(inp, out, inp + out)
        return []

    # -- emulator side -----------------------------------------------------------------
    def read(self, body: Mapping[str, Any], model: ModelInfo) -> NativeCall:
        validate(body, FIELDS)
        system = body.get("system")
        if isinstance(system, list):
            system_texts = [str(b.get("text", "")) for b in system if isinstance(b, dict)]
        else:
            system_texts = [system] if system else []
        turns: list[tuple[str, str]] = []
        images: list[tuple[str, bytes]] = []
        seen: list[dict[str, Any]] = []  # per message: its tool_use and tool_result blocks
        for message in body["messages"]:
            if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
                raise RangeError("messages: each message needs a role of user or assistant.")
            blocks: dict[str, Any] = {"uses": [], "results": [], "text": []}
            seen.append(blocks)
            turns.append((message["role"], self._read_content(message.get("content"), images,
                                                              blocks)))
        check_turns(turns)
        if images and not model.vision:
            raise RangeError("This model doesn't support the image field for user messages. "
                             "Remove image and try again.")
        call = NativeCall(
            system=system_texts, turns=turns,
            max_tokens=check_max("max_tokens", int(body["max_tokens"]), model),
            temperature=float(body.get("temperature", 1.0)),
            top_p=body.get("top_p"), top_k=body.get("top_k") or None,
            stop=[str(s) for s in body.get("stop_sequences") or []], images=images,
        )
        read_tools(body, call, seen)
        output = output_format(body, model)
        if output is not None:
            call.extra["output_schema"] = output
        return call

    @staticmethod
    def _read_content(content: Any, images: list[tuple[str, bytes]],
                      blocks: dict[str, Any]) -> str:
        if isinstance(content, str):
            blocks["text"].append(content)
            return content
        if not isinstance(content, list) or not content:
            raise RangeError("messages: content must be a string or a non-empty list.")
        texts = []
        for block in content:
            kind = block.get("type") if isinstance(block, dict) else None
            if kind == "text":
                texts.append(str(block.get("text", "")))
                blocks["text"].append(texts[-1])
            elif kind == "image":
                source = block.get("source") or {}
                fmt = str(source.get("media_type", "image/png")).split("/")[-1]
                data = unb64(source.get("data", ""))
                images.append((fmt, data))
                texts.append(describe_image(fmt, data))
            elif kind == "tool_use":
                texts.append(json.dumps(block.get("input", {}), ensure_ascii=False))
                blocks["uses"].append(block)
            elif kind == "tool_result":
                inner = block.get("content")
                texts.append(inner if isinstance(inner, str) else " ".join(
                    str(i.get("text", "")) for i in inner or [] if isinstance(i, dict)))
                blocks["results"].append((block, texts[-1]))
            elif kind not in ("thinking", "redacted_thinking", "document"):
                raise RangeError(f"messages: unknown content block type {kind!r}.")
        return "\n".join(t for t in texts if t)

    def respond(self, call: NativeCall, done: Done) -> dict[str, Any]:
        return {
            "id": done.response_id or "msg_bdrk_" + uuid.uuid4().hex[:24],
            "type": "message",
            "role": "assistant",
            "model": short_model_name(call.model_id),
            "content": [*([{"type": "text", "text": done.text}]
                          if done.text or not done.tool_uses else []),
                        *({"type": "tool_use", **use} for use in done.tool_uses)],
            "stop_reason": done.stop_reason,
            "stop_sequence": done.stop_sequence,
            "usage": {"input_tokens": done.input_tokens, "output_tokens": done.output_tokens},
        }

    def chunks(self, call: NativeCall, pieces: Iterator[str],
               done: Callable[[], Done]) -> Iterator[dict[str, Any]]:
        yield {"type": "message_start", "message": {
            "id": "msg_bdrk_" + uuid.uuid4().hex[:24], "type": "message", "role": "assistant",
            "model": short_model_name(call.model_id), "content": [], "stop_reason": None,
            "stop_sequence": None, "usage": {"input_tokens": call.input_tokens,
                                             "output_tokens": 1}}}
        first = next(pieces, None)  # a call that is only tool use has no text block
        index = 0
        if first is not None or not done().tool_uses:
            yield {"type": "content_block_start", "index": 0,
                   "content_block": {"type": "text", "text": ""}}
            for piece in itertools.chain([first] if first is not None else [], pieces):
                yield {"type": "content_block_delta", "index": 0,
                       "delta": {"type": "text_delta", "text": piece}}
            yield {"type": "content_block_stop", "index": 0}
            index = 1
        end = done()
        for use in end.tool_uses:
            yield {"type": "content_block_start", "index": index, "content_block": {
                "type": "tool_use", "id": use["id"], "name": use["name"], "input": {}}}
            for part in json_fragments(use["input"]):
                yield {"type": "content_block_delta", "index": index,
                       "delta": {"type": "input_json_delta", "partial_json": part}}
            yield {"type": "content_block_stop", "index": index}
            index += 1
        yield {"type": "message_delta",
               "delta": {"stop_reason": end.stop_reason, "stop_sequence": end.stop_sequence},
               "usage": {"output_tokens": end.output_tokens}}
        yield {"type": "message_stop"}
