"""`batch run` from end to end: check the whole input before any call, resume from the output,
run, summarise, log one history row for the run, and turn the result into an exit code.

History: one row per `batch run` (command "batch", with the counts, tokens and cost), not one
per record — the output file already holds every result, and a million-row batch would bury
the interactive history.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.batch.build import Defaults, RequestBuilder
from bedrock_cli.batch.metered import Calls
from bedrock_cli.batch.output import OutputFile, OutputLock, StdoutSink, read_output
from bedrock_cli.batch.progress import Progress, Stats
from bedrock_cli.batch.records import Scan, contains, count_in, id_hash, iter_records, scan_input
from bedrock_cli.batch.runner import Runner, RunOptions, Sink
from bedrock_cli.errors import InterruptedByUser, ServiceError, ThrottledError, UsageError

if TYPE_CHECKING:
    from bedrock_cli.context import AppContext
    from bedrock_cli.history import CallRecord
    from bedrock_cli.runtime import Runtime


@dataclass
class RunRequest:
    input: Path
    output: Path | None
    defaults: Defaults = field(default_factory=Defaults)
    options: RunOptions = field(default_factory=RunOptions)
    retry_errors: bool = True
    sync_every: float = 1.0


def pooled_runtime(app: AppContext, size: int) -> Runtime:
    """The run's runtime: clients with a connection pool as large as the concurrency, built
    before the workers start, and no per-call usage hook: `Meter` would keep one entry per
    call (about 250 bytes), which grows without bound over a million records; the run's
    totals are metered once it ends (`batch/metered.Calls`)."""
    from bedrock_cli.runtime import Runtime

    return Runtime(app.clients.pooled(size))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def run_batch(app: AppContext, req: RunRequest) -> Stats:
    if req.output is not None and _same_file(req.input, req.output):
        raise UsageError("The output file is the input file.", "Write results to another file.")
    runtime = pooled_runtime(app, req.options.concurrency)
    builder = RequestBuilder(app, req.defaults)
    scan = scan_input(req.input, builder.check)
    lock = OutputLock(req.output) if req.output is not None else None
    if lock is not None:
        lock.acquire()
    try:
        stats = _run(app, runtime, req, builder, scan)
    finally:
        if lock is not None:
            lock.release()
    _summary(app, req, stats)
    resolution = builder.resolve(req.defaults.model)
    if stats.ok:  # the run's calls for --usage, as totals
        app.recorder.meter.add_run(Calls(stats, resolution.model.id if resolution.model
                                         else resolution.model_id))
    app.recorder.log(_history_record(req, stats, builder, app.recorder.backend))
    _finish(req, stats)
    return stats


def _run(app: AppContext, runtime: Runtime, req: RunRequest, builder: RequestBuilder,
         scan: Scan) -> Stats:
    import numpy as np

    stats = Stats(total=scan.total)
    done = np.empty(0, dtype=np.uint64)
    out = app.output
    if req.output is not None and req.output.exists() and req.output.stat().st_size:
        resume = read_output(req.output, scan.hashes, retry_errors=req.retry_errors)
        done = resume.done
        stats.skipped = count_in(done, scan.hashes)
        stats.carried_errors, stats.carried_throttled = resume.errors_kept, resume.throttled_kept
        if resume.repaired:
            out.notice(f"Cut a torn last line off {req.output} (an interrupted write); that "
                       "record runs again.")
        if resume.errors_dropped:
            out.notice(f"Retrying {resume.errors_dropped} record(s) that failed in the last run "
                       "(--no-retry-errors keeps their error lines).")
        if resume.foreign:
            out.warn(f"{req.output} has {resume.foreign} line(s) whose id is not in "
                     f"{req.input}; they are kept.")
        out.notice(f"Resuming: {stats.skipped} of {stats.total} records are already in "
                   f"{req.output}.")
    sink: Sink = (OutputFile(req.output, sync_every=req.sync_every).open()
                  if req.output is not None else StdoutSink(out.write))
    records = (r for r in iter_records(req.input) if not contains(done, id_hash(r.key)))
    client = runtime.clients.runtime  # built by `pooled_runtime`, before the workers
    try:
        with Progress(out, stats) as progress, _count_retries(client, stats):
            Runner(runtime, builder, sink, stats, req.options, progress).run(records)
    finally:
        sink.close()
    return stats


@contextmanager
def _count_retries(client: Any, stats: Stats) -> Iterator[None]:
    """Count botocore's own retries (`Stats.sdk_retries`): every HTTP attempt after a call's
    first, throttling, 5xx and connection errors alike — what the endpoint saw, not only the
    run's re-queues. Botocore numbers each attempt in the request's retry context."""
    lock = threading.Lock()

    def created(request: Any, **_kwargs: Any) -> None:
        attempt = (getattr(request, "context", None) or {}).get("retries", {}).get("attempt", 1)
        if attempt > 1:
            with lock:
                stats.sdk_retries += 1

    event = "request-created.bedrock-runtime.Converse"
    client.meta.events.register(event, created)
    try:
        yield
    finally:
        client.meta.events.unregister(event, created)


def _summary(app: AppContext, req: RunRequest, stats: Stats) -> None:
    out = app.output
    skipped = f", {stats.skipped} already done" if stats.skipped else ""
    carried = f" ({stats.carried_errors} kept from the last run)" if stats.carried_errors else ""
    unfinished = f", {stats.unfinished} not run" if stats.unfinished else ""
    out.notice(
        f"batch: {stats.total} records: {stats.ok} succeeded, {stats.failures} failed{carried}"
        f"{skipped}{unfinished}; {stats.elapsed:.2f} s ({stats.rate:.1f}/s), "
        f"{stats.tokens:,} tokens, {stats.cost_text()}; concurrency {req.options.concurrency} "
        f"(lowest {stats.lowest_concurrency}), {stats.retries} retries."
        + (f" Results: {req.output}" if req.output else "")
    )
    if out.json_mode and req.output is not None:
        out.json({"output": str(req.output), **stats.to_dict()}, lines=True)


def _history_record(req: RunRequest, stats: Stats, builder: RequestBuilder,
                    backend: str) -> CallRecord:
    """What history keeps of the run: one row with its totals."""
    from bedrock_cli.history import CallRecord

    resolution = builder.resolve(req.defaults.model)
    status = "complete" if not stats.failures and not stats.unfinished else (
        "partial" if stats.ok or stats.skipped else "error")
    params: dict[str, Any] = {"input": str(req.input),
                              "output": str(req.output) if req.output else None,
                              "task": req.defaults.task, **stats.to_dict(),
                              "concurrency": req.options.concurrency,
                              "max_rps": req.options.max_rps}
    return CallRecord(
        command="batch", status=status,
        model=resolution.model.id if resolution.model else req.defaults.model,
        model_id=resolution.model_id, backend=backend,
        prompt=f"batch run {req.input}", params=params, response=stats.line(),
        usage={"input_tokens": stats.input_tokens, "output_tokens": stats.output_tokens},
        cost_usd=round(stats.cost_usd, 8), latency_ms=int(stats.elapsed * 1000),
        error=f"{stats.failures} record(s) failed" if stats.failures else None,
    )


def _finish(req: RunRequest, stats: Stats) -> None:
    where = f" in {req.output}" if req.output else ""
    if stats.gave_up:
        failed = f", {stats.failures} failed" if stats.failures else ""
        raise ThrottledError(
            f"Gave up: {stats.gave_up}; {stats.unfinished} of {stats.total} records not run"
            f"{failed}; finished results are kept{where}.",
            ("Run the same command again later to resume (done records are skipped); "
             if req.output else "Use -o FILE to be able to resume; ")
            + "lower --concurrency or --max-rps, or ask for a higher quota.",
            code="ThrottlingException")
    if stats.interrupted and stats.unfinished:
        raise InterruptedByUser(
            f"Interrupted with {stats.unfinished} of {stats.total} records not run; finished "
            f"results are kept{where}.",
            "Run the same command again to resume." if req.output else
            "Use -o FILE to be able to resume.",
        )
    if not stats.failures:
        return
    message = f"{stats.failures} of {stats.total} records failed (their lines{where} say why)."
    if stats.failed_throttled + stats.carried_throttled == stats.failures:
        raise ThrottledError(message, "Run the same command later to retry them, lower "
                                      "--concurrency or --max-rps, or ask for a higher quota.",
                             code="ThrottlingException")
    raise ServiceError(message, "Run the same command again to retry them (failed records are "
                                "retried on resume).")
