"""What happens around every model call, in one place: metering and pricing, the history write
that never costs the user their answer, partial results on Ctrl-C or a broken stream, and the
`--usage` lines.

Tasks build requests and read results; they hand the `Recorder` a `CallRecord` to keep and
ask it the price. `Runtime` reports each call's usage to `Recorder.tokens`.
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
    from bedrock_cli.history import CallRecord, History
    from bedrock_cli.metering import Meter
    from bedrock_cli.output import Output
    from bedrock_cli.runtime import Runtime


@dataclass
class CallLog:
    """What history needs to know about a text call besides the request and the result."""

    command: str
    model_name: str
    prompt: str
    params: dict[str, Any] = field(default_factory=dict)
    conversation_id: str | None = None


@dataclass
class Outcome:
    """A text call as the command shows it: the result, its price and its history id."""

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


class Recorder:
    """One per command run (`AppContext.recorder`); thread-safe where the meter is."""

    def __init__(self, meter: Meter, history: Callable[[], History | None],
                 backend: Callable[[], str], output: Output) -> None:
        self.meter = meter
        self._history = history
        self._backend = backend
        self.output = output

    # -- metering and pricing ------------------------------------------------------------
    @staticmethod
    def price(model: ModelInfo | None, usage: Usage) -> float | None:
        """A text or embeddings call's cost from the catalog (None: no prices known)."""
        from bedrock_cli.metering import token_cost

        return token_cost(model, usage)

    @staticmethod
    def image_price(model: ModelInfo, images: int, *, quality: str | None,
                    width: int | None, height: int | None, steps: int | None) -> float | None:
        from bedrock_cli.catalog import estimate_cost

        if not images:
            return 0.0
        usage: dict[str, Any] = {"images": images, "image_quality": quality or "standard"}
        if width and height:
            usage["image_width"], usage["image_height"] = width, height
        if steps:
            usage["steps"] = steps
        return estimate_cost(model, usage)

    def tokens(self, model_id: str, usage: Usage, latency_ms: int | None = None) -> None:
        """A call's usage (`Runtime`'s usage hook)."""
        self.meter.tokens(model_id, usage, latency_ms)

    def images(self, model: ModelInfo, count: int, cost_usd: float | None,
               latency_ms: int | None = None) -> None:
        self.meter.images(model, count, cost_usd, latency_ms)

    def report_usage(self) -> None:
        """The calls not reported yet as one line on stderr (a JSON object under --json)."""
        from bedrock_cli import metering

        entries = self.meter.take()
        if not entries:
            return
        if self.output.json_mode:
            self.output.stderr.write(json.dumps(metering.as_json(entries)) + "\n")
            self.output.stderr.flush()
        else:
            self.output.info(metering.line(entries))

    # -- history ---------------------------------------------------------------------------
    @property
    def backend(self) -> str:
        return self._backend()

    @property
    def logging(self) -> bool:
        """Whether calls are written to history (not under `--no-log`)."""
        return self._history() is not None

    def log(self, record: CallRecord) -> str | None:
        """Write one call to history; its id, or None when logging is off or the write failed
        (a warning then: history must never cost the user their answer)."""
        history = self._history()
        if history is None:
            return None
        try:
            return history.record(record)
        except Exception as exc:
            self.output.warn(f"could not write history ({exc}); the call is not logged.")
            return None

    def set_response(self, history_id: str | None, response: str) -> None:
        """Replace a logged call's response (extract keeps the raw answer, not the text)."""
        history = self._history()
        if history is None or not history_id:
            return
        try:
            history.set_response(history_id, response)
        except Exception as exc:  # history must never cost the user their answer
            self.output.warn(f"could not update history ({exc}).")

    # -- a text call, streamed or not, kept even when it breaks off ------------------------
    def text(
        self,
        runtime: Runtime,
        request: TextRequest,
        model: ModelInfo | None,
        log: CallLog,
        *,
        stream: bool,
        on_text: Callable[[str], None] | None = None,
        on_reasoning: Callable[[str], None] | None = None,
    ) -> Outcome:
        """Call the model; on failure or Ctrl-C, keep what arrived (status partial) and attach
        it to the error raised (`error.partial`). An input that cannot fit the model's context
        window exits 2 first (`fits.check`)."""
        from bedrock_cli import fits

        fits.check(runtime.clients, request, model, log.model_name)
        started = time.perf_counter()
        pieces: list[str] = []
        thinking: list[str] = []
        try:
            if stream:
                result = _stream(runtime, request, pieces, thinking, on_text, on_reasoning)
            else:
                result = runtime.text(request)
        except (BedrockCliError, KeyboardInterrupt) as exc:
            interrupted = isinstance(exc, KeyboardInterrupt)
            partial = TextResult(
                text="".join(pieces), stop_reason="interrupted" if interrupted else "error",
                usage=Usage(), latency_ms=int((time.perf_counter() - started) * 1000),
                model_id=request.model_id, reasoning="".join(thinking), partial=True,
            )
            message = "Interrupted." if interrupted else getattr(exc, "message", str(exc))
            partial_id = self.log(text_record(
                request, log, partial, self.backend,
                status="partial" if pieces else "error", error=message))
            error = exc if isinstance(exc, BedrockCliError) else InterruptedByUser(
                "Interrupted; the partial answer was kept" + (
                    " in history." if self.logging else "."), None)
            error.partial = Outcome(partial, None, partial_id, self.backend, log.model_name)
            if error is exc:
                raise
            raise error from None
        cost = self.price(model, result.usage)
        history_id = self.log(text_record(request, log, result, self.backend,
                                          status="complete", cost=cost))
        return Outcome(result, cost, history_id, self.backend, log.model_name)


def _stream(
    runtime: Runtime,
    request: TextRequest,
    pieces: list[str],
    thinking: list[str],
    on_text: Callable[[str], None] | None,
    on_reasoning: Callable[[str], None] | None,
) -> TextResult:
    end: StreamEnd | None = None
    for event in runtime.text_stream(request):
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


def text_record(request: TextRequest, log: CallLog, result: TextResult, backend: str, *,
                status: str, cost: float | None = None, error: str | None = None
                ) -> CallRecord:
    """What history keeps of a text call: the conversation with the answer (tool calls
    included, binary blocks described) and its usage."""
    from bedrock_cli.history import CallRecord

    uses = [b for b in result.content if isinstance(b, dict) and "toolUse" in b]
    answer = [{"text": result.text}] if result.text or not uses else []
    messages = [*request.messages, {"role": "assistant", "content": [*answer, *uses]}]
    response = result.text or (json.dumps([b["toolUse"] for b in uses], ensure_ascii=False,
                                          default=str) if uses else "")
    return CallRecord(
        command=log.command, status=status, model=log.model_name, model_id=request.model_id,
        backend=backend, prompt=log.prompt, system="\n".join(request.system) or None,
        messages=_jsonable(messages), params=log.params, response=response,
        reasoning=result.reasoning or None, stop_reason=result.stop_reason,
        usage=result.usage.to_dict(), cost_usd=cost, latency_ms=result.latency_ms,
        error=error, conversation_id=log.conversation_id,
    )


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
