"""The Recorder around every call, and the pooled clients concurrency is handed up front."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from bedrock_cli.cli.options import make_context
from bedrock_cli.context import AppContext
from bedrock_cli.history import CallRecord
from bedrock_cli.recorder import CallLog
from bedrock_cli.runtime import Runtime
from bedrock_cli.types import TextRequest


@pytest.fixture
def app() -> Iterator[AppContext]:
    context = make_context({"backend": "local"})
    context.output.stderr = io.StringIO()
    yield context
    context.close()


class BrokenHistory:
    def record(self, record: CallRecord) -> str:
        raise OSError("disk full")


def test_a_failed_history_write_warns_and_returns_no_id(app: AppContext) -> None:
    recorder = app.recorder
    recorder._history = BrokenHistory  # type: ignore[assignment]
    assert recorder.log(CallRecord(command="generate", status="complete")) is None
    assert "could not write history (disk full); the call is not logged." in \
        app.output.stderr.getvalue()  # type: ignore[attr-defined]


def test_a_text_call_is_logged_priced_and_metered_once(app: AppContext) -> None:
    request = TextRequest("amazon.nova-lite-v1:0",
                          [{"role": "user", "content": [{"text": "Say hi"}]}], max_tokens=8)
    outcome = app.recorder.text(app.runtime, request, app.catalog.find("nova-lite"),
                                CallLog("generate", "amazon.nova-lite-v1:0", "Say hi"),
                                stream=True)
    assert outcome.history_id is not None and outcome.cost_usd is not None
    assert app.history is not None
    row = app.history.get(outcome.history_id)
    assert row is not None and row["response"] == outcome.result.text
    metered = app.meter.take()
    assert len(metered) == 1 and metered[0].cost_usd == outcome.cost_usd


def test_pooled_clients_share_the_session_region_and_emulator(app: AppContext) -> None:
    clients = app.clients
    assert clients.pooled(4) is clients  # the default pool (10) already holds four
    wide = clients.pooled(40)
    assert wide is not clients
    assert wide.session is clients.session and wide.region == clients.region
    assert wide.emulator is clients.emulator
    assert wide.runtime.meta.config.max_pool_connections == 40
    assert clients.runtime.meta.config.max_pool_connections == 10


def test_runtime_has_no_untyped_call() -> None:
    assert not hasattr(Runtime, "call")
