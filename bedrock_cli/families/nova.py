"""Amazon Nova understanding models: `messages-v1` (§2.3).

The native inference fields are snake_case (`max_new_tokens`, `top_p`, `top_k`) while
`stopSequences` stays camelCase. Much third-party code sends Converse's `maxTokens`/`topP`;
whether the service honours them is UNVERIFIED, so the emulator accepts both. Stream chunks are
Converse-like objects wrapped in their event name; the last one also carries the invocation
metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from bedrock_cli.families.base import Done, Family, NativeCall, Parsed, StreamState
from bedrock_cli.families.body_schema import F, RangeError, check_max, check_turns, validate
from bedrock_cli.families.helpers import b64, block_text, describe_image, sampling_fields, unb64
from bedrock_cli.families.nova_tools import block_text as tool_block_text
from bedrock_cli.families.nova_tools import read_tools
from bedrock_cli.families.tooling import json_fragments
from bedrock_cli.types import StreamEvent, TextDelta, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import TextRequest

SCHEMA_VERSION = "messages-v1"
CONFIG_FIELDS: dict[str, F] = {
    "max_new_tokens": F("integer", minimum=1),
    "temperature": F("number", minimum=0, maximum=1),
    "top_p": F("number", minimum=0, maximum=1),
    "top_k": F("integer", minimum=0),
    "stopSequences": F("array", items="string"),
    # Converse spellings some clients send natively (accepted; honoured here, UNVERIFIED)
    "maxTokens": F("integer", minimum=1),
    "topP": F("number", minimum=0, maximum=1),
    "topK": F("integer", minimum=0),
}
FIELDS: dict[str, F] = {
    "schemaVersion": F("string", enum=(SCHEMA_VERSION,)),
    "system": F("array"),
    "messages": F("array", required=True),
    "inferenceConfig": F("object", fields=CONFIG_FIELDS),
    "toolConfig": F("object"),
}
DEFAULT_TEMPERATURE = 0.7
DEFAULT_TOP_P = 0.9


class Nova(Family):
    name = "nova"
    tool_choices = ("auto", "any", "tool")
    stream_tools = True

    def build(self, request: TextRequest, model: ModelInfo | None) -> dict[str, Any]:
        body: dict[str, Any] = {"schemaVersion": SCHEMA_VERSION}
        if request.system:
            body["system"] = [{"text": text} for text in request.system]
        body["messages"] = [
            {"role": message["role"], "content": [self._block(b) for b in message["content"]]}
            for message in request.messages
        ]
        config = sampling_fields(request, model, {
            "max_tokens": "max_new_tokens", "temperature": "temperature", "top_p": "top_p",
            "top_k": "top_k", "stop": "stopSequences"})
        if config:
            body["inferenceConfig"] = config
        return body

    def _block(self, block: Mapping[str, Any]) -> dict[str, Any]:
        if "image" in block:
            image = block["image"]
            return {"image": {"format": image.get("format", "png"),
                              "source": {"bytes": b64(bytes(image["source"]["bytes"]))}}}
        return {"text": block_text(block, self.name) or ""}

    def parse(self, body: Mapping[str, Any]) -> Parsed:
        content = ((body.get("output") or {}).get("message") or {}).get("content") or []
        text = "".join(str(b.get("text", "")) for b in content if "text" in b)
        return Parsed(text, str(body.get("stopReason") or ""), _usage(body.get("usage")))

    def read_chunk(self, chunk: Mapping[str, Any], state: StreamState) -> list[StreamEvent]:
        if "contentBlockDelta" in chunk:
            delta = (chunk["contentBlockDelta"] or {}).get("delta") or {}
            if "text" in delta:
                return [TextDelta(str(delta["text"]))]
        elif "messageStop" in chunk:
            state.stop_reason = str((chunk["messageStop"] or {}).get("stopReason") or "")
        elif "metadata" in chunk and state.usage is None:
            state.usage = _usage((chunk["metadata"] or {}).get("usage"))
        return []

    # -- emulator side -----------------------------------------------------------------
    def read(self, body: Mapping[str, Any], model: ModelInfo) -> NativeCall:
        validate(body, FIELDS)
        system = [str(b.get("text", "")) for b in body.get("system") or []
                  if isinstance(b, dict) and b.get("text")]
        images: list[tuple[str, bytes]] = []
        turns = []
        for message in body["messages"]:
            if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
                raise RangeError("messages: each message needs a role of user or assistant.")
            content = message.get("content")
            if not isinstance(content, list) or not content:
                raise RangeError("The content field in the Message object is empty. Add a "
                                 "ContentBlock object to the content field and try again.")
            texts = []
            for block in content:
                if isinstance(block, dict) and isinstance(block.get("text"), str):
                    texts.append(block["text"])
                elif isinstance(block, dict) and isinstance(block.get("image"), dict):
                    image = block["image"]
                    data = unb64((image.get("source") or {}).get("bytes", ""))
                    images.append((str(image.get("format", "")), data))
                    texts.append(describe_image(str(image.get("format", "")), data))
                elif isinstance(block, dict) and (tool_text := tool_block_text(block)):
                    texts.append(tool_text)
            turns.append((str(message["role"]), "\n".join(texts)))
        check_turns(turns)
        config = body.get("inferenceConfig") or {}
        limit = int(model.default_max_tokens or model.max_output_tokens or 4096)
        max_tokens = int(config.get("max_new_tokens", config.get("maxTokens", limit)))
        call = NativeCall(
            system=system, turns=turns,
            max_tokens=check_max("max_new_tokens", max_tokens, model),
            temperature=float(config.get("temperature", DEFAULT_TEMPERATURE)),
            top_p=float(config.get("top_p", config.get("topP", DEFAULT_TOP_P))),
            top_k=config.get("top_k", config.get("topK")) or None,
            stop=[str(s) for s in config.get("stopSequences") or []], images=images,
        )
        read_tools(body, call)
        return call

    def respond(self, call: NativeCall, done: Done) -> dict[str, Any]:
        return {
            "output": {"message": {"role": "assistant", "content": [
                *([{"text": done.text}] if done.text or not done.tool_uses else []),
                *({"toolUse": {"toolUseId": u["id"], "name": u["name"], "input": u["input"]}}
                  for u in done.tool_uses)]}},
            "stopReason": done.stop_reason,
            "usage": {"inputTokens": done.input_tokens, "outputTokens": done.output_tokens,
                      "totalTokens": done.input_tokens + done.output_tokens,
                      "cacheReadInputTokenCount": 0, "cacheWriteInputTokenCount": 0},
        }

    def chunks(self, call: NativeCall, pieces: Iterator[str],
               done: Callable[[], Done]) -> Iterator[dict[str, Any]]:
        yield {"messageStart": {"role": "assistant"}}
        index = 0
        for piece in pieces:
            index = 1
            yield {"contentBlockDelta": {"delta": {"text": piece}, "contentBlockIndex": 0}}
        if index or not done().tool_uses:
            yield {"contentBlockStop": {"contentBlockIndex": 0}}
            index = 1
        end = done()
        for use in end.tool_uses:
            yield {"contentBlockStart": {"start": {"toolUse": {
                "toolUseId": use["id"], "name": use["name"]}}, "contentBlockIndex": index}}
            for part in json_fragments(use["input"]):
                yield {"contentBlockDelta": {"delta": {"toolUse": {"input": part}},
                                             "contentBlockIndex": index}}
            yield {"contentBlockStop": {"contentBlockIndex": index}}
            index += 1
        yield {"messageStop": {"stopReason": end.stop_reason}}
        yield {"metadata": {"usage": {"inputTokens": end.input_tokens,
                                      "outputTokens": end.output_tokens},
                            "metrics": {}, "trace": {}}}


def _usage(usage: Any) -> Usage | None:
    if not isinstance(usage, dict):
        return None
    inp, out = int(usage.get("inputTokens") or 0), int(usage.get("outputTokens") or 0)
    return Usage(inp, out, int(usage.get("totalTokens") or inp + out),
                 int(usage.get("cacheReadInputTokenCount") or 0),
                 int(usage.get("cacheWriteInputTokenCount") or 0))
