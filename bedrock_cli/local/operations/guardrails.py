"""Guardrails in the emulator: ApplyGuardrail, and guardrails inside Converse and native invoke.

The guardrails come from the JSON file named by ``EmulatorOptions.extra["local_guardrails"]``
(the CLI's ``local_guardrails`` setting), else by ``BEDROCK_CLI_LOCAL_GUARDRAILS`` (``serve``
and bare emulators); the policies are in ``engines/guardrails.py``.

Inside Converse, the input check runs before the task engine (on the ``guardContent`` blocks
when there are any, else on the last user message): a block answers with the blocked message
and ``stopReason: guardrail_intervened`` without calling the model; an anonymization masks the
input and the model goes on. The answer is then checked as a whole (the stream is buffered, as
Bedrock's synchronous stream mode does): a block replaces it, an anonymization masks it, and
either makes the stop reason ``guardrail_intervened``. ``trace: enabled`` puts Bedrock's
``trace.guardrail`` in the response (or the stream's metadata event).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from bedrock_cli.local.engines import guardrails as engine

from .. import errors
from ..router import Emulator, Request, Response, route

ENV = "BEDROCK_CLI_LOCAL_GUARDRAILS"
NOT_FOUND = "The guardrail identifier or version provided in the request does not exist."
_VERSION = re.compile(r"^(DRAFT|[1-9][0-9]{0,7})$")
_ID = re.compile(r"^([a-z0-9]+|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:"
                 r"guardrail/[a-z0-9]+)$")


def configured(emulator: Emulator) -> dict[str, engine.Guardrail]:
    path = emulator.options.extra.get("local_guardrails") or os.environ.get(ENV)
    if not path:
        return {}
    try:
        return engine.load(str(path))
    except engine.GuardrailConfigError as exc:
        raise errors.validation(f"The local guardrails file is not valid: {exc}.") from None


def find(emulator: Emulator, identifier: Any, version: Any) -> engine.Guardrail:
    """The guardrail an id (or guardrail ARN) and version name; ResourceNotFound otherwise."""
    if not isinstance(identifier, str) or not _ID.match(identifier):
        raise errors.validation(
            f"The guardrail identifier {identifier!r} is not valid: use a guardrail id or ARN.")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise errors.validation(
            f"The guardrail version {version!r} is not valid. Use DRAFT or a version number.")
    gid = identifier.rsplit("/", 1)[-1]  # arn:aws:bedrock:<region>:<account>:guardrail/<id>
    guardrail = configured(emulator).get(gid)
    if guardrail is None or not guardrail.accepts_version(version):
        raise errors.resource_not_found(NOT_FOUND)
    return guardrail


def assess(guardrail: engine.Guardrail, texts: list[str], source: str
           ) -> tuple[engine.Result, int]:
    """The engine's result, and how long it took in milliseconds (at least 1)."""
    started = time.monotonic()
    result = engine.assess(guardrail, texts, source)
    return result, max(1, round((time.monotonic() - started) * 1000))


def assessment(result: engine.Result, latency: int) -> dict[str, Any]:
    coverage = {"textCharacters": {"guarded": result.characters, "total": result.characters}}
    return {**result.assessment, "invocationMetrics": {
        "guardrailProcessingLatency": latency, "usage": result.usage,
        "guardrailCoverage": coverage}}


@route("POST", "/guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply",
       name="ApplyGuardrail")
def apply_guardrail(request: Request, emulator: Emulator) -> Response:
    body = request.json()  # source, content and outputScope follow the model (shapes.py)
    source, content = body["source"], body["content"]
    guardrail = find(emulator, request.params["guardrailIdentifier"],
                     request.params["guardrailVersion"])
    texts = [str((block.get("text") or {}).get("text", "")) for block in content
             if isinstance(block, dict) and isinstance(block.get("text"), dict)]
    result, latency = assess(guardrail, texts, source)
    return Response.json({
        "usage": result.usage,
        "action": result.action,
        "actionReason": result.action_reason,
        "outputs": [{"text": text} for text in result.outputs],
        "assessments": [assessment(result, latency)],
        "guardrailCoverage": {"textCharacters": {"guarded": result.characters,
                                                 "total": result.characters}},
    })


# ---------------------------------------------------------------------------- in generation


class Guard:
    """One guardrail applied around one generation (Converse or native invoke)."""

    def __init__(self, guardrail: engine.Guardrail, trace: str = "disabled") -> None:
        self.guardrail = guardrail
        self.trace_mode = trace
        self.input: engine.Result | None = None
        self.output: engine.Result | None = None
        self.latency = {"input": 1, "output": 1}
        self.model_output: str | None = None

    @property
    def blocked_input(self) -> bool:
        return self.input is not None and self.input.blocked

    @property
    def intervened(self) -> bool:
        return self.blocked_input or (self.output is not None and self.output.action != "NONE")

    def check_input(self, texts: list[str]) -> list[str]:
        """Assess the input; the masked texts (the same texts when nothing was masked)."""
        self.input, self.latency["input"] = assess(self.guardrail, texts, "INPUT")
        if self.input.action != "NONE" and not self.input.blocked:
            return self.input.outputs
        return texts

    def run(self, make: Callable[[], Any]) -> GuardedGeneration:
        return GuardedGeneration(self, make)

    def trace(self) -> dict[str, Any] | None:
        if self.trace_mode not in ("enabled", "enabled_full"):
            return None
        doc: dict[str, Any] = {}
        if self.input is not None:
            doc["inputAssessment"] = {
                self.guardrail.id: assessment(self.input, self.latency["input"])}
        if self.output is not None:
            doc["outputAssessments"] = {
                self.guardrail.id: [assessment(self.output, self.latency["output"])]}
            if self.output.action != "NONE" and self.model_output is not None:
                doc["modelOutput"] = [self.model_output]
        result = self.output if self.output is not None and self.output.action != "NONE" \
            else self.input
        if result is not None:
            doc["actionReason"] = result.action_reason
        return doc


class GuardedGeneration:
    """A Generation that checks the whole answer before releasing it, one token a piece."""

    def __init__(self, guard: Guard, make: Callable[[], Any]) -> None:
        self.guard = guard
        self.make = make
        self.stop_reason: str | None = None
        self.stop_sequence: str | None = None
        self.output_tokens = 0
        self.tool_uses: list[dict[str, Any]] = []
        self.response_fields: dict[str, Any] | None = None
        self.text = ""

    def __iter__(self) -> Iterator[str]:
        from bedrock_cli.text.tokenizer import tokenize

        guard = self.guard
        if guard.blocked_input:
            assert guard.input is not None
            self.text, self.stop_reason = guard.input.outputs[0], "guardrail_intervened"
        else:
            gen = self.make()
            answer = "".join(gen)
            self.output_tokens = int(getattr(gen, "output_tokens", 0))
            self.stop_sequence = getattr(gen, "stop_sequence", None)
            self.tool_uses = list(getattr(gen, "tool_uses", None) or [])
            self.response_fields = getattr(gen, "response_fields", None)
            guard.model_output = answer
            guard.output, guard.latency["output"] = assess(guard.guardrail, [answer], "OUTPUT")
            if guard.output.action != "NONE":
                self.text, self.stop_reason = guard.output.outputs[0], "guardrail_intervened"
            else:
                self.text, self.stop_reason = answer, getattr(gen, "stop_reason", None)
        yield from tokenize(self.text)


def converse_guard(body: dict[str, Any], ctx: Any, emulator: Emulator) -> Guard | None:
    """The guard for a Converse request's guardrailConfig (None without one); masks the
    task context's input in place when the guardrail anonymizes it."""
    config = body.get("guardrailConfig")
    if config is None:
        return None
    if not isinstance(config, dict):
        raise errors.validation("guardrailConfig must be an object.")
    trace = config.get("trace", "disabled")
    if trace not in ("enabled", "disabled", "enabled_full"):
        raise errors.validation("guardrailConfig.trace must be enabled, disabled or "
                                "enabled_full.")
    guard = Guard(find(emulator, config.get("guardrailIdentifier"),
                       config.get("guardrailVersion")), trace)
    blocks = _guarded_blocks(ctx.messages)
    texts = [_block_text(b) for b in blocks]
    masked = guard.check_input(texts)
    for block, before, after in zip(blocks, texts, masked, strict=True):
        if before != after:
            _set_block_text(block, after)
            ctx.prompt = ctx.prompt.replace(before, after)
    return guard


def _guarded_blocks(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The guardContent blocks if there are any, else the last user message's text blocks."""
    guarded = [b for m in messages for b in m.get("content", []) if "guardContent" in b]
    if guarded:
        return guarded
    for message in reversed(messages):
        if message.get("role") == "user":
            return [b for b in message.get("content", []) if isinstance(b.get("text"), str)]
    return []


def _block_text(block: dict[str, Any]) -> str:
    if "guardContent" in block:
        return str(((block["guardContent"] or {}).get("text") or {}).get("text", ""))
    return str(block.get("text", ""))


def _set_block_text(block: dict[str, Any], text: str) -> None:
    if "guardContent" in block:
        block["guardContent"]["text"]["text"] = text
    else:
        block["text"] = text


def native_guard(request: Request, emulator: Emulator, turns: list[tuple[str, str]]
                 ) -> Guard | None:
    """The guard named by InvokeModel's X-Amzn-Bedrock-Guardrail* headers (None without),
    checking and masking the last user turn in place."""
    identifier = request.headers.get("X-Amzn-Bedrock-GuardrailIdentifier")
    if not identifier:
        return None
    trace = str(request.headers.get("X-Amzn-Bedrock-Trace", "DISABLED")).lower()
    guard = Guard(find(emulator, identifier,
                       request.headers.get("X-Amzn-Bedrock-GuardrailVersion")),
                  "enabled" if trace == "enabled" else "disabled")
    for i in range(len(turns) - 1, -1, -1):
        role, text = turns[i]
        if role == "user":
            turns[i] = (role, guard.check_input([text])[0])
            break
    else:
        guard.check_input([])
    return guard
