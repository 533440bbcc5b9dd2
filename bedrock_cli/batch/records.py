"""Batch records: the input read lazily and record ids (the output file is `batch/output.py`).

Input lines are JSON objects: `{"id", "prompt", ...}` or Bedrock batch records
`{"recordId", "modelInput"}`. A record without an id is given its line number, which is stable
as long as the file is not edited. Blank lines are not records.

Ids are compared by their JSON encoding (so `5` and `"5"` are different ids) and remembered as
64-bit BLAKE2b hashes in sorted numpy arrays: 8 bytes per record, so a million-line input costs
8 MB, not the ~70 MB a Python set of strings would. Duplicate ids in the input are confirmed
exactly (a second pass over the colliding hashes only); the resume set relies on the hash alone,
where a false match needs a 64-bit collision (about 3e-8 for a million ids).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError

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
