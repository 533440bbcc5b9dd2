"""The project's own request and result types, shared by tasks, runtime, output and history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Where a Converse cachePoint block goes: "tools", "system", or (message index, block index)
#: = after that block of that message.
CachePoint = Any


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    @classmethod
    def from_converse(cls, usage: dict[str, Any] | None) -> Usage:
        usage = usage or {}
        inp = int(usage.get("inputTokens") or 0)
        out = int(usage.get("outputTokens") or 0)
        return cls(
            input_tokens=inp,
            output_tokens=out,
            total_tokens=int(usage.get("totalTokens") or inp + out),
            cache_read_tokens=int(usage.get("cacheReadInputTokens") or 0),
            cache_write_tokens=int(usage.get("cacheWriteInputTokens") or 0),
        )

    def to_dict(self) -> dict[str, int]:
        data = {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.total_tokens,
        }
        if self.cache_read_tokens or self.cache_write_tokens:
            data["cache_read_tokens"] = self.cache_read_tokens
            data["cache_write_tokens"] = self.cache_write_tokens
        return data


@dataclass
class TextRequest:
    """A Converse request in the project's terms. `messages` hold Converse content blocks."""

    model_id: str
    messages: list[dict[str, Any]]
    system: list[str] = field(default_factory=list)
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: list[str] = field(default_factory=list)
    additional_fields: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    guardrail: dict[str, str] | None = None
    tool_config: dict[str, Any] | None = None
    api: str = "converse"  # or "invoke": the model family's native InvokeModel body
    #: `--cache-prompt`: where cachePoint blocks go ("system", "tools" or (message, block));
    #: chosen by tasks/caching.py and added to the body only (`with_cache_points`), never to
    #: `messages`
    cache_points: list[CachePoint] = field(default_factory=list)
    #: additionalModelResponseFieldPaths: model fields to return in `TextResult.response_fields`
    response_paths: list[str] = field(default_factory=list)

    def converse_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"modelId": self.model_id, "messages": self.messages}
        if self.system:
            kwargs["system"] = [{"text": text} for text in self.system]
        inference: dict[str, Any] = {}
        if self.max_tokens is not None:
            inference["maxTokens"] = self.max_tokens
        if self.temperature is not None:
            inference["temperature"] = self.temperature
        if self.top_p is not None:
            inference["topP"] = self.top_p
        if self.stop:
            inference["stopSequences"] = list(self.stop)
        if inference:
            kwargs["inferenceConfig"] = inference
        if self.additional_fields:
            kwargs["additionalModelRequestFields"] = self.additional_fields
        if self.metadata:
            kwargs["requestMetadata"] = self.metadata
        if self.guardrail:
            kwargs["guardrailConfig"] = self.guardrail
        if self.tool_config:
            kwargs["toolConfig"] = self.tool_config
        if self.response_paths:
            kwargs["additionalModelResponseFieldPaths"] = list(self.response_paths)
        return with_cache_points(kwargs, self.cache_points)


CACHE_POINT = {"cachePoint": {"type": "default"}}


def with_cache_points(kwargs: dict[str, Any], points: list[CachePoint]) -> dict[str, Any]:
    """The Converse kwargs with cachePoint blocks inserted (the request's own lists are not
    changed)."""
    if not points:
        return kwargs
    out = dict(kwargs)
    if "system" in points and out.get("system"):
        out["system"] = [*out["system"], dict(CACHE_POINT)]
    if "tools" in points and out.get("toolConfig"):
        config = dict(out["toolConfig"])
        config["tools"] = [*config["tools"], dict(CACHE_POINT)]
        out["toolConfig"] = config
    at = sorted((p for p in points if not isinstance(p, str)), reverse=True)
    if at:
        messages = list(out["messages"])
        for index, block in at:
            message = dict(messages[index])
            content = list(message["content"])
            content.insert(block + 1, dict(CACHE_POINT))
            message["content"] = content
            messages[index] = message
        out["messages"] = messages
    return out


@dataclass
class TextResult:
    text: str
    stop_reason: str
    usage: Usage
    latency_ms: int
    model_id: str
    content: list[dict[str, Any]] = field(default_factory=list)
    reasoning: str = ""
    partial: bool = False
    trace: dict[str, Any] | None = None
    response_fields: dict[str, Any] = field(default_factory=dict)  # see `response_paths`


@dataclass
class TextDelta:
    text: str


@dataclass
class ReasoningDelta:
    text: str


@dataclass
class StreamEnd:
    stop_reason: str
    usage: Usage
    latency_ms: int
    trace: dict[str, Any] | None = None


StreamEvent = TextDelta | ReasoningDelta | StreamEnd
