"""The emulator's native InvokeModel / InvokeModelWithResponseStream for every text family,
through a real boto3 client."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bedrock_cli.local import Emulator, EmulatorOptions
from bedrock_cli.local.eventstream import decode_messages
from bedrock_cli.local.router import Request
from tests.wire.conftest import make_client

PROMPT = "After the rain, the streets were"
BODIES: dict[str, tuple[str, dict[str, Any]]] = {
    "anthropic": ("anthropic.claude-3-5-haiku-20241022-v1:0", {
        "anthropic_version": "bedrock-2023-05-31", "max_tokens": 12, "temperature": 0,
        "messages": [{"role": "user", "content": [{"type": "text", "text": PROMPT}]}]}),
    "titan-text": ("amazon.titan-text-express-v1", {
        "inputText": f"User: {PROMPT}\nBot:",
        "textGenerationConfig": {"maxTokenCount": 12, "temperature": 0}}),
    "nova": ("us.amazon.nova-lite-v1:0", {
        "schemaVersion": "messages-v1",
        "messages": [{"role": "user", "content": [{"text": PROMPT}]}],
        "inferenceConfig": {"max_new_tokens": 12, "temperature": 0}}),
    "llama": ("meta.llama3-1-8b-instruct-v1:0", {
        "prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n"
                  f"{PROMPT}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
        "max_gen_len": 12, "temperature": 0}),
    "mistral": ("mistral.mistral-7b-instruct-v0:2", {
        "prompt": f"<s>[INST] {PROMPT} [/INST]", "max_tokens": 12, "temperature": 0}),
    "mistral-chat": ("mistral.mistral-large-2407-v1:0", {
        "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 12,
        "temperature": 0}),
    "cohere": ("cohere.command-r-v1:0", {"message": PROMPT, "max_tokens": 12,
                                         "temperature": 0}),
}


@pytest.fixture
def west(emulator: Emulator) -> Any:
    """us-west-2: every text model above is on demand there or has a us. profile."""
    return make_client("bedrock-runtime", emulator, region="us-west-2")


def text_of(name: str, body: dict[str, Any]) -> str:
    if name == "anthropic":
        return "".join(b["text"] for b in body["content"])
    if name == "titan-text":
        return body["results"][0]["outputText"]
    if name == "nova":
        return body["output"]["message"]["content"][0]["text"]
    if name == "llama":
        return body["generation"]
    if name == "mistral":
        return body["outputs"][0]["text"]
    if name == "mistral-chat":
        return body["choices"][0]["message"]["content"]
    return body["text"]


def chunk_text(name: str, chunk: dict[str, Any]) -> str:
    if name == "anthropic":
        return chunk.get("delta", {}).get("text", "") if chunk["type"] == \
            "content_block_delta" else ""
    if name == "titan-text":
        return chunk["outputText"]
    if name == "nova":
        return chunk.get("contentBlockDelta", {}).get("delta", {}).get("text", "")
    if name == "llama":
        return chunk["generation"]
    if name == "mistral":
        return chunk["outputs"][0]["text"]
    if name == "mistral-chat":
        return chunk["choices"][0]["message"]["content"]
    return chunk.get("text", "") if chunk["event_type"] == "text-generation" else ""


def converse_text(client: Any, model_id: str) -> str:
    response = client.converse(modelId=model_id, messages=[
        {"role": "user", "content": [{"text": PROMPT}]}],
        inferenceConfig={"maxTokens": 12, "temperature": 0})
    return response["output"]["message"]["content"][0]["text"]


@pytest.mark.parametrize("name", sorted(BODIES))
def test_invoke_answers_natively_with_token_headers(west: Any, name: str) -> None:
    model_id, body = BODIES[name]
    response = west.invoke_model(modelId=model_id, body=json.dumps(body))
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert response["contentType"] == "application/json"
    doc = json.loads(response["body"].read())
    text = text_of(name, doc)
    assert text and "amazon-bedrock-invocationMetrics" not in doc
    assert int(headers["x-amzn-bedrock-input-token-count"]) == 7
    assert int(headers["x-amzn-bedrock-output-token-count"]) == 12
    assert int(headers["x-amzn-bedrock-invocation-latency"]) >= 1
    # the same engine as Converse: greedy decoding gives Converse's answer
    assert text == converse_text(west, model_id)


@pytest.mark.parametrize("name", sorted(BODIES))
def test_stream_chunks_end_with_the_invocation_metrics(west: Any, name: str) -> None:
    model_id, body = BODIES[name]
    response = west.invoke_model_with_response_stream(modelId=model_id, body=json.dumps(body))
    assert response["contentType"] == "application/json"
    chunks = [json.loads(event["chunk"]["bytes"]) for event in response["body"]]
    assert all("amazon-bedrock-invocationMetrics" not in c for c in chunks[:-1])
    metrics = chunks[-1]["amazon-bedrock-invocationMetrics"]
    assert (metrics["inputTokenCount"], metrics["outputTokenCount"]) == (7, 12)
    assert metrics["invocationLatency"] >= metrics["firstByteLatency"] >= 1
    streamed = "".join(chunk_text(name, c) for c in chunks)
    whole = json.loads(west.invoke_model(modelId=model_id, body=json.dumps(body))["body"].read())
    assert streamed == text_of(name, whole)


def test_family_specific_stream_shapes(west: Any) -> None:
    def chunks(name: str) -> list[dict[str, Any]]:
        model_id, body = BODIES[name]
        events = west.invoke_model_with_response_stream(modelId=model_id,
                                                        body=json.dumps(body))["body"]
        return [json.loads(e["chunk"]["bytes"]) for e in events]

    anthropic = chunks("anthropic")
    assert [c["type"] for c in anthropic[:2]] == ["message_start", "content_block_start"]
    assert [c["type"] for c in anthropic[-3:]] == ["content_block_stop", "message_delta",
                                                   "message_stop"]
    assert anthropic[-2]["delta"]["stop_reason"] == "max_tokens"
    nova = chunks("nova")
    assert nova[0] == {"messageStart": {"role": "assistant"}}
    assert set(nova[-1]) == {"metadata", "amazon-bedrock-invocationMetrics"}
    assert nova[-2] == {"messageStop": {"stopReason": "max_tokens"}}
    titan = chunks("titan-text")
    assert titan[0]["inputTextTokenCount"] == 7 and titan[1]["inputTextTokenCount"] is None
    assert (titan[-1]["completionReason"], titan[-1]["totalOutputTextTokenCount"]) == \
        ("LENGTH", 12)
    llama = chunks("llama")
    assert llama[0]["prompt_token_count"] == 7 and llama[1]["prompt_token_count"] is None
    assert llama[-1]["stop_reason"] == "length"
    cohere = chunks("cohere")
    assert [c["event_type"] for c in (cohere[0], cohere[-1])] == ["stream-start", "stream-end"]
    assert cohere[-1]["finish_reason"] == "MAX_TOKENS"
    assert cohere[-1]["response"]["meta"]["billed_units"] == {"input_tokens": 7,
                                                              "output_tokens": 12}


def test_chunk_events_are_base64_with_padding() -> None:
    emulator = Emulator(EmulatorOptions())
    model_id, body = BODIES["mistral"]
    response = emulator.handle(Request(
        "POST", f"/model/{model_id}/invoke-with-response-stream",
        headers={"X-Amzn-Bedrock-Accept": "application/json"},
        body=json.dumps(body).encode()))
    assert response.header("X-Amzn-Bedrock-Content-Type") == "application/json"
    assert response.events is not None
    messages = decode_messages(b"".join(response.events))
    assert {m.headers[":event-type"] for m in messages} == {"chunk"}
    payload = messages[0].json()
    assert set(payload) == {"bytes", "p"} and payload["p"]
    assert json.loads(base64.b64decode(payload["bytes"]))["outputs"][0]["stop_reason"] is None


def test_stop_sequences_and_seeds_are_honoured(runtime: Any) -> None:
    model_id = "anthropic.claude-3-haiku-20240307-v1:0"
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 40, "temperature": 0,
            "messages": [{"role": "user", "content": PROMPT}]}
    full = json.loads(runtime.invoke_model(modelId=model_id, body=json.dumps(body))["body"]
                      .read())["content"][0]["text"]
    stop = full.split()[3]
    cut = json.loads(runtime.invoke_model(modelId=model_id, body=json.dumps(
        {**body, "stop_sequences": [stop]}))["body"].read())
    assert cut["stop_reason"] == "stop_sequence" and cut["stop_sequence"] == stop
    assert stop not in cut["content"][0]["text"]
    seeded = {"message": PROMPT, "max_tokens": 10, "temperature": 1.0, "seed": 7}
    answers = {json.loads(runtime.invoke_model(modelId="cohere.command-r-v1:0",
                                               body=json.dumps(seeded))["body"].read())["text"]
               for _ in range(2)}
    assert len(answers) == 1


def error_of(client: Any, model_id: str, body: Any, stream: bool = False) -> dict[str, str]:
    call = client.invoke_model_with_response_stream if stream else client.invoke_model
    with pytest.raises(ClientError) as info:
        call(modelId=model_id, body=body if isinstance(body, str) else json.dumps(body))
    return dict(info.value.response["Error"])


@pytest.mark.parametrize("stream", [False, True])
def test_malformed_bodies_are_bedrocks_validation_exception(runtime: Any, stream: bool) -> None:
    haiku = "anthropic.claude-3-haiku-20240307-v1:0"
    one = error_of(runtime, haiku, {"anthropic_version": "bedrock-2023-05-31",
                                    "max_tokens": 5}, stream)
    assert one == {"Code": "ValidationException", "Message":
                   "Malformed input request: #: required key [messages] not found, please "
                   "reformat your input and try again."}
    many = error_of(runtime, haiku, {"max_tokens": "5", "model": "claude", "stream": True},
                    stream)
    assert many["Message"] == ("Malformed input request: 5 schema violations found, please "
                               "reformat your input and try again.")
    assert error_of(runtime, "amazon.titan-text-express-v1", "not json",
                    stream)["Message"].startswith("Malformed input request")
    assert error_of(runtime, "cohere.command-r-v1:0", {"message": "hi", "p": 2},
                    stream)["Message"] == (
        "Malformed input request: #/p: 2 is not less or equal to 0.99, please reformat your "
        "input and try again.")


def test_out_of_range_values_are_refused(runtime: Any) -> None:
    err = error_of(runtime, "us.meta.llama3-1-8b-instruct-v1:0",
                   {"prompt": "hi", "max_gen_len": 999999})
    assert err["Code"] == "ValidationException"
    assert "999999 > 2048" in err["Message"]
    err = error_of(runtime, "amazon.titan-text-express-v1",
                   {"inputText": "hi", "textGenerationConfig": {"temperature": 1.5}})
    assert "#/textGenerationConfig/temperature: 1.5 is not less or equal to 1" in err["Message"]
    err = error_of(runtime, "us.amazon.nova-lite-v1:0", {"messages": []})
    assert "must start with a user message" in err["Message"]


def test_nova_accepts_converse_spellings_natively(runtime: Any) -> None:
    body = {"messages": [{"role": "user", "content": [{"text": PROMPT}]}],
            "inferenceConfig": {"maxTokens": 3, "topP": 0.5}}
    doc = json.loads(runtime.invoke_model(modelId="us.amazon.nova-lite-v1:0",
                                          body=json.dumps(body))["body"].read())
    assert doc["usage"]["outputTokens"] == 3 and doc["stopReason"] == "max_tokens"
