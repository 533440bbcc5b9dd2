"""Append-only JSON Lines files, shared by the batch runner (`batch/records.py`) and the
emulator's batch jobs (`local/batch_exec.py`): both append one whole line per result, so
after a crash only the last line can be torn, and it is cut off before appending again.
"""

from __future__ import annotations

import os
from pathlib import Path


def repair_tail(path: Path) -> bool:
    """Cut a torn last line (no final newline) off the file; True when something was cut."""
    with path.open("rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return False
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return False
        block = 1 << 16
        end = size
        while end > 0:
            start = max(0, end - block)
            handle.seek(start)
            chunk = handle.read(end - start)
            at = chunk.rfind(b"\n")
            if at >= 0:
                handle.truncate(start + at + 1)
                break
            end = start
        else:
            handle.truncate(0)
        handle.flush()
        os.fsync(handle.fileno())
    return True
