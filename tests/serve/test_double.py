"""The test-double features over HTTP: the fixture's ``respond``, and ``serve --responses``,
``--record``/``--replay`` as a user runs them (a real subprocess)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.helpers import cli
from tests.serve.test_command import Served, _client, served  # noqa: F401 (fixture)

NOVA = "us.amazon.nova-lite-v1:0"
CLAUDE = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
EXACT = "Line one.\n  Line two — “exact”. "
ANTHROPIC_BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                             "messages": [{"role": "user", "content": "the forecast?"}]})


def converse(runtime: Any, text: str, **kwargs: Any) -> dict[str, Any]:
    return dict(runtime.converse(modelId=NOVA, messages=[
        {"role": "user", "content": [{"text": text}]}], **kwargs))


def test_fixture_respond_streamed_and_not_converse_and_invoke(local_bedrock: Any) -> None:
    rule = local_bedrock.respond(user="forecast", text=EXACT)
    runtime = boto3.client("bedrock-runtime")
    assert converse(runtime, "the forecast?")["output"]["message"]["content"] == [
        {"text": EXACT}]
    events = runtime.converse_stream(modelId=NOVA, messages=[
        {"role": "user", "content": [{"text": "the forecast?"}]}])["stream"]
    assert "".join(e["contentBlockDelta"]["delta"]["text"] for e in events
                   if "contentBlockDelta" in e) == EXACT
    body = json.loads(runtime.invoke_model(modelId=CLAUDE, body=ANTHROPIC_BODY)["body"].read())
    assert body["content"] == [{"type": "text", "text": EXACT}]
    chunks = [json.loads(e["chunk"]["bytes"]) for e in runtime.invoke_model_with_response_stream(
        modelId=CLAUDE, body=ANTHROPIC_BODY)["body"]]
    assert "".join(c["delta"]["text"] for c in chunks if c["type"] == "content_block_delta") \
        == EXACT
    assert rule.calls == 4
    # the requests as received, parsed, for assertions
    seen = local_bedrock.requests
    assert [(r.operation, r.model_id) for r in seen] == [
        ("Converse", NOVA), ("ConverseStream", NOVA), ("InvokeModel", CLAUDE),
        ("InvokeModelWithResponseStream", CLAUDE)]
    assert seen[0].json()["messages"][0]["content"][0]["text"] == "the forecast?"
    assert seen[2].json()["max_tokens"] == 50


def test_fixture_respond_error_and_reset(local_bedrock: Any) -> None:
    local_bedrock.respond(error="AccessDeniedException", message="No access to this model.")
    runtime = boto3.client("bedrock-runtime")
    with pytest.raises(ClientError) as info:
        converse(runtime, "x")
    assert info.value.response["Error"] == {"Code": "AccessDeniedException",
                                            "Message": "No access to this model."}
    local_bedrock.reset()
    assert local_bedrock.requests == []
    assert converse(runtime, "x", inferenceConfig={"maxTokens": 3})["stopReason"]


def test_fixture_rejects_a_bad_rule_at_once(local_bedrock: Any) -> None:
    with pytest.raises(ValueError, match="unknown key 'txt'"):
        local_bedrock.respond(txt="typo")


def test_serve_responses_file(served: list[Served], tmp_path: Path) -> None:  # noqa: F811
    rules = tmp_path / "responses.toml"
    rules.write_text(f'[[rule]]\nuser = "forecast"\ntext = {json.dumps(EXACT)}\n\n'
                     '[[rule]]\nuser = "busy"\nerror = "ServiceUnavailableException"\n',
                     encoding="utf-8")
    s = Served("--port", "0", "--responses", str(rules))
    served.append(s)
    runtime = _client(s.url)
    assert converse(runtime, "the forecast?")["output"]["message"]["content"] == [
        {"text": EXACT}]
    with pytest.raises(ClientError) as info:
        converse(runtime, "busy?")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503


def test_serve_refuses_a_bad_responses_file_naming_the_line(tmp_path: Path) -> None:
    rules = tmp_path / "responses.toml"
    rules.write_text('[[rule]]\ntext = "a"\n\n[[rule]]\nuser = "x"\nerror = "Oops"\n',
                     encoding="utf-8")
    run = cli(["serve", "--port", "0", "--responses", str(rules)])
    assert run.exit_code == 2
    assert "rule 2 (line 4): unknown error 'Oops'" in run.stderr
    assert "Traceback" not in run.stderr
    run = cli(["serve", "--port", "0"], env={"BEDROCK_CLI_LOCAL_RESPONSES": str(rules)})
    assert run.exit_code == 2 and "line 4" in run.stderr


def test_serve_cassette_flag_mistakes_are_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"operation": "Converse"}\n', encoding="utf-8")
    run = cli(["serve", "--port", "0", "--replay", str(bad)])
    assert run.exit_code == 2 and "line 1 is not a recorded interaction" in run.stderr
    run = cli(["serve", "--port", "0", "--replay", str(tmp_path / "missing.jsonl")])
    assert run.exit_code == 2 and "cannot read it" in run.stderr
    good = tmp_path / "empty.jsonl"
    good.write_text("", encoding="utf-8")
    run = cli(["serve", "--port", "0", "--replay", str(good), "--match", "body,models"])
    assert run.exit_code == 2 and "--match" in run.stderr
    run = cli(["serve", "--port", "0", "--record", str(good), "--replay", str(good)])
    assert run.exit_code == 2 and "cannot be used together" in run.stderr
    run = cli(["serve", "--port", "0", "--upstream", "http://127.0.0.1:1"])
    assert run.exit_code == 2 and "only used with --record" in run.stderr
    run = cli(["serve", "--port", "0", "--record", str(good)])  # no credentials in the tests
    assert run.exit_code == 2 and "no AWS credentials" in run.stderr


def test_serve_record_then_replay(served: list[Served], tmp_path: Path) -> None:  # noqa: F811
    upstream = Served("--port", "0", "--require-signature", "--access-key-id", "AKIDUP",
                      env={"BEDROCK_CLI_SERVE_SECRET_ACCESS_KEY": "up-secret"})
    served.append(upstream)
    cassette = tmp_path / "cassette.jsonl"
    recording = Served("--port", "0", "--record", str(cassette), "--upstream", upstream.url,
                       env={"AWS_ACCESS_KEY_ID": "AKIDUP", "AWS_SECRET_ACCESS_KEY": "up-secret"})
    served.append(recording)
    first = converse(_client(recording.url), "hello", inferenceConfig={"maxTokens": 6})
    assert recording.stop()[0] == 0
    assert "up-secret" not in cassette.read_text() and "AKIDUP" not in cassette.read_text()
    replaying = Served("--port", "0", "--replay", str(cassette))
    served.append(replaying)
    again = converse(_client(replaying.url), "hello", inferenceConfig={"maxTokens": 6})
    assert again["output"] == first["output"]
    with pytest.raises(ClientError) as info:
        converse(_client(replaying.url), "not recorded")
    assert "No recording in cassette" in info.value.response["Error"]["Message"]


@pytest.fixture
def real_keys(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The user's own keys, set before ``local_bedrock`` replaces them with dummies."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDREALUSER")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-user-secret")
    return "AKIDREALUSER", "real-user-secret"


def test_fixture_records_with_the_users_own_credentials(
        real_keys: tuple[str, str], local_bedrock: Any, tmp_path: Path) -> None:
    import os

    from bedrock_cli.local import Emulator, EmulatorOptions
    from bedrock_cli.local.server import ServerConfig, ServerThread
    from bedrock_cli.local.sigv4 import SignatureVerifier

    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"  # the fixture's dummies, for the client
    upstream = ServerThread(Emulator(EmulatorOptions()), ServerConfig(
        port=0, idle_timeout=2, shutdown_grace=0.5, verifier=SignatureVerifier(*real_keys)))
    upstream.start()
    try:
        cassette = tmp_path / "c.jsonl"
        local_bedrock.record(cassette, upstream=upstream.url)
        r = converse(boto3.client("bedrock-runtime"), "hi", inferenceConfig={"maxTokens": 3})
    finally:
        upstream.stop(grace=0.5)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200  # signed with the real key
    assert "real-user-secret" not in cassette.read_text() and \
        "AKIDREALUSER" not in cassette.read_text()
    local_bedrock.replay(cassette)
    again = converse(boto3.client("bedrock-runtime"), "hi", inferenceConfig={"maxTokens": 3})
    assert again["output"] == r["output"]
