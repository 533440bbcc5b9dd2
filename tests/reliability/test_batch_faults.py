"""`batch run` under faults: every input record ends with exactly one output line — a result
or an error — whatever the endpoint does, and the exit code says what happened.

(tests/batch/ covers 30 % throttling alone and throttling that never ends; here the faults are
mixed, some records can never succeed, and answers come back unreadable.)
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bedrock_cli.batch import runner as runner_module
from bedrock_cli.local import errors
from bedrock_cli.local.router import Emulator, Request, Response
from bedrock_cli.pytest_plugin import LocalBedrock
from tests.batch.conftest import aws_args, read_lines, write_prompts
from tests.helpers import cli

N = 120


def poisoned(request: Request, _emulator: Emulator) -> Response | None:
    """Answers Converse fast; a prompt that says POISON is refused as Bedrock refuses a bad
    request (400, final: never retried)."""
    if request.operation != "Converse":
        return None
    prompt = json.loads(request.body)["messages"][0]["content"][0]["text"]
    if "POISON" in prompt:
        return Response.error(errors.validation("The model returned the following errors: "
                                                "Validation Error"))
    return Response.json({
        "output": {"message": {"role": "assistant", "content": [{"text": f"re: {prompt}"}]}},
        "stopReason": "end_turn", "metrics": {"latencyMs": 5},
        "usage": {"inputTokens": 7, "outputTokens": 3, "totalTokens": 10}})


def unreadable_once(request: Request, _emulator: Emulator) -> Response | None:
    """Every third record's first attempt gets a 200 that is not a Converse response."""
    if request.operation != "Converse" or request.attempt != 1:
        return None
    prompt = json.loads(request.body)["messages"][0]["content"][0]["text"]
    number = int(prompt.rsplit(" ", 1)[1].rstrip("."))
    seen = unreadable_once.seen  # type: ignore[attr-defined]
    if number % 3 == 0 and number not in seen:
        seen.add(number)
        return Response(200, {"Content-Type": "application/json"}, b"{\"truncated\": ")
    return None


def write_mixed(path: Path, n: int, poison: set[int]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            prompt = f"POISON {i}." if i in poison else f"Say something about item {i}."
            handle.write(json.dumps({"id": f"r{i}", "prompt": prompt, "max_tokens": 8}) + "\n")
    return path


@pytest.fixture
def fast_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner_module, "BACKOFF_BASE", 0.005)


def accounted(out: Path, n: int) -> tuple[list[dict[str, object]], Counter[str]]:
    lines = read_lines(out)
    ids = Counter(str(line["id"]) for line in lines)
    assert set(ids) == {f"r{i}" for i in range(n)}, "a record is missing"
    assert set(ids.values()) == {1}, "a record was written twice"
    return lines, ids


def test_mixed_faults_and_records_that_can_never_succeed(
        tmp_path: Path, local_bedrock: LocalBedrock, fast_batch: None) -> None:
    local_bedrock.emulator.interceptors.append(poisoned)  # after the fault injector
    local_bedrock.set_faults(throttle_rate=0.25, error_rate=0.15, seed=9)
    poison = {7, 50, 99}
    inp = write_mixed(tmp_path / "in.jsonl", N, poison)
    out = tmp_path / "out.jsonl"
    run = cli([*aws_args(local_bedrock), "--max-attempts", "1", "batch", "run", str(inp),
               "-o", str(out), "-c", "16", "--retries", "30"])
    assert run.exit_code == 5, run.stderr
    assert run.exception is None and "Traceback" not in run.stderr
    lines, _ = accounted(out, N)
    failed = {line["id"] for line in lines if "error" in line}
    assert failed == {f"r{i}" for i in poison}
    assert {line["error"]["code"] for line in lines if "error" in line} == {  # type: ignore[index]
        "ValidationException"}
    statuses = Counter(e.status for e in local_bedrock.requests)
    assert statuses[200] == N - len(poison)
    assert statuses[429] > 10 and statuses[500] + statuses[503] > 5
    # a record refused as invalid was asked once per attempt its fault draws allowed, never
    # retried after its ValidationException
    assert statuses[400] == len(poison)
    assert "3 of 120 records failed" in run.stderr

    # resume: the failed records run again (and fail again); nothing else is called
    local_bedrock.reset()
    local_bedrock.set_faults()
    again = cli([*aws_args(local_bedrock), "batch", "run", str(inp), "-o", str(out)])
    assert again.exit_code == 5
    assert [e.status for e in local_bedrock.requests] == [400] * len(poison)
    accounted(out, N)


def test_unreadable_answers_are_not_retried_and_a_rerun_completes_them(
        tmp_path: Path, local_bedrock: LocalBedrock, fast_batch: None) -> None:
    """A malformed body is not transient: the record fails at once (no retry), and running
    the same command again resumes exactly those records."""
    unreadable_once.seen = set()  # type: ignore[attr-defined]
    local_bedrock.emulator.options.extra["strict"] = False  # the broken answers are the test
    local_bedrock.emulator.interceptors.insert(0, unreadable_once)
    local_bedrock.emulator.interceptors.append(poisoned)
    inp = write_prompts(tmp_path / "in.jsonl", 60)
    out = tmp_path / "out.jsonl"
    args = [*aws_args(local_bedrock), "batch", "run", str(inp), "-o", str(out), "-c", "8"]
    first = cli(args)
    assert first.exit_code == 5, first.stderr
    lines, _ = accounted(out, 60)
    failed = [line for line in lines if "error" in line]
    assert len(failed) == 20
    assert {line["error"]["code"] for line in failed} == {"MalformedResponse"}
    assert Counter(e.status for e in local_bedrock.requests)[200] == 60  # no retry
    again = cli(args)
    assert again.exit_code == 0, again.stderr
    lines, _ = accounted(out, 60)
    assert not any("error" in line for line in lines)
    assert Counter(e.status for e in local_bedrock.requests)[200] == 60 + 20


def test_an_endpoint_that_goes_away_leaves_every_record_accounted_for(
        tmp_path: Path, aws_env: None, fast_batch: None, fast_retries: None) -> None:
    from tests.reliability.faulty import refused_port

    inp = write_prompts(tmp_path / "in.jsonl", 12)
    out = tmp_path / "out.jsonl"
    held, port = refused_port()
    with held:
        run = cli(["--backend", "aws", "--endpoint-url", f"http://127.0.0.1:{port}",
                   "--region", "us-east-1", "--max-attempts", "1", "batch", "run", str(inp),
                   "-o", str(out), "--retries", "2"])
    assert run.exit_code == 5, run.stderr
    assert "Traceback" not in run.stderr
    lines, _ = accounted(out, 12)
    assert all("Could not connect" in line["error"]["message"]  # type: ignore[index]
               for line in lines)
