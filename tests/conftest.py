"""Test isolation: no real AWS configuration, credentials or user data can leak into a test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_endpoint import FakeEndpoint

# Built once per machine and shared by xdist workers (the engine writes its cache atomically).
os.environ.setdefault(
    "BEDROCK_CLI_CACHE", str(Path(tempfile.gettempdir()) / f"bedrock-cli-test-cache-{os.getuid()}")
)
os.environ["BEDROCK_CLI_RAISE_INTERNAL"] = "1"  # a bug in a test run is a traceback, not exit 1
# every emulator answer in every test is held to botocore's service model (wire_check.strict)
os.environ["BEDROCK_CLI_LOCAL_STRICT"] = "1"

_SCRUB_PREFIXES = ("AWS_", "BEDROCK_CLI_")
_KEEP = {"BEDROCK_CLI_CACHE", "BEDROCK_CLI_RAISE_INTERNAL", "BEDROCK_CLI_LOCAL_STRICT"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-live", action="store_true", help="run tests that call real AWS")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-live"):
        return
    skip = pytest.mark.skip(reason="live AWS test: pass --run-live to run it")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Every test gets an empty AWS config, its own data dir and config file, and a clean cwd."""
    for key in list(os.environ):
        if key.startswith(_SCRUB_PREFIXES) and key not in _KEEP:
            monkeypatch.delenv(key, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("BEDROCK_CLI_HOME", str(home / "data"))
    monkeypatch.setenv("BEDROCK_CLI_CONFIG", str(home / "config.toml"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield home


@pytest.fixture
def fake_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEndpoint]:
    """A scripted Bedrock endpoint on loopback, with test credentials and region for boto3."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    with FakeEndpoint() as fake:
        yield fake


@pytest.fixture
def endpoint(fake_endpoint: FakeEndpoint) -> FakeEndpoint:
    """The endpoint the AWS-path tests call (tests/batch swaps in the emulator over HTTP)."""
    return fake_endpoint
