"""`compare`: several models side by side; one failing model does not hide the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from bedrock_cli.history import History
from tests.fake_endpoint import FakeEndpoint
from tests.helpers import cli

PROMPT = "After the rain, the streets were"
RESULT_KEYS = {"model", "model_id", "backend", "text", "stop_reason", "usage", "cost_usd",
               "latency_ms", "history_id"}


def test_two_models_side_by_side_in_json(isolated_env: Path) -> None:
    run = cli(["compare", PROMPT, "-m", "nova-lite", "-m", "sonnet", "--max-tokens", "8",
               "--backend", "local", "--json"])
    assert run.exit_code == 0, run.stderr
    first, second = run.json()
    assert set(first) == RESULT_KEYS and set(second) == RESULT_KEYS
    assert first["model"] == "amazon.nova-lite-v1:0"
    assert second["model"] == "anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert second["model_id"] == "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    for result in (first, second):
        assert result["text"].strip()
        assert 0 < result["usage"]["output_tokens"] <= 8
        assert isinstance(result["cost_usd"], float)
        assert isinstance(result["latency_ms"], int)
    logged = History(isolated_env / "data").rows()
    assert sorted(r["command"] for r in logged) == ["compare", "compare"]
    assert {r["id"] for r in logged} == {first["history_id"], second["history_id"]}


def test_a_failing_model_shows_its_error_and_the_other_still_answers() -> None:
    args = ["compare", PROMPT, "-m", "nova-lite", "-m", "amazon.no-such-model-v1:0",
            "--max-tokens", "5", "--backend", "local"]
    run = cli([*args, "--json"])
    assert run.exit_code == 5
    good, bad = run.json()
    assert good["text"].strip() and "error" not in good
    assert bad["model"] == "amazon.no-such-model-v1:0"
    assert bad["error"]["code"] == "ValidationException"
    assert bad["error"]["exit_code"] == 5
    piped = cli(args)
    assert piped.exit_code == 5
    sections = piped.stdout.split("\n\n")
    assert sections[0].startswith("== nova-lite (amazon.nova-lite-v1:0) ==\n")
    assert " out tokens · $" in sections[0]
    assert sections[1].startswith("== amazon.no-such-model-v1:0 ==\nError: ")
    assert sections[1].rstrip().endswith("-- failed")


def test_a_model_that_cannot_take_the_request_gets_a_column_error() -> None:
    run = cli(["compare", PROMPT, "-m", "nova-lite", "-m", "canvas", "--max-tokens", "5",
               "--backend", "local", "--json"])
    assert run.exit_code == 2
    good, bad = run.json()
    assert good["text"]
    assert "makes images, not text" in bad["error"]["message"]


@pytest.mark.parametrize("models", [[], ["nova-lite"], ["nova-lite", "no-such-alias"]])
def test_usage_errors_stop_before_any_call(models: list[str], isolated_env: Path) -> None:
    args = [arg for name in models for arg in ("-m", name)]
    run = cli(["compare", PROMPT, *args, "--backend", "local"])
    assert run.exit_code == 2
    assert run.stdout == ""
    assert not (isolated_env / "data" / "history.db").exists()


def test_the_same_request_goes_to_each_model(endpoint: FakeEndpoint) -> None:
    for _ in range(2):
        endpoint.add_json({
            "output": {"message": {"role": "assistant", "content": [{"text": "Hi."}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 4, "outputTokens": 2, "totalTokens": 6},
            "metrics": {"latencyMs": 40}})
    run = cli(["--backend", "aws", "--endpoint-url", endpoint.url, "compare", "Say hi",
               "-m", "nova-micro", "-m", "nova-pro",
               "-s", "Be brief", "--temperature", "0.1", "--json"])
    assert run.exit_code == 0, run.stderr
    paths = sorted(r.path for r in endpoint.requests)
    assert paths == ["/model/amazon.nova-micro-v1%3A0/converse",
                     "/model/amazon.nova-pro-v1%3A0/converse"]
    bodies = [r.json() for r in endpoint.requests]
    for body in bodies:
        assert body["messages"] == [{"role": "user", "content": [{"text": "Say hi"}]}]
        assert body["system"] == [{"text": "Be brief"}]
        assert body["inferenceConfig"] == {"temperature": 0.1}
        assert body["requestMetadata"] == {"task": "compare"}
    assert [r["latency_ms"] for r in run.json()] == [40, 40]
