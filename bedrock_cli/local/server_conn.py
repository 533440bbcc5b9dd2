"""One ``serve`` connection: read each request, answer it through the emulator, write the answer.

The HTTP/1.1 side of :mod:`.server`: the per-request deadlines and limits (``http11`` reads the
head and body), refusals the server makes itself, SigV4 checking, plain and event-stream
answers (one frame per chunk, drained as produced), the request log line and the
:class:`~.server_config.Exchange` record. The server's lifecycle (accepting, connection slots,
shedding idle clients, stopping) stays in :mod:`.server`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from . import faults, http11
from .errors import internal_server
from .http11 import Head, HttpError
from .router import Emulator, Request, Response
from .server_config import Exchange, ServerConfig

log = logging.getLogger("bedrock_cli.local.server")


@dataclass
class ConnState:
    """What the server knows of one connection (for shedding idle ones at the limit)."""

    busy: bool = False  # a request is being read past its head, answered or streamed
    idle_since: float = field(default_factory=time.monotonic)
    shed: bool = False


def _finish(response: Response) -> Response:
    """Headers the emulator would have set, for answers the server makes itself."""
    response.headers = {
        **response.headers,
        "x-amzn-RequestId": str(uuid.uuid4()),
        "Content-Length": str(len(response.body)),
    }
    return response


class ConnectionHandler:
    """Answers the requests of connections: blocking emulator work runs on ``pool``;
    ``stopping()`` says the server is shutting down (finish the request in hand, keep no
    connection alive)."""

    def __init__(self, emulator: Emulator, config: ServerConfig, pool: ThreadPoolExecutor,
                 stopping: Callable[[], bool]) -> None:
        self.emulator = emulator
        self.config = config
        self._pool = pool
        self._stopping = stopping

    async def connection(self, conn: socket.socket, peer: Any, state: ConnState) -> None:
        """Serve requests on one accepted socket until it closes, idles out or the server stops."""
        cfg = self.config
        writer: asyncio.StreamWriter | None = None
        peer_text = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        try:
            reader, writer = await asyncio.open_connection(sock=conn, limit=cfg.max_header_bytes)
            while not self._stopping():
                try:
                    head = await http11.read_head(
                        reader, idle=cfg.idle_timeout, deadline=cfg.header_timeout,
                        max_bytes=cfg.max_header_bytes, max_headers=cfg.max_headers,
                    )
                except HttpError as exc:
                    await self._refuse(reader, writer, exc, None, peer_text)
                    return
                if head is None:
                    return
                if not await self._exchange(reader, writer, head, peer_text, state):
                    return
                state.busy, state.idle_since = False, time.monotonic()
        except (ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass
        except Exception:  # never let one connection take the server down
            log.exception("serve: unexpected error on a connection from %s", peer_text)
        finally:
            if writer is not None:
                writer.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(writer.wait_closed(), 1.0)
            else:
                conn.close()

    async def _refuse(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, exc: HttpError,
        head: Head | None, peer: str,
    ) -> None:
        """Answer a request the server cannot take, then close (draining a refused body)."""
        started = time.perf_counter()
        response = _finish(Response.error(exc.error))
        if head is not None:
            self._record(head, b"", response.status, "", started, peer)
        writer.write(http11.response_head(response.status, response.headers, keep_alive=False,
                                          length=len(response.body)) + response.body)
        await asyncio.wait_for(writer.drain(), self.config.write_timeout)
        if exc.drain and exc.drain <= 4 * self.config.max_body_bytes:
            await http11.discard(reader, exc.drain, self.config.body_timeout)
        method, target = (head.method, head.target) if head else ("-", "-")
        self._log(peer, method, target, response.status, started, note=exc.error.message)

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: Head, peer: str,
        state: ConnState,
    ) -> bool:
        """Read one request, answer it; True when the connection stays open."""
        started = time.perf_counter()
        cfg = self.config
        try:
            body = await http11.read_body(reader, writer, head, limit=cfg.max_body_bytes,
                                          timeout=cfg.body_timeout)
        except HttpError as exc:
            await self._refuse(reader, writer, exc, head, peer)
            return False
        state.busy = True  # the request is in hand: from here on it is never shed
        request = Request.from_target(head.method, head.target, head.merged(), body)
        try:
            denied = cfg.verifier.check(head.method, head.target, request.headers, body) \
                if cfg.verifier else None
            if denied is not None:
                response = _finish(Response.error(denied))
            else:
                loop = asyncio.get_running_loop()
                response = await loop.run_in_executor(self._pool, self.emulator.handle, request)
        except Exception:  # Emulator.handle never raises; this guards everything around it
            log.exception("serve: unexpected error answering %s %s", head.method, head.target)
            response = _finish(Response.error(internal_server()))
        keep = head.keep_alive and not self._stopping()
        events, cut = 0, False
        # Recorded before the last byte goes out, so a client that has its answer can rely
        # on finding its request in the record (streams update the count as they go).
        seen = self._record(head, body, response.status, request.operation, started, peer)
        if response.events is None:
            payload = b"" if head.method == "HEAD" else response.body
            writer.write(http11.response_head(response.status, response.headers, keep_alive=keep,
                                              length=len(response.body), version=head.version)
                         + payload)
            await asyncio.wait_for(writer.drain(), cfg.write_timeout)
        else:
            chunked = head.version == "HTTP/1.1"  # an HTTP/1.0 client reads to EOF instead
            keep = keep and chunked
            writer.write(http11.response_head(response.status, response.headers, keep_alive=keep,
                                              length=None if chunked else -1,
                                              version=head.version))
            events, cut = await self._stream(writer, response.events, chunked, seen)
        note = f"stream cut after {events} events" if cut else \
            (f"stream, {events} events" if response.events is not None else "")
        self._log(peer, head.method, head.target, response.status, started, note=note)
        if seen is not None:
            seen.ms = (time.perf_counter() - started) * 1000
        return keep and not cut

    async def _stream(self, writer: asyncio.StreamWriter, events: Iterator[bytes],
                      chunked: bool, seen: Exchange | None) -> tuple[int, bool]:
        """Send frames as chunks as they are produced; (frames sent, whether it was cut)."""
        loop = asyncio.get_running_loop()
        sent, finished = 0, False
        try:
            while True:
                frame = await loop.run_in_executor(self._pool, next, events, None)
                if frame is None:
                    finished = True
                    break
                if faults.is_cut(frame):
                    if seen is not None:
                        seen.cut = True
                    return sent, True  # the connection closes with no terminating chunk
                if frame:
                    sent += 1
                    if seen is not None:
                        seen.events = sent
                    writer.write(http11.chunk(frame) if chunked else frame)
                    await asyncio.wait_for(writer.drain(), self.config.write_timeout)
            if chunked:
                writer.write(http11.LAST_CHUNK)
                await asyncio.wait_for(writer.drain(), self.config.write_timeout)
            return sent, False
        finally:
            if not finished:
                with contextlib.suppress(Exception):  # "generator already executing" if cancelled
                    close = getattr(events, "close", None)
                    if close is not None:
                        close()

    # -- bookkeeping -----------------------------------------------------------------------
    def _log(self, peer: str, method: str, target: str, status: int, started: float,
             note: str = "") -> None:
        if self.config.log is None:
            return
        ms = (time.perf_counter() - started) * 1000
        path = http11.printable(target.split("?", 1)[0] if target != "-" else target)
        line = f"{http11.printable(method, 16)} {path} {status} {ms:.0f}ms"
        self.config.log(f"{line} ({http11.printable(note, 120)})" if note else line)

    def _record(self, head: Head, body: bytes, status: int, operation: str, started: float,
                peer: str) -> Exchange | None:
        if self.config.record is None:
            return None
        seen = Exchange(head.method, head.target, head.merged(), body, status, operation,
                        ms=(time.perf_counter() - started) * 1000, peer=peer)
        self.config.record(seen)
        return seen


__all__ = ["ConnState", "ConnectionHandler"]
