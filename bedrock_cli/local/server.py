"""``bedrock-cli serve``: the emulator behind an HTTP/1.1 socket, for any Bedrock client.

There is no second implementation: every request becomes a :class:`router.Request` and is
answered by the same ``Emulator.handle`` the in-process transport calls.

Why asyncio streams plus a bounded thread pool, rather than ``ThreadingHTTPServer``: connection
I/O is where the hostile cases live. On the event loop an idle keep-alive connection or a
client trickling its headers costs no thread, and the rules are plain deadlines
(``wait_for``): the *whole* request head within ``header_timeout`` of its first byte (a per-read
socket timeout never stops a client sending one byte every few seconds), the body within
``body_timeout``, the next request within ``idle_timeout``. The emulator's work is blocking
(engines, latency and stream pacing sleep), so it runs in a ``ThreadPoolExecutor`` with one
worker per allowed connection: a connection has at most one request in flight, so no request
ever queues behind another's latency. Connections are bounded by a semaphore taken *before*
``accept``: past the limit, new clients wait in the listen backlog instead of costing memory.

Event streams go out with ``Transfer-Encoding: chunked``, one frame per chunk, written and
drained as the emulator produces it, so the client sees each event when it is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import select
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from . import faults, http11
from .errors import EmulatorError, internal_server
from .http11 import Head, HttpError
from .router import Emulator, Request, Response
from .sigv4 import SignatureVerifier

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 25 * 1024 * 1024


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8787
    max_body_bytes: int = MAX_BODY_BYTES
    max_header_bytes: int = 64 * 1024
    max_headers: int = 100
    header_timeout: float = 10.0  # whole head, from its first byte
    body_timeout: float = 60.0  # whole body
    idle_timeout: float = 30.0  # keep-alive wait for the next request
    write_timeout: float = 60.0  # a client that stops reading
    max_connections: int = 256
    shed_idle_after: float = 1.0  # at the limit, an idle connection this old makes room
    shutdown_grace: float = 10.0  # in-flight requests get this long to finish on stop
    backlog: int = 1024
    verifier: SignatureVerifier | None = None
    log: Callable[[str], None] | None = None  # one line per request; None = quiet
    record: Callable[[Exchange], None] | None = None  # every request received, when answered


@dataclass
class Exchange:
    """One request as received and what was answered (the pytest fixture's ``requests``)."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    status: int
    operation: str = ""
    events: int = 0  # event-stream frames sent
    cut: bool = False  # the stream was dropped without its terminator
    ms: float = 0.0
    peer: str = ""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def attempt(self) -> int:
        return Request("GET", "/", headers=self.headers).attempt

    @property
    def model_id(self) -> str | None:
        """The model id of a ``/model/{modelId}/...`` request, decoded."""
        from urllib.parse import unquote

        parts = self.path.split("/")
        return unquote(parts[2]) if len(parts) > 3 and parts[1] == "model" else None

    def json(self) -> Any:
        """The request body, parsed (what the client sent, for assertions)."""
        import json

        return json.loads(self.body)


class BindError(OSError):
    """The address cannot be bound (in use, not local, not permitted)."""


def bind(host: str, port: int, backlog: int = 1024) -> socket.socket:
    """A listening socket, or BindError with a message a user can act on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise BindError(errno.EADDRNOTAVAIL, f"cannot resolve host {host!r}: {exc}") from None
    family, _, _, _, address = infos[0]
    try:
        return socket.create_server(address[:2], family=family, backlog=backlog)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            message = f"port {port} on {host} is already in use"
        elif exc.errno == errno.EACCES:
            message = f"not permitted to bind port {port} on {host}"
        else:
            message = f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        raise BindError(exc.errno or 0, message) from None


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_for(host: str, port: int) -> str:
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1" if host != "::" else "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass
class _Conn:
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


class BedrockServer:
    """Binds at construction (so a busy port is an immediate, clear error); serves in
    :meth:`serve` until :meth:`stop` (thread-safe) or a signal."""

    def __init__(self, emulator: Emulator, config: ServerConfig | None = None) -> None:
        self.emulator = emulator
        self.config = config or ServerConfig()
        self.faults = faults.install(emulator)  # the fault header always works on a server
        self._sock = bind(self.config.host, self.config.port, self.config.backlog)
        self.port: int = self._sock.getsockname()[1]
        self.url = url_for(self.config.host, self.port)
        self._pool = ThreadPoolExecutor(self.config.max_connections, "bedrock-serve")
        self._tasks: dict[asyncio.Task[None], _Conn] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._freed = asyncio.Event()
        self._stop_requested = False
        self._grace = self.config.shutdown_grace
        self.active_connections = 0
        self.peak_connections = 0
        self.shed_connections = 0  # idle connections closed to make room for new clients

    # -- lifecycle -------------------------------------------------------------------------
    def stop(self, grace: float | None = None) -> None:
        """Stop accepting, close idle connections, give in-flight requests ``grace`` seconds."""
        if grace is not None:
            self._grace = grace
        self._stop_requested = True
        loop, event = self._loop, self._stop
        if loop is not None and event is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

    async def serve(self, *, handle_signals: bool = False) -> None:
        loop = asyncio.get_running_loop()
        self._loop, self._stop = loop, asyncio.Event()
        if self._stop_requested:
            self._stop.set()
        if handle_signals:
            self._install_signals(loop)
        self._sock.setblocking(False)
        slots = asyncio.Semaphore(self.config.max_connections)
        self._freed = asyncio.Event()  # set whenever a connection ends and frees its slot
        accepting = loop.create_task(self._accept(loop, slots))
        try:
            await self._stop.wait()
        finally:
            accepting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await accepting
            self._sock.close()
            await self._close_connections()
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _install_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        def on_signal() -> None:
            if self._stop_requested:  # a second Ctrl-C: cut in-flight requests now
                self._grace = 0
            self.stop()

        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, on_signal)

    async def _accept(self, loop: asyncio.AbstractEventLoop, slots: asyncio.Semaphore) -> None:
        while True:
            await self._slot(slots)
            try:
                conn, peer = await loop.sock_accept(self._sock)
            except asyncio.CancelledError:
                slots.release()
                raise
            except OSError as exc:  # EMFILE and friends: back off, keep serving
                slots.release()
                log.warning("serve: accept failed: %s", exc)
                await asyncio.sleep(0.05)
                continue
            with contextlib.suppress(OSError):  # no Nagle: each event leaves when written
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            task = loop.create_task(self._connection(conn, peer))
            self._tasks[task] = _Conn()
            self.active_connections += 1
            self.peak_connections = max(self.peak_connections, self.active_connections)

            def done(t: asyncio.Task[None]) -> None:
                self._tasks.pop(t, None)
                self.active_connections -= 1
                slots.release()
                self._freed.set()

            task.add_done_callback(done)

    async def _slot(self, slots: asyncio.Semaphore) -> None:
        """Take a connection slot. When every slot is taken, the connection that has waited
        longest for a request (idle keep-alive, a client trickling its headers or its body)
        is closed once it has waited `shed_idle_after` seconds, so that idle or slow clients
        cannot lock the others out for the whole idle timeout. Connections with a request in
        hand are never shed: when all are busy, new clients wait in the backlog."""
        while slots.locked():
            self._freed.clear()
            wait = self._shed_idle()
            # asyncio.wait, not wait_for: on Python < 3.12 wait_for can swallow a
            # cancellation, and this loop must end when the server stops
            freed = asyncio.ensure_future(self._freed.wait())
            try:
                await asyncio.wait({freed}, timeout=wait or 0.25)
            finally:
                freed.cancel()
        await slots.acquire()

    def _shed_idle(self) -> float | None:
        """Shed the oldest idle connection if it is old enough and a client is waiting to be
        accepted; else the seconds before looking again (None: no connection is idle)."""
        if not select.select([self._sock], [], [], 0)[0]:
            return 0.1  # nobody waiting in the backlog: nothing to make room for
        idle = [(conn.idle_since, id(task), task) for task, conn in self._tasks.items()
                if not conn.busy and not conn.shed]
        if not idle:
            return None
        since, _, task = min(idle)
        left = since + self.config.shed_idle_after - time.monotonic()
        if left > 0:
            return left
        self._tasks[task].shed = True
        self.shed_connections += 1
        task.cancel()
        return None

    async def _close_connections(self) -> None:
        for task, conn in list(self._tasks.items()):
            if not conn.busy:
                task.cancel()
        pending = set(self._tasks)
        if pending:
            _, late = await asyncio.wait(pending, timeout=max(self._grace, 0.0))
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    # -- one connection --------------------------------------------------------------------
    async def _connection(self, conn: socket.socket, peer: Any) -> None:
        cfg = self.config
        state = self._tasks.get(asyncio.current_task(), _Conn())  # type: ignore[arg-type]
        writer: asyncio.StreamWriter | None = None
        peer_text = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        try:
            reader, writer = await asyncio.open_connection(sock=conn, limit=cfg.max_header_bytes)
            while not self._stop_requested:
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
        state: _Conn,
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
        keep = head.keep_alive and not self._stop_requested
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


@dataclass
class ServerThread:
    """A server on a background thread (tests, the pytest fixture). Bind errors are raised by
    the constructor; ``stop()`` waits for the loop to finish."""

    emulator: Emulator
    config: ServerConfig = field(default_factory=ServerConfig)

    def __post_init__(self) -> None:
        self.server = BedrockServer(self.emulator, self.config)
        self.url = self.server.url
        self.port = self.server.port
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self.server.serve()), name=f"bedrock-serve-{self.port}",
            daemon=True,
        )

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def stop(self, grace: float = 2.0, timeout: float = 10.0) -> None:
        self.server.stop(grace)
        self._thread.join(timeout)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def run(server: BedrockServer) -> None:
    """Serve in this (main) thread until Ctrl-C or SIGTERM, then shut down cleanly."""
    with contextlib.suppress(KeyboardInterrupt):  # platforms without loop signal handlers
        asyncio.run(server.serve(handle_signals=True))
    # Exit promptly: once the engines are loaded, the interpreter's last garbage collections
    # walk millions of their objects (0.1-0.2 s, more after a long run). Frozen objects are
    # still freed by reference counting; only those pointless cycle searches are skipped.
    import gc

    gc.freeze()
    # Stopped: a repeated Ctrl-C or SIGTERM while the process exits must not turn a clean
    # shutdown into death by signal.
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):  # not the main thread / no such signal
            signal.signal(sig, signal.SIG_IGN)


__all__ = ["BedrockServer", "BindError", "EmulatorError", "Exchange", "ServerConfig",
           "ServerThread", "bind", "is_loopback", "run", "url_for"]
