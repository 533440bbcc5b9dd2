"""Fixtures: real boto3 clients answered in-process by the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from bedrock_cli.local import Emulator, EmulatorOptions, attach


def make_client(
    service: str, emulator: Emulator | None = None, region: str = "us-east-1", **config: Any
) -> Any:
    from botocore.config import Config

    client = boto3.client(
        service,
        region_name=region,
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=Config(**config) if config else None,
    )
    attach(client, emulator)
    return client


@pytest.fixture(autouse=True)
def _no_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AWS_BEARER_TOKEN_BEDROCK",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_BEDROCK",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(EmulatorOptions())


@pytest.fixture
def runtime(emulator: Emulator) -> Iterator[Any]:
    yield make_client("bedrock-runtime", emulator)


@pytest.fixture
def control(emulator: Emulator) -> Iterator[Any]:
    yield make_client("bedrock", emulator)
