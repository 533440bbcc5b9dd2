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

This module is the server's lifecycle (accepting, connection slots, shedding, signals and
stopping); one connection's requests are answered in :mod:`.server_conn`, and the
configuration, the :class:`Exchange` record and the address helpers live in
:mod:`.server_config` (re-exported here).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import select
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from . import faults
from .errors import EmulatorError
from .router import Emulator
from .server_config import (
    MAX_BODY_BYTES,
    BindError,
    Exchange,
    ServerConfig,
    bind,
    is_loopback,
    url_for,
)
from .server_conn import ConnectionHandler, ConnState

log = logging.getLogger(__name__)


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
        self._tasks: dict[asyncio.Task[None], ConnState] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._freed = asyncio.Event()
        self._stop_requested = False
        self._grace = self.config.shutdown_grace
        self.active_connections = 0
        self.peak_connections = 0
        self.shed_connections = 0  # idle connections closed to make room for new clients
        self._handler = ConnectionHandler(emulator, self.config, self._pool,
                                          lambda: self._stop_requested)

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
            state = ConnState()
            task = loop.create_task(self._handler.connection(conn, peer, state))
            self._tasks[task] = state
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


__all__ = ["MAX_BODY_BYTES", "BedrockServer", "BindError", "EmulatorError", "Exchange",
           "ServerConfig", "ServerThread", "bind", "is_loopback", "run", "url_for"]
