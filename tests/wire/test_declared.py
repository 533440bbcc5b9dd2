"""Declared responses, in-process: what a rule declares comes back exactly, through the same
response writers as the engines' answers, on Converse, ConverseStream and native invoke."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bedrock_cli.local import Emulator
from bedrock_cli.local.declared import install
from bedrock_cli.local.rules import ResponsesError, load_file, parse_rule, parse_text
from bedrock_cli.text.tokenizer import count_tokens
from tests.wire.conftest import make_client
from tests.wire.test_native_text import BODIES, PROMPT, chunk_text, text_of

NOVA = "us.amazon.nova-lite-v1:0"
ODD = "Sunny,  21 °C —\n\t“quoted” 🙂 "  # spacing, unicode and a trailing space, kept exactly


def declare(emulator: Emulator, **rule: Any) -> Any:
    return install(emulator).add(parse_rule(rule))


def ask(runtime: Any, text: str, model: str = NOVA, **kwargs: Any) -> dict[str, Any]:
    return dict(runtime.converse(modelId=model, messages=[
        {"role": "user", "content": [{"text": text}]}], **kwargs))


def stream(runtime: Any, text: str, model: str = NOVA, **kwargs: Any) -> list[dict[str, Any]]:
    r = runtime.converse_stream(modelId=model, messages=[
        {"role": "user", "content": [{"text": text}]}], **kwargs)
    return list(r["stream"])


def test_declared_text_comes_back_exactly_with_counted_usage(emulator: Emulator,
                                                            runtime: Any) -> None:
    declare(emulator, user="weather", text=ODD)
    r = ask(runtime, "What is the weather like?")
    assert r["output"]["message"]["content"] == [{"text": ODD}]
    assert r["stopReason"] == "end_turn"
    assert r["usage"]["outputTokens"] == count_tokens(ODD)
    assert r["usage"]["inputTokens"] == count_tokens("What is the weather like?")
    events = stream(runtime, "weather?")
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events
                   if "contentBlockDelta" in e)
    assert text == ODD
    assert events[-2] == {"messageStop": {"stopReason": "end_turn"}}


def test_unmatched_requests_go_to_the_engines(emulator: Emulator, runtime: Any) -> None:
    rule = declare(emulator, user="weather", text="Sunny.")
    r = ask(runtime, "Tell me about rivers", inferenceConfig={"maxTokens": 8, "temperature": 0})
    assert r["output"]["message"]["content"][0]["text"] != "Sunny."
    assert rule.calls == 0


def test_chunks_stop_reason_and_usage_are_as_declared(emulator: Emulator,
                                                      runtime: Any) -> None:
    declare(emulator, chunks=["Hel", "lo, ", "wor", "ld"], stop_reason="max_tokens",
            usage={"input_tokens": 100, "output_tokens": 4})
    events = stream(runtime, "anything")
    deltas = [e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e]
    assert deltas == ["Hel", "lo, ", "wor", "ld"]
    assert events[-2] == {"messageStop": {"stopReason": "max_tokens"}}
    assert events[-1]["metadata"]["usage"] == {"inputTokens": 100, "outputTokens": 4,
                                               "totalTokens": 104}
    r = ask(runtime, "anything")
    assert r["output"]["message"]["content"] == [{"text": "Hello, world"}]
    assert r["usage"]["inputTokens"] == 100


def test_declared_tool_call_streamed_and_not(emulator: Emulator, runtime: Any) -> None:
    declare(emulator, tools=True, tool_use={"name": "get_weather", "input": {"city": "Paris"},
                                            "id": "tooluse_1"})
    tools = {"tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {
        "type": "object", "properties": {"city": {"type": "string"}}}}}}]}
    r = ask(runtime, "Weather in Paris?", toolConfig=tools)
    assert r["stopReason"] == "tool_use"
    assert r["output"]["message"]["content"] == [{"toolUse": {
        "toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}]
    events = stream(runtime, "Weather in Paris?", toolConfig=tools)
    starts = [e["contentBlockStart"] for e in events if "contentBlockStart" in e]
    assert starts == [{"contentBlockIndex": 0, "start": {"toolUse": {
        "toolUseId": "tooluse_1", "name": "get_weather"}}}]
    payload = "".join(e["contentBlockDelta"]["delta"]["toolUse"]["input"] for e in events
                      if "toolUse" in e.get("contentBlockDelta", {}).get("delta", {}))
    assert json.loads(payload) == {"city": "Paris"}
    # without tools the rule does not match
    assert ask(runtime, "Weather in Paris?",
               inferenceConfig={"maxTokens": 3})["stopReason"] != "tool_use"


def test_rules_match_in_order_on_model_user_regex_and_system(emulator: Emulator,
                                                             runtime: Any) -> None:
    declare(emulator, model="anthropic.*", text="from claude")
    declare(emulator, user_regex=r"^\d+ \+ \d+$", text="a sum")
    declare(emulator, system="pirate", text="Arr.")
    declare(emulator, system_regex="(?i)FRENCH", text="Oui.")
    declare(emulator, text="fallback")
    assert ask(runtime, "hi", model="us.anthropic.claude-3-5-haiku-20241022-v1:0")[
        "output"]["message"]["content"][0]["text"] == "from claude"
    assert ask(runtime, "2 + 2")["output"]["message"]["content"][0]["text"] == "a sum"
    assert ask(runtime, "2 + 2?")["output"]["message"]["content"][0]["text"] == "fallback"
    said = ask(runtime, "hi", system=[{"text": "You are a pirate."}])
    assert said["output"]["message"]["content"][0]["text"] == "Arr."
    said = ask(runtime, "hi", system=[{"text": "Answer in French."}])
    assert said["output"]["message"]["content"][0]["text"] == "Oui."


def test_a_sequence_answers_in_turn_then_repeats_the_last(emulator: Emulator,
                                                          runtime: Any) -> None:
    rule = declare(emulator, answers=["one", {"text": "two"}])
    said = [ask(runtime, "x")["output"]["message"]["content"][0]["text"] for _ in range(4)]
    assert said == ["one", "two", "two", "two"]
    assert rule.calls == 4


def test_a_declared_throttle_is_retried_by_botocore_then_answered(
        emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setattr(time, "sleep", lambda _s: None)  # botocore's retry back-off
    runtime = make_client("bedrock-runtime", emulator,
                          retries={"mode": "standard", "total_max_attempts": 3})
    declare(emulator, answers=[{"error": "ThrottlingException"}, {"text": "ok"}])
    r = ask(runtime, "x")
    assert r["output"]["message"]["content"][0]["text"] == "ok"
    assert r["ResponseMetadata"]["RetryAttempts"] == 1


@pytest.mark.parametrize(("code", "status"), [
    ("ThrottlingException", 429), ("ValidationException", 400),
    ("ModelTimeoutException", 408), ("ServiceUnavailableException", 503),
    ("AccessDeniedException", 403), ("ResourceNotFoundException", 404),
    ("ModelErrorException", 424), ("ModelNotReadyException", 429),
    ("InternalServerException", 500)])
def test_declared_errors_have_bedrocks_status(emulator: Emulator, code: str,
                                              status: int) -> None:
    runtime = make_client("bedrock-runtime", emulator, retries={"total_max_attempts": 1})
    declare(emulator, error=code, message="declared failure")
    for call in (lambda: ask(runtime, "x"), lambda: stream(runtime, "x")):
        with pytest.raises(ClientError) as info:
            call()
        err = info.value.response
        assert err["Error"]["Code"] == code
        assert err["Error"]["Message"] == "declared failure"
        assert err["ResponseMetadata"]["HTTPStatusCode"] == status


def test_an_error_the_operation_cannot_return_is_explained(emulator: Emulator) -> None:
    """ServiceQuotaExceededException is an InvokeModel error, never a Converse one."""
    runtime = make_client("bedrock-runtime", emulator, region="us-west-2",
                          retries={"total_max_attempts": 1})
    declare(emulator, error="ServiceQuotaExceededException")
    with pytest.raises(ClientError) as info:
        ask(runtime, "x")
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "not an error Converse can return" in info.value.response["Error"]["Message"]
    model_id, body = BODIES["nova"]
    with pytest.raises(ClientError) as info:
        runtime.invoke_model(modelId=model_id, body=json.dumps(body))
    assert info.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.fixture
def west(emulator: Emulator) -> Any:
    return make_client("bedrock-runtime", emulator, region="us-west-2",
                       retries={"total_max_attempts": 1})


@pytest.mark.parametrize("name", sorted(BODIES))
def test_native_invoke_answers_in_each_familys_shape(emulator: Emulator, west: Any,
                                                    name: str) -> None:
    model_id, body = BODIES[name]
    declare(emulator, user=PROMPT[:10], text=ODD, usage={"input_tokens": 42})
    r = west.invoke_model(modelId=model_id, body=json.dumps(body))
    headers = r["ResponseMetadata"]["HTTPHeaders"]
    assert text_of(name, json.loads(r["body"].read())) == ODD
    assert headers["x-amzn-bedrock-input-token-count"] == "42"
    assert headers["x-amzn-bedrock-output-token-count"] == str(count_tokens(ODD))
    events = west.invoke_model_with_response_stream(modelId=model_id, body=json.dumps(body))
    chunks = [json.loads(e["chunk"]["bytes"]) for e in events["body"]]
    assert "".join(chunk_text(name, c) for c in chunks) == ODD
    assert chunks[-1]["amazon-bedrock-invocationMetrics"]["inputTokenCount"] == 42


def test_native_declared_error(emulator: Emulator, west: Any) -> None:
    model_id, body = BODIES["anthropic"]
    declare(emulator, model="anthropic.claude-3-5-haiku*", error="ModelTimeoutException")
    with pytest.raises(ClientError) as info:
        west.invoke_model(modelId=model_id, body=json.dumps(body))
    assert info.value.response["Error"]["Code"] == "ModelTimeoutException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 408


# ---------------------------------------------------------------------------- the file format


def test_toml_and_json_files_load(tmp_path: Path) -> None:
    toml = tmp_path / "r.toml"
    toml.write_text('[[rule]]\nmodel = "anthropic.*"\nuser = "hi"\ntext = "Hello."\n\n'
                    '[[rule]]\ntools = true\ntool_use = { name = "t", input = { a = 1 } }\n'
                    '\n[[rule]]\nanswers = [{ error = "throttlingexception" }, "ok"]\n',
                    encoding="utf-8")
    rules = load_file(toml)
    assert [r.model for r in rules] == ["anthropic.*", "*", "*"]
    assert rules[1].answers[0].tool_uses == ({"name": "t", "input": {"a": 1}},)
    assert rules[2].answers[0].error == "ThrottlingException"
    doc = tmp_path / "r.json"
    doc.write_text(json.dumps({"rules": [{"user": "hi", "text": "Hello."}]}), encoding="utf-8")
    assert load_file(doc)[0].answers[0].text == "Hello."


@pytest.mark.parametrize(("text", "wanted"), [
    ('[[rule]]\ntext = "a"\n\n[[rule]]\nuser = "x"\ntxt = "b"\n',
     "rule 2 (line 4): unknown key 'txt'"),
    ('[[rule]]\nuser = "x"\n', "rule 1 (line 1): declares no answer"),
    ('[[rule]]\ntext = "a"\nerror = "Nope"\n', "unknown error 'Nope'"),
    ('[[rule]]\nuser_regex = "("\ntext = "a"\n', "user_regex is not a valid regular expr"),
    ('[[rule]]\ntext = "a"\nstop_reason = "done"\n', "stop_reason 'done' is not one of"),
    ('[[rule]]\ntext = "a"\nusage = { input_tokens = -1 }\n', "usage.input_tokens must be"),
    ('[[rule]]\ntool_use = { input = {} }\n', "a tool call needs a name"),
    ('[[rule]]\ntext = "a"\nanswers = ["b"]\n', "give answers = [...] or one answer's keys"),
    ('[[rule]]\ntext = "a"\n[other]\n', "unknown table 'other'"),
    ('[[rule]]\ntext = "a\n', "not valid TOML"),
    ('[\n  {"text": "a"},\n  {"user": 3, "text": "b"}\n]', "rule 2 (line 3): user must be a str"),
    ('{"rules": [\n{"text": "a",}\n]}', "line 2: not valid JSON"),
])
def test_file_mistakes_name_the_rule_and_line(text: str, wanted: str) -> None:
    with pytest.raises(ResponsesError) as info:
        parse_text(text, "r")
    assert wanted in str(info.value)
