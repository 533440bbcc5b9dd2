"""The parsed catalog file, cached with ``marshal`` in the cache directory.

Parsing the shipped models.toml with ``tomllib`` takes about 10 ms, on the start-up path of
every command that names a model; reading the same data back with ``marshal`` takes well
under one.  The cache is keyed on the file's path, size and modification time and on the
Python version (marshal's format is per version), and rebuilt whenever any of them changes
or the cache file cannot be read.  It is written atomically (:func:`paths.atomic_write`) in
a 0700 directory; failing to write it is never an error.

TOML dates (``prices_as_of = 2026-05-01``) are not marshallable: they are stored tagged
and restored as the same ``datetime`` objects, so a cached parse equals a fresh one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

from bedrock_cli import paths

FORMAT = 1
_DATE = "\0toml-date"  # a tag no TOML string can produce through this module's encoding
_TYPES: dict[str, Any] = {"datetime": dt.datetime, "date": dt.date, "time": dt.time}


def cache_file(source: str) -> Path:
    digest = hashlib.sha256(os.path.abspath(source).encode()).hexdigest()[:16]
    return paths.user_cache_dir() / f"catalog-{digest}.marshal"


def _stamp(source: str) -> list[Any]:
    st = os.stat(source)
    return [FORMAT, os.path.abspath(source), st.st_size, st.st_mtime_ns,
            list(sys.version_info[:2])]


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return (_DATE, type(value).__name__, value.isoformat())
    if isinstance(value, tuple):  # never produced by tomllib; keep the tag unambiguous
        raise TypeError("unexpected tuple in parsed TOML")
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, tuple) and len(value) == 3 and value[0] == _DATE:
        return _TYPES[value[1]].fromisoformat(value[2])
    return value


def parsed(source: str, parse: Any) -> dict[str, Any]:
    """``parse(text)`` of the file ``source``, from the cache when it is current."""
    stamp = _stamp(source)
    cache = cache_file(source)
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError, KeyError, IndexError):
        stored_stamp, data = marshal.loads(cache.read_bytes())
        if stored_stamp == stamp:
            return dict(_decode(data))
    with open(source, encoding="utf-8") as fh:
        result: dict[str, Any] = parse(fh.read())
    with contextlib.suppress(OSError, ValueError, TypeError):
        paths.atomic_write(cache, marshal.dumps((stamp, _encode(result))), mode=0o600)
    return result
