"""Bedrock calls through boto3, normalised into the project's types, with errors mapped.

Nothing here knows which backend answers: the client in `Clients` is the same for both.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from bedrock_cli.errors import ServiceError
from bedrock_cli.runtime_base import MALFORMED, UNREADABLE
from bedrock_cli.runtime_ops import ControlOperations, ModelOperations
from bedrock_cli.types import (
    ReasoningDelta,
    StreamEnd,
    StreamEvent,
    TextDelta,
    TextRequest,
    TextResult,
    Usage,
)


class Runtime(ModelOperations, ControlOperations):
    """One typed method per Bedrock operation the project uses (text here, the rest in
    `runtime_ops.py`); answers come back as the project's types, errors mapped."""

    # -- Converse -----------------------------------------------------------------------
    def converse(self, request: TextRequest) -> TextResult:
        started = time.perf_counter()
        try:
            response = self.clients.runtime.converse(**request.converse_kwargs())
        except Exception as exc:
            raise self._fail(exc, request.model_id) from exc
        _check_converse(response)
        content = response.get("output", {}).get("message", {}).get("content", []) or []
        text = "".join(block.get("text", "") for block in content if "text" in block)
        reasoning = "".join(
            block["reasoningContent"].get("reasoningText", {}).get("text", "")
            for block in content if "reasoningContent" in block
        )
        latency = response.get("metrics", {}).get("latencyMs")
        result = TextResult(
            text=text,
            stop_reason=str(response.get("stopReason", "")),
            usage=Usage.from_converse(response.get("usage")),
            latency_ms=int(latency if latency is not None
                           else (time.perf_counter() - started) * 1000),
            model_id=request.model_id,
            content=content,
            reasoning=reasoning,
            trace=response.get("trace"),
            response_fields=dict(response.get("additionalModelResponseFields") or {}),
        )
        self._metered(request.model_id, result.usage, result.latency_ms)
        return result

    def converse_stream(self, request: TextRequest) -> Iterator[StreamEvent]:
        """Yield text as it arrives, then one StreamEnd. A stream that ends without its
        closing events is an error: botocore silently drops a truncated final frame."""
        try:
            response = self.clients.runtime.converse_stream(**request.converse_kwargs())
        except Exception as exc:
            raise self._fail(exc, request.model_id) from exc
        stop_reason: str | None = None
        usage: Usage | None = None
        latency = 0
        trace = None
        stream = response["stream"]
        try:
            for event in stream:
                if "contentBlockDelta" in event:
                    delta = event["contentBlockDelta"].get("delta", {})
                    if "text" in delta:
                        yield TextDelta(delta["text"])
                    elif "reasoningContent" in delta and "text" in delta["reasoningContent"]:
                        yield ReasoningDelta(delta["reasoningContent"]["text"])
                elif "messageStop" in event:
                    stop_reason = str(event["messageStop"].get("stopReason", ""))
                elif "metadata" in event:
                    meta = event["metadata"]
                    usage = Usage.from_converse(meta.get("usage"))
                    latency = int(meta.get("metrics", {}).get("latencyMs") or 0)
                    trace = meta.get("trace")
        except Exception as exc:
            raise self._fail(exc, request.model_id) from exc
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        if stop_reason is None or usage is None:
            raise ServiceError(
                "The response stream ended before the model finished (no closing events).",
                "Retry the request; what arrived has been kept.",
            )
        self._metered(request.model_id, usage, latency)
        yield StreamEnd(stop_reason=stop_reason, usage=usage, latency_ms=latency, trace=trace)

    # -- either API, as the request says ------------------------------------------------
    def text(self, request: TextRequest) -> TextResult:
        """Converse, or InvokeModel with the family's native body (`request.api`)."""
        return self.invoke(request) if request.api == "invoke" else self.converse(request)

    def text_stream(self, request: TextRequest) -> Iterator[StreamEvent]:
        if request.api == "invoke":
            return self.invoke_stream(request)
        return self.converse_stream(request)

    # -- InvokeModel with a family's native body (families/) -----------------------------
    def invoke(self, request: TextRequest) -> TextResult:
        from bedrock_cli.families import client as native

        family, model = native.family_for(request.model_id)
        started = time.perf_counter()
        response = self._invoke_model(request.model_id,
                                      native.body_bytes(family, request, model),
                                      **native.invoke_headers(request))
        headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        try:
            raw = response["body"].read()
        except Exception as exc:
            raise self._fail(exc, request.model_id) from exc
        result = native.result(family, request, raw, headers,
                               int((time.perf_counter() - started) * 1000))
        self._metered(request.model_id, result.usage, result.latency_ms)
        return result

    def invoke_stream(self, request: TextRequest) -> Iterator[StreamEvent]:
        """The native stream as TextDelta/ReasoningDelta events, then one StreamEnd."""
        from bedrock_cli.families import client as native

        family, model = native.family_for(request.model_id)
        chunks = self._invoke_model_stream(request.model_id,
                                           native.body_bytes(family, request, model),
                                           **native.invoke_headers(request))
        for event in native.stream_events(family, chunks):
            if isinstance(event, StreamEnd):
                self._metered(request.model_id, event.usage, event.latency_ms)
            yield event


def _check_converse(response: Any) -> None:
    """A 200 whose body is not a Converse response (not JSON, cut short, another shape):
    botocore turns it into a response with no output, which must not pass for an answer."""
    output = response.get("output")
    message = output.get("message") if isinstance(output, dict) else None
    if not isinstance(message, dict) or not isinstance(message.get("content"), list) or \
            "stopReason" not in response:
        raise ServiceError(UNREADABLE, "Retry the request; --debug shows the HTTP exchange.",
                           code=MALFORMED)
