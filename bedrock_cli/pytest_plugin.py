"""pytest plugin (entry point ``pytest11``): the ``local_bedrock`` fixture.

A test that asks for ``local_bedrock`` gets the offline Bedrock emulator on a free loopback
port for its duration, and an environment in which a plain ``boto3.client("bedrock-runtime")``
(or ``"bedrock"``) talks to it: ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``, ``AWS_ENDPOINT_URL_BEDROCK``,
dummy keys and a region are set, and ``AWS_BEARER_TOKEN_BEDROCK``, ``AWS_PROFILE`` and
``AWS_SESSION_TOKEN`` are removed (all restored afterwards)::

    def test_my_summary(local_bedrock):
        local_bedrock.fault("throttle=2")          # the next call is throttled twice
        local_bedrock.respond(user="Summarize", text="A short summary.")
        assert my_code.summarize("...") == "A short summary."   # boto3.client("bedrock-runtime")
        assert local_bedrock.requests[-1].status == 200
        assert local_bedrock.requests[-1].json()["messages"][0]["role"] == "user"

``respond`` declares answers, ``replay``/``record`` use cassettes (docs/testing.md).

This module is imported into every pytest session of everyone who installs bedrock-cli, so it
imports nothing at import time beyond pytest itself; the server is imported when the fixture
is first used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from bedrock_cli.local.declared import Rule
    from bedrock_cli.local.faults import FaultInjector, FaultOptions, FaultSpec
    from bedrock_cli.local.router import Emulator, EmulatorOptions
    from bedrock_cli.local.server import Exchange, ServerThread

REGION = "us-east-1"
_REMOVED = ("AWS_BEARER_TOKEN_BEDROCK", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
            "AWS_SESSION_TOKEN", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
_REPLACED = (*_REMOVED, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION",
             "AWS_DEFAULT_REGION")
DUMMY_KEY_ID = "testing"
DUMMY_SECRET = "testing"


class LocalBedrock:
    """The running endpoint, as the ``local_bedrock`` fixture yields it."""

    def __init__(self, thread: ServerThread) -> None:
        self._thread = thread
        self.endpoint_url: str = thread.url
        self.region = REGION
        #: every request received, in the order they were answered
        self.requests: list[Exchange] = []
        #: the AWS variables as they were before the fixture replaced them (for ``record``)
        self.real_env: dict[str, str | None] = {}

    @property
    def emulator(self) -> Emulator:
        return self._thread.emulator

    @property
    def options(self) -> EmulatorOptions:
        """The emulator's options (``latency_ms``, ``stream_delay_ms``…), live."""
        return self._thread.emulator.options

    @property
    def faults(self) -> FaultOptions:
        """The random-fault options (``throttle_rate``…), live."""
        return self._injector.options

    @property
    def _injector(self) -> FaultInjector:
        return self._thread.server.faults

    def respond(self, **rule: Any) -> Rule:
        """Declare an answer, matched before the engines, in the order declared:
        ``respond(user="weather", text="Sunny.")``, ``respond(model="anthropic.*",
        tool_use={"name": "get_weather", "input": {"city": "Paris"}})``,
        ``respond(answers=[{"error": "ThrottlingException"}, {"text": "ok"}])``… (the keys of
        a responses file, docs/testing.md). Returns the rule (``.calls`` counts its answers)."""
        from bedrock_cli.testing import respond

        return respond(self.emulator, **rule)

    def replay(self, path: str | Path, match: Sequence[str] = ("operation", "model", "body"),
               ignore: Sequence[str] = ()) -> Any:
        """Answer every request from a cassette (``serve --replay``)."""
        from bedrock_cli.testing import replay

        return replay(self.emulator, path, match, ignore)

    def record(self, path: str | Path, upstream: str = "aws") -> Any:
        """Forward every request to ``upstream`` (``aws``: your credentials, or a URL) and
        append it to a cassette (``serve --record``)."""
        from bedrock_cli.testing import record

        return record(self.emulator, path, upstream, real_env=self.real_env)

    def fault(self, spec: str) -> FaultSpec:
        """Inject faults into the next call (and its retries), in the grammar of the
        ``x-bedrock-cli-fault`` header: ``"throttle=2"``, ``"cut-after=3"``,
        ``"error=ModelTimeoutException"``, ``"stream-exception=throttlingException@2"``…
        Calls queue: each ``fault()`` applies to one more call."""
        return self._injector.queue(spec)

    def set_faults(self, **rates: Any) -> None:
        """Random faults for every request: ``throttle_rate``, ``error_rate``,
        ``stream_cut_rate``, ``seed``."""
        from bedrock_cli.local.faults import FaultOptions

        self._injector.configure(FaultOptions(**rates))

    def reset(self) -> None:
        """Forget received requests, declared answers and queued faults."""
        from bedrock_cli.local.declared import install

        self.requests.clear()
        self._injector.clear()
        install(self.emulator).clear()

    def client(self, service: str = "bedrock-runtime", **kwargs: Any) -> Any:
        """A boto3 client for the endpoint (the environment already points boto3 here)."""
        import boto3

        return boto3.client(service, region_name=self.region, endpoint_url=self.endpoint_url,
                            **kwargs)


def start_local_bedrock(
    options: EmulatorOptions | None = None, **config: Any
) -> tuple[LocalBedrock, ServerThread]:
    """Start an endpoint on a free loopback port (used by the fixture; handy in scripts)."""
    import os

    from bedrock_cli.local.declared import ENV, install
    from bedrock_cli.local.router import Emulator, EmulatorOptions
    from bedrock_cli.local.server import ServerConfig, ServerThread

    settings: dict[str, Any] = {"host": "127.0.0.1", "port": 0, "idle_timeout": 5.0,
                                "header_timeout": 5.0, "shutdown_grace": 1.0, **config}
    holder: list[LocalBedrock] = []
    settings.setdefault("record", lambda exchange: holder[0].requests.append(exchange))
    emulator = Emulator(options or EmulatorOptions())
    install(emulator, os.environ.get(ENV) or None)  # BEDROCK_CLI_LOCAL_RESPONSES
    thread = ServerThread(emulator, ServerConfig(**settings))
    local = LocalBedrock(thread)
    holder.append(local)
    thread.start()
    return local, thread


@pytest.fixture
def local_bedrock(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalBedrock]:
    """The offline Bedrock on a loopback port, with the environment pointing boto3 at it."""
    import os
    import sys

    local, thread = start_local_bedrock()
    local.real_env = {name: os.environ.get(name) for name in _REPLACED}
    boto3 = sys.modules.get("boto3")
    if boto3 is not None:  # a default session made earlier would keep its old credentials
        monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    for name in _REMOVED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", local.endpoint_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", local.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    try:
        yield local
    finally:
        thread.stop(grace=1.0)
