"""The ``local_bedrock`` pytest fixture, used the way a user would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import EventStreamError

MESSAGES = [{"role": "user", "content": [{"text": "Write about the sea."}]}]


def test_plain_boto3_reaches_the_fixture(local_bedrock: Any) -> None:
    runtime = boto3.client("bedrock-runtime")  # no endpoint, keys or region given
    control = boto3.client("bedrock")
    r = runtime.converse(modelId="us.amazon.nova-lite-v1:0", messages=MESSAGES,
                         inferenceConfig={"maxTokens": 5})
    assert r["usage"]["outputTokens"] <= 5
    assert control.list_foundation_models()["modelSummaries"]
    assert runtime.meta.endpoint_url == local_bedrock.endpoint_url
    assert [(e.method, e.path, e.status, e.operation) for e in local_bedrock.requests] == [
        ("POST", "/model/us.amazon.nova-lite-v1%3A0/converse", 200, "Converse"),
        ("GET", "/foundation-models", 200, "ListFoundationModels"),
    ]
    assert local_bedrock.requests[0].json()["inferenceConfig"] == {"maxTokens": 5}


def test_environment_is_set_for_the_test_only(local_bedrock: Any) -> None:
    assert os.environ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] == local_bedrock.endpoint_url
    assert os.environ["AWS_ENDPOINT_URL_BEDROCK"] == local_bedrock.endpoint_url
    assert os.environ["AWS_DEFAULT_REGION"] == os.environ["AWS_REGION"] == "us-east-1"
    assert "AWS_BEARER_TOKEN_BEDROCK" not in os.environ
    assert "AWS_PROFILE" not in os.environ
    assert local_bedrock.endpoint_url.startswith("http://127.0.0.1:")


def test_scripted_faults(local_bedrock: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import botocore.endpoint

    class NoSleep:
        def sleep(self, _: float) -> None:
            pass

        def __getattr__(self, name: str) -> Any:
            import time

            return getattr(time, name)

    monkeypatch.setattr(botocore.endpoint, "time", NoSleep())
    runtime = boto3.client("bedrock-runtime")
    local_bedrock.fault("throttle=2")
    r = runtime.converse(modelId="us.amazon.nova-lite-v1:0", messages=MESSAGES)
    assert r["ResponseMetadata"]["RetryAttempts"] == 2
    assert [e.status for e in local_bedrock.requests] == [429, 429, 200]
    assert [e.attempt for e in local_bedrock.requests] == [1, 2, 3]
    # The queued fault was used up: the next call is answered first time.
    again = runtime.converse(modelId="us.amazon.nova-lite-v1:0", messages=MESSAGES)
    assert again["ResponseMetadata"]["RetryAttempts"] == 0

    local_bedrock.fault("stream-exception=serviceUnavailableException@1")
    stream = runtime.converse_stream(modelId="us.amazon.nova-lite-v1:0", messages=MESSAGES)
    with pytest.raises(EventStreamError) as info:
        list(stream["stream"])
    assert info.value.response["Error"]["Code"] == "serviceUnavailableException"

    local_bedrock.set_faults(throttle_rate=1.0)
    with pytest.raises(runtime.exceptions.ThrottlingException):
        runtime.converse(modelId="us.amazon.nova-lite-v1:0", messages=MESSAGES)
    local_bedrock.set_faults()
    local_bedrock.options.latency_ms = 1
    assert runtime.converse(modelId="us.amazon.nova-lite-v1:0", messages=MESSAGES)


def test_a_users_test_file_in_a_fresh_pytest(tmp_path: Path) -> None:
    """A separate pytest process: the plugin comes from the pytest11 entry point alone."""
    (tmp_path / "test_user_code.py").write_text(textwrap.dedent('''
        import boto3

        def summarize(text):
            client = boto3.client("bedrock-runtime")
            r = client.converse(modelId="us.amazon.nova-lite-v1:0",
                                messages=[{"role": "user", "content": [{"text": text}]}],
                                inferenceConfig={"maxTokens": 8})
            return r["output"]["message"]["content"][0]["text"]

        def test_summarize(local_bedrock):
            assert summarize("The sea is wide and the sky is blue.")
            assert local_bedrock.requests[0].status == 200

        def test_summarize_survives_throttling(local_bedrock, monkeypatch):
            import botocore.endpoint, time
            monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda s: None)
            local_bedrock.fault("throttle=1")
            assert summarize("hello")
            assert [r.status for r in local_bedrock.requests] == [429, 200]
    '''))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_PROFILE": "no-such-profile", "AWS_BEARER_TOKEN_BEDROCK": "ABSKnotreal",
                "AWS_CONFIG_FILE": str(tmp_path / "none"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")})
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         str(tmp_path / "test_user_code.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_plugin_imports_nothing_heavy() -> None:
    code = ("import sys, bedrock_cli.pytest_plugin as p; "
            "heavy = [m for m in ('boto3', 'botocore', 'rich', 'numpy', 'PIL', "
            "'bedrock_cli.local', 'asyncio') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
