"""Faults end to end as a user meets them: `bedrock-cli serve` with its fault options in one
process, the CLI in others (no BEDROCK_CLI_RAISE_INTERNAL: what a user would see)."""

from __future__ import annotations

import json
import re
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.batch.conftest import write_prompts
from tests.reliability.conftest import run_cli_process
from tests.serve.test_command import Served

pytestmark = pytest.mark.slow


@pytest.fixture
def started() -> Iterator[list[Served]]:
    running: list[Served] = []
    yield running
    for served in running:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.communicate()


def serve(started: list[Served], *options: str) -> Served:
    served = Served("--port", "0", *options)
    started.append(served)
    return served


def env_for(served: Served, home: Path) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": served.url, "AWS_ENDPOINT_URL_BEDROCK":
            served.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1", "BEDROCK_CLI_BACKEND": "aws",
            "BEDROCK_CLI_HOME": str(home / "data")}


def request_log(served: Served) -> list[int]:
    """Statuses of the requests the server logged, in order (after it stopped)."""
    code, _out, err = served.stop(signal.SIGTERM)
    assert code == 0
    return [int(m.group(1)) for m in re.finditer(r"^POST \S+ (\d{3}) ", err, re.M)]


def clean(stderr: bytes, exit_code: int, got: int) -> list[str]:
    text = stderr.decode()
    assert got == exit_code, text
    assert "Traceback" not in text and "Internal error" not in text
    lines = text.strip().splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("Error: "), text
    return lines


def history(home: Path) -> list[dict[str, object]]:
    from bedrock_cli.history import History

    store = History(home / "data")
    try:
        return store.rows(limit=None, oldest_first=True)
    finally:
        store.close()


def test_a_throttling_storm(started: list[Served], isolated_env: Path) -> None:
    served = serve(started, "--throttle-rate", "1", "--seed", "1")
    proc = run_cli_process(["generate", "hi", "--no-stream", "--max-attempts", "2"],
                           env=env_for(served, isolated_env))
    lines = clean(proc.stderr, 4, proc.returncode)
    assert lines[0].startswith("Error: Bedrock throttled the request after 2 attempts")
    assert proc.stdout == b""
    assert request_log(served) == [429, 429]
    assert [r["status"] for r in history(isolated_env)] == ["error"]


def test_a_burst_of_server_errors(started: list[Served], isolated_env: Path) -> None:
    served = serve(started, "--error-rate", "1", "--seed", "2")
    proc = run_cli_process(["generate", "hi", "--no-stream"], env=env_for(served, isolated_env))
    lines = clean(proc.stderr, 5, proc.returncode)
    assert lines[0].startswith("Error: Bedrock had a server error")
    statuses = request_log(served)
    assert len(statuses) == 3 and set(statuses) <= {500, 503}


def test_every_stream_cut(started: list[Served], isolated_env: Path) -> None:
    served = serve(started, "--stream-cut-rate", "1", "--seed", "3", "--stream-delay-ms", "5")
    proc = run_cli_process(["generate", "Tell me about the sea.", "--max-tokens", "60"],
                           env=env_for(served, isolated_env))
    lines = clean(proc.stderr, 5, proc.returncode)
    assert lines[0] == "Error: The connection broke off: Response ended prematurely"
    [row] = history(isolated_env)
    assert row["status"] == "partial"
    assert proc.stdout.decode() == f"{row['response']}\n"
    assert request_log(served) == [200]  # one request, cut, never retried


def test_batch_run_against_a_flaky_serve(started: list[Served], isolated_env: Path,
                                         tmp_path: Path) -> None:
    served = serve(started, "--throttle-rate", "0.2", "--error-rate", "0.1", "--seed", "4",
                   "--quiet")
    inp = write_prompts(tmp_path / "in.jsonl", 40)
    out = tmp_path / "out.jsonl"
    proc = run_cli_process(["batch", "run", str(inp), "-o", str(out), "-c", "8",
                            "--max-attempts", "1"], env=env_for(served, isolated_env),
                           timeout=90)
    assert proc.returncode == 0, proc.stderr.decode()
    ids = Counter(json.loads(line)["id"] for line in out.read_text().splitlines())
    assert set(ids) == {f"r{i}" for i in range(40)} and set(ids.values()) == {1}
    assert "0 failed" in proc.stderr.decode()
