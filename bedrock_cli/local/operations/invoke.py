"""InvokeModel and InvokeModelWithResponseStream: validate the model, then hand the native
body to the handler registered for the model's family.

Families register from their own modules (text families, image families, embeddings)::

    from bedrock_cli.local.operations.invoke import InvokeContext, native

    @native("nova-canvas", "titan-image")
    def images(ctx: InvokeContext) -> Response: ...

A handler returns a complete `Response`: JSON bytes for InvokeModel (with the
`X-Amzn-Bedrock-*-Token-Count` headers where Bedrock sends them), or `Response.stream(...)` of
`chunk` events for the streaming operation (`ctx.stream` says which was called). Malformed
bodies are refused with `malformed(...)`, Bedrock's "Malformed input request" wording.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import errors, modelref
from ..router import Emulator, Request, Response, route


@dataclass
class InvokeContext:
    model: Any  # catalog ModelInfo
    model_id: str  # as the caller sent it (decoded)
    body: dict[str, Any]  # the parsed native JSON body
    raw: bytes
    stream: bool
    request: Request
    emulator: Emulator


NativeHandler = Callable[[InvokeContext], Response]
HANDLERS: dict[str, NativeHandler] = {}


def native(*families: str) -> Callable[[NativeHandler], NativeHandler]:
    def register(handler: NativeHandler) -> NativeHandler:
        for family in families:
            HANDLERS[family] = handler
        return handler

    return register


def malformed(violations: int | list[str] = 1) -> errors.EmulatorError:
    """Bedrock's wording for an InvokeModel body that does not fit the model's schema."""
    count = len(violations) if isinstance(violations, list) else violations
    noun = "violation" if count == 1 else "violations"
    return errors.validation(
        f"Malformed input request: {count} schema {noun} found, please reformat your input "
        "and try again."
    )


def _invoke(request: Request, emulator: Emulator, *, stream: bool) -> Response:
    model_id = request.params["modelId"]
    ref = modelref.resolve(model_id, emulator.region(request))
    handler = HANDLERS.get(str(getattr(ref.model, "family", "")))
    if handler is None:
        raise errors.validation(
            "The provided model doesn't support on-demand throughput through this API."
            if ref.model is not None else "The provided model identifier is invalid."
        )
    if stream and not getattr(ref.model, "streaming", False):
        raise errors.validation("The model is unsupported for streaming.")
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise malformed() from None
    if not isinstance(body, dict):
        raise malformed()
    return handler(InvokeContext(ref.model, model_id, body, request.body, stream, request,
                                 emulator))


@route("POST", "/model/{modelId}/invoke", name="InvokeModel")
def invoke_model(request: Request, emulator: Emulator) -> Response:
    return _invoke(request, emulator, stream=False)


@route("POST", "/model/{modelId}/invoke-with-response-stream",
       name="InvokeModelWithResponseStream")
def invoke_model_stream(request: Request, emulator: Emulator) -> Response:
    return _invoke(request, emulator, stream=True)
