"""Every response the emulator gives, held to botocore's own service model.

Each case (``service_cases.py``) is a real boto3 call answered in-process; a recording
responder keeps the bytes the emulator put on the wire (before botocore parses them and drops
what it does not know) and ``wire_check.check_response`` judges them: modelled status and
error codes, required members, types, enums, lengths, patterns, unions, unknown members,
event-stream events. Native bodies are blobs to the model; their shell (token-count headers,
``chunk`` events, the metrics on the last chunk) is checked against the reference (§2).

A new route fails ``test_every_route_has_cases`` until it has a success and an error case;
a new kind of answer (tool use, declared responses) is one more ``Case`` in service_cases.py.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bedrock_cli.local import Emulator, EmulatorOptions, Response, eventstream, shapes, wire_check
from bedrock_cli.local.faults import install
from bedrock_cli.local.router import ROUTER

from .conftest import make_client
from .service_cases import (
    CASES,
    EMBED_BODIES,
    METRICS,
    NOVA,
    TEXT_BODIES,
    TOKEN_HEADERS,
    Case,
    Wire,
    client,
    user,
)
from .test_guardrails import CONFIG as GUARDRAILS


@pytest.fixture
def emulator(tmp_path: Path) -> Emulator:
    path = tmp_path / "guardrails.json"
    path.write_text(json.dumps(GUARDRAILS))
    emulator = Emulator(EmulatorOptions(extra={
        "local_guardrails": str(path), "state_dir": str(tmp_path / "jobs"), "file_uris": True,
        "batch_min_records": 1}))
    install(emulator)
    return emulator


def assert_valid(seen: list[Wire]) -> None:
    assert seen, "the call reached no emulator"
    for wire in seen:
        problems = wire_check.check_response(wire.operation, wire.status, wire.headers, wire.body)
        assert not problems, f"{wire.operation} ({wire.status}):\n  " + "\n  ".join(problems)
        if wire.status == 200 and wire.operation.startswith("InvokeModel"):
            check_native_shell(wire)


def check_native_shell(wire: Wire) -> None:
    """What Bedrock adds around a native body ([ref] §0, §2)."""
    headers = {k.lower(): v for k, v in wire.headers.items()}
    if wire.operation == "InvokeModel":
        json.loads(wire.body)  # every family answers JSON
        return
    assert headers.get("x-amzn-bedrock-content-type") == "application/json"
    messages = eventstream.decode_messages(wire.body)
    chunks = [json.loads(base64.b64decode(m.json()["bytes"])) for m in messages
              if m.headers[":message-type"] == "event"]
    assert chunks
    if all(m.headers[":message-type"] == "event" for m in messages):
        assert set(chunks[-1]["amazon-bedrock-invocationMetrics"]) == METRICS
        assert all("amazon-bedrock-invocationMetrics" not in c for c in chunks[:-1])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_response_is_one_bedrock_could_send(case: Case, emulator: Emulator) -> None:
    seen = case.call(emulator)
    assert_valid(seen)
    family = case.id.split("-", 1)[1]
    if case.error is None and case.method == "invoke_model" and family in TEXT_BODIES:
        headers = {k.lower() for k in seen[-1].headers}
        assert all(h.lower() in headers for h in TOKEN_HEADERS)
    if case.error is None and case.method == "invoke_model" and family in EMBED_BODIES:
        assert TOKEN_HEADERS[0].lower() in {k.lower() for k in seen[-1].headers}


def _batch_input(tmp_path: Path) -> tuple[str, str]:
    source = tmp_path / "in"
    source.mkdir()
    record = {"recordId": "R1", "modelInput": {"messages": user(),
                                               "inferenceConfig": {"maxTokens": 8}}}
    (source / "in.jsonl").write_text(json.dumps(record) + "\n")
    return source.as_uri() + "/", (tmp_path / "out").as_uri() + "/"


BATCH_OPERATIONS = ("CreateModelInvocationJob", "GetModelInvocationJob",
                    "ListModelInvocationJobs", "StopModelInvocationJob")
TERMINAL = ("Completed", "PartiallyCompleted", "Failed", "Stopped")


def test_batch_job_responses(emulator: Emulator, tmp_path: Path) -> None:
    """Each batch operation answers and refuses in the model's shapes, and a Converse job's
    output lines hold Converse responses."""
    control, recorder = client("bedrock", emulator)
    in_uri, out_uri = _batch_input(tmp_path)
    job = {"jobName": "model-check", "roleArn": "arn:aws:iam::123456789012:role/Batch",
           "modelId": NOVA, "modelInvocationType": "Converse",
           "inputDataConfig": {"s3InputDataConfig": {"s3Uri": in_uri}},
           "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": out_uri}}}
    arn = control.create_model_invocation_job(**job)["jobArn"]
    with pytest.raises(ClientError):  # the same name again
        control.create_model_invocation_job(**{**job, "clientRequestToken": "other"})
    with pytest.raises(ClientError):
        control.get_model_invocation_job(jobIdentifier="abcdefghijkl")
    with pytest.raises(ClientError):
        control.list_model_invocation_jobs(nextToken="not-a-token")
    with pytest.raises(ClientError):
        control.stop_model_invocation_job(jobIdentifier="abcdefghijkl")
    for _ in range(400):
        got = control.get_model_invocation_job(jobIdentifier=arn)
        if got["status"] in TERMINAL:
            break
        time.sleep(0.05)
    assert got["status"] == "Completed"
    control.list_model_invocation_jobs(statusEquals="Completed", maxResults=5)
    with pytest.raises(ClientError):  # a finished job cannot be stopped
        control.stop_model_invocation_job(jobIdentifier=arn)
    second = control.create_model_invocation_job(**{**job, "jobName": "model-check-2"})
    control.stop_model_invocation_job(jobIdentifier=second["jobArn"])
    assert_valid(recorder.seen)
    answered = {(w.operation, w.status < 300) for w in recorder.seen}
    assert answered == {(name, ok) for name in BATCH_OPERATIONS for ok in (True, False)}
    [line] = (tmp_path / "out" / arn.rsplit("/", 1)[1] / "in.jsonl.out").read_text().splitlines()
    output = json.dumps(json.loads(line)["modelOutput"]).encode()
    assert wire_check.check_response("Converse", 200, {"Content-Type": "application/json"},
                                     output) == []


# operation names of the cases' boto3 methods
_OPERATIONS = {"converse": "Converse", "converse_stream": "ConverseStream",
               "invoke_model": "InvokeModel",
               "invoke_model_with_response_stream": "InvokeModelWithResponseStream",
               "count_tokens": "CountTokens", "apply_guardrail": "ApplyGuardrail",
               "list_foundation_models": "ListFoundationModels",
               "get_foundation_model": "GetFoundationModel",
               "list_inference_profiles": "ListInferenceProfiles",
               "get_inference_profile": "GetInferenceProfile",
               "get_foundation_model_availability": "GetFoundationModelAvailability"}


def test_every_route_has_cases() -> None:
    """A route without a success and an error case here is a response nobody checks."""
    Emulator()  # loads every operation module
    covered = {(_OPERATIONS[c.method], c.error is None) for c in CASES}
    covered |= {(name, ok) for name in BATCH_OPERATIONS for ok in (True, False)}  # batch test
    for route in ROUTER.routes:
        model = shapes.operation_model(route.name)
        assert model is not None, route.name
        # the route is the model's: method and path template, labels named as the model does
        uri = model.http["requestUri"].split("?")[0].replace("+}", "}")
        assert (route.method, route.template) == (model.http["method"], uri), route.name
        assert (route.name, True) in covered, f"no success case for {route.name}"
        assert (route.name, False) in covered, f"no error case for {route.name}"


@pytest.mark.parametrize("method", ["list_foundation_models", "list_inference_profiles"])
def test_random_errors_are_ones_the_operation_has(emulator: Emulator, method: str) -> None:
    from bedrock_cli.local.faults import FaultOptions

    install(emulator, FaultOptions(error_rate=1.0, seed=3))
    control, recorder = client("bedrock", emulator)
    for _ in range(8):
        with pytest.raises(ClientError):
            getattr(control, method)()
    assert_valid(recorder.seen)
    assert {w.status for w in recorder.seen} == {500}


def _liar() -> Emulator:
    """An emulator whose Converse answers outside the model (test-only routes)."""
    from bedrock_cli.local.router import Router

    router = Router()

    @router.route("POST", "/model/{modelId}/converse", name="Converse")
    def converse_route(request: Any, emu: Emulator) -> Response:
        return Response.json({"output": {"message": {"role": "assistant", "content": [
            {"text": "hi", "image": {"format": "png"}}]}}, "stopReason": "done",
            "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
            "metrics": {"latencyMs": 1}, "extra": True})

    @router.route("POST", "/model/{modelId}/converse-stream", name="ConverseStream")
    def stream_route(request: Any, emu: Emulator) -> Response:
        return Response.stream(iter([
            eventstream.event("messageStart", {"role": "assistant"}),
            eventstream.event("messageBegin", {"role": "assistant"})]))

    return Emulator(EmulatorOptions(extra={"strict": True}), router=router)


def test_strict_mode_turns_an_answer_outside_the_model_into_a_loud_500() -> None:
    runtime = make_client("bedrock-runtime", _liar(), retries={"max_attempts": 1})
    with pytest.raises(ClientError) as caught:
        runtime.converse(modelId=NOVA, messages=user())
    error = caught.value.response["Error"]
    assert error["Code"] == "InternalServerException"
    for problem in ("'stopReason'", "enum value set", "'extra'", "exactly one of"):
        assert problem in error["Message"]
    stream = runtime.converse_stream(modelId=NOVA, messages=user())["stream"]
    with pytest.raises(ClientError) as in_stream:
        list(stream)
    assert in_stream.value.response["Error"]["Code"] == "internalServerException"
    assert "messageBegin" in in_stream.value.response["Error"]["Message"]
