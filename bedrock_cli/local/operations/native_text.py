"""InvokeModel / InvokeModelWithResponseStream for the text families, in each one's own format.

The family modules (`bedrock_cli/families/`) read the native body into a prompt and sampling
parameters and write the native response and stream chunks; this module runs the same text
engine Converse uses (`textlm`) in between, so a local invoke answers like a local converse.

InvokeModel answers with the `X-Amzn-Bedrock-*-Token-Count` and invocation-latency headers; the
stream sends `chunk` events `{"bytes": <base64 native chunk>, "p": <padding>}` and puts
`amazon-bedrock-invocationMetrics` on the last chunk (§2). Guardrails named by the
`X-Amzn-Bedrock-Guardrail*` headers are applied to the prompt and the answer.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

from bedrock_cli import families
from bedrock_cli.families.base import METRICS_KEY, Done, NativeCall
from bedrock_cli.families.body_schema import BodyError, RangeError
from bedrock_cli.families.client import GUARDRAIL_ACTION_KEY

from .. import errors, eventstream
from ..declared import for_native
from ..router import Response
from . import conversation
from .guardrails import Guard, native_guard
from .invoke import InvokeContext, malformed, native
from .native_tools import decide

TEXT_FAMILIES = ("anthropic", "titan-text", "nova", "llama", "mistral", "cohere")


def malformed_body(violations: list[str]) -> errors.EmulatorError:
    """One violation is spelt out, as Bedrock's validator does; several are counted."""
    if len(violations) == 1:
        return errors.validation(f"Malformed input request: {violations[0]}, please reformat "
                                 "your input and try again.")
    return malformed(violations)


def read_call(ctx: InvokeContext) -> tuple[families.Family, NativeCall]:
    family = families.get(str(ctx.model.family))
    if family is None:  # pragma: no cover - registered only for the families above
        raise errors.invalid_model_id()
    try:
        call = family.read(ctx.body, ctx.model)
    except BodyError as exc:
        raise malformed_body(exc.violations) from None
    except RangeError as exc:
        raise errors.validation(str(exc)) from None
    call.model_id = str(ctx.model.id)
    from bedrock_cli.text.tokenizer import count_tokens

    call.input_tokens = count_tokens(call.prompt)
    window = int(getattr(ctx.model, "context_window", 0) or 0)
    if window and call.input_tokens > window:
        raise errors.validation("Input is too long for requested model.")
    if call.seed is None:
        call.seed = conversation.seed_of(_metadata(ctx))
    return family, call


def _metadata(ctx: InvokeContext) -> dict[str, str]:
    raw = ctx.request.headers.get("X-Amzn-Bedrock-Request-Metadata")
    if not raw:
        return {}
    try:
        doc = json.loads(raw)
    except ValueError:
        raise errors.validation("X-Amzn-Bedrock-Request-Metadata must be a JSON object of "
                                "strings.") from None
    return {str(k): str(v) for k, v in doc.items()} if isinstance(doc, dict) else {}


def generate(call: NativeCall) -> Any:
    from bedrock_cli.local.engines.textlm import get_model

    temperature, top_p = call.temperature, call.top_p
    if top_p is not None and top_p <= 0:  # nothing left to sample from: greedy
        temperature, top_p = 0.0, None
    return get_model().stream(
        call.prompt, max_tokens=call.max_tokens, temperature=temperature, top_p=top_p,
        top_k=call.top_k, stop=call.stop,
        seed=call.seed if call.seed is not None else secrets.randbits(32))


def _done(call: NativeCall, gen: Any) -> Done:
    reason = str(gen.stop_reason or "end_turn")
    return Done(text=str(gen.text), input_tokens=call.input_tokens,
                stop_reason="end_turn" if reason == "guardrail_intervened" else reason,
                output_tokens=int(gen.output_tokens),
                stop_sequence=getattr(gen, "stop_sequence", None),
                tool_uses=list(getattr(gen, "tool_uses", None) or []))


def guardrail_fields(guard: Guard | None) -> dict[str, Any]:
    """What a native body adds when a guardrail acted (key spellings UNVERIFIED, [ref] §6)."""
    if guard is None:
        return {}
    fields: dict[str, Any] = {}
    if guard.intervened:
        fields[GUARDRAIL_ACTION_KEY] = "INTERVENED"
    trace = guard.trace()
    if trace is not None:
        fields["amazon-bedrock-trace"] = {"guardrail": trace}
    return fields


def metrics(done: Done, started: float, first_byte: float | None) -> dict[str, int]:
    now = time.monotonic()
    return {"inputTokenCount": done.input_tokens, "outputTokenCount": done.output_tokens,
            "invocationLatency": max(1, round((now - started) * 1000)),
            "firstByteLatency": max(1, round(((first_byte or now) - started) * 1000))}


def chunk_frame(chunk: dict[str, Any]) -> bytes:
    raw = json.dumps(chunk, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return eventstream.event("chunk", eventstream.padded(
        {"bytes": base64.b64encode(raw).decode("ascii")}))


def with_metrics(chunks: Iterator[dict[str, Any]], done: Callable[[], Done],
                 guard: Guard | None, started: float) -> Iterator[bytes]:
    """Frames for the chunks, holding one back so the last can carry the metrics."""
    held: dict[str, Any] | None = None
    first_byte: float | None = None
    for chunk in chunks:
        if held is not None:
            first_byte = first_byte or time.monotonic()
            yield chunk_frame(held)
        held = chunk
    if held is not None:
        held.update(guardrail_fields(guard))
        held[METRICS_KEY] = metrics(done(), started, first_byte)
        yield chunk_frame(held)


@native(*TEXT_FAMILIES)
def invoke_text(ctx: InvokeContext) -> Response:
    started = time.monotonic()
    family, call = read_call(ctx)
    guard = native_guard(ctx.request, ctx.emulator, call.turns)
    declared = for_native(ctx.emulator, ctx.request.operation, ctx.model_id, ctx.model, ctx.body,
                          call)
    if declared is not None and declared.input_tokens is not None:
        call.input_tokens = declared.input_tokens  # the declared usage

    def engine() -> Any:
        if declared is not None:
            return declared
        return decide(call, family.name) or generate(call)

    gen = guard.run(engine) if guard is not None else engine()
    if not ctx.stream:
        "".join(gen)
        end = _done(call, gen)
        latency = max(1, round((time.monotonic() - started) * 1000))
        body = {**family.respond(call, end), **guardrail_fields(guard)}
        return Response.json(body, headers={
            "X-Amzn-Bedrock-Input-Token-Count": str(end.input_tokens),
            "X-Amzn-Bedrock-Output-Token-Count": str(end.output_tokens),
            "X-Amzn-Bedrock-Invocation-Latency": str(latency),
        })
    pieces = iter(gen)

    def done() -> Done:
        return _done(call, gen)

    frames = with_metrics(family.chunks(call, pieces, done), done, guard, started)
    return Response.stream(frames, headers={"X-Amzn-Bedrock-Content-Type": "application/json"})
