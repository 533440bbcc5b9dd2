"""Reading user input: stdin and text files, with clear errors for what cannot be read."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from bedrock_cli.errors import UsageError

MAX_TEXT_BYTES = 200 * 1024 * 1024  # far beyond any context window; protects memory


def decode_text(data: bytes, where: str) -> str:
    if b"\x00" in data[:8192]:
        raise UsageError(f"{where} looks like binary data, not text.",
                         "Pass a text file, or attach binary files with -a.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where} is not valid UTF-8 text (byte {exc.start}).",
                         "Convert it first, e.g. `iconv -f latin1 -t utf-8`.") from None


def read_named_text(path: str | Path, error: Callable[[str], Exception]) -> str:
    """A configuration file's UTF-8 text; a failure raises ``error("PATH: cannot read it:
    REASON")`` (the caller's own error type, so its exit code and hint apply)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise error(f"{path}: cannot read it: {reason}") from None


def user_path(value: str | Path) -> Path:
    """A path the user typed, with `~` and `~user` expanded — left as typed when that user
    does not exist (`Path.expanduser` raises then; `os.path.expanduser` does not)."""
    return Path(os.path.expanduser(value))


def stdin_is_piped() -> bool:
    try:
        return not sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def read_stdin_bytes(*, required: bool = False) -> bytes | None:
    """Stdin's bytes when something is piped in; None on a terminal."""
    if sys.stdin is None or (not stdin_is_piped() and not required):
        return None
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(MAX_TEXT_BYTES + 1) if stream is not None else \
        sys.stdin.read().encode("utf-8")
    if len(data) > MAX_TEXT_BYTES:
        raise UsageError("Standard input is larger than 200 MB.", "Split the input.")
    return bytes(data)


def read_stdin(*, required: bool = False) -> str | None:
    """Stdin's text when something is piped in; None on a terminal."""
    data = read_stdin_bytes(required=required)
    return None if data is None else decode_text(data, "Standard input")


def read_bytes(path: Path, *, limit: int | None = MAX_TEXT_BYTES, noun: str = "file",
               hint: str = "Check the path.") -> bytes:
    """The bytes of a file the user named, with the same clear errors (exit 2) wherever a
    command reads one: not found, a directory, too large, unreadable.

    A named pipe given by name is read to its end — that is how `<(command)` passes a
    command's output — but a socket or a device is refused before it is opened (it could
    block, or never end). Folder walks skip pipes too (`retrieval`)."""
    a_noun = f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{path} is a directory, not {a_noun}.", f"Pass {a_noun}.")
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
            raise UsageError(f"{path} is not a regular file (a device or a socket).",
                             f"Pass {a_noun}.")
        if limit is not None and info.st_size > limit:
            raise _too_large(path, limit)
        with path.open("rb") as handle:
            data = handle.read() if limit is None else handle.read(limit + 1)
        if limit is not None and len(data) > limit:  # a pipe has no size until it is read
            raise _too_large(path, limit)
        return data
    except FileNotFoundError:
        raise UsageError(f"{noun.capitalize()} not found: {path}", hint) from None
    except PermissionError:
        raise UsageError(f"Permission denied reading {path}.", "Check its permissions.") \
            from None
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror}.", hint) from None


def _too_large(path: Path, limit: int) -> UsageError:
    return UsageError(f"{path} is larger than {limit // (1024 * 1024)} MB.",
                      "Split it, or pass a smaller file.")


def read_text_file(path: Path) -> str:
    if str(path) == "-":
        return read_stdin(required=True) or ""
    return decode_text(read_bytes(path), str(path))
