"""A real `batch run` process killed with SIGKILL three times, then resumed; and Ctrl-C."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bedrock_cli.pytest_plugin import LocalBedrock
from tests.batch.conftest import aws_args, read_lines, write_prompts
from tests.batch.test_run_endpoint import canned

N = 300


def start(endpoint: LocalBedrock, inp: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bedrock_cli", *aws_args(endpoint), "batch", "run", str(inp),
         "-o", str(out), "-c", "8", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ),
    )


def count(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def wait_for_lines(proc: subprocess.Popen[bytes], out: Path, at_least: int,
                   limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while count(out) < at_least and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)


def test_three_kill_9s_and_a_resume_give_every_record_exactly_once(
        tmp_path: Path, endpoint: LocalBedrock) -> None:
    endpoint.emulator.interceptors.insert(0, canned)
    endpoint.options.latency_ms = 30
    inp = write_prompts(tmp_path / "in.jsonl", N)
    out = tmp_path / "out.jsonl"
    rng = random.Random(2024)
    for _ in range(3):
        before = count(out)
        proc = start(endpoint, inp, out)
        wait_for_lines(proc, out, before + rng.randint(1, 40))
        time.sleep(rng.uniform(0, 0.05))
        assert proc.poll() is None, "the run ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert count(out) < N
    final = start(endpoint, inp, out)
    _stdout, stderr = final.communicate(timeout=60)
    assert final.returncode == 0, stderr.decode()
    ids = Counter(line["id"] for line in read_lines(out))
    assert set(ids) == {f"r{i}" for i in range(N)}
    assert set(ids.values()) == {1}
    assert out.read_bytes().endswith(b"\n")


def test_ctrl_c_stops_cleanly_with_130_and_the_rest_runs_on_resume(
        tmp_path: Path, endpoint: LocalBedrock) -> None:
    endpoint.emulator.interceptors.insert(0, canned)
    endpoint.options.latency_ms = 150
    inp = write_prompts(tmp_path / "in.jsonl", 200)
    out = tmp_path / "out.jsonl"
    proc = start(endpoint, inp, out)
    wait_for_lines(proc, out, 10)
    proc.send_signal(signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=20)
    text = stderr.decode()
    assert proc.returncode == 130, text
    assert "Interrupted" in text and "not run" in text and "Traceback" not in text
    partial = read_lines(out)  # every line whole
    assert 10 <= len(partial) < 200
    endpoint.options.latency_ms = 0
    final = start(endpoint, inp, out)
    assert final.wait(60) == 0
    ids = Counter(line["id"] for line in read_lines(out))
    assert len(ids) == 200 and set(ids.values()) == {1}
