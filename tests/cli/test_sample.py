"""`sample`: N answers tallied (local and over a real socket), and `--exact`."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bedrock_cli.history import History
from tests.fake_endpoint import FakeEndpoint
from tests.helpers import cli

PROMPT = "After the rain, the streets were"


def answer(text: str, out_tokens: int = 1) -> dict[str, object]:
    return {"output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "max_tokens",
            "usage": {"inputTokens": 7, "outputTokens": out_tokens,
                      "totalTokens": 7 + out_tokens},
            "metrics": {"latencyMs": 5}}


def test_next_word_table_sums_to_one(isolated_env: Path) -> None:
    run = cli(["sample", PROMPT, "--max-tokens", "1", "-n", "30", "--backend", "local",
               "--json"])
    assert run.exit_code == 0, run.stderr
    data = run.json()
    rows = data["distribution"]
    assert sum(r["probability"] for r in rows) == pytest.approx(1.0)
    assert sum(r["count"] for r in rows) == 30
    assert all(r["probability"] == pytest.approx(r["count"] / 30) for r in rows)
    assert [r["probability"] for r in rows] == sorted((r["probability"] for r in rows),
                                                      reverse=True)
    assert all(len(r["text"].split()) <= 1 for r in rows)  # one token each
    assert data["distinct"] == len(rows) == len({r["text"] for r in rows})
    entropy = -sum(r["probability"] * math.log2(r["probability"]) for r in rows)
    assert data["entropy"] == pytest.approx(entropy)
    assert (data["n"], data["backend"], data["model"]) == (30, "local", "amazon.nova-lite-v1:0")
    assert data["usage"]["output_tokens"] <= 30
    assert data["usage"]["input_tokens"] == 30 * 7
    assert isinstance(data["cost_usd"], float)
    # one history row for the whole run
    rows_logged = History(isolated_env / "data").rows()
    assert [(r["command"], r["status"]) for r in rows_logged] == [("sample", "complete")]
    assert rows_logged[0]["id"] == data["history_id"]
    assert rows_logged[0]["input_tokens"] == 30 * 7


def test_temperature_zero_collapses_to_one_answer() -> None:
    run = cli(["sample", PROMPT, "-n", "6", "--max-tokens", "4", "--temperature", "0",
               "--backend", "local", "--json"])
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert len(data["distribution"]) == 1
    assert data["distribution"][0]["count"] == 6
    assert data["distribution"][0]["probability"] == 1.0
    assert (data["entropy"], data["distinct"], data["temperature"]) == (0.0, 1, 0.0)


def test_piped_output_is_tab_separated_with_the_summary_on_stderr() -> None:
    run = cli(["sample", PROMPT, "-n", "5", "--max-tokens", "1", "--temperature", "0",
               "--backend", "local"])
    assert run.exit_code == 0, run.stderr
    [line] = run.stdout.splitlines()
    prob, count, text = line.split("\t")
    assert (prob, count) == ("1.0000", "5") and text
    assert "entropy 0.000 bits" in run.stderr
    assert "1 distinct of 5 samples" in run.stderr


def test_exact_table_on_the_local_backend() -> None:
    run = cli(["sample", PROMPT, "--exact", "--rows", "5", "--backend", "local", "--json"])
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["exact"] is True and data["n"] is None
    rows = data["distribution"]
    assert len(rows) == 5 and all(r["count"] is None for r in rows)
    total = sum(r["probability"] for r in rows) + data["other_probability"]
    assert total == pytest.approx(1.0)
    assert rows[0]["text"] == "wet"
    assert data["usage"]["output_tokens"] == 1


def test_exact_human_table_has_an_other_row() -> None:
    run = cli(["sample", PROMPT, "--exact", "--rows", "3", "--backend", "local"])
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 4 and lines[-1].endswith("\t\t(other)")
    assert sum(float(line.split("\t")[0]) for line in lines) == pytest.approx(1.0, abs=2e-4)
    assert "entropy ≥" in run.stderr


def test_exact_fails_cleanly_where_the_table_is_not_returned(endpoint: FakeEndpoint) -> None:
    endpoint.add_json(answer("wet"))
    run = cli(["--backend", "aws", "--endpoint-url", endpoint.url, "sample", PROMPT,
               "--exact"])
    assert run.exit_code == 2
    assert run.stdout == ""
    assert "only available from the local backend" in run.stderr
    assert "--max-tokens 1" in run.stderr  # suggests sampling instead
    [request] = endpoint.requests
    body = request.json()
    assert body["requestMetadata"]["task"] == "next-token-distribution"
    assert body["additionalModelResponseFieldPaths"] == ["/next_token_distribution"]
    assert body["inferenceConfig"]["maxTokens"] == 1


def test_exact_turns_a_rejection_into_the_same_advice(endpoint: FakeEndpoint) -> None:
    endpoint.add_error("ValidationException", "The model returned the following errors: "
                       "bad path", 400)
    run = cli(["--backend", "aws", "--endpoint-url", endpoint.url, "sample", PROMPT,
               "--exact", "--max-attempts", "1"])
    assert run.exit_code == 2
    assert "only available from the local backend" in run.stderr
    assert "bad path" in run.stderr


def test_samples_over_a_socket_are_tallied(endpoint: FakeEndpoint,
                                           isolated_env: Path) -> None:
    for text in ["wet", " wet ", "dry", "wet", "quiet\n  and  still", "quiet and still"]:
        endpoint.add_json(answer(text))
    run = cli(["--backend", "aws", "--endpoint-url", endpoint.url, "sample", PROMPT, "-n",
               "6", "--concurrency", "3", "--json", "-m", "nova-micro"])
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert [(r["text"], r["count"]) for r in data["distribution"]] == [
        ("wet", 3), ("quiet and still", 2), ("dry", 1)]
    assert data["usage"] == {"input_tokens": 42, "output_tokens": 6, "total_tokens": 48}
    assert data["model_id"] == "amazon.nova-micro-v1:0"
    assert len(endpoint.requests) == 6
    body = endpoint.requests[0].json()
    assert body["requestMetadata"] == {"task": "sample"}
    assert body["inferenceConfig"] == {"maxTokens": 20}


def test_a_failed_sample_fails_the_run_and_is_logged(endpoint: FakeEndpoint,
                                                     isolated_env: Path) -> None:
    endpoint.add_error("ThrottlingException", "Too many requests", 429)
    run = cli(["--backend", "aws", "--endpoint-url", endpoint.url, "sample", PROMPT, "-n",
               "1", "--max-attempts", "1"])
    assert run.exit_code == 4
    assert run.stdout == ""
    [row] = History(isolated_env / "data").rows()
    assert (row["command"], row["status"]) == ("sample", "error")


@pytest.mark.parametrize("args", [
    ["-n", "0"], ["--temperature", "2"], ["--concurrency", "0"], ["--max-tokens", "0"],
    ["-m", "canvas"], ["--rows", "0", "--exact"],
])
def test_bad_input_is_a_usage_error(args: list[str]) -> None:
    run = cli(["sample", PROMPT, "--backend", "local", *args])
    assert run.exit_code == 2, run.stderr
    assert run.stdout == ""
    assert run.stderr.startswith("Error: ")


def test_no_prompt_is_a_usage_error() -> None:
    run = cli(["sample", "--backend", "local"])
    assert run.exit_code == 2
    assert "No prompt given" in run.stderr


def test_the_commands_defaults_are_the_tasks() -> None:
    import inspect

    from bedrock_cli.cli.sample import sample
    from bedrock_cli.tasks import sample as task

    params = inspect.signature(sample).parameters
    assert (params["n"].default, params["max_tokens"].default, params["concurrency"].default,
            params["rows"].default) == (task.DEFAULT_N, task.DEFAULT_MAX_TOKENS,
                                        task.DEFAULT_CONCURRENCY, task.EXACT_ROWS)
