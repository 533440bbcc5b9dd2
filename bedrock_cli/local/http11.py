"""The small, strict slice of HTTP/1.1 that ``serve`` needs: reading a request head and body
from an asyncio stream, with byte and time limits, and writing responses.

Every way a request can be malformed raises :class:`HttpError`, which the server answers with a
Bedrock-shaped JSON error and then closes the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus

from .errors import EmulatorError, validation

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")
_VERSION = re.compile(r"HTTP/1\.[01]\Z")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})(?:;[^\r\n]*)?\r?\n\Z")
_UNSAFE = re.compile(r"[^\x20-\x7e]")


class HttpError(Exception):
    """A request the server answers itself, then closes the connection.

    ``drain`` is how many body bytes to read and discard before closing, so a client still
    sending its body reads the answer instead of a connection reset.
    """

    def __init__(self, error: EmulatorError, drain: int = 0) -> None:
        super().__init__(error.message)
        self.error = error
        self.drain = drain


def malformed(reason: str) -> HttpError:
    return HttpError(validation(f"Malformed HTTP request: {reason}."))


def too_large(limit: int, drain: int = 0) -> HttpError:
    err = validation(
        f"The request body is too large: the limit is {limit} bytes ({limit // 2**20} MB)."
    )
    err.status = 413
    return HttpError(err, drain)


@dataclass
class Head:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]

    def get(self, name: str) -> str | None:
        """The value of a header; repeated headers are joined with ', ' (RFC 9110 §5.3)."""
        values = [v for k, v in self.headers if k.lower() == name]
        return ", ".join(values) if values else None

    def merged(self) -> dict[str, str]:
        """Headers as a dict (first spelling kept), repeated ones joined with ', '."""
        out: dict[str, str] = {}
        spelling: dict[str, str] = {}
        for name, value in self.headers:
            key = spelling.setdefault(name.lower(), name)
            out[key] = f"{out[key]}, {value}" if key in out else value
        return out

    @property
    def keep_alive(self) -> bool:
        tokens = {t.strip().lower() for t in (self.get("connection") or "").split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens


async def read_head(
    reader: asyncio.StreamReader, *, idle: float, deadline: float, max_bytes: int,
    max_headers: int,
) -> Head | None:
    """The next request head, or None when the client closes or stays idle past ``idle``.

    Once the first byte arrives, the whole head must follow within ``deadline`` seconds: a
    client trickling headers byte by byte (slowloris) is cut off there.
    """
    try:
        first = await asyncio.wait_for(reader.read(1), idle)
    except (asyncio.TimeoutError, ConnectionError):
        return None
    if not first:
        return None
    try:
        return await asyncio.wait_for(
            _read_lines(reader, first, max_bytes, max_headers), deadline
        )
    except asyncio.TimeoutError:
        raise HttpError(EmulatorError(
            "RequestTimeoutException", "The request headers did not arrive in time.", 408
        )) from None


async def _read_lines(
    reader: asyncio.StreamReader, first: bytes, max_bytes: int, max_headers: int
) -> Head:
    lines: list[str] = []
    total, pending = 0, first
    while True:
        try:
            raw = pending if pending.endswith(b"\n") else pending + await reader.readline()
        except (ValueError, asyncio.LimitOverrunError):
            raise malformed("header line too long") from None
        pending = b""
        total += len(raw)
        if total > max_bytes:
            raise malformed(f"headers larger than {max_bytes} bytes")
        if not raw.endswith(b"\n"):
            raise malformed("connection closed inside the request head")
        line = raw.rstrip(b"\r\n")
        if not line:
            if lines:
                break
            continue  # tolerate blank lines before the request line (RFC 9112 §2.2)
        try:
            lines.append(line.decode("ascii") if not lines else line.decode("latin-1"))
        except UnicodeDecodeError:
            raise malformed("the request line is not ASCII") from None
        if len(lines) > max_headers + 1:
            raise malformed(f"more than {max_headers} headers")
    return parse_head(lines)


def parse_head(lines: list[str]) -> Head:
    parts = lines[0].split(" ")
    if len(parts) != 3:
        raise malformed("the request line must be 'METHOD TARGET HTTP/1.1'")
    method, target, version = parts
    if not _TOKEN.match(method):
        raise malformed("invalid method")
    if not _VERSION.match(version):
        raise malformed(f"unsupported protocol version {printable(version)!r}")
    if target.startswith(("http://", "https://")):  # absolute form: keep path and query
        rest = target.split("://", 1)[1]
        target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    if not target.startswith("/") or _UNSAFE.search(target):
        raise malformed("invalid request target")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t"):
            raise malformed("obsolete header line folding")
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN.match(name):
            raise malformed("invalid header line")
        headers.append((name, value.strip(" \t")))
    head = Head(method, target, version, headers)
    if version == "HTTP/1.1" and head.get("host") is None:
        raise malformed("HTTP/1.1 requests need a Host header")
    return head


async def read_body(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: Head, *,
    limit: int, timeout: float,
) -> bytes:
    """The request body (Content-Length or chunked), at most ``limit`` bytes."""
    encoding = head.get("transfer-encoding")
    length = head.get("content-length")
    expect = (head.get("expect") or "").lower() == "100-continue"
    if encoding is not None:
        if length is not None:
            raise malformed("both Transfer-Encoding and Content-Length")
        if encoding.strip().lower() != "chunked":
            raise malformed(f"unsupported Transfer-Encoding {printable(encoding)!r}")
        if expect:
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return await _timed(_read_chunked(reader, limit), timeout)
    if length is None:
        return b""
    if not length.strip().isdigit():
        raise malformed("invalid Content-Length")
    size = int(length)
    if size > limit:
        # Read nothing into memory: answer 413, discard what the client still sends, close.
        raise too_large(limit, drain=0 if expect else size)
    if expect and size:
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    return await _timed(reader.readexactly(size), timeout)


async def _timed(coro: object, timeout: float) -> bytes:
    try:
        return await asyncio.wait_for(coro, timeout)  # type: ignore[arg-type]
    except asyncio.TimeoutError:
        raise HttpError(EmulatorError(
            "RequestTimeoutException", "The request body did not arrive in time.", 408
        )) from None
    except asyncio.IncompleteReadError:
        raise ConnectionResetError("client closed the connection inside the body") from None


async def _read_chunked(reader: asyncio.StreamReader, limit: int) -> bytes:
    body = bytearray()
    while True:
        match = _CHUNK_SIZE.match(await reader.readline())
        if not match:
            raise malformed("invalid chunk size line")
        size = int(match.group(1), 16)
        if size == 0:
            break
        if len(body) + size > limit:
            raise too_large(limit)
        body += await reader.readexactly(size)
        if (await reader.readexactly(2)) != b"\r\n":
            raise malformed("chunk not followed by CRLF")
    while (await reader.readline()).strip():  # trailer fields, ignored
        pass
    return bytes(body)


async def discard(reader: asyncio.StreamReader, size: int, timeout: float) -> None:
    """Read and drop ``size`` bytes (64 KiB at a time), giving up after ``timeout``."""

    async def _drop() -> None:
        left = size
        while left > 0:
            chunk = await reader.read(min(left, 65536))
            if not chunk:
                return
            left -= len(chunk)

    with contextlib.suppress(asyncio.TimeoutError, ConnectionError):
        await asyncio.wait_for(_drop(), timeout)


_SKIP = frozenset({"connection", "content-length", "transfer-encoding", "date", "keep-alive"})


def response_head(
    status: int, headers: dict[str, str], *, keep_alive: bool, length: int | None,
    version: str = "HTTP/1.1",
) -> bytes:
    """Status line and headers. ``length=None``: a chunked body; negative: read to EOF."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}"]
    for name, value in headers.items():
        if name.lower() not in _SKIP:
            lines.append(f"{_UNSAFE.sub('?', name)}: {_UNSAFE.sub('?', str(value))}")
    lines.append(f"Date: {formatdate(usegmt=True)}")
    if length is None:
        lines.append("Transfer-Encoding: chunked")
    elif length >= 0:
        lines.append(f"Content-Length: {length}")
    if not keep_alive:
        lines.append("Connection: close")
    elif version == "HTTP/1.0":
        lines.append("Connection: keep-alive")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def chunk(data: bytes) -> bytes:
    return b"%X\r\n%s\r\n" % (len(data), data)


LAST_CHUNK = b"0\r\n\r\n"


def printable(text: str, limit: int = 300) -> str:
    """Text safe for a log line or a header: no control characters, bounded length."""
    cleaned = _UNSAFE.sub("?", text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
