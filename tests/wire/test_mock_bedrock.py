"""``bedrock_cli.testing.mock_bedrock``: plain boto3 code answered in-process, no port, no keys."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from bedrock_cli.local import Emulator, EmulatorOptions
from bedrock_cli.local.server import ServerConfig, ServerThread
from bedrock_cli.testing import current, mock_bedrock

NOVA = "us.amazon.nova-lite-v1:0"
MESSAGES = [{"role": "user", "content": [{"text": "The capital of France?"}]}]


def ask(runtime: Any, model: str = NOVA, **kwargs: Any) -> dict[str, Any]:
    return dict(runtime.converse(modelId=model, messages=MESSAGES, **kwargs))


def test_plain_boto3_needs_no_keys_or_region_and_the_env_is_restored() -> None:
    assert "AWS_ACCESS_KEY_ID" not in os.environ and "AWS_DEFAULT_REGION" not in os.environ
    with mock_bedrock() as bedrock:
        bedrock.respond(user="capital of France", text="Paris.")
        runtime = boto3.client("bedrock-runtime")
        assert ask(runtime)["output"]["message"]["content"] == [{"text": "Paris."}]
        control = boto3.client("bedrock")
        assert control.list_foundation_models()["modelSummaries"]
        import botocore.session

        own_session = boto3.Session(region_name="us-east-1").client("bedrock-runtime")
        bare = botocore.session.get_session().create_client("bedrock-runtime",
                                                            region_name="us-east-1")
        assert ask(own_session)["output"]["message"]["content"] == [{"text": "Paris."}]
        assert ask(bare)["output"]["message"]["content"] == [{"text": "Paris."}]
        assert [(r.operation, r.model_id) for r in bedrock.requests] == [
            ("Converse", NOVA), ("ListFoundationModels", None), ("Converse", NOVA),
            ("Converse", NOVA)]
        assert bedrock.requests[0].json()["messages"] == MESSAGES
    assert "AWS_ACCESS_KEY_ID" not in os.environ and "AWS_DEFAULT_REGION" not in os.environ


def test_users_own_keys_and_region_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDMINE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mine")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_bedrock() as bedrock:
        runtime = boto3.client("bedrock-runtime")
        ask(runtime, "eu.amazon.nova-lite-v1:0", inferenceConfig={"maxTokens": 3})
        assert "Credential=AKIDMINE/" in bedrock.requests[0].headers["Authorization"]
        assert runtime.meta.region_name == "eu-west-1"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIDMINE"


def test_streams_and_native_invoke() -> None:
    with mock_bedrock() as bedrock:
        bedrock.respond(chunks=["Par", "is."])
        runtime = boto3.client("bedrock-runtime")
        events = list(runtime.converse_stream(modelId=NOVA, messages=MESSAGES)["stream"])
        assert [e["contentBlockDelta"]["delta"]["text"] for e in events
                if "contentBlockDelta" in e] == ["Par", "is."]
        body = runtime.invoke_model(modelId=NOVA, body=b'{"messages": [{"role": "user", '
                                    b'"content": [{"text": "hi"}]}]}')["body"].read()
        assert b'"text":"Paris."' in body


@mock_bedrock
def test_as_a_bare_decorator() -> None:
    bedrock = current()
    assert bedrock is not None
    bedrock.respond(text="decorated")
    assert ask(boto3.client("bedrock-runtime"))["output"]["message"]["content"][0]["text"] == \
        "decorated"


@mock_bedrock(region="eu-west-1")
def test_as_a_decorator_with_options(tmp_path: Path) -> None:  # pytest fixtures still work
    assert tmp_path.exists()
    assert ask(boto3.client("bedrock-runtime", region_name="us-east-1"),
               "eu.amazon.nova-lite-v1:0", inferenceConfig={"maxTokens": 2})["stopReason"]
    bedrock = current()
    assert bedrock is not None and bedrock.emulator.options.region == "eu-west-1"


@mock_bedrock
class TestAClassDecorator:
    def test_each_method_is_mocked(self) -> None:
        assert current() is not None
        assert ask(boto3.client("bedrock-runtime"), inferenceConfig={"maxTokens": 2})


def test_outside_the_context_clients_are_not_answered() -> None:
    cfg = Config(retries={"total_max_attempts": 1}, connect_timeout=1)
    kwargs: dict[str, Any] = {"endpoint_url": "http://127.0.0.1:1", "config": cfg,
                              "region_name": "us-east-1", "aws_access_key_id": "k",
                              "aws_secret_access_key": "s"}
    before = boto3.client("bedrock-runtime", **kwargs)
    with mock_bedrock():
        inside = boto3.client("bedrock-runtime", **kwargs)
        ask(inside, inferenceConfig={"maxTokens": 2})
        with pytest.raises(EndpointConnectionError):
            ask(before)  # made before: not ours
    assert current() is None
    with pytest.raises(EndpointConnectionError):
        ask(inside)  # the mock is over


def test_faults_compose(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setattr(time, "sleep", lambda _s: None)
    with mock_bedrock() as bedrock:
        bedrock.fault("throttle=2")
        r = ask(boto3.client("bedrock-runtime"), inferenceConfig={"maxTokens": 2})
        assert r["ResponseMetadata"]["RetryAttempts"] == 2
        assert [e.status for e in bedrock.requests] == [429, 429, 200]
        bedrock.fault("error=ModelTimeoutException")
        with pytest.raises(ClientError) as info:
            ask(boto3.client("bedrock-runtime"))
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 408


def _with_moto_inside() -> tuple[str, str, str]:
    from moto import mock_aws

    with mock_bedrock() as bedrock, mock_aws():
        bedrock.respond(text="from the emulator")
        return _use_all()


def _with_moto_outside() -> tuple[str, str, str]:
    from moto import mock_aws

    with mock_aws(), mock_bedrock() as bedrock:
        bedrock.respond(text="from the emulator")
        return _use_all()


def _use_all() -> tuple[str, str, str]:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="my-bucket")
    s3.put_object(Bucket="my-bucket", Key="k", Body=b"v")
    account = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
    text = ask(boto3.client("bedrock-runtime", region_name="us-east-1"))[
        "output"]["message"]["content"][0]["text"]
    return s3.get_object(Bucket="my-bucket", Key="k")["Body"].read().decode(), account, text


@pytest.mark.parametrize("nesting", [_with_moto_inside, _with_moto_outside])
def test_composes_with_motos_mock_aws_in_either_order(nesting: Any) -> None:
    assert nesting() == ("v", "123456789012", "from the emulator")


def test_record_and_replay_in_process(tmp_path: Path) -> None:
    cassette = tmp_path / "c.jsonl"
    upstream = ServerThread(Emulator(EmulatorOptions()),
                            ServerConfig(port=0, idle_timeout=2, shutdown_grace=0.5)).start()
    try:
        with mock_bedrock() as bedrock:
            bedrock.record(cassette, upstream=upstream.url)
            first = ask(boto3.client("bedrock-runtime"), inferenceConfig={"maxTokens": 6})
    finally:
        upstream.stop(grace=0.5)
    assert "Authorization" not in cassette.read_text()
    with mock_bedrock(replay=cassette):
        again = ask(boto3.client("bedrock-runtime"), inferenceConfig={"maxTokens": 6})
        assert again["output"] == first["output"]
        with pytest.raises(ClientError, match="No recording in cassette"):
            ask(boto3.client("bedrock-runtime"))


def test_responses_file_from_the_environment(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "r.json"
    rules.write_text('[{"user": "France", "text": "Paris (from the file)."}]', encoding="utf-8")
    monkeypatch.setenv("BEDROCK_CLI_LOCAL_RESPONSES", str(rules))
    with mock_bedrock():
        assert ask(boto3.client("bedrock-runtime"))["output"]["message"]["content"][0][
            "text"] == "Paris (from the file)."


def test_recording_signs_with_the_users_profile_not_the_dummies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bedrock_cli.local.sigv4 import SignatureVerifier

    credentials = Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
    credentials.write_text("[mine]\naws_access_key_id = AKIDPROFILE\n"
                           "aws_secret_access_key = profile-secret\n", encoding="utf-8")
    monkeypatch.setenv("AWS_PROFILE", "mine")
    upstream = ServerThread(Emulator(EmulatorOptions()), ServerConfig(
        port=0, idle_timeout=2, shutdown_grace=0.5,
        verifier=SignatureVerifier("AKIDPROFILE", "profile-secret"))).start()
    try:
        with mock_bedrock() as bedrock:
            assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"  # dummies for the clients
            bedrock.record(tmp_path / "c.jsonl", upstream=upstream.url)
            r = ask(boto3.client("bedrock-runtime"), inferenceConfig={"maxTokens": 3})
    finally:
        upstream.stop(grace=0.5)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "profile-secret" not in (tmp_path / "c.jsonl").read_text()
