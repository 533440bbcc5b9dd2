"""One fixture, two transports: the emulator answering in-process (botocore ``before-send``)
and the same emulator behind ``bedrock-cli serve``'s HTTP server, reached by plain boto3.

Every contract test runs against both and must see exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.endpoint
import pytest
from botocore.config import Config

from bedrock_cli.local import Emulator, EmulatorOptions, attach, faults
from bedrock_cli.local.server import ServerConfig, ServerThread

REGION = "us-east-1"


class RecordingSleep:
    """Stands in for botocore's retry sleeps: records them, returns at once."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def __getattr__(self, name: str) -> Any:
        import time

        return getattr(time, name)


@dataclass
class Target:
    """A Bedrock endpoint under test and boto3 clients talking to it."""

    kind: str  # "in-process" or "serve"
    emulator: Emulator
    endpoint_url: str | None = None
    fault_header: str | None = None  # sent as x-bedrock-cli-fault while set
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str = "bedrock-runtime", **config: Any) -> Any:
        cfg = Config(retries={"mode": "standard", "total_max_attempts": 3},
                     read_timeout=10, connect_timeout=5, **config)
        kwargs: dict[str, Any] = {"region_name": REGION, "aws_access_key_id": "testing",
                                  "aws_secret_access_key": "testing", "config": cfg}
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        client = boto3.client(service, **kwargs)
        if self.kind == "in-process":
            attach(client, self.emulator)
        client.meta.events.register(f"before-sign.{client.meta.service_model.service_id.hyphenize()}",
                                    self._add_fault_header)
        return client

    def _add_fault_header(self, request: Any, **_: Any) -> None:
        if self.fault_header is not None:
            request.headers[faults.FAULT_HEADER] = self.fault_header

    @property
    def runtime(self) -> Any:
        if "runtime" not in self._clients:
            self._clients["runtime"] = self.client("bedrock-runtime")
        return self._clients["runtime"]

    @property
    def control(self) -> Any:
        if "control" not in self._clients:
            self._clients["control"] = self.client("bedrock")
        return self._clients["control"]


@pytest.fixture
def retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> RecordingSleep:
    fake = RecordingSleep()
    monkeypatch.setattr(botocore.endpoint, "time", fake)
    return fake


@pytest.fixture(params=["in-process", "serve"])
def target(request: pytest.FixtureRequest, retry_sleeps: RecordingSleep) -> Iterator[Target]:
    emulator = Emulator(EmulatorOptions())
    faults.install(emulator)
    if request.param == "in-process":
        yield Target("in-process", emulator)
        return
    config = ServerConfig(port=0, idle_timeout=5, header_timeout=5, shutdown_grace=1)
    with ServerThread(emulator, config) as server:
        yield Target("serve", emulator, endpoint_url=server.url)
