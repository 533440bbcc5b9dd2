"""Reading user input: stdin and text files, with clear errors for what cannot be read."""

from __future__ import annotations

import sys
from pathlib import Path

from bedrock_cli.errors import UsageError

MAX_TEXT_BYTES = 200 * 1024 * 1024  # far beyond any context window; protects memory


def _decode(data: bytes, where: str) -> str:
    if b"\x00" in data[:8192]:
        raise UsageError(f"{where} looks like binary data, not text.",
                         "Pass a text file, or attach binary files with -a.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where} is not valid UTF-8 text (byte {exc.start}).",
                         "Convert it first, e.g. `iconv -f latin1 -t utf-8`.") from None


def stdin_is_piped() -> bool:
    try:
        return not sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def read_stdin(*, required: bool = False) -> str | None:
    """Stdin's text when something is piped in; None on a terminal."""
    if sys.stdin is None or (not stdin_is_piped() and not required):
        return None
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(MAX_TEXT_BYTES + 1) if stream is not None else \
        sys.stdin.read().encode("utf-8")
    if len(data) > MAX_TEXT_BYTES:
        raise UsageError("Standard input is larger than 200 MB.", "Split the input.")
    return _decode(data, "Standard input")


def read_bytes(path: Path, *, limit: int | None = MAX_TEXT_BYTES, noun: str = "file",
               hint: str = "Check the path.") -> bytes:
    """The bytes of a file the user named, with the same clear errors (exit 2) wherever a
    command reads one: not found, a directory, too large, unreadable."""
    try:
        if path.is_dir():
            raise UsageError(f"{path} is a directory, not a {noun}.", f"Pass a {noun}.")
        if limit is not None and path.stat().st_size > limit:
            raise UsageError(f"{path} is larger than {limit // (1024 * 1024)} MB.",
                             "Split it, or pass a smaller file.")
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{noun.capitalize()} not found: {path}", hint) from None
    except PermissionError:
        raise UsageError(f"Permission denied reading {path}.", "Check its permissions.") \
            from None
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror}.", hint) from None


def read_text_file(path: Path) -> str:
    if str(path) == "-":
        return read_stdin(required=True) or ""
    return _decode(read_bytes(path), str(path))
