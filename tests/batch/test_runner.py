"""The coordinator on its own: AIMD, the token bucket, retries and exactly-once results."""

from __future__ import annotations

import io
import random
import threading
import time
from collections import Counter
from typing import Any

import pytest

from bedrock_cli.batch import runner as runner_module
from bedrock_cli.batch.build import Built
from bedrock_cli.batch.progress import Progress, Stats
from bedrock_cli.batch.records import Record
from bedrock_cli.batch.runner import Aimd, Runner, RunOptions, TokenBucket, classify
from bedrock_cli.errors import ServiceError, ThrottledError, UsageError
from bedrock_cli.output import Output
from bedrock_cli.types import TextRequest, TextResult, Usage


def test_aimd_halves_once_per_round_and_grows_by_one_per_window() -> None:
    aimd = Aimd(40)
    sent = aimd.epoch
    aimd.throttled(sent)
    aimd.throttled(sent)  # sent before the cut: no second halving
    assert aimd.limit == 20 and aimd.lowest == 20
    aimd.throttled(aimd.epoch)
    assert aimd.limit == 10
    for _ in range(10):
        aimd.success()
    assert aimd.limit == 11
    for _ in range(1000):
        aimd.success()
    assert aimd.limit == 40
    small = Aimd(1)
    small.throttled(small.epoch)
    assert small.limit == 1


def test_token_bucket_spaces_calls() -> None:
    bucket = TokenBucket(10.0)
    now = bucket.stamp
    assert bucket.take(now) == 0.0
    wait = bucket.take(now)
    assert wait == pytest.approx(0.1)
    assert bucket.take(now + 0.1) == 0.0


def test_classify() -> None:
    assert classify(ThrottledError("x", code="ThrottlingException")) == "throttle"
    assert classify(ServiceError("x", code="ServiceUnavailableException")) == "transient"
    assert classify(ServiceError("x", code="500")) == "transient"
    assert classify(ServiceError("connection broke")) == "transient"
    assert classify(ServiceError("bad", code="ValidationException")) == "final"
    assert classify(UsageError("bad")) == "final"


class FakeRuntime:
    """Answers after `latency` seconds; throttles a share of calls (seeded)."""

    def __init__(self, latency: float = 0.0, throttle: float = 0.0,
                 fail_ids: frozenset[str] = frozenset()) -> None:
        self.latency, self.throttle, self.fail_ids = latency, throttle, fail_ids
        self.rng = random.Random(7)
        self.lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.in_flight = 0
        self.peak = 0

    def converse(self, request: TextRequest) -> TextResult:
        rid = request.messages[0]["content"][0]["text"]
        with self.lock:
            self.calls[rid] += 1
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            throttled = self.rng.random() < self.throttle
        try:
            time.sleep(self.latency)
            if rid in self.fail_ids:
                raise ServiceError("The model refused.", code="ValidationException")
            if throttled:
                raise ThrottledError("Too many requests.", code="ThrottlingException")
            return TextResult(text=f"answer {rid}", stop_reason="end_turn",
                              usage=Usage(3, 2, 5), latency_ms=1, model_id=request.model_id)
        finally:
            with self.lock:
                self.in_flight -= 1


class FakeBuilder:
    def build(self, record: Record) -> Built:
        request = TextRequest("amazon.nova-lite-v1:0",
                              [{"role": "user", "content": [{"text": str(record.id)}]}])
        return Built(request, None, "amazon.nova-lite-v1:0")


class ListSink:
    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []

    def write(self, obj: dict[str, Any]) -> None:
        self.lines.append(obj)

    def close(self) -> None:
        pass


def run(runtime: FakeRuntime, n: int, **options: Any) -> tuple[ListSink, Stats]:
    sink = ListSink()
    stats = Stats(total=n)
    output = Output(io.StringIO(), io.StringIO(), quiet=True)
    records = (Record(i + 1, f"r{i}", {}) for i in range(n))
    with Progress(output, stats) as progress:
        Runner(runtime, FakeBuilder(), sink, stats,  # type: ignore[arg-type]
               RunOptions(**options), progress).run(records)
    return sink, stats


def test_every_record_succeeds_exactly_once_under_heavy_throttling(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner_module, "BACKOFF_BASE", 0.002)
    runtime = FakeRuntime(latency=0.002, throttle=0.5)
    sink, stats = run(runtime, 300, concurrency=16, retries=30)
    ids = Counter(line["id"] for line in sink.lines)
    assert len(ids) == 300 and set(ids.values()) == {1}
    assert all("text" in line for line in sink.lines)
    assert stats.ok == 300 and stats.failed == 0 and stats.retries > 50
    assert stats.lowest_concurrency < 16  # AIMD backed off
    assert runtime.peak <= 16


def test_the_retry_budget_runs_out_into_an_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner_module, "BACKOFF_BASE", 0.001)
    sink, stats = run(FakeRuntime(throttle=1.0), 5, concurrency=2, retries=2)
    assert [line["error"]["code"] for line in sink.lines] == ["ThrottlingException"] * 5
    assert stats.failed == stats.failed_throttled == 5 and stats.retries == 10


def test_final_errors_are_not_retried() -> None:
    runtime = FakeRuntime(fail_ids=frozenset({"r1"}))
    sink, stats = run(runtime, 3, concurrency=2)
    errors = [line for line in sink.lines if "error" in line]
    assert errors == [{"id": "r1", "error": {"code": "ValidationException",
                                             "message": "The model refused."}}]
    assert runtime.calls["r1"] == 1 and stats.failed == 1 and stats.failed_throttled == 0


def test_concurrency_is_a_bound_and_is_used() -> None:
    runtime = FakeRuntime(latency=0.02)
    started = time.monotonic()
    _sink, stats = run(runtime, 100, concurrency=20)
    elapsed = time.monotonic() - started
    assert runtime.peak == 20
    assert stats.ok == 100 and elapsed < 1.0  # ideal 0.1 s; a generous bound


def test_max_rps_paces_the_calls() -> None:
    runtime = FakeRuntime()
    started = time.monotonic()
    run(runtime, 6, concurrency=8, max_rps=20.0)
    assert time.monotonic() - started >= 0.2  # 5 gaps of 50 ms after the first token
