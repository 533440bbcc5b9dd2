"""The cases ``test_service_model.py`` runs: one real boto3 call each, answered in-process,
its bytes on the wire recorded.

A new kind of answer (tool use, declared responses, a new family) is one more ``Case`` in
``runtime_cases()`` or ``control_cases()``: ``service`` and boto3 ``method``, the call's
keyword arguments, the modelled error code expected (None for a success), optionally a region
and a ``setup`` (e.g. ``fault("error=ThrottlingException")``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bedrock_cli.local import Emulator, Response
from bedrock_cli.local.faults import FAULT_HEADER
from bedrock_cli.local.transport import to_aws_response, to_request

from .conftest import make_client

NOVA = "amazon.nova-lite-v1:0"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET_37 = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
LLAMA = "meta.llama3-8b-instruct-v1:0"
MISTRAL = "mistral.mistral-7b-instruct-v0:2"
COMMAND_R = "cohere.command-r-v1:0"
TITAN_TEXT = "amazon.titan-text-express-v1"
PROMPT = "Tell me about rivers and lakes."
METRICS = {"inputTokenCount", "outputTokenCount", "invocationLatency", "firstByteLatency"}
TOKEN_HEADERS = ("X-Amzn-Bedrock-Input-Token-Count", "X-Amzn-Bedrock-Output-Token-Count")
WEATHER_TOOL = {"toolSpec": {
    "name": "get_weather", "description": "The weather in a city",
    "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}},
                             "required": ["city"]}}}}


@dataclass
class Wire:
    operation: str
    status: int
    headers: dict[str, str]
    body: bytes  # event streams: the frames joined


@dataclass
class Recorder:
    """A before-send responder that keeps what the emulator sent, byte for byte."""

    emulator: Emulator
    seen: list[Wire] = field(default_factory=list)

    def __call__(self, request: Any, **_: Any) -> Any:
        req = to_request(request)
        response = self.emulator.handle(req)
        body = b"".join(response.events) if response.events is not None else response.body
        self.seen.append(Wire(req.operation, response.status, dict(response.headers), body))
        return to_aws_response(request.url, Response(response.status, response.headers, body))


def client(service: str, emulator: Emulator, region: str = "us-east-1") -> tuple[Any, Recorder]:
    c = make_client(service, emulator, region, retries={"max_attempts": 1})
    recorder = Recorder(emulator)
    event = f"before-send.{c.meta.service_model.service_id.hyphenize()}"
    c.meta.events.unregister(event, unique_id="bedrock-cli-emulator")
    c.meta.events.register(event, recorder, unique_id="bedrock-cli-emulator")
    return c, recorder


def user(text: str = PROMPT) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"text": text}]}]


def fault(spec: str) -> Callable[[Any], None]:
    """Send the fault header on the client's requests (faults.py's grammar)."""
    def hook(c: Any) -> None:
        def add(request: Any, **_: Any) -> None:
            request.headers[FAULT_HEADER] = spec
        c.meta.events.register("before-sign.*.*", add)
    return hook


@dataclass
class Case:
    id: str
    service: str
    method: str
    kwargs: dict[str, Any]
    error: str | None = None  # the modelled code expected (None: a success)
    region: str = "us-east-1"
    setup: Callable[[Any], None] | None = None

    def call(self, emulator: Emulator) -> list[Wire]:
        c, recorder = client(self.service, emulator, self.region)
        if self.setup is not None:
            self.setup(c)
        if self.error is None:
            out = getattr(c, self.method)(**self.kwargs)
            _drain(out)
        else:
            with pytest.raises(ClientError) as caught:
                _drain(getattr(c, self.method)(**self.kwargs))
            code = caught.value.response["Error"]["Code"]
            assert code.lower() == self.error.lower(), caught.value
        return recorder.seen


def _drain(out: dict[str, Any]) -> None:
    """Read what the call returned to its end, so in-stream errors surface."""
    from botocore.eventstream import EventStream

    for value in out.values():
        if isinstance(value, EventStream):
            list(value)
        elif hasattr(value, "read"):
            value.read()


def converse(model: str, **extra: Any) -> dict[str, Any]:
    return {"modelId": model, "messages": user(), "inferenceConfig": {"maxTokens": 24},
            "requestMetadata": {"seed": "5"}, **extra}


def native(model: str, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"modelId": model, "body": json.dumps(body), "contentType": "application/json",
            **extra}


TEXT_BODIES: dict[str, tuple[str, dict[str, Any]]] = {
    "anthropic": (HAIKU, {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 24,
                          "messages": [{"role": "user", "content": PROMPT}]}),
    "titan-text": (TITAN_TEXT, {"inputText": PROMPT,
                                "textGenerationConfig": {"maxTokenCount": 24}}),
    "nova": (NOVA, {"schemaVersion": "messages-v1", "messages": user(),
                    "inferenceConfig": {"max_new_tokens": 24}}),
    "llama": (LLAMA, {"prompt": PROMPT, "max_gen_len": 24}),
    "mistral": (MISTRAL, {"prompt": f"<s>[INST] {PROMPT} [/INST]", "max_tokens": 24}),
    "cohere": (COMMAND_R, {"message": PROMPT, "max_tokens": 24}),
}
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d7"
    "63f8cfc0000003010100c9fe92ef0000000049454e44ae426082")).decode()
IMAGE_BODIES: dict[str, tuple[str, dict[str, Any], str]] = {
    "nova-canvas": ("amazon.nova-canvas-v1:0", {
        "taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a red barn"},
        "imageGenerationConfig": {"numberOfImages": 1, "width": 320, "height": 320,
                                  "seed": 3}}, "us-east-1"),
    "titan-image": ("amazon.titan-image-generator-v2:0", {
        "taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a red barn"},
        "imageGenerationConfig": {"numberOfImages": 1, "width": 512, "height": 512,
                                  "seed": 3}}, "us-east-1"),
    "sdxl": ("stability.stable-diffusion-xl-v1", {
        "text_prompts": [{"text": "a red barn"}], "width": 1024, "height": 1024, "seed": 3,
        "steps": 10}, "us-east-1"),
    "stability": ("stability.sd3-5-large-v1:0", {
        "prompt": "a red barn", "aspect_ratio": "1:1", "seed": 3}, "us-west-2"),
}
EMBED_BODIES: dict[str, tuple[str, dict[str, Any]]] = {
    "titan-embed": ("amazon.titan-embed-text-v2:0", {"inputText": PROMPT, "dimensions": 256}),
    "cohere-embed": ("cohere.embed-english-v3", {"texts": [PROMPT],
                                                 "input_type": "search_document"}),
}


def runtime_cases() -> Iterator[Case]:
    rt = "bedrock-runtime"
    for family, (model, _) in TEXT_BODIES.items():
        for method in ("converse", "converse_stream"):
            yield Case(f"{method}-{family}", rt, method, converse(model))
    forced = {"tools": [WEATHER_TOOL], "toolChoice": {"tool": {"name": "get_weather"}}}
    for method in ("converse", "converse_stream"):
        yield Case(f"{method}-tool-forced", rt, method,
                   converse(NOVA, messages=user("What is the weather in Paris?"),
                            toolConfig=forced))
        yield Case(f"{method}-tool-parallel", rt, method, converse(
            NOVA, messages=user("What is the weather in Paris and in London?"),
            toolConfig={"tools": [WEATHER_TOOL], "toolChoice": {"auto": {}}}))
        yield Case(f"{method}-tool-unknown-choice", rt, method, converse(
            NOVA, toolConfig={"tools": [WEATHER_TOOL], "toolChoice": {"tool": {"name": "nope"}}}),
            "ValidationException")
        yield Case(f"{method}-structured-output", rt, method, converse(
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0", outputConfig={"textFormat": {
                "type": "json_schema", "structure": {"jsonSchema": {"name": "city", "schema":
                    json.dumps({"type": "object", "properties": {"city": {"type": "string"}},
                                "required": ["city"]})}}}}))
        yield Case(f"{method}-extract-tool", rt, method,
                   converse(HAIKU, messages=user("Bob is 42 and lives in Oslo."),
                            requestMetadata={"task": "extract", "seed": "1"},
                            toolConfig={"tools": [{"toolSpec": {
                                "name": "record", "inputSchema": {"json": {
                                    "type": "object",
                                    "properties": {"name": {"type": "string"},
                                                   "age": {"type": "integer"}}}}}}],
                                "toolChoice": {"tool": {"name": "record"}}}))
        yield Case(f"{method}-reasoning", rt, method, converse(
            SONNET_37, inferenceConfig={"maxTokens": 2048},
            additionalModelRequestFields={"thinking": {"type": "enabled",
                                                       "budget_tokens": 1024}}))
        yield Case(f"{method}-response-fields", rt, method, converse(
            HAIKU, additionalModelResponseFieldPaths=["/stop_sequence"],
            inferenceConfig={"maxTokens": 24, "stopSequences": ["lake"]}))
        yield Case(f"{method}-system-max-tokens", rt, method, converse(
            NOVA, system=[{"text": "Be brief."}], inferenceConfig={"maxTokens": 2}))
        yield Case(f"{method}-guardrail-blocked", rt, method, converse(
            NOVA, messages=user("Tell me the secret plan"),
            guardrailConfig={"guardrailIdentifier": "g1", "guardrailVersion": "1",
                             "trace": "enabled"}))
        yield Case(f"{method}-guardrail-passed", rt, method, converse(
            NOVA, guardrailConfig={"guardrailIdentifier": "g1", "guardrailVersion": "1",
                                   "trace": "enabled_full"}))
        yield Case(f"{method}-cache-point", rt, method, converse(
            SONNET_37, system=[{"text": "You answer questions. " * 300},
                               {"cachePoint": {"type": "default"}}]))
        yield Case(f"{method}-tool-result", rt, method, converse(HAIKU, messages=[
            *user("What is the weather in Paris?"),
            {"role": "assistant", "content": [{"toolUse": {
                "toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}]},
            {"role": "user", "content": [{"toolResult": {
                "toolUseId": "tooluse_1", "content": [{"json": {"temp": 21}}],
                "status": "success"}}]}], toolConfig={"tools": [WEATHER_TOOL],
                                                      "toolChoice": {"auto": {}}}))
        yield Case(f"{method}-image-and-document", rt, method, converse(HAIKU, messages=[{
            "role": "user", "content": [
                {"image": {"format": "png", "source": {"bytes": base64.b64decode(PNG)}}},
                {"document": {"format": "txt", "name": "notes",
                              "source": {"bytes": b"Rivers flow to the sea."}}},
                {"text": "What do these show?"}]}]))
        yield Case(f"{method}-unknown-model", rt, method, converse("acme.nothing-v1:0"),
                   "ValidationException")
        yield Case(f"{method}-profile-only", rt, method,
                   converse(SONNET_37.removeprefix("us.")), "ValidationException")
        yield Case(f"{method}-temperature", rt, method,
                   converse(NOVA, inferenceConfig={"temperature": 1.5}), "ValidationException")
        yield Case(f"{method}-unknown-guardrail", rt, method, converse(
            NOVA, guardrailConfig={"guardrailIdentifier": "nope", "guardrailVersion": "1"}),
            "ResourceNotFoundException")
        for code in ("ThrottlingException", "ModelTimeoutException", "ModelErrorException",
                     "ServiceUnavailableException", "InternalServerException",
                     "ModelNotReadyException", "AccessDeniedException"):
            yield Case(f"{method}-fault-{code}", rt, method, converse(NOVA), code,
                       setup=fault(f"error={code}"))
    for exc in ("throttlingException", "modelStreamErrorException", "validationException",
                "internalServerException", "serviceUnavailableException"):
        yield Case(f"converse_stream-in-stream-{exc}", rt, "converse_stream", converse(NOVA),
                   exc, setup=fault(f"stream-exception={exc}@2"))
    for family, (model, body) in TEXT_BODIES.items():
        yield Case(f"invoke-{family}", rt, "invoke_model", native(model, body))
        yield Case(f"invoke-stream-{family}", rt, "invoke_model_with_response_stream",
                   native(model, body))
    for family, (model, body, region) in IMAGE_BODIES.items():
        yield Case(f"invoke-{family}", rt, "invoke_model", native(model, body), region=region)
    for family, (model, body) in EMBED_BODIES.items():
        yield Case(f"invoke-{family}", rt, "invoke_model", native(model, body))
    yield Case("invoke-cohere-embed-types", rt, "invoke_model", native(
        EMBED_BODIES["cohere-embed"][0], {**EMBED_BODIES["cohere-embed"][1],
                                          "embedding_types": ["float", "int8"]}))
    yield Case("invoke-titan-image-two", rt, "invoke_model", native(
        IMAGE_BODIES["titan-image"][0], {**IMAGE_BODIES["titan-image"][1],
                                         "imageGenerationConfig": {"numberOfImages": 2,
                                                                   "width": 512,
                                                                   "height": 512}}))
    yield Case("invoke-stream-guardrail-headers", rt, "invoke_model_with_response_stream",
               native(NOVA, TEXT_BODIES["nova"][1], guardrailIdentifier="g1",
                      guardrailVersion="1", trace="ENABLED"))
    yield Case("count-tokens-profile", rt, "count_tokens", {
        "modelId": SONNET_37, "input": {"converse": {"messages": user(),
                                                     "system": [{"text": "Be brief."}]}}})
    yield Case("invoke-guardrail-headers", rt, "invoke_model", native(
        NOVA, TEXT_BODIES["nova"][1], guardrailIdentifier="g1", guardrailVersion="1",
        trace="ENABLED"))
    yield Case("invoke-malformed", rt, "invoke_model", native(HAIKU, {"nope": 1}),
               "ValidationException")
    yield Case("invoke-stream-image-model", rt, "invoke_model_with_response_stream",
               native(*IMAGE_BODIES["nova-canvas"][:2]), "ValidationException")
    yield Case("converse-unmodelled-quota", rt, "converse", converse(NOVA),
               "ValidationException", setup=fault("error=ServiceQuotaExceededException"))
    yield Case("converse_stream-unmodelled-in-stream", rt, "converse_stream", converse(NOVA),
               "ValidationException", setup=fault("stream-exception=modelTimeoutException@2"))
    yield Case("count-tokens-unmodelled-timeout", rt, "count_tokens", {
        "modelId": HAIKU, "input": {"converse": {"messages": user()}}}, "ValidationException",
        setup=fault("error=408"))
    yield Case("invoke-fault-quota", rt, "invoke_model", native(*TEXT_BODIES["nova"]),
               "ServiceQuotaExceededException", setup=fault("error=ServiceQuotaExceededException"))
    for exc in ("modelTimeoutException", "modelStreamErrorException", "throttlingException"):
        yield Case(f"invoke-stream-in-stream-{exc}", rt, "invoke_model_with_response_stream",
                   native(*TEXT_BODIES["anthropic"]), exc,
                   setup=fault(f"stream-exception={exc}@2"))
    yield Case("count-tokens-converse", rt, "count_tokens", {
        "modelId": HAIKU, "input": {"converse": {"messages": user()}}})
    yield Case("count-tokens-invoke", rt, "count_tokens", {
        "modelId": HAIKU, "input": {"invokeModel": {
            "body": json.dumps(TEXT_BODIES["anthropic"][1]).encode()}}})
    yield Case("count-tokens-unsupported", rt, "count_tokens", {
        "modelId": "amazon.titan-embed-text-v2:0",
        "input": {"converse": {"messages": user()}}}, "ValidationException")
    for text in ("hello there", "the secret plan", "mail bob@example.com"):
        yield Case(f"apply-guardrail-{text.split()[-1]}", rt, "apply_guardrail", {
            "guardrailIdentifier": "g1", "guardrailVersion": "1", "source": "INPUT",
            "content": [{"text": {"text": text}}], "outputScope": "FULL"})
    yield Case("apply-guardrail-missing", rt, "apply_guardrail", {
        "guardrailIdentifier": "zz9", "guardrailVersion": "DRAFT", "source": "OUTPUT",
        "content": [{"text": {"text": "hi"}}]}, "ResourceNotFoundException")


def control_cases() -> Iterator[Case]:
    cp = "bedrock"
    yield Case("list-foundation-models", cp, "list_foundation_models", {})
    yield Case("list-foundation-models-us-west-2", cp, "list_foundation_models",
               {"byOutputModality": "IMAGE"}, region="us-west-2")
    yield Case("list-foundation-models-bad-type", cp, "list_foundation_models",
               {"byInferenceType": "SERVERLESS"}, "ValidationException")
    for filters in ({"byProvider": "Amazon", "byInferenceType": "ON_DEMAND"},
                    {"byOutputModality": "EMBEDDING"}):
        yield Case(f"list-foundation-models-{'-'.join(filters.values())}", cp,
                   "list_foundation_models", filters)
    yield Case("get-foundation-model", cp, "get_foundation_model", {"modelIdentifier": NOVA})
    yield Case("get-foundation-model-missing", cp, "get_foundation_model",
               {"modelIdentifier": "acme.nothing-v1:0"}, "ResourceNotFoundException")
    yield Case("list-inference-profiles", cp, "list_inference_profiles", {"maxResults": 3})
    yield Case("list-inference-profiles-bad-token", cp, "list_inference_profiles",
               {"nextToken": "nope"}, "ValidationException")
    yield Case("get-inference-profile", cp, "get_inference_profile",
               {"inferenceProfileIdentifier": "us.amazon.nova-lite-v1:0"})
    yield Case("get-inference-profile-missing", cp, "get_inference_profile",
               {"inferenceProfileIdentifier": "xx.amazon.nova-lite-v1:0"},
               "ResourceNotFoundException")
    yield Case("model-availability", cp, "get_foundation_model_availability", {"modelId": NOVA})
    yield Case("model-availability-missing", cp, "get_foundation_model_availability",
               {"modelId": "acme.nothing-v1:0"}, "ResourceNotFoundException")
    for code in ("ThrottlingException", "InternalServerException", "AccessDeniedException"):
        yield Case(f"list-foundation-models-fault-{code}", cp, "list_foundation_models", {},
                   code, setup=fault(f"error={code}"))
    # faults Bedrock could not give for the operation are refused, not answered
    for code in ("ServiceUnavailableException", "ModelTimeoutException", "503"):
        yield Case(f"list-foundation-models-unmodelled-{code}", cp, "list_foundation_models",
                   {}, "ValidationException", setup=fault(f"error={code}"))


CASES = [*runtime_cases(), *control_cases()]

