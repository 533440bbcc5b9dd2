"""`batch run` against a scripted endpoint (issue 13.16): a malformed body is not retried, the
summary's `retries` counts every attempt the endpoint saw (botocore's own too), and a run
where every call is throttled gives up within a bounded time, leaving the rest to a re-run."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from bedrock_cli.batch import runner as runner_module
from tests.batch.conftest import read_lines, write_prompts
from tests.fake_endpoint import FakeEndpoint, Scripted, Seen
from tests.helpers import Run, cli

OK_BODY = json.dumps({
    "output": {"message": {"role": "assistant", "content": [{"text": "hi"}]}},
    "stopReason": "end_turn", "usage": {"inputTokens": 3, "outputTokens": 1, "totalTokens": 4},
    "metrics": {"latencyMs": 5}}).encode()


def ok() -> Scripted:
    return Scripted(200, OK_BODY)


def error(status: int, code: str) -> Scripted:
    return Scripted(status, json.dumps({"message": code}).encode(),
                    {"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/"})


@pytest.fixture
def endpoint(fake_endpoint: FakeEndpoint) -> FakeEndpoint:
    return fake_endpoint  # not the emulator tests/batch gives by default


def batch(endpoint: FakeEndpoint, inp: Path, out: Path, *extra: str) -> Run:
    return cli(["--backend", "aws", "--endpoint-url", endpoint.url, *extra[:2], "batch", "run",
                str(inp), "-o", str(out), "--json", *extra[2:]])


def summary(run: Run) -> dict[str, object]:
    return dict(json.loads(run.stdout.splitlines()[-1]))


def test_a_malformed_body_is_not_retried(endpoint: FakeEndpoint, tmp_path: Path) -> None:
    endpoint.responder = lambda _seen, _n: Scripted(200, b"{not json at all")
    inp, out = write_prompts(tmp_path / "in.jsonl", 3), tmp_path / "out.jsonl"
    started = time.monotonic()
    run = batch(endpoint, inp, out)
    assert time.monotonic() - started < 10  # it took 40 s of re-queues and backoff before
    assert run.exit_code == 5
    assert len(endpoint.requests) == 3
    assert [line["error"]["code"] for line in read_lines(out)] == ["MalformedResponse"] * 3
    assert summary(run)["retries"] == 0


def test_retries_count_every_attempt_the_endpoint_saw(endpoint: FakeEndpoint,
                                                      tmp_path: Path) -> None:
    def two_503s_then_ok(_seen: Seen, number: int) -> Scripted:  # one call at a time (-c 1)
        return ok() if number % 3 == 0 else error(503, "ServiceUnavailableException")

    endpoint.responder = two_503s_then_ok
    inp, out = write_prompts(tmp_path / "in.jsonl", 4), tmp_path / "out.jsonl"
    run = batch(endpoint, inp, out, "--max-attempts", "3", "-c", "1")
    assert run.exit_code == 0, run.stderr
    assert len(endpoint.requests) == 12
    result = summary(run)
    assert (result["succeeded"], result["retries"], result["sdk_retries"]) == (4, 8, 8)
    assert "8 retries" in run.stderr


def test_botocore_retries_and_requeues_add_up(endpoint: FakeEndpoint, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner_module, "BACKOFF_BASE", 0.01)
    answers = Counter[str]()

    def throttle_twice_per_record(seen: Seen, _n: int) -> Scripted:
        prompt = seen.json()["messages"][0]["content"][0]["text"]
        answers[prompt] += 1
        return ok() if answers[prompt] > 2 else error(429, "ThrottlingException")

    endpoint.responder = throttle_twice_per_record
    inp, out = write_prompts(tmp_path / "in.jsonl", 5), tmp_path / "out.jsonl"
    # one botocore attempt per call: the second throttle of each record is a run re-queue
    run = batch(endpoint, inp, out, "--max-attempts", "1", "-c", "2")
    assert run.exit_code == 0, run.stderr
    assert summary(run)["retries"] == len(endpoint.requests) - 5 == 10


def test_constant_throttling_gives_up_in_bounded_time_and_a_rerun_resumes(
        endpoint: FakeEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner_module, "BACKOFF_BASE", 0.01)
    monkeypatch.setattr(runner_module, "GIVE_UP_AFTER", 1.0)
    endpoint.responder = lambda _seen, _n: error(429, "ThrottlingException")
    inp, out = write_prompts(tmp_path / "in.jsonl", 30), tmp_path / "out.jsonl"
    started = time.monotonic()
    run = batch(endpoint, inp, out, "--max-attempts", "1", "--retries", "100")
    elapsed = time.monotonic() - started
    assert run.exit_code == 4
    assert elapsed < 6, elapsed
    result = summary(run)
    assert str(result["gave_up"]).startswith("every call for 1 s was throttled")
    assert result["unfinished"] == 30 and result["failed"] == 0
    assert out.read_text() == ""  # nothing written for records not finished: a re-run resumes
    message = json.loads(run.stderr.strip().splitlines()[-1])["error"]
    assert message["message"].startswith("Gave up: every call for 1 s was throttled")
    assert "30 of 30 records not run" in message["message"]
    assert message["hint"].startswith("Run the same command again later to resume")

    endpoint.responder = lambda _seen, _n: ok()
    again = batch(endpoint, inp, out, "--max-attempts", "1")
    assert again.exit_code == 0, again.stderr
    ids = Counter(line["id"] for line in read_lines(out))
    assert set(ids) == {f"r{i}" for i in range(30)} and set(ids.values()) == {1}


def test_one_success_keeps_a_slow_throttled_run_going(endpoint: FakeEndpoint, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Throttling with progress is not given up on: only nothing-but-throttling is."""
    monkeypatch.setattr(runner_module, "BACKOFF_BASE", 0.01)
    monkeypatch.setattr(runner_module, "GIVE_UP_AFTER", 0.3)

    def mostly_throttled(_seen: Seen, number: int) -> Scripted:
        time.sleep(0.02)
        return ok() if number % 4 == 0 else error(429, "ThrottlingException")

    endpoint.responder = mostly_throttled
    inp, out = write_prompts(tmp_path / "in.jsonl", 5), tmp_path / "out.jsonl"
    run = batch(endpoint, inp, out, "--max-attempts", "1", "-c", "1", "--retries", "100")
    assert run.exit_code == 0, run.stderr
    assert summary(run)["gave_up"] is None and len(read_lines(out)) == 5
