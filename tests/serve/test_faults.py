"""The fault grammar and the injector, in-process (no socket)."""

from __future__ import annotations

from typing import Any

import pytest

from bedrock_cli.local import Emulator, EmulatorOptions, Request, eventstream
from bedrock_cli.local.faults import (
    ALWAYS,
    FAULT_HEADER,
    FaultInjector,
    FaultOptions,
    FaultSpec,
    FaultSyntaxError,
    install,
    is_cut,
    parse,
)

CONVERSE = "/model/us.amazon.nova-lite-v1%3A0/converse"
BODY = b'{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":4}}'


@pytest.mark.parametrize(("text", "spec"), [
    ("", FaultSpec()),
    ("throttle", FaultSpec(error="ThrottlingException", error_attempts=ALWAYS)),
    ("throttle=2", FaultSpec(error="ThrottlingException", error_attempts=2)),
    ("error=500", FaultSpec(error="InternalServerException", error_attempts=ALWAYS)),
    ("error=408", FaultSpec(error="ModelTimeoutException", error_attempts=ALWAYS)),
    ("error=modeltimeoutexception*1", FaultSpec(error="ModelTimeoutException", error_attempts=1)),
    ("error=503*3", FaultSpec(error="ServiceUnavailableException", error_attempts=3)),
    ("latency=250", FaultSpec(latency_ms=250.0)),
    ("cut-after=3", FaultSpec(cut_after=3)),
    ("stream-exception=throttlingException@2",
     FaultSpec(stream_exception="throttlingException", exception_after=2)),
    ("stream-exception=ModelStreamErrorException",
     FaultSpec(stream_exception="modelStreamErrorException", exception_after=0)),
    (" latency=5 ; throttle=1, cut-after=0 ",
     FaultSpec(error="ThrottlingException", error_attempts=1, latency_ms=5.0, cut_after=0)),
])
def test_grammar(text: str, spec: FaultSpec) -> None:
    assert parse(text) == spec


@pytest.mark.parametrize(("text", "problem"), [
    ("throttle=x", "throttle needs a whole number, got 'x'"),
    ("error=418", "no Bedrock error has status 418"),
    ("error=TeapotException", "unknown error 'TeapotException'"),
    ("latency=soon", "latency needs milliseconds, got 'soon'"),
    ("cut-after=-1", "cut-after needs a whole number, got '-1'"),
    ("stream-exception=oops@1", "unknown stream exception 'oops'"),
    ("explode", "unknown fault directive 'explode'"),
])
def test_grammar_errors(text: str, problem: str) -> None:
    with pytest.raises(FaultSyntaxError) as info:
        parse(text)
    assert str(info.value).startswith(problem)


def _request(path: str = CONVERSE, attempt: int = 1, fault: str | None = None,
             call: str = "call-1") -> Request:
    headers = {"amz-sdk-request": f"attempt={attempt}; max=3", "amz-sdk-invocation-id": call}
    if fault is not None:
        headers[FAULT_HEADER] = fault
    return Request("POST", path, headers=headers, body=BODY)


def _statuses(emulator: Emulator, count: int) -> list[int]:
    return [emulator.handle(_request(call=f"c{i}")).status for i in range(count)]


def test_seeded_random_faults_are_reproducible() -> None:
    runs = []
    for _ in range(2):
        emulator = Emulator(EmulatorOptions())
        install(emulator, FaultOptions(throttle_rate=0.3, error_rate=0.2, seed=42))
        runs.append(_statuses(emulator, 40))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 429, 500, 503}
    other = Emulator(EmulatorOptions())
    install(other, FaultOptions(throttle_rate=0.3, error_rate=0.2, seed=43))
    assert _statuses(other, 40) != runs[0]


def test_rates_at_the_extremes() -> None:
    emulator = Emulator(EmulatorOptions())
    injector = install(emulator, FaultOptions(throttle_rate=1.0))
    assert set(_statuses(emulator, 5)) == {429}
    injector.configure(FaultOptions())
    assert set(_statuses(emulator, 5)) == {200}
    with pytest.raises(ValueError):
        FaultOptions(error_rate=1.5)


def test_stream_cut_rate_cuts_every_stream_mid_way() -> None:
    emulator = Emulator(EmulatorOptions())
    install(emulator, FaultOptions(stream_cut_rate=1.0, seed=1))
    for i in range(5):
        response = emulator.handle(_request(CONVERSE + "-stream", call=f"s{i}"))
        assert response.events is not None
        frames = list(response.events)
        assert is_cut(frames[-1]) and frames[-1] == b""
        names = [m.headers[":event-type"] for m in eventstream.decode_messages(b"".join(frames))]
        assert 1 <= len(names) <= 4
        assert "metadata" not in names


def test_header_attempts_follow_amz_sdk_request() -> None:
    emulator = Emulator(EmulatorOptions())
    install(emulator)
    codes = [emulator.handle(_request(attempt=n, fault="throttle=2")) for n in (1, 2, 3)]
    assert [r.status for r in codes] == [429, 429, 200]
    assert str(codes[0].header("x-amzn-ErrorType")).startswith("ThrottlingException:")


def test_queued_fault_follows_one_call_and_its_retries() -> None:
    emulator = Emulator(EmulatorOptions())
    injector = install(emulator)
    injector.queue("error=ModelNotReadyException*2")
    statuses = [emulator.handle(_request(attempt=n, call="A")).status for n in (1, 2, 3)]
    other = emulator.handle(_request(call="B")).status
    assert statuses == [429, 429, 200]
    assert other == 200


def test_in_stream_exception_frame() -> None:
    emulator = Emulator(EmulatorOptions())
    install(emulator)
    response = emulator.handle(_request(CONVERSE + "-stream",
                                        fault="stream-exception=internalServerException@1"))
    assert response.events is not None
    messages = eventstream.decode_messages(b"".join(response.events))
    assert [m.headers[":message-type"] for m in messages] == ["event", "exception"]
    assert messages[1].headers[":exception-type"] == "internalServerException"
    assert messages[1].json() == {
        "message": "The server encountered an internal error while processing the request."}


def test_latency_directive_sleeps() -> None:
    slept: list[float] = []
    emulator = Emulator(EmulatorOptions())
    injector = FaultInjector(FaultOptions(), sleep=slept.append)
    emulator.interceptors.append(injector)
    assert emulator.handle(_request(fault="latency=120")).status == 200
    assert slept == [0.12]


def test_install_is_idempotent() -> None:
    emulator = Emulator(EmulatorOptions())
    first = install(emulator)
    second = install(emulator, FaultOptions(seed=3))
    assert first is second and second.options.seed == 3
    assert [i for i in emulator.interceptors if isinstance(i, FaultInjector)] == [first]


def test_faults_without_header_leave_requests_alone() -> None:
    emulator = Emulator(EmulatorOptions())
    install(emulator)
    response: Any = emulator.handle(_request())
    assert response.status == 200
