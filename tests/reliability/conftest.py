"""Shared helpers for the reliability suite (issue 9): the CLI against faulty endpoints,
history read back, and the checks every failure must pass (SPEC §6)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Run, cli
from tests.reliability.faulty import FaultyEndpoint

REPO = Path(__file__).resolve().parents[2]


def aws(url: str, *args: str, input: str | bytes | None = None) -> Run:
    """The CLI in-process on the AWS path (the real boto3 client) against `url`."""
    return cli(["--backend", "aws", "--endpoint-url", url, "--region", "us-east-1", *args],
               input=input)


def assert_clean_failure(run: Run, exit_code: int, needle: str | None = None) -> None:
    """SPEC §6: the right exit code, one or two lines on stderr (what happened, then a hint),
    no traceback, no internal error."""
    assert run.exception is None, repr(run.exception)
    assert run.exit_code == exit_code, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip("\n").splitlines()
    assert 1 <= len(lines) <= 2, run.stderr
    assert lines[0].startswith("Error: "), run.stderr
    assert all(line.startswith("Hint: ") for line in lines[1:]), run.stderr
    assert "Internal error" not in run.stderr
    if needle is not None:
        assert needle in lines[0], run.stderr


def history_rows(home: Path) -> list[dict[str, Any]]:
    from bedrock_cli.history import History

    store = History(home / "data")
    try:
        return store.rows(limit=None, oldest_first=True)
    finally:
        store.close()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIARELIABILITYTEST0")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "reliability-test-secret")
    monkeypatch.setenv("AWS_REGION", "us-east-1")


@pytest.fixture
def faulty(aws_env: None) -> Iterator[FaultyEndpoint]:
    with FaultyEndpoint() as endpoint:
        yield endpoint


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's standard-mode backoff scaled down 100×: the same attempts, retried the same
    way, without seconds of jittered sleep per test."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "_DEFAULT_BACKOFF_CONFIG",
                        {"throttling_base_scale": 0.01, "non_throttling_base_scale": 0.0005})


def run_cli_process(args: Sequence[str], *, env: dict[str, str] | None = None,
                    input: bytes | None = None, timeout: float = 60,
                    cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """`python -m bedrock_cli ARGS` as a user runs it (no BEDROCK_CLI_RAISE_INTERNAL: an
    internal error would be exit 1 with its message, which the tests refuse)."""
    environ = {k: v for k, v in os.environ.items() if k != "BEDROCK_CLI_RAISE_INTERNAL"}
    environ.update({"NO_COLOR": "1", "PYTHONPATH": str(REPO), **(env or {})})
    stdin = subprocess.DEVNULL if input is None else None
    return subprocess.run([sys.executable, "-m", "bedrock_cli", *args], input=input,
                          stdin=stdin, capture_output=True, timeout=timeout, env=environ,
                          cwd=cwd)
