"""The emulator refuses what Bedrock's validator refuses, in its words, before any handler runs.

botocore checks only ``min`` and the union rule client-side; raw HTTP clients over ``serve``
check nothing. So these requests go to ``Emulator.handle`` (and one through ``serve``) as
bytes, the way such a client sends them.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_cli.local import Emulator, EmulatorOptions, Request, shapes
from bedrock_cli.local.router import ROUTER

NOVA = "amazon.nova-lite-v1:0"
USER = [{"role": "user", "content": [{"text": "Hello there."}]}]
ROLE = "arn:aws:iam::123456789012:role/Batch"


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    return Emulator(EmulatorOptions())


def send(emulator: Emulator, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body else b""
    response = emulator.handle(Request.from_target(
        method, path, {"Content-Type": "application/json", **(headers or {})}, raw))
    code = response.headers.get("x-amzn-ErrorType", "").split(":")[0]
    text = json.loads(response.body).get("message", "") if response.body else ""
    return response.status, code, text


def converse(emulator: Emulator, model: str = NOVA, **body: Any) -> tuple[int, str, str]:
    return send(emulator, "POST", f"/model/{quote(model, safe='')}/converse",
                {"messages": USER, **body})


def refused(emulator: Emulator, expected: str, method: str, path: str, body: Any = None,
            headers: dict[str, str] | None = None) -> None:
    assert send(emulator, method, path, body, headers) == (400, "ValidationException", expected)


def one(path: str, value: str | None, constraint: str) -> str:
    shown = "null" if value is None else f"'{value}'"
    return (f"1 validation error detected: Value {shown} at '{path}' failed to satisfy "
            f"constraint: {constraint}")


CONVERSE_CASES = [
    ({"inferenceConfig": {"maxTokens": 0}}, one(
        "inferenceConfig.maxTokens", "0", "Member must have value greater than or equal to 1")),
    ({"inferenceConfig": {"temperature": 2}}, one(
        "inferenceConfig.temperature", "2.0", "Member must have value less than or equal to 1")),
    ({"inferenceConfig": {"topP": -0.5}}, one(
        "inferenceConfig.topP", "-0.5", "Member must have value greater than or equal to 0")),
    ({"inferenceConfig": {"stopSequences": ["x"] * 2501}},
     "1 validation error detected: Value at 'inferenceConfig.stopSequences' failed to satisfy "
     "constraint: Member must have length less than or equal to 2500"),
    ({"inferenceConfig": {"stopSequences": [""]}}, one(
        "inferenceConfig.stopSequences.1.member", "",
        "Member must have length greater than or equal to 1")),
    ({"messages": [{"role": "robot", "content": [{"text": "hi"}]}]}, one(
        "messages.1.member.role", "robot",
        "Member must satisfy enum value set: [user, assistant, system]")),
    ({"messages": [{"role": "user"}]}, one(
        "messages.1.member.content", None, "Member must not be null")),
    ({"toolConfig": {"tools": []}},
     "1 validation error detected: Value at 'toolConfig.tools' failed to satisfy constraint: "
     "Member must have length greater than or equal to 1"),
    ({"toolConfig": {"tools": [{"toolSpec": {"name": "get weather",
                                             "inputSchema": {"json": {}}}}]}},
     one("toolConfig.tools.1.member.toolSpec.name", "get weather",
         "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+")),
    ({"guardrailConfig": {"guardrailIdentifier": "Bad Id", "guardrailVersion": "1"}},
     one("guardrailConfig.guardrailIdentifier", "Bad Id",
         "Member must satisfy regular expression pattern: (|([a-z0-9]+)|(arn:aws(-[^:]+)?:"
         "bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))")),
    ({"guardrailConfig": {"guardrailIdentifier": "g1", "guardrailVersion": "1",
                          "trace": "loud"}},
     one("guardrailConfig.trace", "loud",
         "Member must satisfy enum value set: [enabled, disabled, enabled_full]")),
    ({"additionalModelResponseFieldPaths": ["/a"] * 11},
     "1 validation error detected: Value at 'additionalModelResponseFieldPaths' failed to "
     "satisfy constraint: Member must have length less than or equal to 10"),
    ({"requestMetadata": {f"k{i}": "v" for i in range(17)}},
     "1 validation error detected: Value at 'requestMetadata' failed to satisfy constraint: "
     "Member must have length less than or equal to 16"),
    ({"performanceConfig": {"latency": "fast"}}, one(
        "performanceConfig.latency", "fast",
        "Member must satisfy enum value set: [standard, optimized]")),
]


@pytest.mark.parametrize(("body", "expected"), CONVERSE_CASES,
                         ids=[json.dumps(b)[:40] for b, _ in CONVERSE_CASES])
def test_converse_constraints(emulator: Emulator, body: dict[str, Any], expected: str) -> None:
    assert converse(emulator, **body) == (400, "ValidationException", expected)
    stream = send(emulator, "POST", f"/model/{quote(NOVA, safe='')}/converse-stream",
                  {"messages": USER, **body})
    assert stream == (400, "ValidationException", expected)


def test_several_violations_are_counted_and_joined(emulator: Emulator) -> None:
    status, code, text = converse(emulator, inferenceConfig={"maxTokens": 0, "topP": 3})
    assert (status, code) == (400, "ValidationException")
    assert text == (
        "2 validation errors detected: Value '0' at 'inferenceConfig.maxTokens' failed to "
        "satisfy constraint: Member must have value greater than or equal to 1; Value '3.0' at "
        "'inferenceConfig.topP' failed to satisfy constraint: Member must have value less "
        "than or equal to 1")


def test_a_union_with_two_members_is_refused(emulator: Emulator) -> None:
    block = {"text": "hi", "cachePoint": {"type": "default"}}
    status, code, text = converse(emulator, messages=[{"role": "user", "content": [block]}])
    assert (status, code) == (400, "ValidationException")
    assert "at 'messages.1.member.content.1.member' failed to satisfy constraint: Member must " \
           "have exactly one of [" in text


def test_wrong_json_types_are_validation_errors_not_crashes(emulator: Emulator) -> None:
    # before: "content": ["x"] was a 500 (a crash), the next four were answered with a 200
    for body in ({"messages": [{"role": "user", "content": ["x"]}]},
                 {"messages": [{"role": "user", "content": [{}]}]},
                 {"system": [{"text": 5}]}, {"inferenceConfig": []},
                 {"requestMetadata": {"seed": 5}},
                 {"inferenceConfig": {"maxTokens": "ten"}}, {"messages": "hello"}):
        status, code, text = converse(emulator, **body)
        assert (status, code) == (400, "ValidationException"), body
        assert text.startswith("1 validation error detected: "), text


def test_model_id_pattern_and_length(emulator: Emulator) -> None:
    status, code, text = converse(emulator, model="bad model!")
    assert (status, code) == (400, "ValidationException")
    assert text.startswith("1 validation error detected: Value 'bad model!' at 'modelId' "
                           "failed to satisfy constraint: Member must satisfy regular "
                           "expression pattern: ")
    long_id = "a" * 257
    refused(emulator, one("modelId", long_id, "Member must have length less than or equal to "
                                              "256"),
            "POST", f"/model/{long_id}/count-tokens",
            {"input": {"converse": {"messages": USER}}})


def test_invoke_model_headers(emulator: Emulator) -> None:
    body = {"schemaVersion": "messages-v1", "messages": USER}
    refused(emulator, one("trace", "LOUD",
                          "Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_FULL]"),
            "POST", f"/model/{NOVA}/invoke", body, {"X-Amzn-Bedrock-Trace": "LOUD"})
    refused(emulator, one("performanceConfigLatency", "fast",
                          "Member must satisfy enum value set: [standard, optimized]"),
            "POST", f"/model/{NOVA}/invoke-with-response-stream", body,
            {"X-Amzn-Bedrock-PerformanceConfig-Latency": "fast"})


def test_required_members(emulator: Emulator) -> None:
    refused(emulator, one("source", None, "Member must not be null"),
            "POST", "/guardrail/g1/version/1/apply", {"content": [{"text": {"text": "x"}}]})
    refused(emulator, one("input", None, "Member must not be null"),
            "POST", f"/model/{NOVA}/count-tokens", {})


def test_control_plane_query_strings(emulator: Emulator) -> None:
    refused(emulator, one("maxResults", "0", "Member must have value greater than or equal "
                                             "to 1"), "GET", "/inference-profiles?maxResults=0")
    refused(emulator, one("typeEquals", "BOTH", "Member must satisfy enum value set: "
                                                "[SYSTEM_DEFINED, APPLICATION]"),
            "GET", "/inference-profiles?type=BOTH")
    refused(emulator, one("byOutputModality", "AUDIO", "Member must satisfy enum value set: "
                                                       "[TEXT, IMAGE, EMBEDDING]"),
            "GET", "/foundation-models?byOutputModality=AUDIO")
    refused(emulator, one("statusEquals", "Done", "Member must satisfy enum value set: [Submitted"
                          ", InProgress, Completed, Failed, Stopping, Stopped, PartiallyCompleted"
                          ", Expired, Validating, Scheduled]"),
            "GET", "/model-invocation-jobs?statusEquals=Done")
    status, code, text = send(emulator, "GET", "/model-invocation-job/NOT-A-JOB")
    assert (status, code) == (400, "ValidationException") and "'jobIdentifier'" in text


def _job(**overrides: Any) -> dict[str, Any]:
    return {"jobName": "job-1", "roleArn": ROLE, "modelId": NOVA,
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://bucket/in/"}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://bucket/out/"}},
            **overrides}


@pytest.mark.parametrize(("overrides", "path"), [
    ({"jobName": "bad name!"}, "jobName"),
    ({"roleArn": "arn:aws:iam::123:user/me"}, "roleArn"),
    ({"timeoutDurationInHours": 12}, "timeoutDurationInHours"),
    ({"modelInvocationType": "Batch"}, "modelInvocationType"),
    ({"tags": [{"key": "", "value": "v"}]}, "tags.1.member.key"),
    ({"outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "https://bucket/out"}}},
     "outputDataConfig.s3OutputDataConfig.s3Uri"),
])
def test_batch_job_constraints(emulator: Emulator, overrides: dict[str, Any], path: str) -> None:
    status, code, text = send(emulator, "POST", "/model-invocation-job", _job(**overrides))
    assert (status, code) == (400, "ValidationException")
    assert text.startswith("1 validation error detected: ") and f" at '{path}' " in text


def test_a_pathological_job_name_is_answered_at_once(emulator: Emulator) -> None:
    started = time.monotonic()
    status, _, text = send(emulator, "POST", "/model-invocation-job",
                           _job(jobName="a" + "-" * 61 + "!"))
    assert status == 400 and "'jobName'" in text
    assert time.monotonic() - started < 1


def _input_patterns() -> Iterator[tuple[str, str, Any]]:
    seen: set[str] = set()

    def walk(shape: Any, path: str, depth: int = 0) -> Iterator[tuple[str, str, Any]]:
        if depth > 8 or shape.metadata.get("document"):
            return
        pattern = shape.metadata.get("pattern")
        if shape.type_name == "string" and pattern and pattern not in seen:
            seen.add(pattern)
            yield path, pattern, shape
        if shape.type_name == "structure":
            for name, member in shape.members.items():
                yield from walk(member, f"{path}.{name}", depth + 1)
        elif shape.type_name == "list":
            yield from walk(shape.member, path + "[]", depth + 1)
        elif shape.type_name == "map":
            yield from walk(shape.key, path + "{}", depth + 1)
            yield from walk(shape.value, path + "{}", depth + 1)

    Emulator()
    for route in ROUTER.routes:
        model = shapes.operation_model(route.name)
        if model is not None and model.input_shape is not None:
            yield from walk(model.input_shape, route.name)


def test_no_request_pattern_backtracks_for_ever() -> None:
    """A client must not be able to hang the emulator with a crafted string (the job-name
    pattern took seconds on 30 hyphens before _SAFE_PATTERNS)."""
    walker = shapes.Walker(output=False)
    for path, _, shape in _input_patterns():
        high = min(int(shape.metadata.get("max", 300)), 300)
        for filler in ("-", "a", "a-", "0", ".", "a.", " ", "_", ":"):
            text = ("a" + filler * high)[: high - 1] + "!"
            started = time.monotonic()
            walker.string(shape, text, path)
            assert time.monotonic() - started < 0.5, (path, filler)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ09+-._! ", max_size=14))
def test_safe_patterns_accept_what_the_model_accepts(text: str) -> None:
    for original, safe in shapes._SAFE_PATTERNS.items():
        assert bool(re.fullmatch(original, text)) == bool(re.fullmatch(safe, text)), text

