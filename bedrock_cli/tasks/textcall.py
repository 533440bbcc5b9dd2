"""Run one text request (streamed or not), then log it and price it — for every text task.

No printing here: streamed pieces go to the callbacks the command passes in.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import BedrockCliError, InterruptedByUser
from bedrock_cli.types import ReasoningDelta, StreamEnd, TextDelta, TextRequest, TextResult, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.context import AppContext


@dataclass
class CallLog:
    """What history needs to know about a call besides the request and the result."""

    command: str
    model_name: str
    prompt: str
    params: dict[str, Any] = field(default_factory=dict)
    conversation_id: str | None = None


@dataclass
class Outcome:
    result: TextResult
    cost_usd: float | None
    history_id: str | None
    backend: str
    model_name: str

    def to_json(self) -> dict[str, Any]:
        result = self.result
        data: dict[str, Any] = {
            "model": self.model_name,
            "model_id": result.model_id,
            "backend": self.backend,
            "text": result.text,
            "stop_reason": result.stop_reason,
            "usage": result.usage.to_dict(),
            "cost_usd": self.cost_usd,
            "latency_ms": result.latency_ms,
            "history_id": self.history_id,
        }
        if result.reasoning:
            data["reasoning"] = result.reasoning
        if result.partial:
            data["partial"] = True
        return data


def price(model: ModelInfo | None, usage: Usage) -> float | None:
    from bedrock_cli.catalog import estimate_cost

    return estimate_cost(model, {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cache_read_tokens": usage.cache_read_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
    })


def run(
    app: AppContext,
    request: TextRequest,
    model: ModelInfo | None,
    log: CallLog,
    *,
    stream: bool,
    on_text: Callable[[str], None] | None = None,
    on_reasoning: Callable[[str], None] | None = None,
) -> Outcome:
    """Call the model; on failure or Ctrl-C, keep what arrived in history (status partial).
    An input that cannot fit the model's context window exits 2 first (`fits.check`)."""
    from bedrock_cli.tasks import fits

    fits.check(app, request, model, log.model_name)
    started = time.perf_counter()
    pieces: list[str] = []
    thinking: list[str] = []
    try:
        if stream:
            result = _stream(app, request, pieces, thinking, on_text, on_reasoning)
        else:
            result = app.runtime.text(request)
    except (BedrockCliError, KeyboardInterrupt) as exc:
        partial = TextResult(
            text="".join(pieces), stop_reason="interrupted" if isinstance(
                exc, KeyboardInterrupt) else "error",
            usage=Usage(), latency_ms=int((time.perf_counter() - started) * 1000),
            model_id=request.model_id, reasoning="".join(thinking), partial=True,
        )
        message = "Interrupted." if isinstance(exc, KeyboardInterrupt) else exc.message
        partial_id = _record(app, request, model, log, partial,
                             status="partial" if pieces else "error", error=message)
        error = exc if isinstance(exc, BedrockCliError) else InterruptedByUser(
            "Interrupted; the partial answer was kept" + (" in history." if app.history
                                                         else "."), None)
        error.partial = Outcome(partial, None, partial_id, app.clients.backend,
                                log.model_name)
        if error is exc:
            raise
        raise error from None
    cost = price(model, result.usage)
    history_id = _record(app, request, model, log, result, status="complete", cost=cost)
    return Outcome(result, cost, history_id, app.clients.backend, log.model_name)


def _stream(
    app: AppContext,
    request: TextRequest,
    pieces: list[str],
    thinking: list[str],
    on_text: Callable[[str], None] | None,
    on_reasoning: Callable[[str], None] | None,
) -> TextResult:
    end: StreamEnd | None = None
    for event in app.runtime.text_stream(request):
        if isinstance(event, TextDelta):
            pieces.append(event.text)
            if on_text:
                on_text(event.text)
        elif isinstance(event, ReasoningDelta):
            thinking.append(event.text)
            if on_reasoning:
                on_reasoning(event.text)
        elif isinstance(event, StreamEnd):
            end = event
    assert end is not None  # runtime raises when the stream ends without its closing events
    return TextResult(text="".join(pieces), stop_reason=end.stop_reason, usage=end.usage,
                      latency_ms=end.latency_ms, model_id=request.model_id,
                      reasoning="".join(thinking), trace=end.trace)


def _record(
    app: AppContext,
    request: TextRequest,
    model: ModelInfo | None,
    log: CallLog,
    result: TextResult,
    *,
    status: str,
    cost: float | None = None,
    error: str | None = None,
) -> str | None:
    history = app.history
    if history is None:
        return None
    from bedrock_cli.history import CallRecord

    uses = [b for b in result.content if isinstance(b, dict) and "toolUse" in b]
    answer = [{"text": result.text}] if result.text or not uses else []
    messages = [*request.messages, {"role": "assistant", "content": [*answer, *uses]}]
    response = result.text or (json.dumps([b["toolUse"] for b in uses], ensure_ascii=False,
                                          default=str) if uses else "")
    try:
        return history.record(CallRecord(
            command=log.command,
            status=status,
            model=log.model_name,
            model_id=request.model_id,
            backend=app.clients.backend,
            prompt=log.prompt,
            system="\n".join(request.system) or None,
            messages=_jsonable(messages),
            params=log.params,
            response=response,
            reasoning=result.reasoning or None,
            stop_reason=result.stop_reason,
            usage=result.usage.to_dict(),
            cost_usd=cost,
            latency_ms=result.latency_ms,
            error=error,
            conversation_id=log.conversation_id,
        ))
    except Exception as exc:  # history must never cost the user their answer
        app.output.warn(f"could not write history ({exc}); the answer is not logged.")
        return None


def _jsonable(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages for history: binary blocks are replaced by a short description."""
    out = []
    for message in messages:
        content = []
        for block in message.get("content", []):
            if "image" in block:
                content.append({"image": {"format": block["image"].get("format"),
                                          "omitted_bytes": True}})
            elif "document" in block:
                doc = block["document"]
                content.append({"document": {"format": doc.get("format"),
                                             "name": doc.get("name"), "omitted_bytes": True}})
            else:
                content.append(block)
        out.append({"role": message.get("role"), "content": content})
    return out
