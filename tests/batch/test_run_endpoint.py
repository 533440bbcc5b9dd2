"""`batch run` against the emulator over a real socket: latency, throttling, exactly once."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from bedrock_cli.batch import runner as runner_module
from bedrock_cli.local.router import Emulator, Request, Response
from bedrock_cli.pytest_plugin import LocalBedrock
from tests.batch.conftest import aws_args, read_lines, write_prompts
from tests.helpers import cli


def canned(request: Request, _emulator: Emulator) -> Response | None:
    """A fixed Converse answer: keeps the emulator's CPU out of a timing test."""
    if request.operation != "Converse":
        return None
    prompt = json.loads(request.body)["messages"][0]["content"][0]["text"]
    return Response.json({
        "output": {"message": {"role": "assistant", "content": [{"text": f"re: {prompt}"}]}},
        "stopReason": "end_turn", "usage": {"inputTokens": 7, "outputTokens": 3,
                                            "totalTokens": 10}, "metrics": {"latencyMs": 100}})


def test_400_prompts_at_100_ms_and_concurrency_40_take_about_a_second(
        tmp_path: Path, endpoint: LocalBedrock) -> None:
    endpoint.emulator.interceptors.insert(0, canned)
    endpoint.options.latency_ms = 100
    inp = write_prompts(tmp_path / "in.jsonl", 400)
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    run = cli([*aws_args(endpoint), "batch", "run", str(inp), "-o", str(out), "-c", "40"])
    elapsed = time.monotonic() - started
    assert run.exit_code == 0, run.stderr
    lines = read_lines(out)
    assert len(lines) == 400 and {line["text"][:4] for line in lines} == {"re: "}
    assert elapsed < 5.0  # ideal 400 * 0.1 / 40 = 1 s; measured figures are in docs/benchmarks


def test_under_30_percent_throttling_every_record_succeeds_exactly_once(
        tmp_path: Path, endpoint: LocalBedrock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner_module, "BACKOFF_BASE", 0.01)
    endpoint.emulator.interceptors.append(canned)  # after the fault injector
    endpoint.set_faults(throttle_rate=0.3, seed=11)
    inp = write_prompts(tmp_path / "in.jsonl", 200)
    out = tmp_path / "out.jsonl"
    run = cli([*aws_args(endpoint), "--max-attempts", "1", "batch", "run", str(inp),
               "-o", str(out), "-c", "20", "--retries", "20"])
    assert run.exit_code == 0, run.stderr
    lines = read_lines(out)
    ids = Counter(line["id"] for line in lines)
    assert set(ids) == {f"r{i}" for i in range(200)} and set(ids.values()) == {1}
    assert not any("error" in line for line in lines)
    statuses = Counter(exchange.status for exchange in endpoint.requests)
    assert statuses[200] == 200 and statuses[429] > 20  # each record answered once
    assert "0 failed" in run.stderr and "retries" in run.stderr


def test_throttling_that_never_ends_exits_4_with_error_lines(
        tmp_path: Path, endpoint: LocalBedrock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner_module, "BACKOFF_BASE", 0.001)
    endpoint.set_faults(throttle_rate=1.0, seed=1)
    inp = write_prompts(tmp_path / "in.jsonl", 4)
    out = tmp_path / "out.jsonl"
    run = cli([*aws_args(endpoint), "--max-attempts", "1", "batch", "run", str(inp),
               "-o", str(out), "--retries", "2"])
    assert run.exit_code == 4
    assert {line["error"]["code"] for line in read_lines(out)} == {"ThrottlingException"}
    assert "4 of 4 records failed" in run.stderr
