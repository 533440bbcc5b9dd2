"""Batch records: the input read lazily, record ids, and the output file that makes runs resumable.

Input lines are JSON objects: `{"id", "prompt", ...}` or Bedrock batch records
`{"recordId", "modelInput"}`. A record without an id is given its line number, which is stable
as long as the file is not edited. Blank lines are not records.

Ids are compared by their JSON encoding (so `5` and `"5"` are different ids) and remembered as
64-bit BLAKE2b hashes in sorted numpy arrays: 8 bytes per record, so a million-line input costs
8 MB, not the ~70 MB a Python set of strings would. Duplicate ids in the input are confirmed
exactly (a second pass over the colliding hashes only); the resume set relies on the hash alone,
where a false match needs a 64-bit collision (about 3e-8 for a million ids).

The output file is append-only: one `os.write` of a whole line per result on an `O_APPEND`
descriptor, so a kill -9 loses nothing that was written. A torn last line (power loss, a full
disk) is cut off before appending again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.jsonl import repair_tail

if TYPE_CHECKING:
    import numpy as np

RecordId = str | int
MAX_REPORTED = 5  # bad lines listed in one error message
#: error codes that mean "throttled" (exit 4 rather than 5 when they are all that failed)
THROTTLE_CODES = frozenset({
    "ThrottlingException", "throttlingException", "TooManyRequestsException",
    "ServiceQuotaExceededException", "ModelNotReadyException", "429",
})


class RecordError(Exception):
    """One input line that is not a usable record."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class Record:
    line: int
    id: RecordId
    data: dict[str, Any]

    @property
    def key(self) -> str:
        return id_key(self.id)


def id_key(value: RecordId) -> str:
    return json.dumps(value, ensure_ascii=False)


def id_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def parse_line(number: int, text: str) -> Record | None:
    """The record on one line; None for a blank line; RecordError when it is not a record."""
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(number, f"not valid JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise RecordError(number, "not a JSON object")
    value = data.get("id", data.get("recordId"))
    if value is None:
        value = number
    elif isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise RecordError(number, "the id must be a non-empty string or an integer")
    return Record(number, value, data)


def open_text(path: Path, what: str = "input") -> Any:
    try:
        return path.open("r", encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise UsageError(f"The {what} file {path} does not exist.", "Check the path.") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a JSONL file.", "Pass a file.") from None
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror}.", "Check the permissions.") \
            from None


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) lazily; invalid UTF-8 is a usage error naming the line."""
    with open_text(path) as handle:
        number = 0
        try:
            for number, text in enumerate(handle, start=1):
                yield number, text
        except UnicodeDecodeError:
            raise UsageError(f"{path} is not valid UTF-8 text (line {number + 1} or soon "
                             "after).",
                             "Convert it first, e.g. `iconv -f latin1 -t utf-8`.") from None


def iter_records(path: Path) -> Iterator[Record]:
    """Records lazily, in file order (only what the pre-scan already accepted is expected)."""
    for number, text in iter_lines(path):
        record = parse_line(number, text)
        if record is not None:
            yield record


@dataclass
class Scan:
    """What one pass over the input found, before any call."""

    total: int
    hashes: np.ndarray  # sorted uint64 id hashes of every record


def scan_input(path: Path, check: Callable[[Record], None] | None = None) -> Scan:
    """Count, validate (`check` raises RecordError) and hash every record; exit 2 (UsageError)
    on bad lines or duplicate ids, listing the first few."""
    import array

    import numpy as np

    hashes = array.array("Q")
    problems: list[str] = []
    bad = 0
    for number, text in iter_lines(path):
        try:
            record = parse_line(number, text)
            if record is None:
                continue
            if check is not None:
                check(record)
        except RecordError as exc:
            bad += 1
            if len(problems) < MAX_REPORTED:
                problems.append(str(exc))
            continue
        hashes.append(id_hash(record.key))
    if bad:
        more = f" (and {bad - len(problems)} more)" if bad > len(problems) else ""
        raise UsageError(f"{path}: {bad} bad record(s), nothing was sent: "
                         + "; ".join(problems) + more,
                         'Fix those lines. Each is a JSON object like {"id": "1", "prompt": '
                         '"..."} or {"recordId": "1", "modelInput": {...}}.')
    if not hashes:
        raise UsageError(f"{path} has no records.", "Put one JSON object per line.")
    sorted_hashes = np.sort(np.frombuffer(hashes, dtype=np.uint64))
    del hashes
    repeated = sorted_hashes[1:][sorted_hashes[1:] == sorted_hashes[:-1]]
    if repeated.size:
        _report_duplicates(path, {int(h) for h in repeated})
    return Scan(int(sorted_hashes.size), sorted_hashes)


def _report_duplicates(path: Path, suspects: set[int]) -> None:
    """Confirm hash collisions exactly; raise naming the duplicated ids and their lines."""
    seen: dict[str, int] = {}
    dupes: list[str] = []
    for record in iter_records(path):
        key = record.key
        if id_hash(key) not in suspects:
            continue
        if key in seen:
            if len(dupes) < MAX_REPORTED:
                dupes.append(f"{key} on lines {seen[key]} and {record.line}")
        else:
            seen[key] = record.line
    if dupes:
        raise UsageError(f"{path}: duplicate ids, nothing was sent: " + "; ".join(dupes),
                         "Give every record a unique id (or drop the ids: a record without "
                         "one is named by its line number).")


def count_in(sorted_hashes: np.ndarray, values: np.ndarray) -> int:
    """How many of `values` are in `sorted_hashes` (searchsorted: no large temporaries)."""
    import numpy as np

    if not sorted_hashes.size or not values.size:
        return 0
    at = np.searchsorted(sorted_hashes, values)
    np.minimum(at, sorted_hashes.size - 1, out=at)
    return int(np.count_nonzero(sorted_hashes[at] == values))


def contains(sorted_hashes: np.ndarray, value: int) -> bool:
    import numpy as np

    if not sorted_hashes.size:
        return False
    needle = np.uint64(value)
    i = int(np.searchsorted(sorted_hashes, needle))
    return i < sorted_hashes.size and sorted_hashes[i] == needle


# -- the output file -------------------------------------------------------------------------


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
