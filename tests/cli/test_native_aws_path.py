"""The AWS path for native bodies, embeddings, tokens and guardrails: the real boto3 client
against a scripted endpoint over a real socket, asserting exactly what was sent."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from bedrock_cli.local.eventstream import event
from tests.fake_endpoint import FakeEndpoint, converse_frames
from tests.helpers import aws

TOKENS = {"X-Amzn-Bedrock-Input-Token-Count": "11",
          "X-Amzn-Bedrock-Output-Token-Count": "4",
          "X-Amzn-Bedrock-Invocation-Latency": "321"}
METRICS = {"amazon-bedrock-invocationMetrics": {"inputTokenCount": 11, "outputTokenCount": 4,
                                                "invocationLatency": 654,
                                                "firstByteLatency": 100}}


def chunk_frames(chunks: list[dict[str, Any]]) -> list[bytes]:
    return [event("chunk", {"bytes": base64.b64encode(json.dumps(c).encode()).decode(),
                            "p": "abc"}) for c in chunks]


# (alias, path model id, CLI flags, the reference body, a response, its chunks)
FAMILIES: dict[str, tuple[str, str, list[str], dict[str, Any], dict[str, Any],
                          list[dict[str, Any]]]] = {
    "anthropic": (
        "haiku-3", "anthropic.claude-3-haiku-20240307-v1%3A0",
        ["-s", "You are terse.", "--max-tokens", "1024", "--temperature", "0.5", "--top-p",
         "0.9", "--top-k", "250", "--stop", "\n\nHuman:"],
        {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1024,
         "system": "You are terse.",
         "messages": [{"role": "user", "content": [{"type": "text", "text": "Describe this."}]}],
         "temperature": 0.5, "top_p": 0.9, "top_k": 250, "stop_sequences": ["\n\nHuman:"]},
        {"id": "msg_bdrk_01", "type": "message", "role": "assistant",
         "content": [{"type": "text", "text": "A cat."}], "stop_reason": "end_turn",
         "stop_sequence": None, "usage": {"input_tokens": 11, "output_tokens": 4}},
        [{"type": "message_start", "message": {"usage": {"input_tokens": 11,
                                                         "output_tokens": 1}}},
         {"type": "content_block_delta", "index": 0,
          "delta": {"type": "text_delta", "text": "A "}},
         {"type": "content_block_delta", "index": 0,
          "delta": {"type": "text_delta", "text": "cat."}},
         {"type": "content_block_stop", "index": 0},
         {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
          "usage": {"output_tokens": 4}},
         {"type": "message_stop", **METRICS}]),
    "titan-text": (
        "titan-express", "amazon.titan-text-express-v1",
        ["--max-tokens", "512", "--temperature", "0.7", "--top-p", "0.9", "--stop", "User:"],
        {"inputText": "User: Describe this.\nBot:",
         "textGenerationConfig": {"temperature": 0.7, "topP": 0.9, "maxTokenCount": 512,
                                  "stopSequences": ["User:"]}},
        {"inputTextTokenCount": 11, "results": [
            {"tokenCount": 4, "outputText": "A cat.", "completionReason": "FINISH"}]},
        [{"outputText": "A ", "index": 0, "totalOutputTextTokenCount": None,
          "completionReason": None, "inputTextTokenCount": 11},
         {"outputText": "cat.", "index": 0, "totalOutputTextTokenCount": 4,
          "completionReason": "FINISH", "inputTextTokenCount": None, **METRICS}]),
    "nova": (
        "nova-lite", "amazon.nova-lite-v1%3A0",
        ["-s", "Act as a creative writing assistant.", "--max-tokens", "500", "--temperature",
         "0.7", "--top-p", "0.9", "--top-k", "20", "--stop", "END"],
        {"schemaVersion": "messages-v1",
         "system": [{"text": "Act as a creative writing assistant."}],
         "messages": [{"role": "user", "content": [{"text": "Describe this."}]}],
         "inferenceConfig": {"max_new_tokens": 500, "temperature": 0.7, "top_p": 0.9,
                             "top_k": 20, "stopSequences": ["END"]}},
        {"output": {"message": {"role": "assistant", "content": [{"text": "A cat."}]}},
         "stopReason": "end_turn", "usage": {"inputTokens": 11, "outputTokens": 4,
                                             "totalTokens": 15}},
        [{"messageStart": {"role": "assistant"}},
         {"contentBlockDelta": {"delta": {"text": "A "}, "contentBlockIndex": 0}},
         {"contentBlockDelta": {"delta": {"text": "cat."}, "contentBlockIndex": 0}},
         {"contentBlockStop": {"contentBlockIndex": 0}},
         {"messageStop": {"stopReason": "end_turn"}},
         {"metadata": {"usage": {"inputTokens": 11, "outputTokens": 4}, "metrics": {},
                       "trace": {}}, **METRICS}]),
    "llama": (
        "llama3-8b", "meta.llama3-8b-instruct-v1%3A0",
        ["-s", "You are helpful", "--max-tokens", "512", "--temperature", "0.5", "--top-p",
         "0.9"],
        {"prompt": "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are "
                   "helpful<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nDescribe "
                   "this.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
         "temperature": 0.5, "top_p": 0.9, "max_gen_len": 512},
        {"generation": "A cat.", "prompt_token_count": 11, "generation_token_count": 4,
         "stop_reason": "stop"},
        [{"generation": "A ", "prompt_token_count": 11, "generation_token_count": 1,
          "stop_reason": None},
         {"generation": "cat.", "prompt_token_count": None, "generation_token_count": 4,
          "stop_reason": "stop", **METRICS}]),
    "mistral": (
        "mistral", "mistral.mistral-7b-instruct-v0%3A2",
        ["--max-tokens", "512", "--temperature", "0.5", "--top-p", "0.9", "--top-k", "50",
         "--stop", "\n\n"],
        {"prompt": "<s>[INST] Describe this. [/INST]", "max_tokens": 512, "temperature": 0.5,
         "top_p": 0.9, "top_k": 50, "stop": ["\n\n"]},
        {"outputs": [{"text": "A cat.", "stop_reason": "stop"}]},
        [{"outputs": [{"text": "A ", "stop_reason": None}]},
         {"outputs": [{"text": "cat.", "stop_reason": "stop"}], **METRICS}]),
    "cohere": (
        "command-r", "cohere.command-r-v1%3A0",
        ["-s", "Be kind.", "--max-tokens", "2000", "--temperature", "0.6", "--top-p", "0.5",
         "--top-k", "250", "--seed", "42"],
        {"message": "Describe this.", "preamble": "Be kind.", "max_tokens": 2000,
         "temperature": 0.6, "p": 0.5, "k": 250, "seed": 42},
        {"response_id": "r", "text": "A cat.", "generation_id": "g",
         "finish_reason": "COMPLETE",
         "meta": {"billed_units": {"input_tokens": 11, "output_tokens": 4}}},
        [{"is_finished": False, "event_type": "stream-start", "generation_id": "g"},
         {"is_finished": False, "event_type": "text-generation", "text": "A "},
         {"is_finished": False, "event_type": "text-generation", "text": "cat."},
         {"is_finished": True, "event_type": "stream-end", "finish_reason": "COMPLETE",
          "response": {"text": "A cat."}, **METRICS}]),
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_generate_api_invoke_sends_the_reference_body(endpoint: FakeEndpoint,
                                                      name: str) -> None:
    alias, path_id, flags, body, response, _chunks = FAMILIES[name]
    endpoint.add_json(response, **TOKENS)
    run = aws(endpoint, "generate", "Describe this.", "-m", alias, "--api", "invoke",
              "--no-stream", "--json", *flags)
    assert run.exit_code == 0, run.stderr
    [request] = endpoint.requests
    assert request.path == f"/model/{path_id}/invoke"
    assert request.json() == body
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"
    result = run.json()
    assert (result["text"], result["stop_reason"]) == ("A cat.", "end_turn")
    assert result["usage"] == {"input_tokens": 11, "output_tokens": 4, "total_tokens": 15}
    assert result["latency_ms"] == 321


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_generate_api_invoke_streams_native_chunks(endpoint: FakeEndpoint, name: str) -> None:
    alias, path_id, flags, body, _response, chunks = FAMILIES[name]
    endpoint.add_stream(chunk_frames(chunks))
    run = aws(endpoint, "generate", "Describe this.", "-m", alias, "--api", "invoke", *flags,
              "--usage")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "A cat.\n"
    assert "11 in + 4 out = 15 tokens" in run.stderr and "654 ms" in run.stderr
    [request] = endpoint.requests
    assert request.path == f"/model/{path_id}/invoke-with-response-stream"
    assert request.json() == body
    assert request.headers["X-Amzn-Bedrock-Accept"] == "application/json"


def test_a_native_stream_cut_short_is_an_error(endpoint: FakeEndpoint) -> None:
    chunks = FAMILIES["mistral"][5]
    endpoint.add_stream(chunk_frames(chunks[:1]))
    run = aws(endpoint, "generate", "hi", "-m", "mistral", "--api", "invoke")
    assert run.exit_code == 5
    assert run.stdout.startswith("A ")
    assert "ended before the model finished" in run.stderr


def test_generate_api_invoke_with_a_guardrail_sends_the_headers(endpoint: FakeEndpoint) -> None:
    response = {**FAMILIES["mistral"][4], "amazon-bedrock-guardrailAction": "INTERVENED"}
    endpoint.add_json(response, **TOKENS)
    run = aws(endpoint, "generate", "hi", "-m", "mistral", "--api", "invoke", "--no-stream",
              "--guardrail", "abc123:2")
    assert run.exit_code == 6
    headers = endpoint.requests[0].headers
    assert headers["X-Amzn-Bedrock-GuardrailIdentifier"] == "abc123"
    assert headers["X-Amzn-Bedrock-GuardrailVersion"] == "2"
    assert headers["X-Amzn-Bedrock-Trace"] == "ENABLED"


def test_invoke_sends_the_body_as_given(endpoint: FakeEndpoint) -> None:
    body = '{"inputText": "User: hi\\nBot:"}'
    endpoint.add_json({"inputTextTokenCount": 3, "results": []}, **TOKENS)
    run = aws(endpoint, "invoke", "titan-express", "--body", body)
    assert run.exit_code == 0, run.stderr
    assert run.json() == {"inputTextTokenCount": 3, "results": []}
    [request] = endpoint.requests
    assert request.body == body.encode()
    assert request.path == "/model/amazon.titan-text-express-v1/invoke"


def test_invoke_stream_prints_each_chunk_as_it_arrives(endpoint: FakeEndpoint) -> None:
    chunks = FAMILIES["llama"][5]
    endpoint.add_stream(chunk_frames(chunks))
    run = aws(endpoint, "invoke", "llama3-8b", "--stream", "--body", '{"prompt": "hi"}')
    assert run.exit_code == 0, run.stderr
    assert [json.loads(line) for line in run.stdout.splitlines()] == chunks


def test_invoke_service_errors_map_to_exit_5(endpoint: FakeEndpoint) -> None:
    endpoint.add_error("ValidationException", "Malformed input request: #: required key "
                       "[prompt] not found, please reformat your input and try again.", 400)
    run = aws(endpoint, "invoke", "llama3-8b", "--body", "{}")
    assert run.exit_code == 5
    assert "required key [prompt] not found" in run.stderr


def test_embed_titan_and_cohere_bodies(endpoint: FakeEndpoint) -> None:
    endpoint.add_json({"embedding": [0.6, 0.8], "inputTextTokenCount": 2,
                       "embeddingsByType": {"float": [0.6, 0.8]}})
    run = aws(endpoint, "embed", "hello world", "-d", "256", "--no-normalize")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "[0.6,0.8]\n"
    assert endpoint.requests[0].json() == {"inputText": "hello world", "dimensions": 256,
                                           "normalize": False}
    assert endpoint.requests[0].path == "/model/amazon.titan-embed-text-v2%3A0/invoke"
    endpoint.add_json({"embeddings": [[1.0, 0.0]], "id": "x", "texts": ["hello"],
                       "response_type": "embeddings_floats"},
                      **{"X-Amzn-Bedrock-Input-Token-Count": "1"})
    run = aws(endpoint, "embed", "hello", "-m", "cohere-embed", "--json")
    assert run.exit_code == 0, run.stderr
    assert endpoint.requests[1].json() == {"texts": ["hello"], "input_type": "search_document"}
    assert run.json()["input_tokens"] == 1 and run.json()["embedding"] == [1.0, 0.0]


def test_tokens_calls_count_tokens_only_when_supported(endpoint: FakeEndpoint) -> None:
    endpoint.add_json({"inputTokens": 9})
    run = aws(endpoint, "tokens", "Count me", "-m", "sonnet", "-s", "Be brief")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "9 tokens\n"
    [request] = endpoint.requests
    assert request.path == "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens"
    assert request.json() == {"input": {"converse": {
        "messages": [{"role": "user", "content": [{"text": "Count me"}]}],
        "system": [{"text": "Be brief"}]}}}
    estimate = aws(endpoint, "tokens", "Count me", "-m", "nova-pro")
    assert estimate.exit_code == 0 and estimate.stdout.startswith("≈ 2 tokens (local estimate")
    assert len(endpoint.requests) == 1  # no call for the estimate


def test_guardrail_check_sends_apply_guardrail(endpoint: FakeEndpoint) -> None:
    endpoint.add_json({
        "usage": {"wordPolicyUnits": 1}, "action": "GUARDRAIL_INTERVENED",
        "actionReason": "Guardrail blocked.", "outputs": [{"text": "No."}],
        "assessments": [{"wordPolicy": {"customWords": [
            {"match": "bad", "action": "BLOCKED", "detected": True}]}}]})
    run = aws(endpoint, "guardrail", "check", "a bad word", "-g", "abc123:3", "--source",
              "output")
    assert run.exit_code == 6
    assert run.stdout == "No.\n"
    assert "denied word 'bad': BLOCKED" in run.stderr
    [request] = endpoint.requests
    assert request.path == "/guardrail/abc123/version/3/apply"
    assert request.json() == {"source": "OUTPUT", "content": [{"text": {"text": "a bad word"}}]}


def test_generate_guardrail_config_and_intervention(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["Sorry, blocked."], stop="guardrail_intervened"))
    run = aws(endpoint, "generate", "bad things", "--guardrail", "abc123")
    assert run.exit_code == 6
    assert run.stdout == "Sorry, blocked.\n"
    assert "Guardrail abc123 (version DRAFT) intervened: Sorry, blocked." in run.stderr
    assert endpoint.requests[0].json()["guardrailConfig"] == {
        "guardrailIdentifier": "abc123", "guardrailVersion": "DRAFT", "trace": "enabled"}


def test_unknown_guardrail_on_aws_gets_the_guardrail_hint(endpoint: FakeEndpoint) -> None:
    endpoint.add_error("ResourceNotFoundException", "The guardrail identifier or version "
                       "provided in the request does not exist.", 404)
    run = aws(endpoint, "guardrail", "check", "x", "-g", "abc123")
    assert run.exit_code == 5
    assert "aws bedrock list-guardrails" in run.stderr
