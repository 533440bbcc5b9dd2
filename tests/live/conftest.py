"""The live suite: real Bedrock, with the caller's own AWS configuration.

Skipped unless ``--run-live`` is given *and* AWS credentials are found (checked once, at
collection, before the root conftest hides the environment from every other test). Models and
region come from the environment, with defaults that are on demand in us-east-1::

    AWS_PROFILE=dev pytest tests/live --run-live
    BEDROCK_CLI_LIVE_REGION=us-west-2 \\
        BEDROCK_CLI_LIVE_MODEL=us.anthropic.claude-3-5-haiku-20241022-v1:0 \\
        pytest tests/live --run-live
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REGION = os.environ.get("BEDROCK_CLI_LIVE_REGION") or os.environ.get("AWS_REGION") \
    or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
TEXT_MODEL = os.environ.get("BEDROCK_CLI_LIVE_MODEL", "us.amazon.nova-lite-v1:0")
TOKENS_MODEL = os.environ.get("BEDROCK_CLI_LIVE_TOKENS_MODEL",
                              "anthropic.claude-3-5-haiku-20241022-v1:0")
IMAGE_MODEL = os.environ.get("BEDROCK_CLI_LIVE_IMAGE_MODEL", "amazon.nova-canvas-v1:0")
EMBED_MODEL = os.environ.get("BEDROCK_CLI_LIVE_EMBED_MODEL", "amazon.titan-embed-text-v2:0")
# The environment as it was before the root conftest's per-test scrubbing.
REAL_ENV = dict(os.environ)


def has_credentials() -> bool:
    try:
        import boto3

        return boto3.Session(region_name=REGION).get_credentials() is not None
    except Exception:  # a broken profile is "no credentials" for the purpose of skipping
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    live = [item for item in items if "live" in item.keywords]
    if not live or not config.getoption("--run-live") or has_credentials():
        return  # without --run-live the root conftest already skips them
    skip = pytest.mark.skip(reason="live AWS test: no AWS credentials found")
    for item in live:
        item.add_marker(skip)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Overrides the root fixture: keep the real AWS configuration, isolate bedrock-cli's own
    data, config and working directory."""
    for key, value in REAL_ENV.items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    for key in list(os.environ):
        if key.startswith("BEDROCK_CLI_") and key not in ("BEDROCK_CLI_CACHE",
                                                          "BEDROCK_CLI_RAISE_INTERNAL"):
            monkeypatch.delenv(key, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("BEDROCK_CLI_HOME", str(home / "data"))
    monkeypatch.setenv("BEDROCK_CLI_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("AWS_REGION", REGION)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield home
