"""The same Bedrock cases through the in-process transport and through ``serve``."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError, EventStreamError

from .conftest import RecordingSleep, Target

NOVA_LITE = "amazon.nova-lite-v1:0"
NOVA_PROFILE = "us.amazon.nova-lite-v1:0"
NOVA_PROFILE_ARN = f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{NOVA_PROFILE}"
HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0"
PROFILE_ONLY = "anthropic.claude-3-7-sonnet-20250219-v1:0"
MESSAGES = [{"role": "user", "content": [{"text": "Tell me something about the river."}]}]
STOP_REASONS = {"end_turn", "max_tokens", "stop_sequence"}


def _error(exc: ClientError) -> tuple[int, str, str]:
    return (exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response["Error"]["Code"],
            exc.response["Error"]["Message"])


# -- answers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("model_id", [NOVA_LITE, NOVA_PROFILE, NOVA_PROFILE_ARN])
def test_converse(target: Target, model_id: str) -> None:
    r = target.runtime.converse(modelId=model_id, messages=MESSAGES,
                                inferenceConfig={"maxTokens": 12, "temperature": 0})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert r["ResponseMetadata"]["RetryAttempts"] == 0
    assert len(r["ResponseMetadata"]["RequestId"]) == 36
    message = r["output"]["message"]
    assert message["role"] == "assistant"
    assert message["content"][0]["text"].strip()
    assert r["stopReason"] in STOP_REASONS
    usage = r["usage"]
    assert 0 < usage["outputTokens"] <= 12
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert r["metrics"]["latencyMs"] >= 1


def test_converse_is_deterministic_at_temperature_zero(target: Target) -> None:
    def text() -> str:
        r = target.runtime.converse(modelId=NOVA_PROFILE, messages=MESSAGES,
                                    inferenceConfig={"maxTokens": 16, "temperature": 0})
        return str(r["output"]["message"]["content"][0]["text"])

    assert text() == text()


def test_converse_stream_events_arrive_as_they_are_sent(target: Target) -> None:
    delay = 0.08
    target.emulator.options.stream_delay_ms = delay * 1000
    started = time.perf_counter()
    r = target.runtime.converse_stream(modelId=NOVA_PROFILE, messages=MESSAGES,
                                       inferenceConfig={"maxTokens": 6, "temperature": 0})
    arrivals: list[tuple[float, str]] = []
    events: list[dict[str, Any]] = []
    for event in r["stream"]:
        arrivals.append((time.perf_counter() - started, next(iter(event))))
        events.append(event)
    names = [name for _, name in arrivals]
    assert names[0] == "messageStart"
    assert names[-3:] == ["contentBlockStop", "messageStop", "metadata"]
    deltas = names[1:-3]
    assert deltas and set(deltas) == {"contentBlockDelta"}
    # Spread out as they were sent, not delivered in one lump at the end (buffering would make
    # every gap ~0). The median, not the minimum: a client briefly starved of CPU on a busy
    # machine reads two events back to back without the server having buffered anything.
    times = [t for t, _ in arrivals]
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    assert gaps[len(gaps) // 2] > delay * 0.6, gaps
    assert times[-1] - times[0] > delay * (len(times) - 1) * 0.7
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events[1:-3])
    usage = events[-1]["metadata"]["usage"]
    assert usage["outputTokens"] == len(deltas)
    assert text.strip()
    assert events[-2]["messageStop"]["stopReason"] in STOP_REASONS


def test_count_tokens_matches_converse_usage(target: Target) -> None:
    counted = target.runtime.count_tokens(
        modelId=HAIKU, input={"converse": {"messages": MESSAGES}})
    answered = target.runtime.converse(modelId=f"us.{HAIKU}", messages=MESSAGES,
                                       inferenceConfig={"maxTokens": 4})
    assert counted["inputTokens"] == answered["usage"]["inputTokens"] > 0


def test_list_foundation_models(target: Target) -> None:
    everything = target.control.list_foundation_models()["modelSummaries"]
    amazon = target.control.list_foundation_models(byProvider="Amazon")["modelSummaries"]
    ids = {m["modelId"] for m in everything}
    assert {NOVA_LITE, HAIKU} <= ids
    assert {m["providerName"] for m in amazon} == {"Amazon"}
    assert len(amazon) < len(everything)
    nova = next(m for m in everything if m["modelId"] == NOVA_LITE)
    assert nova["modelArn"] == f"arn:aws:bedrock:us-east-1::foundation-model/{NOVA_LITE}"
    assert nova["responseStreamingSupported"] is True
    assert "TEXT" in nova["outputModalities"]


def test_list_inference_profiles(target: Target) -> None:
    profiles = target.control.list_inference_profiles()["inferenceProfileSummaries"]
    by_id = {p["inferenceProfileId"]: p for p in profiles}
    nova = by_id[NOVA_PROFILE]
    assert nova["type"] == "SYSTEM_DEFINED"
    assert nova["status"] == "ACTIVE"
    assert nova["inferenceProfileArn"] == NOVA_PROFILE_ARN
    assert any(NOVA_LITE in m["modelArn"] for m in nova["models"])


# -- errors ----------------------------------------------------------------------------------

def test_unknown_model(target: Target, retry_sleeps: RecordingSleep) -> None:
    with pytest.raises(target.runtime.exceptions.ValidationException) as info:
        target.runtime.converse(modelId="acme.unknown-model-v9:0", messages=MESSAGES)
    assert _error(info.value) == (400, "ValidationException",
                                  "The provided model identifier is invalid.")
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert retry_sleeps.sleeps == []


def test_out_of_range_parameter(target: Target) -> None:
    with pytest.raises(target.runtime.exceptions.ValidationException) as info:
        target.runtime.converse(modelId=NOVA_LITE, messages=MESSAGES,
                                inferenceConfig={"temperature": 5.0})
    assert _error(info.value) == (
        400, "ValidationException",
        "1 validation error detected: Value '5.0' at 'inferenceConfig.temperature' failed to "
        "satisfy constraint: Member must have value less than or equal to 1")


def test_profile_only_model_by_bare_id(target: Target) -> None:
    with pytest.raises(target.runtime.exceptions.ValidationException) as info:
        target.runtime.converse_stream(modelId=PROFILE_ONLY, messages=MESSAGES)
    assert _error(info.value) == (
        400, "ValidationException",
        f"Invocation of model ID {PROFILE_ONLY} with on-demand throughput isn\u2019t supported. "
        "Retry your request with the ID or ARN of an inference profile that contains this "
        "model.")


def test_bad_first_role(target: Target) -> None:
    with pytest.raises(target.runtime.exceptions.ValidationException) as info:
        target.runtime.converse(
            modelId=NOVA_LITE, messages=[{"role": "assistant", "content": [{"text": "hi"}]}])
    assert _error(info.value)[2] == (
        "A conversation must start with a user message. Try again with a conversation that "
        "starts with a user message.")


# -- faults ----------------------------------------------------------------------------------

def test_throttled_twice_then_answered(target: Target, retry_sleeps: RecordingSleep) -> None:
    target.fault_header = "throttle=2"
    r = target.runtime.converse(modelId=NOVA_PROFILE, messages=MESSAGES,
                                inferenceConfig={"maxTokens": 4})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert r["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(retry_sleeps.sleeps) == 2


def test_throttled_on_every_attempt(target: Target, retry_sleeps: RecordingSleep) -> None:
    target.fault_header = "throttle"
    with pytest.raises(target.runtime.exceptions.ThrottlingException) as info:
        target.runtime.converse(modelId=NOVA_PROFILE, messages=MESSAGES)
    assert _error(info.value) == (429, "ThrottlingException",
                                  "Too many requests, please wait before trying again.")
    meta = info.value.response["ResponseMetadata"]
    assert meta["RetryAttempts"] == 2
    assert meta["MaxAttemptsReached"] is True
    assert len(retry_sleeps.sleeps) == 2


def test_model_timeout_is_not_retried(target: Target, retry_sleeps: RecordingSleep) -> None:
    target.fault_header = "error=408"
    with pytest.raises(target.runtime.exceptions.ModelTimeoutException) as info:
        target.runtime.converse(modelId=NOVA_PROFILE, messages=MESSAGES)
    assert _error(info.value)[:2] == (408, "ModelTimeoutException")
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert info.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] \
        .startswith("ModelTimeoutException:")


def test_one_server_error_then_answered(target: Target) -> None:
    target.fault_header = "error=ServiceUnavailableException*1"
    r = target.runtime.converse(modelId=NOVA_PROFILE, messages=MESSAGES,
                                inferenceConfig={"maxTokens": 4})
    assert r["ResponseMetadata"]["RetryAttempts"] == 1


def test_in_stream_throttling_exception(target: Target) -> None:
    target.fault_header = "stream-exception=throttlingException@2"
    r = target.runtime.converse_stream(modelId=NOVA_PROFILE, messages=MESSAGES,
                                       inferenceConfig={"maxTokens": 8})
    seen: list[str] = []
    with pytest.raises(EventStreamError) as info:
        for event in r["stream"]:
            seen.append(next(iter(event)))
    assert seen == ["messageStart", "contentBlockDelta"]
    assert info.value.response["Error"] == {
        "Code": "throttlingException",
        "Message": "Too many requests, please wait before trying again.",
    }
    assert not isinstance(info.value, target.runtime.exceptions.ThrottlingException)


def test_stream_cut_mid_stream(target: Target) -> None:
    target.fault_header = "cut-after=3"
    r = target.runtime.converse_stream(modelId=NOVA_PROFILE, messages=MESSAGES,
                                       inferenceConfig={"maxTokens": 8})
    seen: list[str] = []
    started = time.perf_counter()
    failure: Exception | None = None
    try:
        for event in r["stream"]:
            seen.append(next(iter(event)))
    except Exception as exc:  # over a socket the dropped connection surfaces from urllib3
        failure = exc
    assert time.perf_counter() - started < 5  # no hang
    assert seen == ["messageStart", "contentBlockDelta", "contentBlockDelta"]
    from urllib3.exceptions import ProtocolError

    # both paths: the dropped connection surfaces as urllib3's ProtocolError
    assert isinstance(failure, ProtocolError)


def test_invalid_fault_header_is_a_loud_validation_error(target: Target) -> None:
    target.fault_header = "throttle=two"
    with pytest.raises(target.runtime.exceptions.ValidationException) as info:
        target.runtime.converse(modelId=NOVA_PROFILE, messages=MESSAGES)
    assert _error(info.value)[2] == (
        "Invalid x-bedrock-cli-fault header: throttle needs a whole number, got 'two'")


# -- native InvokeModel ----------------------------------------------------------------------

CLAUDE_BODY = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 6,
               "messages": [{"role": "user", "content": "Tell me about the river."}]}


def test_invoke_model_token_headers(target: Target) -> None:
    r = target.runtime.invoke_model(modelId=f"us.{HAIKU}", body=json.dumps(CLAUDE_BODY))
    headers = r["ResponseMetadata"]["HTTPHeaders"]
    body = json.loads(r["body"].read())
    assert r["contentType"] == "application/json"
    assert body["type"] == "message" and body["role"] == "assistant"
    assert headers["x-amzn-bedrock-input-token-count"] == str(body["usage"]["input_tokens"])
    assert headers["x-amzn-bedrock-output-token-count"] == str(body["usage"]["output_tokens"])
    assert int(headers["x-amzn-bedrock-invocation-latency"]) >= 0


def test_invoke_model_with_response_stream(target: Target) -> None:
    target.emulator.options.stream_delay_ms = 40
    started = time.perf_counter()
    r = target.runtime.invoke_model_with_response_stream(modelId=f"us.{HAIKU}",
                                                          body=json.dumps(CLAUDE_BODY))
    assert r["contentType"] == "application/json"
    arrivals, chunks = [], []
    for event in r["body"]:
        arrivals.append(time.perf_counter() - started)
        chunks.append(json.loads(event["chunk"]["bytes"]))
    assert chunks[0]["type"] == "message_start" and chunks[-1]["type"] == "message_stop"
    metrics = chunks[-1]["amazon-bedrock-invocationMetrics"]
    assert metrics["outputTokenCount"] == sum(
        1 for c in chunks if c["type"] == "content_block_delta")
    assert arrivals[-1] - arrivals[0] > 0.04 * (len(arrivals) - 1) * 0.7


def test_invoke_stream_model_timeout_exception(target: Target) -> None:
    target.fault_header = "stream-exception=modelTimeoutException@1"
    r = target.runtime.invoke_model_with_response_stream(modelId=f"us.{HAIKU}",
                                                          body=json.dumps(CLAUDE_BODY))
    with pytest.raises(EventStreamError) as info:
        list(r["body"])
    assert info.value.response["Error"] == {
        "Code": "modelTimeoutException",
        "Message": "Model has timed out in processing the request. Try your request again."}
