"""Local guardrails: ApplyGuardrail, and guardrails inside Converse, ConverseStream and native
invoke, configured by a JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bedrock_cli.local import Emulator, EmulatorOptions
from bedrock_cli.local.engines import guardrails as engine
from tests.wire.conftest import make_client

CONFIG = {"guardrails": {"g1": {
    "version": "1",
    "blocked_message": "Sorry, I can't help with that.",
    "denied_words": ["dragonfruit", "secret plan"],
    "denied_topics": [{"name": "Investing",
                       "examples": ["Which stocks should I buy?", "Is bitcoin a good buy?"]}],
    "pii": [{"type": "EMAIL", "action": "ANONYMIZE"}, {"type": "PHONE", "action": "BLOCK"}],
    "regexes": [{"name": "ticket", "pattern": "TCK-\\d+", "action": "ANONYMIZE"}],
}}}
NOVA = "amazon.nova-lite-v1:0"


@pytest.fixture
def guarded(tmp_path: Path) -> Any:
    path = tmp_path / "guardrails.json"
    path.write_text(json.dumps(CONFIG))
    emulator = Emulator(EmulatorOptions(extra={"local_guardrails": str(path)}))
    return make_client("bedrock-runtime", emulator)


def apply(client: Any, text: str, source: str = "INPUT", version: str = "1") -> dict[str, Any]:
    response = client.apply_guardrail(guardrailIdentifier="g1", guardrailVersion=version,
                                      source=source, content=[{"text": {"text": text}}])
    response.pop("ResponseMetadata")
    return dict(response)


def test_a_denied_word_blocks_with_the_blocked_message(guarded: Any) -> None:
    result = apply(guarded, "Tell me about DragonFruit please")
    assert result["action"] == "GUARDRAIL_INTERVENED"
    assert result["outputs"] == [{"text": "Sorry, I can't help with that."}]
    [assessment] = result["assessments"]
    assert assessment["wordPolicy"] == {"customWords": [
        {"match": "dragonfruit", "action": "BLOCKED", "detected": True}], "managedWordLists": []}
    metrics = assessment["invocationMetrics"]
    assert metrics["guardrailCoverage"] == {"textCharacters": {"guarded": 32, "total": 32}}
    assert set(result["usage"]) >= {"topicPolicyUnits", "contentPolicyUnits", "wordPolicyUnits",
                                    "sensitiveInformationPolicyUnits"}
    assert result["usage"]["wordPolicyUnits"] == 1


def test_an_email_is_anonymized_and_a_regex_masked(guarded: Any) -> None:
    result = apply(guarded, "Write to bob@example.com about TCK-1234.")
    assert result["action"] == "GUARDRAIL_INTERVENED"
    assert result["outputs"] == [{"text": "Write to {EMAIL} about {ticket}."}]
    policy = result["assessments"][0]["sensitiveInformationPolicy"]
    assert policy["piiEntities"] == [{"match": "bob@example.com", "type": "EMAIL",
                                      "action": "ANONYMIZED", "detected": True}]
    assert policy["regexes"] == [{"name": "ticket", "match": "TCK-1234", "regex": "TCK-\\d+",
                                  "action": "ANONYMIZED", "detected": True}]


def test_clean_text_passes(guarded: Any) -> None:
    result = apply(guarded, "The weather is lovely today.", version="DRAFT")
    assert result["action"] == "NONE" and result["outputs"] == []
    assert set(result["assessments"][0]) == {"invocationMetrics"}


def test_topics_and_blocked_pii(guarded: Any) -> None:
    topic = apply(guarded, "which stocks should I buy this year?")
    assert topic["assessments"][0]["topicPolicy"] == {"topics": [
        {"name": "Investing", "type": "DENY", "action": "BLOCKED", "detected": True}]}
    phone = apply(guarded, "call me on 555-123-4567", source="OUTPUT")
    assert phone["outputs"] == [{"text": "Sorry, I can't help with that."}]


def test_unknown_guardrails_and_versions_are_not_found(guarded: Any) -> None:
    for gid, version in (("g2", "1"), ("g1", "2")):
        with pytest.raises(ClientError) as info:
            guarded.apply_guardrail(guardrailIdentifier=gid, guardrailVersion=version,
                                    source="INPUT", content=[{"text": {"text": "x"}}])
        assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as info:
        guarded.apply_guardrail(guardrailIdentifier="g1", guardrailVersion="v1",
                                source="INPUT", content=[{"text": {"text": "x"}}])
    assert info.value.response["Error"]["Code"] == "ValidationException"


def test_no_file_means_no_guardrails(runtime: Any) -> None:
    with pytest.raises(ClientError) as info:
        apply(runtime, "hello")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def converse(client: Any, text: str, *, stream: bool = False, **config: str) -> dict[str, Any]:
    kwargs = {"modelId": NOVA, "messages": [{"role": "user", "content": [{"text": text}]}],
              "inferenceConfig": {"maxTokens": 8},
              "guardrailConfig": {"guardrailIdentifier": "g1", "guardrailVersion": "1",
                                  **config}}
    if not stream:
        response = client.converse(**kwargs)
        return {"text": response["output"]["message"]["content"][0]["text"],
                "stop": response["stopReason"], "trace": response.get("trace"),
                "usage": response["usage"]}
    events = list(client.converse_stream(**kwargs)["stream"])
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events
                   if "contentBlockDelta" in e)
    stop = next(e["messageStop"]["stopReason"] for e in events if "messageStop" in e)
    meta = events[-1]["metadata"]
    return {"text": text, "stop": stop, "trace": meta.get("trace"), "usage": meta["usage"]}


@pytest.mark.parametrize("stream", [False, True])
def test_converse_input_block_never_reaches_the_model(guarded: Any, stream: bool) -> None:
    result = converse(guarded, "Tell me the secret plan", stream=stream, trace="enabled")
    assert result["text"] == "Sorry, I can't help with that."
    assert result["stop"] == "guardrail_intervened"
    assert result["usage"]["outputTokens"] == 0
    assessment = result["trace"]["guardrail"]["inputAssessment"]["g1"]
    assert assessment["wordPolicy"]["customWords"][0]["match"] == "secret plan"


@pytest.mark.parametrize("stream", [False, True])
def test_converse_masks_input_and_passes_clean_text(guarded: Any, stream: bool) -> None:
    masked = converse(guarded, "Mail bob@example.com: after the rain", stream=stream,
                      trace="enabled")
    assert masked["stop"] in ("end_turn", "max_tokens")
    pii = masked["trace"]["guardrail"]["inputAssessment"]["g1"]["sensitiveInformationPolicy"]
    assert pii["piiEntities"][0]["action"] == "ANONYMIZED"
    clean = converse(guarded, "After the rain the streets were", stream=stream)
    assert clean["stop"] in ("end_turn", "max_tokens") and clean["trace"] is None


def test_converse_unknown_guardrail(guarded: Any) -> None:
    with pytest.raises(ClientError) as info:
        guarded.converse(modelId=NOVA, messages=[{"role": "user", "content": [{"text": "x"}]}],
                         guardrailConfig={"guardrailIdentifier": "nope",
                                          "guardrailVersion": "1"})
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_output_check_masks_the_answer(tmp_path: Path) -> None:
    """The answer is checked too: a guardrail that masks a word the model writes."""
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"guardrails": {"out": {"regexes": [
        {"name": "letter", "pattern": "[a-z]+", "action": "ANONYMIZE"}]}}}))
    client = make_client("bedrock-runtime",
                         Emulator(EmulatorOptions(extra={"local_guardrails": str(path)})))
    response = client.converse(
        modelId=NOVA, messages=[{"role": "user", "content": [{"text": "After the rain"}]}],
        inferenceConfig={"maxTokens": 6, "temperature": 0},
        guardrailConfig={"guardrailIdentifier": "out", "guardrailVersion": "DRAFT",
                         "trace": "enabled"})
    assert response["stopReason"] == "guardrail_intervened"
    text = response["output"]["message"]["content"][0]["text"]
    assert "{letter}" in text
    trace = response["trace"]["guardrail"]
    assert trace["outputAssessments"]["out"][0]["sensitiveInformationPolicy"]["regexes"]
    assert trace["modelOutput"] and "{letter}" not in trace["modelOutput"][0]


@pytest.mark.parametrize("stream", [False, True])
def test_native_invoke_with_guardrail_headers(guarded: Any, stream: bool) -> None:
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5,
                       "messages": [{"role": "user", "content": "about dragonfruit"}]})
    kwargs = {"modelId": "anthropic.claude-3-haiku-20240307-v1:0", "body": body,
              "guardrailIdentifier": "g1", "guardrailVersion": "1", "trace": "ENABLED"}
    if stream:
        chunks = [json.loads(e["chunk"]["bytes"]) for e in
                  guarded.invoke_model_with_response_stream(**kwargs)["body"]]
        last = chunks[-1]
        text = "".join(c["delta"]["text"] for c in chunks if c["type"] == "content_block_delta")
    else:
        last = json.loads(guarded.invoke_model(**kwargs)["body"].read())
        text = last["content"][0]["text"]
    assert text == "Sorry, I can't help with that."
    assert last["amazon-bedrock-guardrailAction"] == "INTERVENED"
    assert "inputAssessment" in last["amazon-bedrock-trace"]["guardrail"]


def test_config_errors_are_clear(tmp_path: Path) -> None:
    bad = {"guardrails": {"G-1": {}}}
    with pytest.raises(engine.GuardrailConfigError, match="lower-case"):
        engine.parse(bad)
    with pytest.raises(engine.GuardrailConfigError, match="NAME"):
        engine.parse({"guardrails": {"g": {"pii": [{"type": "NAME"}]}}})
    with pytest.raises(engine.GuardrailConfigError, match="valid regex"):
        engine.parse({"guardrails": {"g": {"regexes": [{"name": "r", "pattern": "("}]}}})
    path = tmp_path / "broken.json"
    path.write_text("{")
    client = make_client("bedrock-runtime",
                         Emulator(EmulatorOptions(extra={"local_guardrails": str(path)})))
    with pytest.raises(ClientError, match="local guardrails file is not valid"):
        apply(client, "x")


def test_credit_cards_need_a_valid_checksum() -> None:
    guardrail = engine.parse({"guardrails": {"g": {"pii": [
        {"type": "CREDIT_DEBIT_CARD_NUMBER", "action": "ANONYMIZE"}]}}})["g"]
    assert engine.assess(guardrail, ["card 4111 1111 1111 1111"]).outputs == [
        "card {CREDIT_DEBIT_CARD_NUMBER}"]
    assert engine.assess(guardrail, ["order 1234 5678 9012 3456"]).action == "NONE"
