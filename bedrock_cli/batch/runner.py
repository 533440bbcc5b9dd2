"""`batch run`: many Converse calls at once, adaptive, resumable, and never a record twice.

One coordinator (the calling thread) reads the input lazily, hands records to a fixed pool of
daemon worker threads through a queue, and writes every result itself — so the output has one
writer and the in-flight window is bounded by the concurrency. boto3 clients are thread-safe;
the one client's connection pool is sized to the concurrency (`execute.pooled_runtime`).

Adaptive concurrency (AIMD): the limit starts at `--concurrency`, halves when a call comes back
throttled after botocore's own retries (once per round: throttles from calls sent before the
last cut do not cut again), and grows by one after a window of `limit` successes. Throttled and
transient failures are re-queued with exponential backoff and full jitter until they succeed or
the record's retry budget runs out; `--max-rps` adds a token bucket in front of the pool.

Ctrl-C: no new calls; calls in flight get `drain_seconds` to finish (a second Ctrl-C stops at
once); finished results are written, the rest run again on the next resume.

Giving up: when nothing but throttling has come back for `GIVE_UP_AFTER` seconds (and at
least `GIVE_UP_STREAK` throttled calls in a row), waiting longer only burns time: the run stops
at once, leaving the records not yet finished untouched so that running the same command again
resumes them (`Stats.gave_up` says why; exit 4).
"""

from __future__ import annotations

import heapq
import itertools
import queue
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bedrock_cli.batch.build import Built, RequestBuilder
from bedrock_cli.batch.progress import Progress, Stats
from bedrock_cli.batch.records import THROTTLE_CODES, Record, RecordError
from bedrock_cli.errors import BedrockCliError, ThrottledError

if TYPE_CHECKING:
    from bedrock_cli.runtime import Runtime
    from bedrock_cli.types import TextResult

SCHEMA_MISMATCH = "SchemaMismatch"  # an extract answer that breaks the schema
GIVE_UP_AFTER = 30.0  # seconds of nothing but throttling before a run stops (resumable)
GIVE_UP_STREAK = 5  # and at least this many throttled calls in a row
BACKOFF_BASE = 0.5  # seconds before the first client-side retry (before jitter)
BACKOFF_CAP = 20.0
TICK = 0.1  # the coordinator wakes at least this often (signals, progress)
_TRANSIENT = {"InternalServerException", "internalServerException", "ServiceUnavailableException",
              "serviceUnavailableException", "ModelTimeoutException", "modelTimeoutException",
              "ModelStreamErrorException", "modelStreamErrorException"}


class Sink(Protocol):
    def write(self, obj: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


@dataclass
class RunOptions:
    concurrency: int = 8
    max_rps: float | None = None
    retries: int = 8  # client-side re-queues per record
    drain_seconds: float = 10.0


def classify(error: BedrockCliError) -> str:
    """"throttle" (cut concurrency, retry), "transient" (retry) or "final"."""
    code = error.code or ""
    if isinstance(error, ThrottledError) or code in THROTTLE_CODES:
        return "throttle"
    if code in _TRANSIENT or code[:1] == "5":
        return "transient"
    if code == "" and type(error).__name__ == "ServiceError":  # connection broke, read timeout
        return "transient"
    return "final"


class Aimd:
    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self.limit = maximum
        self.lowest = maximum
        self.epoch = 0
        self._window = 0

    def success(self) -> None:
        self._window += 1
        if self._window >= self.limit:
            self._window = 0
            self.limit = min(self.maximum, self.limit + 1)

    def throttled(self, sent_in_epoch: int) -> None:
        if sent_in_epoch != self.epoch:  # sent before the last cut: that cut covered it
            return
        self.limit = max(1, self.limit // 2)
        self.lowest = min(self.lowest, self.limit)
        self.epoch += 1
        self._window = 0


class TokenBucket:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate / 10)  # at most 100 ms worth of burst
        self.tokens = 1.0
        self.stamp = time.monotonic()

    def take(self, now: float) -> float:
        """0 when a call may go now (a token is spent), else the seconds to wait."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0 - 1e-9:
            self.tokens = max(0.0, self.tokens - 1.0)
            return 0.0
        return (1.0 - self.tokens) / self.rate


@dataclass
class Task:
    record: Record
    built: Built
    attempts: int = 0
    epoch: int = 0


Outcome = tuple[Task, "TextResult | None", "BedrockCliError | None"]


class Pool:
    """Daemon worker threads: a call stuck in the network never holds up the process exit."""

    def __init__(self, size: int, call: Callable[[Task], TextResult]) -> None:
        self.tasks: queue.SimpleQueue[Task | None] = queue.SimpleQueue()
        self.results: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        self._call = call
        self._threads = [threading.Thread(target=self._work, name=f"batch-{i}", daemon=True)
                         for i in range(size)]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while True:
            task = self.tasks.get()
            if task is None:
                return
            try:
                self.results.put((task, self._call(task), None))
            except BedrockCliError as exc:
                self.results.put((task, None, exc))
            except Exception as exc:  # a bug must not lose the record or hang the run
                error = BedrockCliError(f"{type(exc).__name__}: {exc}", code="InternalError")
                self.results.put((task, None, error))

    def close(self) -> None:
        for _ in self._threads:
            self.tasks.put(None)


class Runner:
    def __init__(self, runtime: Runtime, builder: RequestBuilder, sink: Sink, stats: Stats,
                 options: RunOptions, progress: Progress) -> None:
        self.runtime = runtime  # its clients' pool is as large as the concurrency
        self.builder = builder
        self.sink = sink
        self.stats = stats
        self.options = options
        self.progress = progress
        self.aimd = Aimd(options.concurrency)
        self.bucket = TokenBucket(options.max_rps) if options.max_rps else None
        self.interrupts = 0
        self.stopping = False
        self._deadline = 0.0
        self._seq = itertools.count()
        self._retry: list[tuple[float, int, Task]] = []
        self._waiting: Task | None = None  # built, waiting for a token
        self._exhausted = False
        self._streak = 0  # throttled calls in a row
        self._last_good = 0.0  # when a call last came back with anything but throttling
        stats.concurrency = stats.lowest_concurrency = options.concurrency

    # -- one call (worker threads) --------------------------------------------------------
    def _call(self, task: Task) -> TextResult:
        return self.runtime.converse(task.built.request)

    # -- the coordinator ------------------------------------------------------------------
    def run(self, records: Iterator[Record]) -> Stats:
        pool = Pool(self.options.concurrency, self._call)
        in_flight = 0
        self.stats.started = self._last_good = time.monotonic()  # start-up is not the run
        try:
            with self._signals():
                while True:
                    now = time.monotonic()
                    self._notice_interrupt(in_flight, now)
                    self._check_give_up(now)
                    if self.interrupts >= 2 or (self.stopping and now >= self._deadline):
                        break
                    if not self.stopping:
                        in_flight += self._fill(pool, records, in_flight, now)
                    idle = self._exhausted and not self._retry and self._waiting is None
                    if in_flight == 0 and (self.stopping or idle):
                        break
                    try:
                        item = pool.results.get(timeout=self._timeout(now))
                    except queue.Empty:
                        self._tick(in_flight)
                        continue
                    while True:
                        in_flight -= 1
                        self._settle(*item)
                        try:
                            item = pool.results.get_nowait()
                        except queue.Empty:
                            break
                    self._tick(in_flight)
        except KeyboardInterrupt:  # no handler could be installed (not the main thread)
            self.interrupts += 2
        finally:
            pool.close()
            self.stats.interrupted = self.interrupts > 0
            self.stats.in_flight = 0
            self.stats.elapsed = time.monotonic() - self.stats.started
        return self.stats

    def _fill(self, pool: Pool, records: Iterator[Record], in_flight: int, now: float) -> int:
        sent = 0
        while in_flight + sent < self.aimd.limit:
            task, self._waiting = self._waiting, None
            if task is None and self._retry and self._retry[0][0] <= now:
                task = heapq.heappop(self._retry)[2]
            if task is None and not self._exhausted:
                task = self._next(records)
                if task is None:
                    continue  # a record that could not be built was written as an error
            if task is None:
                break
            if self.bucket is not None:
                wait = self.bucket.take(now)
                if wait > 0:
                    self._waiting = task
                    break
            task.epoch = self.aimd.epoch
            self.stats.requeues += task.attempts > 0  # counted when sent, as the endpoint sees
            pool.tasks.put(task)
            sent += 1
        return sent

    def _next(self, records: Iterator[Record]) -> Task | None:
        record = next(records, None)
        if record is None:
            self._exhausted = True
            return None
        try:
            return Task(record, self.builder.build(record))
        except RecordError as exc:
            self._fail(record, "InvalidRecord", exc.message, throttled=False)
            return None

    def _timeout(self, now: float) -> float:
        timeout = TICK
        if self._retry:
            timeout = min(timeout, max(0.0, self._retry[0][0] - now))
        if self._waiting is not None and self.bucket is not None:
            timeout = min(timeout, max(0.001, (1.0 - self.bucket.tokens) / self.bucket.rate))
        return max(timeout, 0.001)

    def _tick(self, in_flight: int) -> None:
        stats = self.stats
        stats.in_flight = in_flight
        stats.concurrency = self.aimd.limit
        stats.lowest_concurrency = self.aimd.lowest
        self.progress.update()

    def _notice_interrupt(self, in_flight: int, now: float) -> None:
        if self.interrupts and not self.stopping:
            self.stopping = True
            self._deadline = now + self.options.drain_seconds
            if in_flight and self.interrupts == 1:
                self.progress.message(
                    f"Interrupted: waiting up to {self.options.drain_seconds:g} s for {in_flight} "
                    "call(s) in flight (Ctrl-C again to stop now); the rest run on resume.")

    def _check_give_up(self, now: float) -> None:
        quiet = now - self._last_good
        if self.stopping or self._streak < GIVE_UP_STREAK or quiet < GIVE_UP_AFTER:
            return
        self.stopping = True
        self._deadline = now  # calls in flight are throttled too: their records run on resume
        self.stats.gave_up = (f"every call for {quiet:.0f} s was throttled ({self._streak} in "
                              "a row)")
        self.progress.message(f"Giving up: {self.stats.gave_up}.")

    def _settle(self, task: Task, result: TextResult | None,
                error: BedrockCliError | None) -> None:
        if result is not None:
            self._streak, self._last_good = 0, time.monotonic()
            self.aimd.success()
            self._succeed(task, result)
            return
        assert error is not None
        kind = classify(error)
        if kind == "throttle":
            self._streak += 1
            self.aimd.throttled(task.epoch)
        else:
            self._streak, self._last_good = 0, time.monotonic()
        if self.stopping:
            return  # not finished: it runs again on resume
        if kind != "final" and task.attempts < self.options.retries:
            task.attempts += 1
            delay = random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (task.attempts - 1)))
            heapq.heappush(self._retry, (time.monotonic() + delay, next(self._seq), task))
            return
        self._fail(task.record, error.code or error.kind, error.message,
                   throttled=kind == "throttle")

    def _succeed(self, task: Task, result: TextResult) -> None:
        from bedrock_cli.metering import token_cost

        built = task.built
        cost = token_cost(built.model, result.usage)
        line: dict[str, Any] = {
            "id": task.record.id, "text": result.text, "usage": result.usage.to_dict(),
            "cost_usd": cost, "model": built.model_name, "model_id": built.request.model_id,
            "latency_ms": result.latency_ms, "stop_reason": result.stop_reason,
        }
        if built.schema is not None:  # extract: judged as `extract` judges it
            from bedrock_cli.tasks.extract import read_answer, shown_raw

            data, problem, raw, _ = read_answer(result.content, result.text, built.schema)
            if problem:
                self._fail(task.record, SCHEMA_MISMATCH, "The model's answer does not match "
                           f"the schema: {problem}. Raw answer: {shown_raw(raw)}",
                           throttled=False)
            else:
                line["data"] = data
        else:
            tools = [b["toolUse"].get("input") for b in result.content if "toolUse" in b]
            if tools:
                line["data"] = tools[0]
            problem = None
        if not problem:
            self.sink.write(line)
            self.stats.ok += 1
        stats = self.stats  # the tokens were spent either way
        stats.input_tokens += result.usage.input_tokens
        stats.output_tokens += result.usage.output_tokens
        if cost is None:
            stats.cost_unknown += 1
        else:
            stats.cost_usd += cost

    def _fail(self, record: Record, code: str, message: str, *, throttled: bool) -> None:
        self.sink.write({"id": record.id, "error": {"code": code, "message": message}})
        self.stats.failed += 1
        self.stats.failed_throttled += throttled

    @contextmanager
    def _signals(self) -> Iterator[None]:
        """SIGINT sets a flag the loop reads, so a result is never half-handled."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_sigint(_signum: int, _frame: Any) -> None:
            self.interrupts += 1

        previous = signal.signal(signal.SIGINT, on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
