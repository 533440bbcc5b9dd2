"""The batch output file that makes runs resumable: reading what a run already wrote, the
lock that keeps two runs off one file, and appending results.

The output file is append-only: one `os.write` of a whole line per result on an `O_APPEND`
descriptor, so a kill -9 loses nothing that was written. A torn last line (power loss, a full
disk) is cut off before appending again.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.batch.records import THROTTLE_CODES, contains, id_hash, id_key
from bedrock_cli.errors import UsageError
from bedrock_cli.jsonl import repair_tail

if TYPE_CHECKING:
    import numpy as np


@dataclass
class Resume:
    """What an existing output file already holds."""

    done: np.ndarray  # sorted hashes of ids to skip
    ok: int = 0  # result lines of input records
    errors_kept: int = 0  # error lines of input records kept (not retried)
    throttled_kept: int = 0  # of those, throttling errors
    errors_dropped: int = 0  # error lines removed so their records run again
    repaired: bool = False  # a torn last line was cut off
    foreign: int = 0  # lines whose id is not in the input
    notes: list[str] = field(default_factory=list)


def _is_throttle(error: Any) -> bool:
    return isinstance(error, dict) and str(error.get("code")) in THROTTLE_CODES


def read_output(path: Path, inputs: np.ndarray, *, retry_errors: bool) -> Resume:
    """Repair the file's tail, collect the ids done, and (with `retry_errors`) rewrite it
    without the error lines of input records, so they run again without a duplicate."""
    import array

    import numpy as np

    repaired = repair_tail(path)
    done = array.array("Q")
    resume = Resume(np.empty(0, dtype=np.uint64), repaired=repaired)
    drop = 0
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
                key = id_key(obj["id"])
            except (ValueError, KeyError, TypeError):
                raise UsageError(
                    f"{path} line {number} is not a batch result; is this the right output file?",
                    "Pass a new file with -o, or the output of an earlier run of this input.",
                ) from None
            digest = id_hash(key)
            ours = contains(inputs, digest)
            if not ours:
                resume.foreign += 1
            if "error" in obj:
                if retry_errors and ours:
                    drop += 1
                    continue
                if ours:
                    resume.errors_kept += 1
                    resume.throttled_kept += _is_throttle(obj["error"])
            elif ours:
                resume.ok += 1
            done.append(digest)
    if drop:
        _rewrite_without_errors(path, inputs)
        resume.errors_dropped = drop
    resume.done = np.sort(np.frombuffer(done, dtype=np.uint64)) if done else resume.done
    return resume


def _rewrite_without_errors(path: Path, inputs: np.ndarray) -> None:
    """Atomically replace the file by a copy without the error lines of input records."""
    from bedrock_cli.paths import create_exclusive, temporary_beside

    tmp = temporary_beside(path)  # a fresh name, never through a planted symlink
    try:
        with path.open("rb") as src, open(create_exclusive(tmp, 0o666), "wb") as dst:
            for raw in src:
                if b'"error"' in raw:
                    obj = json.loads(raw)
                    if "error" in obj and contains(inputs, id_hash(id_key(obj["id"]))):
                        continue
                dst.write(raw)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _lock(fd: int) -> None:
    """An exclusive, non-blocking OS lock (OSError when someone holds it)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


class OutputLock:
    """`.<name>.lock` next to the output, flock'ed for the whole run: two runs appending to one
    file would each skip only what was done when they started, and write duplicates. The OS
    drops the lock when the process dies, so a kill -9 never leaves the file locked."""

    def __init__(self, output: Path) -> None:
        self.path = output.with_name(f".{output.name}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        target = self.path.with_name(self.path.name[1:-len(".lock")])
        for _ in range(3):  # the lock file of a run that just ended may be unlinked under us
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise UsageError(f"Cannot write {target}: {exc.strerror}.",
                                 "Check the directory and its permissions.") from None
            try:
                _lock(fd)
            except OSError:
                os.close(fd)
                raise UsageError(f"Another `batch run` is writing {target}.",
                                 "Wait for it to finish, or write to another file.") from None
            try:
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    self._fd = fd
                    return
            except FileNotFoundError:
                pass
            os.close(fd)
        raise UsageError(f"Could not lock {target}.", "Try again.")

    def release(self) -> None:
        if self._fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None


class OutputFile:
    """Appends whole lines with one write each; fsyncs at most every `sync_every` seconds.

    A kill -9 cannot lose a line once `write` returned (the data is in the kernel); fsync only
    bounds what a power loss or OS crash can take, to the last `sync_every` seconds.
    """

    def __init__(self, path: Path, *, sync_every: float = 1.0) -> None:
        self.path = path
        self.sync_every = sync_every
        self._fd: int | None = None
        self._last_sync = time.monotonic()
        self._dirty = False

    def open(self) -> OutputFile:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            raise UsageError(f"Cannot write {self.path}: {exc.strerror}.",
                             "Check the directory and its permissions.") from None
        return self

    def write(self, obj: dict[str, Any]) -> None:
        assert self._fd is not None
        data = (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self._dirty = True
        if self.sync_every <= 0 or time.monotonic() - self._last_sync >= self.sync_every:
            self.sync()

    def sync(self) -> None:
        if self._fd is not None and self._dirty:
            os.fsync(self._fd)
            self._dirty = False
        self._last_sync = time.monotonic()

    def close(self) -> None:
        if self._fd is not None:
            self.sync()
            os.close(self._fd)
            self._fd = None


class StdoutSink:
    """Results as JSON lines on stdout (no -o): flushed per line, nothing to resume from."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write

    def write(self, obj: dict[str, Any]) -> None:
        self._write(json.dumps(obj, ensure_ascii=False) + "\n")

    def close(self) -> None:
        pass
