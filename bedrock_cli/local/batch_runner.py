"""Who runs an emulator batch job, so that jobs advance with time as on Bedrock, whichever
command looks — or none.

A job runs in whichever process holds its lock file (`<jobId>.lock`, an OS lock released when
that process dies), from the job's spool, so a job taken over carries on where it stopped.
Two ways to run it, chosen by the host of the emulator (`EmulatorOptions.extra["batch_runner"]`):

- `thread` (the default: `serve`, the pytest fixture, `mock_bedrock()`): a background thread of
  the emulator's own process. Those processes live on, and the job sees their interceptors
  (faults, latency) and their in-process mocks (moto's `mock_aws`).
- `process` (the command line's in-process emulator): every `bedrock-cli` invocation is a
  short-lived process, so a thread would die with `batch submit` or `batch status` and the
  job would sit at Submitted or Stopping until a `batch wait`. Instead a detached runner,
  `python -m bedrock_cli.local.batch_runner`, carries the job to its end in the background
  with the same emulator options (and the caller's environment); it logs to `<jobId>.log`.

Any Get, List or Stop that finds a job nobody runs starts a runner again (a runner killed, a
machine restarted), so a job never stays stuck.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from .batch_exec import TERMINAL, JobRun, JobStore, now_iso, state_dir
from .router import Emulator, EmulatorOptions

log = logging.getLogger(__name__)
_lock = threading.Lock()
_running: set[str] = set()  # jobs run by a thread of this process
_spawned: dict[str, float] = {}  # job -> when this process last started a runner for it
_RESPAWN_AFTER = 5.0  # seconds a started runner gets to take the lock before another is tried


class JobLock:
    """An exclusive OS lock on `<job>.lock`, released by the OS if the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        from bedrock_cli.paths import private_dir

        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except ImportError:  # pragma: no cover - Windows
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the lock
            self.fd = None


def ensure_running(emulator: Emulator, store: JobStore, job: dict[str, Any]) -> None:
    """See that someone runs the job, unless it is finished."""
    job_id = job["jobId"]
    if job.get("status") in TERMINAL:
        return
    if emulator.options.extra.get("batch_runner") == "process":
        _spawn_if_idle(emulator, store, job_id)
        return
    with _lock:
        if job_id in _running:
            return
        _running.add(job_id)
    threading.Thread(target=_run_here, args=(emulator, store, job_id),
                     name=f"batch-job-{job_id}", daemon=True).start()


def _run_here(emulator: Emulator, store: JobStore, job_id: str) -> None:
    try:
        run_locked(emulator, store, job_id)
    finally:
        with _lock:
            _running.discard(job_id)


def run_locked(emulator: Emulator, store: JobStore, job_id: str) -> bool:
    """Run the job to its end if nobody else does; False when another process holds it."""
    lock = JobLock(store.root / f"{job_id}.lock")
    if not lock.acquire():
        return False
    try:
        run = JobRun(emulator, store, job_id)
        try:
            run.run()
        except Exception as exc:  # a bug: end the job with its cause instead of retrying it
            log.exception("emulator: batch job %s failed", job_id)
            run.job.update(status="Failed", endTime=now_iso(),
                           message=f"The emulator's batch runner failed: {type(exc).__name__}: "
                                   f"{exc}")
            store.save(run.job)
    finally:
        lock.release()
    return True


def _busy(store: JobStore, job_id: str) -> bool:
    probe = JobLock(store.root / f"{job_id}.lock")
    if probe.acquire():
        probe.release()
        return False
    return True


def _spawn_if_idle(emulator: Emulator, store: JobStore, job_id: str) -> None:
    with _lock:
        started = _spawned.get(job_id)
        if started is not None and time.monotonic() - started < _RESPAWN_AFTER:
            return
        if _busy(store, job_id):
            return
        _spawned[job_id] = time.monotonic()
    spawn(emulator, store, job_id)


def spawn(emulator: Emulator, store: JobStore, job_id: str) -> None:
    """Start a detached runner for the job: its own session, no terminal, no inherited pipes
    (a `bedrock-cli ... | cat` must not wait for it), its output in `<jobId>.log`."""
    options = emulator.options
    extra = {k: v for k, v in options.extra.items() if _plain(v)}
    extra.update(state_dir=str(store.root), batch_runner="thread")
    spec = json.dumps({"region": options.region, "account_id": options.account_id,
                       "latency_ms": options.latency_ms,
                       "stream_delay_ms": options.stream_delay_ms, "extra": extra})
    logfile = store.root / f"{job_id}.log"
    fd = os.open(logfile, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    kwargs: dict[str, Any] = {"start_new_session": True}
    if sys.platform == "win32":  # pragma: no cover
        kwargs = {"creationflags": subprocess.DETACHED_PROCESS  # type: ignore[attr-defined]
                  | subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]
    try:
        subprocess.Popen([sys.executable, "-m", "bedrock_cli.local.batch_runner", spec, job_id],
                         stdin=subprocess.DEVNULL, stdout=fd, stderr=fd, close_fds=True,
                         **kwargs)
    finally:
        os.close(fd)


def _plain(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    """`python -m bedrock_cli.local.batch_runner OPTIONS_JSON JOB_ID`: run one job to its end
    (or nothing, when another process holds it)."""
    spec, job_id = argv if argv is not None else sys.argv[1:3]
    logging.basicConfig(level=logging.WARNING,
                        format=f"%(asctime)s batch job {job_id}: %(message)s")
    emulator = Emulator(EmulatorOptions(**json.loads(spec)))
    store = JobStore(state_dir(emulator))
    if store.load(job_id) is None:
        return 0
    try:
        for _ in range(5):  # another process may be probing the lock at this very moment
            if run_locked(emulator, store, job_id) or \
                    (store.load(job_id) or {}).get("status") in TERMINAL:
                break
            time.sleep(0.2)
    except Exception:  # pragma: no cover - logged for whoever looks at <jobId>.log
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
