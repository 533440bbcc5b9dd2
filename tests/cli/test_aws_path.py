"""The AWS path: the real boto3 client against a scripted endpoint over a real socket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bedrock_cli.local.eventstream import exception
from tests.fake_endpoint import FakeEndpoint, converse_frames
from tests.helpers import aws, cli


def test_streamed_generate_prints_exactly_what_the_endpoint_sent(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["Hello", ", ", "world", "."]))
    run = aws(endpoint, "generate", "Say hello")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "Hello, world.\n"
    assert run.stderr == ""
    [request] = endpoint.requests
    assert request.method == "POST"
    assert request.path == "/model/amazon.nova-lite-v1%3A0/converse-stream"
    body = request.json()
    assert body["messages"] == [{"role": "user", "content": [{"text": "Say hello"}]}]
    assert body["requestMetadata"] == {"task": "generate"}
    assert "bedrock-cli/0.1.0" in request.headers["User-Agent"]
    assert request.headers["amz-sdk-request"] == "attempt=1; max=3"


def test_no_stream_json_result_fields(endpoint: FakeEndpoint) -> None:
    endpoint.add_json({
        "output": {"message": {"role": "assistant", "content": [{"text": "Four."}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 10, "outputTokens": 2, "totalTokens": 12},
        "metrics": {"latencyMs": 321},
    })
    run = aws(endpoint, "generate", "2+2?", "--no-stream", "--json", "-m", "nova-pro",
              "--temperature", "0.2", "--max-tokens", "50", "--stop", "END", "-s", "Be terse")
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["text"] == "Four."
    assert result["model"] == "amazon.nova-pro-v1:0"
    assert result["model_id"] == "amazon.nova-pro-v1:0"
    assert result["backend"] == "aws"
    assert result["stop_reason"] == "end_turn"
    assert result["usage"] == {"input_tokens": 10, "output_tokens": 2, "total_tokens": 12}
    assert result["latency_ms"] == 321
    assert result["cost_usd"] == pytest.approx(10 / 1000 * 0.0008 + 2 / 1000 * 0.0032)
    assert isinstance(result["history_id"], str)
    body = endpoint.requests[0].json()
    assert endpoint.requests[0].path.endswith("/converse")
    assert body["system"] == [{"text": "Be terse"}]
    assert body["inferenceConfig"] == {"maxTokens": 50, "temperature": 0.2,
                                       "stopSequences": ["END"]}


def test_stdin_is_appended_to_the_prompt(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["ok"]))
    run = aws(endpoint, "generate", "Summarize this:", input="line one\nline two\n")
    assert run.exit_code == 0, run.stderr
    text = endpoint.requests[0].json()["messages"][0]["content"][0]["text"]
    assert text == "Summarize this:\n\nline one\nline two"


def test_top_k_goes_through_additional_fields_for_claude(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["ok"]))
    run = aws(endpoint, "generate", "hi", "-m", "haiku-3", "--top-k", "40")
    assert run.exit_code == 0, run.stderr
    assert endpoint.requests[0].json()["additionalModelRequestFields"] == {"top_k": 40}


def test_profile_only_model_is_called_through_the_region_profile(
        endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["ok"]))
    run = aws(endpoint, "generate", "hi", "-m", "sonnet", "--region", "eu-west-1")
    assert run.exit_code == 0, run.stderr
    assert endpoint.requests[0].path.startswith("/model/eu.anthropic.claude-sonnet-4-5")


def test_throttling_is_retried_then_exit_4(endpoint: FakeEndpoint) -> None:
    for _ in range(3):
        endpoint.add_error("ThrottlingException", "Too many requests, please wait.", 429)
    run = aws(endpoint, "generate", "hi", "--no-stream", "--max-attempts", "3")
    assert run.exit_code == 4
    assert len(endpoint.requests) == 3
    assert run.stdout == ""
    assert "throttled" in run.stderr
    assert "Hint:" in run.stderr


def test_model_timeout_is_not_retried(endpoint: FakeEndpoint) -> None:
    endpoint.add_error("ModelTimeoutException", "Model has timed out.", 408)
    run = aws(endpoint, "generate", "hi", "--no-stream")
    assert run.exit_code == 5
    assert len(endpoint.requests) == 1
    assert "timed out" in run.stderr


@pytest.mark.parametrize(("code", "status", "exit_code", "needle"), [
    ("AccessDeniedException", 403, 3, "Model access"),
    ("ExpiredTokenException", 403, 3, "aws sso login"),
    ("ValidationException", 400, 5, "rejected"),
    ("ResourceNotFoundException", 404, 5, "models list"),
    ("ModelErrorException", 424, 5, "model failed"),
    ("ServiceQuotaExceededException", 400, 4, "quota"),
])
def test_service_errors_map_to_exit_codes(endpoint: FakeEndpoint, code: str, status: int,
                                          exit_code: int, needle: str) -> None:
    endpoint.add_error(code, f"{code} happened", status)
    run = aws(endpoint, "generate", "hi", "--no-stream", "--max-attempts", "1")
    assert run.exit_code == exit_code, run.stderr
    assert needle in run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) <= 2


def test_on_demand_error_for_a_model_the_catalog_lacks(endpoint: FakeEndpoint) -> None:
    """No profile id is made up for a model the catalog does not know (issue 13 item 11)."""
    endpoint.add_error(
        "ValidationException",
        "Invocation of model ID anthropic.claude-x-v1:0 with on-demand throughput isn’t "
        "supported. Retry your request with the ID or ARN of an inference profile that "
        "contains this model.", 400)
    run = aws(endpoint, "generate", "hi", "--no-stream", "-m", "anthropic.claude-x-v1:0")
    assert run.exit_code == 5
    assert "-m " not in run.stderr
    assert "models refresh" in run.stderr and "inference profile" in run.stderr


def test_error_in_stream_keeps_what_arrived(endpoint: FakeEndpoint, isolated_env: Path) -> None:
    frames = converse_frames(["Partial ", "answer"])[:3]
    frames.append(exception("modelStreamErrorException", {"message": "model broke"}))
    endpoint.add_stream(frames)
    run = aws(endpoint, "generate", "hi")
    assert run.exit_code == 5
    assert run.stdout == "Partial answer\n"  # what arrived, ended cleanly
    assert "model broke" in run.stderr
    from bedrock_cli.history import History

    row = History(isolated_env / "data").latest()
    assert row is not None
    assert (row["status"], row["response"]) == ("partial", "Partial answer")
    assert "model broke" in row["error"]


def test_json_keeps_a_partial_answer_on_stdout(endpoint: FakeEndpoint) -> None:
    frames = converse_frames(["Partial ", "answer"])[:3]
    frames.append(exception("modelStreamErrorException", {"message": "model broke"}))
    endpoint.add_stream(frames)
    run = aws(endpoint, "generate", "hi", "--json")
    assert run.exit_code == 5
    result = run.json()
    assert (result["text"], result["partial"]) == ("Partial answer", True)
    assert result["error"]["code"] == "modelStreamErrorException"
    assert result["history_id"]
    assert json.loads(run.stderr)["error"]["exit_code"] == 5


def test_truncated_stream_is_an_error(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["cut"])[:2])  # no messageStop / metadata
    run = aws(endpoint, "generate", "hi")
    assert run.exit_code == 5
    assert "ended before the model finished" in run.stderr


def test_json_errors_go_to_stderr_as_json(endpoint: FakeEndpoint) -> None:
    endpoint.add_error("AccessDeniedException", "no access", 403)
    run = aws(endpoint, "generate", "hi", "--json", "--no-stream")
    assert run.exit_code == 3
    assert run.stdout == ""
    error = json.loads(run.stderr)["error"]
    assert error["code"] == "AccessDeniedException"
    assert error["exit_code"] == 3


def test_connection_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    run = cli(["generate", "hi", "--backend", "aws", "--region", "us-east-1",
               "--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1"])
    assert run.exit_code == 5
    assert "Could not connect" in run.stderr


def test_no_credentials_on_aws_is_exit_3() -> None:
    run = cli(["generate", "hi", "--backend", "aws", "--region", "us-east-1"])
    assert run.exit_code == 3
    assert "No AWS credentials" in run.stderr
    assert "aws configure" in run.stderr


def test_no_region_on_aws_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    run = cli(["generate", "hi", "--backend", "aws"])
    assert run.exit_code == 3
    assert "No AWS region" in run.stderr
    assert "AWS_REGION" in run.stderr


def test_region_from_profile_comes_before_config_file(monkeypatch: pytest.MonkeyPatch,
                                                      isolated_env: Path) -> None:
    (isolated_env / "aws-config").write_text("[profile work]\nregion = eu-central-1\n")
    (isolated_env / "aws-credentials").write_text(
        "[work]\naws_access_key_id = AKIATESTTESTTESTTEST\naws_secret_access_key = s\n")
    (isolated_env / "config.toml").write_text('region = "us-west-2"\n')
    from bedrock_cli.clients import Clients
    from bedrock_cli.settings import resolve

    clients = Clients(resolve({"profile": "work", "backend": "auto"}))
    assert clients.backend == "aws"
    assert clients.region == "eu-central-1"
    client = clients.runtime
    assert client.meta.endpoint_url == "https://bedrock-runtime.eu-central-1.amazonaws.com"
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert client.meta.config.read_timeout == 300


def test_endpoint_env_var_is_honoured_without_flag(endpoint: FakeEndpoint,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", endpoint.url)
    endpoint.add_stream(converse_frames(["via env"]))
    run = cli(["generate", "hi", "--backend", "aws"])
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "via env\n"


def test_read_timeout(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["slow"]), delay=2.0)
    run = aws(endpoint, "generate", "hi", "--read-timeout", "0.5", "--max-attempts", "1")
    assert run.exit_code == 5
    assert "read timeout" in run.stderr or "timed out" in run.stderr.lower()
