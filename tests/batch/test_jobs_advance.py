"""Offline batch jobs advance with time, whichever command looks (issue 13.7): real
`bedrock-cli` processes, each ending with its command, never a `batch wait`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bedrock_cli.local import Emulator, EmulatorOptions
from bedrock_cli.local.batch_exec import JobStore, now_iso
from bedrock_cli.local.batch_runner import ensure_running
from tests.batch.conftest import write_prompts
from tests.batch.test_emulator_jobs import MODEL, ROLE, converse_record, write_input

LOCAL = ["--backend", "local"]
pytestmark = pytest.mark.slow


def bedrock_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bedrock_cli", *LOCAL, *args],
                          capture_output=True, text=True, env=dict(os.environ), timeout=60)


def poll(command: list[str], pick: Any, wanted: set[str], limit: float = 60.0) -> list[str]:
    """Run `command` (a fresh process each time) until `pick(stdout)` is in `wanted`."""
    seen: list[str] = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        run = bedrock_cli(*command)
        assert run.returncode == 0, run.stderr
        seen.append(pick(run.stdout))
        if seen[-1] in wanted:
            return seen
        time.sleep(0.3)
    raise AssertionError(f"still {seen[-1]!r} after {limit} s: {seen}")


def test_submit_then_status_alone_sees_the_job_complete(tmp_path: Path) -> None:
    inp = write_prompts(tmp_path / "p.jsonl", 100)
    started = time.monotonic()
    sub = bedrock_cli("-q", "batch", "submit", str(inp), "--input-s3", f"file://{tmp_path}/in/",
                      "--output-s3", f"file://{tmp_path}/out/", "--role-arn", ROLE)
    assert sub.returncode == 0, sub.stderr
    assert time.monotonic() - started < 30  # submit does not wait for its job
    job = sub.stdout.strip()
    seen = poll(["batch", "status", job, "--json"], lambda out: json.loads(out)["status"],
                {"Completed", "PartiallyCompleted", "Failed"})
    assert seen[-1] == "Completed", seen
    assert sorted(p.name for p in (tmp_path / "out" / job).iterdir()) == [
        "manifest.json.out", "p.jsonl.out"]


def test_a_stopped_job_nobody_runs_ends_stopped_when_list_looks(tmp_path: Path) -> None:
    """A job left InProgress with a stop request by a process that died (the case of a
    `batch stop` whose job had no runner): `batch list` alone brings it to Stopped."""
    write_input(tmp_path / "in", [converse_record(i) for i in range(3)])
    store = JobStore(Path(os.environ["BEDROCK_CLI_HOME"]) / "local-batch-jobs")
    job_id = "stopme000001"
    store.save({
        "jobArn": f"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/{job_id}",
        "jobId": job_id, "jobName": "stop-me", "modelId": MODEL, "roleArn": ROLE,
        "status": "InProgress", "submitTime": now_iso(), "modelInvocationType": "Converse",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": f"file://{tmp_path}/in/"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": f"file://{tmp_path}/out/"}},
        "timeoutDurationInHours": 24, "region": "us-east-1", "account": "123456789012",
        "totalRecordCount": 3, "processedRecordCount": 0,
    })
    store.stop_marker(job_id).touch()

    def status(out: str) -> str:
        line = next(line for line in out.splitlines() if line.startswith(job_id))
        return line.split()[2]

    seen = poll(["batch", "list"], status, {"Stopped"})
    assert seen[-1] == "Stopped"
    assert (tmp_path / "out" / job_id / "manifest.json.out").is_file()


def test_a_runner_bug_fails_the_job_with_its_cause(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A job whose runner crashes ends Failed with the cause, instead of being retried by
    every look for ever."""
    from bedrock_cli.local import batch_exec

    def broken(self: Any, *args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(batch_exec.JobRun, "_validate", broken)
    store = JobStore(tmp_path / "state")
    store.save({"jobId": "brokenjob001", "status": "Submitted"})
    emulator = Emulator(EmulatorOptions(extra={"state_dir": str(store.root)}))
    ensure_running(emulator, store, {"jobId": "brokenjob001", "status": "Submitted"})
    deadline = time.monotonic() + 10
    while (store.load("brokenjob001") or {}).get("status") != "Failed":
        assert time.monotonic() < deadline, store.load("brokenjob001")
        time.sleep(0.02)
    job = store.load("brokenjob001") or {}
    assert job["message"] == "The emulator's batch runner failed: RuntimeError: boom"
