"""Fixtures for the batch tests: prompt files and the emulator behind a real loopback socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bedrock_cli.pytest_plugin import LocalBedrock


def write_prompts(path: Path, n: int, *, start: int = 0, **extra: Any) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(start, start + n):
            record = {"id": f"r{i}", "prompt": f"Say something about item {i}.",
                      "max_tokens": 8, **extra}
            handle.write(json.dumps(record) + "\n")
    return path


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def endpoint(local_bedrock: LocalBedrock) -> Iterator[LocalBedrock]:
    """The offline Bedrock over HTTP on loopback (boto3 env already points at it)."""
    yield local_bedrock


def aws_args(endpoint: LocalBedrock) -> list[str]:
    return ["--backend", "aws", "--endpoint-url", endpoint.endpoint_url, "--region", "us-east-1"]
