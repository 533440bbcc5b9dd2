"""The emulator's prompt caching (cachePoint) and extended thinking (reasoningContent), through
a real boto3 client."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from bedrock_cli.local import Emulator
from bedrock_cli.local.operations import caching
from bedrock_cli.text.tokenizer import count_tokens

from .conftest import make_client

SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"  # cache minimum 1,024 tokens
NOVA = "amazon.nova-lite-v1:0"  # minimum 1,000; no cache points in tools
LLAMA = "us.meta.llama3-3-70b-instruct-v1:0"  # no prompt caching
POINT = {"cachePoint": {"type": "default"}}
BIG = "The harbour grew busier every year, and the ships came in with the tide. " * 120


def converse(runtime: Any, model: str = SONNET, system: list[dict[str, Any]] | None = None,
             content: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "modelId": model,
        "messages": [{"role": "user", "content": content or [{"text": "What happened?"}]}],
        "inferenceConfig": {"maxTokens": 8},
        "requestMetadata": {"seed": "3"},
        **extra,
    }
    if system is not None:
        kwargs["system"] = system
    response: dict[str, Any] = runtime.converse(**kwargs)
    return response


def usage(response: dict[str, Any]) -> dict[str, int]:
    return dict(response["usage"])


# -- prompt caching -----------------------------------------------------------------------

def test_first_call_writes_then_a_repeat_reads(runtime: Any) -> None:
    system = [{"text": BIG}, POINT]
    first = usage(converse(runtime, system=system))
    prefix = count_tokens(BIG)
    assert first["cacheWriteInputTokens"] == prefix and first["cacheReadInputTokens"] == 0
    total_input = count_tokens(BIG + "\n\nWhat happened?")
    assert first["inputTokens"] == total_input - prefix  # input excludes cached tokens
    assert first["totalTokens"] == total_input + first["outputTokens"]
    second = usage(converse(runtime, system=system))
    assert second["cacheReadInputTokens"] == prefix and second["cacheWriteInputTokens"] == 0
    assert second["inputTokens"] == first["inputTokens"]


def test_a_longer_prefix_reads_the_shared_part_and_writes_the_rest(runtime: Any) -> None:
    system = [{"text": BIG}, POINT]
    converse(runtime, system=system)
    content = [{"text": BIG + " And the town grew too."}, POINT, {"text": "Why?"}]
    both = usage(converse(runtime, system=system, content=content))
    assert both["cacheReadInputTokens"] == count_tokens(BIG)
    upto = count_tokens(BIG + "\n\n" + BIG + " And the town grew too.")
    assert both["cacheWriteInputTokens"] == upto - count_tokens(BIG)


def test_a_changed_prefix_or_another_model_writes_again(runtime: Any) -> None:
    converse(runtime, system=[{"text": BIG}, POINT])
    changed = usage(converse(runtime, system=[{"text": BIG + "!"}, POINT]))
    assert changed["cacheReadInputTokens"] == 0 and changed["cacheWriteInputTokens"] > 0
    other = usage(converse(runtime, model="us.anthropic.claude-sonnet-4-20250514-v1:0",
                           system=[{"text": BIG}, POINT]))
    assert other["cacheReadInputTokens"] == 0


def test_below_the_minimum_nothing_is_cached(runtime: Any) -> None:
    short = usage(converse(runtime, system=[{"text": "Be terse."}, POINT]))
    assert "cacheReadInputTokens" not in short and "cacheWriteInputTokens" not in short
    assert short["inputTokens"] == count_tokens("Be terse.\n\nWhat happened?")


def test_the_cache_belongs_to_one_emulator_and_expires() -> None:
    one, two = Emulator(), Emulator()
    system = [{"text": BIG}, POINT]
    converse(make_client("bedrock-runtime", one), system=system)
    fresh = usage(converse(make_client("bedrock-runtime", two), system=system))
    assert fresh["cacheReadInputTokens"] == 0
    clock = [1000.0]
    cache = caching.cache_of(one)
    cache.clock = lambda: clock[0]
    client = make_client("bedrock-runtime", one)
    converse(client, system=system)  # written at t=1000 (5-minute time to live)
    clock[0] += 299
    assert usage(converse(client, system=system))["cacheReadInputTokens"] > 0  # renews it
    clock[0] += 299
    assert usage(converse(client, system=system))["cacheReadInputTokens"] > 0
    clock[0] += 301
    assert usage(converse(client, system=system))["cacheReadInputTokens"] == 0


def test_stream_metadata_reports_cache_tokens(runtime: Any) -> None:
    kwargs = {"modelId": SONNET, "system": [{"text": BIG}, POINT],
              "messages": [{"role": "user", "content": [{"text": "Go"}]}],
              "inferenceConfig": {"maxTokens": 4}}
    for expected in ("cacheWriteInputTokens", "cacheReadInputTokens"):
        events = list(runtime.converse_stream(**kwargs)["stream"])
        meta = events[-1]["metadata"]["usage"]
        assert meta[expected] == count_tokens(BIG)


@pytest.mark.parametrize("model, kwargs, message", [
    (LLAMA, {"system": [{"text": BIG}, POINT]}, "doesn't support prompt caching"),
    (SONNET, {"system": [{"text": BIG}, POINT, {"text": "a"}, POINT, {"text": "b"}, POINT,
                         {"text": "c"}, POINT, {"text": "d"}, POINT]},
     "A maximum of 4 cache points"),
    (NOVA, {"toolConfig": {"tools": [{"toolSpec": {"name": "t", "inputSchema": {
        "json": {"type": "object"}}}}, POINT]}}, "cache points in tools"),
])
def test_cache_points_bedrock_refuses(runtime: Any, model: str, kwargs: dict[str, Any],
                                      message: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as err:
        converse(runtime, model=model, **kwargs)
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert message in err.value.response["Error"]["Message"]


# -- extended thinking ----------------------------------------------------------------------

THINK = {"additionalModelRequestFields": {"thinking": {"type": "enabled",
                                                       "budget_tokens": 2048}}}


def test_converse_returns_a_reasoning_block_before_the_answer(runtime: Any) -> None:
    response = converse(runtime, inferenceConfig={"maxTokens": 3000}, **THINK)
    content = response["output"]["message"]["content"]
    reasoning = content[0]["reasoningContent"]["reasoningText"]
    assert reasoning["text"].strip() and reasoning["signature"]
    assert content[1]["text"]
    tokens = count_tokens(reasoning["text"]) + count_tokens(content[1]["text"])
    assert response["usage"]["outputTokens"] >= count_tokens(reasoning["text"])
    assert abs(response["usage"]["outputTokens"] - tokens) <= 2  # reasoning is output


def test_stream_sends_reasoning_deltas_then_the_signature_then_the_answer(
        runtime: Any) -> None:
    stream = runtime.converse_stream(
        modelId=SONNET, messages=[{"role": "user", "content": [{"text": "Why is it so?"}]}],
        inferenceConfig={"maxTokens": 3000}, **THINK)["stream"]
    events = list(stream)
    deltas = [e["contentBlockDelta"] for e in events if "contentBlockDelta" in e]
    thinking = [d for d in deltas if d["contentBlockIndex"] == 0]
    answer = [d for d in deltas if d["contentBlockIndex"] == 1]
    assert thinking and answer
    assert all("reasoningContent" in d["delta"] for d in thinking)
    assert "signature" in thinking[-1]["delta"]["reasoningContent"]
    assert all("text" in d["delta"]["reasoningContent"] for d in thinking[:-1])
    assert all("text" in d["delta"] for d in answer)
    first_answer = next(i for i, e in enumerate(events) if "contentBlockDelta" in e
                        and e["contentBlockDelta"]["contentBlockIndex"] == 1)
    stop0 = next(i for i, e in enumerate(events) if e.get("contentBlockStop") ==
                 {"contentBlockIndex": 0})
    assert stop0 < first_answer


def test_thinking_stays_within_the_budget_and_leaves_the_answer_the_rest(runtime: Any) -> None:
    response = converse(runtime, inferenceConfig={"maxTokens": 1100}, additionalModelRequestFields={
        "thinking": {"type": "enabled", "budget_tokens": 1024}})
    reasoning = response["output"]["message"]["content"][0]["reasoningContent"]
    assert count_tokens(reasoning["reasoningText"]["text"]) <= 1024
    assert response["usage"]["outputTokens"] <= 1100


@pytest.mark.parametrize("inference, fields, message", [
    ({"maxTokens": 3000}, {"thinking": {"type": "enabled", "budget_tokens": 500}},
     "greater than or equal to 1024"),
    ({"maxTokens": 2048}, {"thinking": {"type": "enabled", "budget_tokens": 2048}},
     "`max_tokens` must be greater than `thinking.budget_tokens`"),
    ({"maxTokens": 3000, "temperature": 0.5},
     {"thinking": {"type": "enabled", "budget_tokens": 2048}}, "`temperature` may only be set"),
    ({"maxTokens": 3000, "topP": 0.5},
     {"thinking": {"type": "enabled", "budget_tokens": 2048}}, "`top_p` must be greater"),
    ({"maxTokens": 3000}, {"thinking": {"type": "enabled", "budget_tokens": 2048}, "top_k": 5},
     "`top_k` must be unset"),
])
def test_thinking_rules(runtime: Any, inference: dict[str, Any], fields: dict[str, Any],
                        message: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as err:
        converse(runtime, inferenceConfig=inference, additionalModelRequestFields=fields)
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert message in err.value.response["Error"]["Message"]


def test_thinking_on_a_model_without_it_is_refused(runtime: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as err:
        converse(runtime, model="us.anthropic.claude-3-5-haiku-20241022-v1:0",
                 inferenceConfig={"maxTokens": 3000}, **THINK)
    assert "Extra inputs are not permitted" in err.value.response["Error"]["Message"]
    plain = converse(runtime, additionalModelRequestFields={"thinking": {"type": "disabled"}})
    assert "reasoningContent" not in plain["output"]["message"]["content"][0]
