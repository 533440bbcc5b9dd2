"""Converse and ConverseStream: Bedrock's validation, a task engine, Bedrock's response shapes.

Everything that can be refused is checked before the response starts, so errors are plain HTTP
errors (botocore raises them from ``converse_stream()`` itself, as with AWS). The stream is
produced lazily from the engine's generator: one ``contentBlockDelta`` per token.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bedrock_cli.families.tooling import json_fragments

from .. import errors, eventstream, modelref
from ..router import Emulator, Request, Response, route
from . import conversation, tools
from .tasks import Generation, TaskContext, handler_for

_STOP_REASONS = {"end_turn", "max_tokens", "stop_sequence", "tool_use", "content_filtered",
                 "guardrail_intervened"}


@dataclass
class Prepared:
    ctx: TaskContext
    input_tokens: int
    started: float
    response_paths: list[str]
    guard: Any = None  # guardrails.Guard when the request has a guardrailConfig
    thinking: Any = None  # reasoning.Thinking when extended thinking is enabled
    cache: Any = None  # caching.CacheUsage when the request has cache points
    declared: Any = None  # declared.DeclaredGeneration when a declared rule answers


def prepare(request: Request, emulator: Emulator, *, stream: bool) -> Prepared:
    """Validate a Converse request the way Bedrock does and build the task context."""
    started = time.monotonic()
    model_id = request.params["modelId"]
    ref = modelref.resolve(model_id, emulator.region(request))
    model = ref.model
    if not modelref.is_text_model(model):
        raise errors.unsupported_model()
    if stream and not getattr(model, "streaming", True):
        raise errors.validation("The model is unsupported for streaming.")
    body = request.json()
    messages = conversation.check_messages(body.get("messages"), model)
    system = body.get("system") or []
    if system and not getattr(model, "system_prompt", True):
        raise errors.validation("This model doesn't support system messages.")
    tool_config = body.get("toolConfig")
    tools.check(body, model, messages, stream=stream)
    metadata = conversation.request_metadata(body)
    params = conversation.sampling(body, model, metadata)
    prompt, attachments = conversation.prompt_text(system, messages)

    from bedrock_cli.text.tokenizer import count_tokens

    input_tokens = count_tokens(prompt) + conversation.tool_tokens(tool_config)
    window = int(getattr(model, "context_window", 0) or 0)
    if window and input_tokens > window:
        raise errors.validation("Input is too long for requested model.")
    task = metadata.get("task", "generate")
    ctx = TaskContext(
        model=model,
        model_id=model_id,
        task=task,
        prompt=prompt,
        system=conversation.system_texts(system),
        messages=messages,
        attachments=attachments,
        max_tokens=params.max_tokens,
        temperature=params.temperature,
        top_p=params.top_p,
        top_k=params.top_k,
        stop=params.stop,
        seed=params.seed,
        metadata=metadata,
        tool_config=tool_config,
        request=body,
    )
    paths = body.get("additionalModelResponseFieldPaths") or []
    from .guardrails import converse_guard  # checks (and masks) the input before the task

    guard = converse_guard(body, ctx, emulator)
    from .caching import account
    from .reasoning import thinking_for

    thinking = thinking_for(ctx, body)
    cache = account(emulator, model, model_id, body, input_tokens)
    from ..declared import for_converse

    declared = for_converse(emulator, request.operation, ctx)
    if declared is not None and declared.input_tokens is not None:
        input_tokens = declared.input_tokens  # the declared usage
    return Prepared(ctx, input_tokens, started, [str(p) for p in paths], guard, thinking, cache,
                    declared)


def _engine(prep: Prepared) -> Generation:
    """The declared answer when a rule matched, else the task's engine."""
    return prep.declared if prep.declared is not None else _answer(prep.ctx)


def _answer(ctx: TaskContext) -> Generation:
    """Tool calls (or the answer to tool results, or a structured output) when the request
    asks for them and the task is not one that fills a tool itself; else the task engine."""
    if ctx.task != "extract":
        answer = tools.respond(ctx) or tools.structured(ctx)
        if answer is not None:
            return answer
    return handler_for(ctx.task)(ctx)


def _run(prep: Prepared) -> Generation:
    if prep.guard is not None:
        return prep.guard.run(lambda: _engine(prep))
    return _engine(prep)


def _trace(prep: Prepared) -> dict[str, Any] | None:
    trace = prep.guard.trace() if prep.guard is not None else None
    return {"guardrail": trace} if trace is not None else None


def _stop_reason(gen: Generation) -> str:
    reason = getattr(gen, "stop_reason", None) or "end_turn"
    return reason if reason in _STOP_REASONS else "end_turn"


def _tool_uses(gen: Generation) -> list[dict[str, Any]]:
    uses = []
    for use in getattr(gen, "tool_uses", None) or []:
        tool_id = use.get("toolUseId") or tools.tool_use_id()
        uses.append({"toolUseId": tool_id, "name": use["name"], "input": use.get("input", {})})
    return uses


def _usage(prep: Prepared, gen: Generation) -> dict[str, int]:
    out = int(getattr(gen, "output_tokens", 0))
    if prep.thinking is not None:  # reasoning tokens are output tokens
        out += prep.thinking.output_tokens
    usage = {
        "inputTokens": prep.input_tokens,
        "outputTokens": out,
        "totalTokens": prep.input_tokens + out,
    }
    if prep.cache is not None and (prep.cache.read or prep.cache.write):
        # input excludes cached tokens; the total counts every token (caching.py)
        usage["inputTokens"] -= prep.cache.read + prep.cache.write
        usage.update(prep.cache.fields())
    return usage


def _metrics(prep: Prepared) -> dict[str, int]:
    return {"latencyMs": max(1, round((time.monotonic() - prep.started) * 1000))}


def _extra_fields(prep: Prepared, gen: Generation) -> dict[str, Any] | None:
    """The asked-for paths among ``stop_sequence`` and the task's own ``response_fields``."""
    fields = {"stop_sequence": getattr(gen, "stop_sequence", None),
              **(getattr(gen, "response_fields", None) or {})}
    picked = {key: value for key, value in fields.items() if f"/{key}" in prep.response_paths}
    return picked or None


@route("POST", "/model/{modelId}/converse", name="Converse")
def converse(request: Request, emulator: Emulator) -> Response:
    prep = prepare(request, emulator, stream=False)
    reasoning = [prep.thinking.block()] if prep.thinking is not None else []
    gen = _run(prep)
    text = "".join(gen)
    uses = _tool_uses(gen)
    content: list[dict[str, Any]] = [*reasoning]
    content += [{"text": text}] if text or not uses else []
    content += [{"toolUse": use} for use in uses]
    result: dict[str, Any] = {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": _stop_reason(gen),
        "usage": _usage(prep, gen),
        "metrics": _metrics(prep),
    }
    extra = _extra_fields(prep, gen)
    if extra is not None:
        result["additionalModelResponseFields"] = extra
    if _trace(prep) is not None:
        result["trace"] = _trace(prep)
    return Response.json(result)


@route("POST", "/model/{modelId}/converse-stream", name="ConverseStream")
def converse_stream(request: Request, emulator: Emulator) -> Response:
    prep = prepare(request, emulator, stream=True)
    gen = _run(prep)  # engines start lazily: nothing is generated until the caller reads
    return Response.stream(_events(prep, gen))


def _events(prep: Prepared, gen: Generation) -> Iterator[bytes]:
    def ev(name: str, obj: dict[str, Any]) -> bytes:
        return eventstream.event(name, eventstream.padded(obj))

    yield ev("messageStart", {"role": "assistant"})
    first = 0  # the answer's block: 1 after a reasoning block
    if prep.thinking is not None:
        yield from prep.thinking.events(ev)
        first = 1
    index, any_text = first, False
    for piece in gen:
        if piece:
            any_text = True
            yield ev("contentBlockDelta", {"contentBlockIndex": first, "delta": {"text": piece}})
    uses = _tool_uses(gen)
    if any_text or not uses:
        if not any_text:
            yield ev("contentBlockDelta", {"contentBlockIndex": first, "delta": {"text": ""}})
        yield ev("contentBlockStop", {"contentBlockIndex": first})
        index = first + 1
    for use in uses:
        start = {"toolUse": {"toolUseId": use["toolUseId"], "name": use["name"]}}
        yield ev("contentBlockStart", {"contentBlockIndex": index, "start": start})
        for part in json_fragments(use["input"]):
            yield ev("contentBlockDelta",
                     {"contentBlockIndex": index, "delta": {"toolUse": {"input": part}}})
        yield ev("contentBlockStop", {"contentBlockIndex": index})
        index += 1
    stop: dict[str, Any] = {"stopReason": _stop_reason(gen)}
    extra = _extra_fields(prep, gen)
    if extra is not None:
        stop["additionalModelResponseFields"] = extra
    yield ev("messageStop", stop)
    meta: dict[str, Any] = {"usage": _usage(prep, gen), "metrics": _metrics(prep)}
    if _trace(prep) is not None:
        meta["trace"] = _trace(prep)
    yield ev("metadata", meta)
