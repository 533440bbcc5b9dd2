"""Batch progress on stderr: a rich progress bar on a terminal, a plain line every few seconds
when stderr is a file or a pipe, nothing with --quiet."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bedrock_cli.output import Output


@dataclass
class Stats:
    """Counters of one `batch run`, shared by the runner, the progress display and the summary."""

    total: int = 0  # records in the input
    skipped: int = 0  # already in the output from an earlier run
    ok: int = 0
    failed: int = 0
    failed_throttled: int = 0
    carried_errors: int = 0  # error lines kept from an earlier run (--no-retry-errors)
    carried_throttled: int = 0
    requeues: int = 0  # client-side re-queues sent (throttling and transient errors)
    sdk_retries: int = 0  # botocore's own retries inside a call (every HTTP attempt after one)
    gave_up: str | None = None  # why the run stopped early (every call throttled)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    cost_unknown: int = 0  # results whose price is not in the catalog
    in_flight: int = 0
    concurrency: int = 0  # the adaptive limit now
    lowest_concurrency: int = 0
    interrupted: bool = False
    started: float = field(default_factory=time.monotonic)
    elapsed: float = 0.0

    @property
    def finished(self) -> int:
        return self.ok + self.failed

    @property
    def done(self) -> int:
        return self.skipped + self.finished

    @property
    def unfinished(self) -> int:
        return self.total - self.done

    @property
    def retries(self) -> int:
        """Every attempt beyond a record's first: botocore's retries and the run's re-queues."""
        return self.requeues + self.sdk_retries

    @property
    def failures(self) -> int:
        return self.failed + self.carried_errors

    @property
    def rate(self) -> float:
        seconds = self.elapsed or (time.monotonic() - self.started)
        return self.finished / seconds if seconds > 0 else 0.0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def cost_text(self) -> str:
        unknown = f" (+{self.cost_unknown} unpriced)" if self.cost_unknown else ""
        from bedrock_cli.metering import dollars

        return f"{dollars(self.cost_usd)}{unknown}"

    def line(self) -> str:
        return (f"batch: {self.done}/{self.total} done ({self.rate:.1f}/s), "
                f"{self.failures} errors, {self.tokens:,} tokens, {self.cost_text()}, "
                f"concurrency {self.concurrency}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total, "skipped": self.skipped, "succeeded": self.ok,
            "failed": self.failed, "failed_throttled": self.failed_throttled,
            "carried_errors": self.carried_errors, "unfinished": self.unfinished,
            "retries": self.retries, "sdk_retries": self.sdk_retries,
            "gave_up": self.gave_up, "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens, "cost_usd": round(self.cost_usd, 8),
            "unpriced": self.cost_unknown, "elapsed_s": round(self.elapsed, 3),
            "records_per_s": round(self.rate, 2), "lowest_concurrency": self.lowest_concurrency,
            "interrupted": self.interrupted,
        }


class Progress:
    """`update()` as often as you like: it redraws at most 10 times a second (a terminal) or
    prints a line every `every` seconds (anything else)."""

    def __init__(self, output: Output, stats: Stats, *, every: float = 10.0) -> None:
        self.output = output
        self.stats = stats
        self.every = every
        self.enabled = not output.quiet
        self.tty = output.stderr_tty
        self._bar: Any = None
        self._task: Any = None
        self._last = 0.0

    def __enter__(self) -> Progress:
        if self.enabled and self.tty:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("batch"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}/s"), TextColumn("{task.fields[tokens]} tok"),
                TextColumn("{task.fields[cost]}"), TextColumn("{task.fields[errors]} err"),
                TextColumn("c={task.fields[conc]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                console=self.output.console(err=True), transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("batch", total=self.stats.total, **self._fields())
        self._last = time.monotonic()
        return self

    def _fields(self) -> dict[str, Any]:
        s = self.stats
        return {"rate": f"{s.rate:.1f}", "tokens": f"{s.tokens:,}", "cost": s.cost_text(),
                "errors": s.failures, "conc": s.concurrency}

    def update(self, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self._bar is not None:
            if force or now - self._last >= 0.1:
                self._bar.update(self._task, completed=self.stats.done, **self._fields())
                self._last = now
        elif force or now - self._last >= self.every:
            self.output.notice(self.stats.line())
            self._last = now

    def message(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False)
        else:
            self.output.notice(text)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=self.stats.done, **self._fields())
            self._bar.stop()
            self._bar = None
