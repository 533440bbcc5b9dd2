"""Shared test helpers: running the CLI in-process with stdout and stderr kept apart."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from typer.testing import CliRunner

from bedrock_cli.cli.app import build_app

if TYPE_CHECKING:
    from tests.fake_endpoint import FakeEndpoint


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def json(self) -> Any:
        return json.loads(self.stdout)


def cli(args: Sequence[str], *, input: str | bytes | None = None,
        env: dict[str, str] | None = None) -> Run:
    runner = CliRunner()
    result = runner.invoke(build_app(), list(args), input=input, env=env,
                           catch_exceptions=True)
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return Run(result.exit_code, result.stdout, result.stderr, exception)


def aws(endpoint: FakeEndpoint, *args: str, input: str | None = None) -> Run:
    """The CLI on the AWS path, against a scripted endpoint."""
    return cli(["--backend", "aws", "--endpoint-url", endpoint.url, *args], input=input)
