"""Converse / ConverseStream answers through a real boto3 client, and CountTokens."""

from __future__ import annotations

import base64
import json
from typing import Any

import botocore.endpoint
import pytest

from bedrock_cli.local import Emulator, Request, Response, eventstream
from bedrock_cli.local import errors as E
from bedrock_cli.text.tokenizer import count_tokens

from .conftest import make_client

NOVA_LITE = "amazon.nova-lite-v1:0"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
PROMPT = "After the rain, the streets were"
EVENT_KEYS = {
    "messageStart": {"role"},
    "contentBlockDelta": {"contentBlockIndex", "delta"},
    "contentBlockStop": {"contentBlockIndex"},
    "messageStop": {"stopReason"},
    "metadata": {"usage", "metrics"},
}


def user(text: str = PROMPT) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"text": text}]}]


def ask(
    runtime: Any,
    text: str = PROMPT,
    *,
    seed: str | None = "7",
    model: str = NOVA_LITE,
    **config: Any,
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "modelId": model,
        "messages": user(text),
        "inferenceConfig": {"maxTokens": 40, **config},
    }
    if seed is not None:
        kwargs["requestMetadata"] = {"seed": seed}
    return runtime.converse(**kwargs)  # type: ignore[no-any-return]


def text_of(out: dict[str, Any]) -> str:
    [block] = out["output"]["message"]["content"]
    return block["text"]  # type: ignore[no-any-return]


def test_converse_answers_with_usage_that_adds_up(runtime: Any) -> None:
    out = ask(runtime, temperature=0)
    assert out["output"]["message"]["role"] == "assistant"
    assert text_of(out).strip()
    assert out["stopReason"] in ("end_turn", "max_tokens")
    usage = out["usage"]
    assert usage["inputTokens"] == count_tokens(PROMPT)
    assert 1 <= usage["outputTokens"] <= 40
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert out["metrics"]["latencyMs"] >= 1
    assert set(out) == {"ResponseMetadata", "output", "stopReason", "usage", "metrics"}


def test_usage_equals_count_tokens(runtime: Any) -> None:
    system = [{"text": "You are terse."}]
    messages = [
        *user("Tell me about rivers."),
        {"role": "assistant", "content": [{"text": "Rivers flow."}]},
        *user("And lakes?"),
    ]
    out = runtime.converse(
        modelId=HAIKU, messages=messages, system=system, inferenceConfig={"maxTokens": 5}
    )
    counted = runtime.count_tokens(
        modelId=HAIKU, input={"converse": {"messages": messages, "system": system}}
    )
    assert counted["inputTokens"] == out["usage"]["inputTokens"] > 0
    native = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 5,
        "system": "You are terse.",
        "messages": [
            {"role": m["role"], "content": [{"type": "text", "text": m["content"][0]["text"]}]}
            for m in messages
        ],
    }
    by_body = runtime.count_tokens(
        modelId=HAIKU, input={"invokeModel": {"body": json.dumps(native).encode()}}
    )
    assert by_body["inputTokens"] == counted["inputTokens"]


def test_count_tokens_with_profile_id_and_arn(runtime: Any) -> None:
    for model in (
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
        "anthropic.claude-sonnet-4-20250514-v1:0",
        f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}",
    ):
        out = runtime.count_tokens(modelId=model, input={"converse": {"messages": user()}})
        assert out["inputTokens"] == count_tokens(PROMPT)


def test_temperature_zero_is_reproducible(runtime: Any) -> None:
    a = ask(runtime, seed=None, temperature=0)
    b = ask(runtime, seed=None, temperature=0)
    assert text_of(a) == text_of(b)


def test_seed_is_reproducible_at_temperature_one(runtime: Any) -> None:
    a = ask(runtime, seed="1234", temperature=1.0)
    b = ask(runtime, seed="1234", temperature=1.0)
    assert text_of(a) == text_of(b) and a["usage"] == b["usage"]


def test_unseeded_calls_differ(runtime: Any) -> None:
    texts = {text_of(ask(runtime, seed=None, temperature=1.0)) for _ in range(4)}
    assert len(texts) > 1


def test_max_tokens_is_honoured(runtime: Any) -> None:
    out = ask(runtime, temperature=1.0, maxTokens=3)
    assert out["usage"]["outputTokens"] == 3
    assert out["stopReason"] == "max_tokens"


def test_stop_sequence(runtime: Any) -> None:
    full = text_of(ask(runtime, temperature=0, maxTokens=60))
    words = full.split()
    assert len(words) > 4
    stop = words[3]
    cut = runtime.converse(
        modelId=NOVA_LITE,
        messages=user(),
        additionalModelResponseFieldPaths=["/stop_sequence"],
        inferenceConfig={"maxTokens": 60, "temperature": 0, "stopSequences": [stop]},
    )
    assert cut["stopReason"] == "stop_sequence"
    assert cut["additionalModelResponseFields"] == {"stop_sequence": stop}
    assert stop not in text_of(cut)
    assert full.startswith(text_of(cut))


def test_top_k_and_top_p_are_accepted(runtime: Any) -> None:
    out = runtime.converse(
        modelId=NOVA_LITE,
        messages=user(),
        inferenceConfig={"maxTokens": 10, "topP": 0.5},
        additionalModelRequestFields={"inferenceConfig": {"topK": 5}},
    )
    assert out["usage"]["outputTokens"] >= 1


@pytest.mark.parametrize(
    "model_id",
    [
        "us.amazon.nova-lite-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
        "global.anthropic.claude-sonnet-4-20250514-v1:0",
    ],
)
def test_profiles_and_arns_in_the_path(runtime: Any, model_id: str) -> None:
    out = runtime.converse(modelId=model_id, messages=user(), inferenceConfig={"maxTokens": 5})
    assert out["usage"]["outputTokens"] >= 1


def test_stream_event_order_and_payloads(runtime: Any) -> None:
    out = runtime.converse_stream(
        modelId=NOVA_LITE, messages=user(), inferenceConfig={"maxTokens": 20, "temperature": 0}
    )
    events = list(out["stream"])
    names = [next(iter(e)) for e in events]
    assert names[0] == "messageStart"
    deltas = names[1:-3]
    assert deltas and set(deltas) == {"contentBlockDelta"}
    assert names[-3:] == ["contentBlockStop", "messageStop", "metadata"]
    for event in events:
        [(name, payload)] = event.items()
        assert set(payload) == EVENT_KEYS[name], name
    assert events[0]["messageStart"] == {"role": "assistant"}
    assert events[-3]["contentBlockStop"] == {"contentBlockIndex": 0}
    for event in events[1:-3]:
        assert event["contentBlockDelta"]["contentBlockIndex"] == 0
        assert set(event["contentBlockDelta"]["delta"]) == {"text"}
    usage = events[-1]["metadata"]["usage"]
    assert usage["outputTokens"] == len(deltas)
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert set(events[-1]["metadata"]["metrics"]) == {"latencyMs"}
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events[1:-3])
    same = runtime.converse(
        modelId=NOVA_LITE, messages=user(), inferenceConfig={"maxTokens": 20, "temperature": 0}
    )
    assert text == text_of(same)
    assert events[-2]["messageStop"]["stopReason"] == same["stopReason"]
    assert usage == same["usage"]


def test_stream_max_tokens(runtime: Any) -> None:
    out = runtime.converse_stream(
        modelId=NOVA_LITE,
        messages=user(),
        inferenceConfig={"maxTokens": 4, "temperature": 1},
        requestMetadata={"seed": "3"},
    )
    events = list(out["stream"])
    assert sum("contentBlockDelta" in e for e in events) == 4
    assert events[-2]["messageStop"]["stopReason"] == "max_tokens"
    assert events[-1]["metadata"]["usage"]["outputTokens"] == 4


def test_raw_stream_frames_are_bedrock_shaped(emulator: Emulator) -> None:
    body = json.dumps({"messages": user(), "inferenceConfig": {"maxTokens": 3}}).encode()
    request = Request(
        "POST",
        "/model/amazon.nova-lite-v1%3A0/converse-stream",
        headers={"Content-Type": "application/json"},
        body=body,
    )
    response = emulator.handle(request)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/vnd.amazon.eventstream"
    assert response.events is not None
    frames = [eventstream.decode_messages(f) for f in response.events]
    assert all(len(f) == 1 for f in frames)  # one message per item
    for [message] in frames:
        assert message.headers[":message-type"] == "event"
        assert message.headers[":content-type"] == "application/json"
        payload = message.json()
        name = message.headers[":event-type"]
        assert set(payload) == EVENT_KEYS[name] | {"p"}  # inner object plus Bedrock's padding
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        assert payload["p"] and alphabet.startswith(payload["p"])


def test_unknown_task_hint_falls_back_to_generate(runtime: Any) -> None:
    out = runtime.converse(
        modelId=NOVA_LITE,
        messages=user(),
        inferenceConfig={"maxTokens": 5},
        requestMetadata={"task": "no-such-task", "seed": "1"},
    )
    assert out["usage"]["outputTokens"] >= 1


def test_document_text_counts_as_input(runtime: Any) -> None:
    doc = {"document": {"format": "txt", "name": "notes", "source": {"bytes": b"Rain fell."}}}
    messages = [{"role": "user", "content": [{"text": "Read this."}, doc]}]
    out = runtime.converse(modelId=NOVA_LITE, messages=messages, inferenceConfig={"maxTokens": 5})
    assert out["usage"]["inputTokens"] == count_tokens("Read this.\n[document: notes]\nRain fell.")


def test_throttled_twice_then_success_through_converse(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []

    class _Time:
        def sleep(self, s: float) -> None:
            sleeps.append(s)

    monkeypatch.setattr(botocore.endpoint, "time", _Time())

    def throttle(request: Request, _: Emulator) -> Response | None:
        return Response.error(E.throttling()) if request.attempt <= 2 else None

    emulator.interceptors.append(throttle)
    client = make_client("bedrock-runtime", emulator, retries={"mode": "standard"})
    out = client.converse(modelId=NOVA_LITE, messages=user(), inferenceConfig={"maxTokens": 5})
    assert out["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(sleeps) == 2


def test_invoke_body_base64_roundtrip_for_count_tokens(runtime: Any) -> None:
    body = {"prompt": PROMPT, "max_gen_len": 5}
    encoded = json.dumps(body).encode()
    out = runtime.count_tokens(modelId=HAIKU, input={"invokeModel": {"body": encoded}})
    assert out["inputTokens"] == count_tokens(PROMPT)
    assert base64.b64encode(encoded)  # botocore base64-encodes the blob on the wire
