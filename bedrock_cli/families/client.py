"""The client side of `--api invoke`: a TextRequest through a family adapter and back.

Used by `runtime.Runtime.invoke*`; nothing here calls boto3.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import ServiceError, UsageError
from bedrock_cli.families import for_model
from bedrock_cli.families.base import LATENCY_HEADER, Family, StreamState, usage_from_headers
from bedrock_cli.types import StreamEnd, StreamEvent, TextRequest, TextResult, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo

#: Bedrock's marker of a guardrail intervention in a native body (key spelling UNVERIFIED)
GUARDRAIL_ACTION_KEY = "amazon-bedrock-guardrailAction"


def family_for(model_id: str) -> tuple[Family, ModelInfo | None]:
    from bedrock_cli.catalog import get_catalog

    model = get_catalog().find(model_id)
    family = for_model(model, model_id)
    if family is None:
        what = f"the {model.family} family" if model is not None else model_id
        raise UsageError(f"There is no native text body for {what}.",
                         "Use --api converse (the default), or `bedrock-cli invoke` with a body.")
    return family, model


def body_bytes(family: Family, request: TextRequest, model: ModelInfo | None) -> bytes:
    return json.dumps(family.build(request, model), ensure_ascii=False).encode("utf-8")


def invoke_headers(request: TextRequest) -> dict[str, Any]:
    """Optional InvokeModel parameters: guardrail headers, and the seed for the emulator."""
    kwargs: dict[str, Any] = {}
    if request.guardrail:
        kwargs["guardrailIdentifier"] = request.guardrail["guardrailIdentifier"]
        kwargs["guardrailVersion"] = request.guardrail["guardrailVersion"]
        kwargs["trace"] = "ENABLED"
    if "seed" in request.metadata:
        # The X-Amzn-Bedrock-Request-Metadata header is a JSON string (format UNVERIFIED).
        kwargs["requestMetadata"] = json.dumps(request.metadata, separators=(",", ":"))
    return kwargs


def _json(raw: bytes, what: str) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except ValueError:
        raise ServiceError(f"The model returned {what} that is not JSON.",
                           "Retry; run `bedrock-cli invoke` to see the raw body.") from None
    if not isinstance(doc, dict):
        raise ServiceError(f"The model returned {what} that is not a JSON object.",
                           "Run `bedrock-cli invoke` to see the raw body.")
    return doc


def result(family: Family, request: TextRequest, raw: bytes, headers: Mapping[str, str],
           elapsed_ms: int) -> TextResult:
    body = _json(raw, "a response body")
    try:
        parsed = family.parse(body)
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
        raise ServiceError(f"The model's response could not be read ({type(exc).__name__}: "
                           f"{exc}).", "Run `bedrock-cli invoke` to see the raw body.") from None
    if not parsed.text and not parsed.stop_reason:  # none of the family's fields: not an answer
        raise ServiceError("The model's response has none of the fields its family sends.",
                           "Run `bedrock-cli invoke` to see the raw body.")
    usage = usage_from_headers(headers) or parsed.usage or Usage()
    lowered = {k.lower(): v for k, v in headers.items()}
    latency = lowered.get(LATENCY_HEADER)
    stop = parsed.stop_reason
    if str(body.get(GUARDRAIL_ACTION_KEY, "")).upper() == "INTERVENED":
        stop = "guardrail_intervened"
    return TextResult(text=parsed.text, stop_reason=stop, usage=usage,
                      latency_ms=int(latency) if latency else elapsed_ms,
                      model_id=request.model_id, reasoning=parsed.reasoning,
                      trace=body.get("amazon-bedrock-trace"))


def stream_events(family: Family, chunks: Iterable[bytes]) -> Iterator[StreamEvent]:
    """Decoded chunks to text events and one StreamEnd; a stream cut short is an error
    (botocore silently drops a truncated final frame)."""
    state = StreamState()
    guarded = False
    for raw in chunks:
        chunk = _json(raw, "a stream chunk")
        try:
            state.metrics(chunk)
            events = family.read_chunk(chunk, state)
        except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
            raise ServiceError(f"A stream chunk from the model could not be read "
                               f"({type(exc).__name__}: {exc}).",
                               "Retry; what arrived has been kept.") from None
        guarded = guarded or str(chunk.get(GUARDRAIL_ACTION_KEY, "")).upper() == "INTERVENED"
        yield from events
    if state.stop_reason is None or state.usage is None:
        raise ServiceError(
            "The response stream ended before the model finished (no closing chunk).",
            "Retry the request; what arrived has been kept.",
        )
    stop = "guardrail_intervened" if guarded else state.stop_reason
    yield StreamEnd(stop_reason=stop, usage=state.usage, latency_ms=state.latency_ms or 0)
