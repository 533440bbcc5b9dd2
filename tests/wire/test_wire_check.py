"""The judge itself: each kind of answer Bedrock could not send is caught, and named."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bedrock_cli.local import eventstream
from bedrock_cli.local.wire_check import check_response

JSON = {"Content-Type": "application/json"}
STREAM = {"Content-Type": eventstream.CONTENT_TYPE}
ERROR = ":http://internal.amazon.com/coral/com.amazon.bedrock/"


def converse(**changes: Any) -> bytes:
    body: dict[str, Any] = {
        "output": {"message": {"role": "assistant", "content": [{"text": "hi"}]}},
        "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 1,
                                            "totalTokens": 2},
        "metrics": {"latencyMs": 3}}
    body.update(changes)
    return json.dumps({k: v for k, v in body.items() if v is not ...}).encode()


def error(code: str, status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {**JSON, "x-amzn-ErrorType": code + ERROR}, json.dumps(body).encode()


def frames(*events: tuple[str, str, Any]) -> bytes:
    out = b""
    for kind, name, payload in events:
        out += (eventstream.exception(name, payload) if kind == "exception"
                else eventstream.event(name, payload))
    return out


def test_a_valid_converse_answer_passes() -> None:
    assert check_response("Converse", 200, JSON, converse()) == []


@pytest.mark.parametrize(("body", "problem"), [
    (converse(stopReason="done"), "'done' at 'stopReason'"),
    (converse(metrics=...), "Value null at 'metrics'"),
    (converse(usage={"inputTokens": 1, "outputTokens": 1, "totalTokens": "2"}),
     "at 'usage.totalTokens' failed to satisfy constraint: Member must be an integer"),
    (converse(extra=1), "Value '1' at 'extra' failed to satisfy constraint: Member is not in "
                        "the model of ConverseResponse"),
    (converse(trace=None), "Member must be absent rather than null"),
    (converse(output={"message": {"role": "assistant", "content": [
        {"text": "a", "toolUse": {"toolUseId": "t", "name": "n", "input": {}}}]}}),
     "at 'output.message.content.1.member' failed to satisfy constraint: Member must have "
     "exactly one of"),
    (converse(output={"message": {"role": "assistant", "content": [{"toolUse": {
        "toolUseId": "bad id!", "name": "n", "input": {}}}]}}),
     "'bad id!' at 'output.message.content.1.member.toolUse.toolUseId' failed to satisfy "
     "constraint: Member must satisfy regular expression pattern"),
    (b"{not json", "body is not JSON"),
])
def test_converse_problems(body: bytes, problem: str) -> None:
    problems = check_response("Converse", 200, JSON, body)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(("reply", "problem"), [
    (error("ServiceQuotaExceededException", 400, {"message": "x"}),
     "is not one of Converse's errors"),
    (error("ThrottlingException", 400, {"message": "x"}), "the model says 429"),
    (error("ValidationException", 400, {"msg": "x"}), "has no message"),
    (error("ModelErrorException", 424, {"message": "x", "originalStatusCode": "500"}),
     "at 'ModelErrorException.originalStatusCode'"),
    ((500, JSON, b'{"message": "x"}'), "(no x-amzn-ErrorType)"),
])
def test_error_problems(reply: tuple[int, dict[str, str], bytes], problem: str) -> None:
    problems = check_response("Converse", *reply)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(("data", "problem"), [
    (frames(("event", "messageBegin", {"role": "assistant"})), "not an event of"),
    (frames(("event", "messageStart", {"role": "robot"})), "enum value set"),
    (frames(("event", "contentBlockDelta", {"contentBlockIndex": 0, "delta": {}})),
     "exactly one of"),
    (frames(("exception", "modelTimeoutException", {"message": "x"})),
     "not an exception of ConverseStreamOutput"),
    (frames(("exception", "throttlingException", {"reason": "x"})), "without a message"),
    (b"", "no events"),
])
def test_stream_problems(data: bytes, problem: str) -> None:
    problems = check_response("ConverseStream", 200, STREAM, data)
    assert any(problem in p for p in problems), problems


def test_padding_is_allowed_on_events_only() -> None:
    padded = frames(("event", "messageStart", {"role": "assistant", "p": "abc"}))
    assert check_response("ConverseStream", 200, STREAM, padded) == []
    assert check_response("Converse", 200, JSON, converse(p="abc")) != []


def test_invoke_model_needs_its_content_type_header() -> None:
    assert check_response("InvokeModel", 200, JSON, b"{}") == []
    problems = check_response("InvokeModel", 200, {}, b"{}")
    assert any("Value null at 'contentType'" in p for p in problems), problems


def test_control_plane_timestamps_and_known_deviations() -> None:
    job = {"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl",
           "jobName": "j", "modelId": "amazon.nova-lite-v1:0", "status": "Completed",
           "roleArn": "arn:aws:iam::123456789012:role/r", "submitTime": "yesterday",
           "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://bucket/in/"}},
           "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://bucket/out/"}}}
    problems = check_response("GetModelInvocationJob", 200, JSON, json.dumps(job).encode())
    assert problems == ["Value 'yesterday' at 'submitTime' failed to satisfy constraint: "
                        "Member must be an ISO-8601 timestamp"]
    summary = {"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0",
               "modelId": "amazon.nova-pro-v1:0", "modelName": "Titan Embeddings G1 - Text",
               "providerName": "Amazon", "inputModalities": ["TEXT", "IMAGE", "VIDEO"],
               "inferenceTypesSupported": ["INFERENCE_PROFILE"]}
    listing = json.dumps({"modelSummaries": [summary]}).encode()
    assert check_response("ListFoundationModels", 200, JSON, listing) == []
    summary["inputModalities"] = ["SMELL"]
    listing = json.dumps({"modelSummaries": [summary]}).encode()
    assert check_response("ListFoundationModels", 200, JSON, listing) != []


def test_an_operation_without_output_members_answers_an_empty_body() -> None:
    assert check_response("StopModelInvocationJob", 200, JSON, b"{}") == []
    assert check_response("StopModelInvocationJob", 200, JSON, b'{"stopped": true}') != []
