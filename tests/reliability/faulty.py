"""A deliberately faulty HTTP endpoint on a real loopback socket, scripted reply by reply.

Unlike `tests/fake_endpoint.py` (well-formed answers), every byte it sends is under the test's
control: answers that come too late, bodies that are not JSON, event-stream frames with a bad
checksum or cut in half, connections closed mid-body. It records every request it read, so a
test can count what the client sent (retries included).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bedrock_cli.local.eventstream import event
from tests.fake_endpoint import Seen

ERROR_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.bedrock/"


@dataclass
class Reply:
    """One scripted answer. `frames` are sent chunked, one HTTP chunk each; `cut` closes the
    connection after the frames without the terminating chunk; `raw` replaces everything."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    frames: list[bytes] | None = None
    delay: float = 0.0  # before the status line
    frame_delay: float = 0.0
    cut: bool = False
    stall: float = 0.0  # after the frames, before the end (or the cut)
    raw: bytes | None = None
    truncate_body: int | None = None  # declare the full length, send this many bytes, close


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"


class FaultyEndpoint:
    """`with FaultyEndpoint() as ep: ep.add(Reply(...)); ...; ep.requests` — the queue is
    consumed one reply per request; `ep.default` answers when it is empty."""

    def __init__(self) -> None:
        self.queue: deque[Reply] = deque()
        self.default = Reply(404, json.dumps({"message": "nothing scripted"}).encode(),
                             {"x-amzn-ErrorType": "ResourceNotFoundException" + ERROR_SUFFIX})
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._conns: set[socket.socket] = set()
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    # -- scripting -------------------------------------------------------------------------
    def add(self, *replies: Reply) -> None:
        self.queue.extend(replies)

    def add_json(self, data: Any, status: int = 200, **kw: Any) -> None:
        self.add(Reply(status, json.dumps(data).encode(), **kw))

    def add_error(self, code: str, message: str, status: int, *, times: int = 1) -> None:
        for _ in range(times):
            self.add(Reply(status, json.dumps({"message": message}).encode(),
                           {"x-amzn-ErrorType": code + ERROR_SUFFIX}))

    def add_stream(self, frames: list[bytes], **kw: Any) -> None:
        self.add(Reply(200, frames=frames,
                       headers={"Content-Type": "application/vnd.amazon.eventstream"}, **kw))

    # -- serving ---------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(worker)
            worker.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        with self._lock:
            self._conns.add(conn)
        buffer = b""
        try:
            while not self._stop.is_set():
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _version = lines[0].split(" ", 2)
                headers = {k.strip(): v.strip() for k, _, v in
                           (line.partition(":") for line in lines[1:])}
                length = int(next((v for k, v in headers.items()
                                   if k.lower() == "content-length"), "0"))
                while len(buffer) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                body, buffer = buffer[:length], buffer[length:]
                with self._lock:
                    self.requests.append(Seen(method, path, headers, body))
                    reply = self.queue.popleft() if self.queue else self.default
                if not self._answer(conn, reply):
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._conns.discard(conn)
            conn.close()

    def _answer(self, conn: socket.socket, reply: Reply) -> bool:
        """Send one reply; False when the connection must close."""
        if reply.delay:
            time.sleep(reply.delay)
        if reply.raw is not None:
            conn.sendall(reply.raw)
            return False
        headers = {"Content-Type": "application/json", "x-amzn-RequestId": "faulty-request-id",
                   **reply.headers}
        head = f"HTTP/1.1 {reply.status} {_reason(reply.status)}\r\n"
        if reply.frames is None:
            headers["Content-Length"] = str(len(reply.body))
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
            if reply.truncate_body is not None:
                conn.sendall(head.encode() + reply.body[:reply.truncate_body])
                return False
            conn.sendall(head.encode() + reply.body)
            return True
        headers["Transfer-Encoding"] = "chunked"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        conn.sendall(head.encode())
        for frame in reply.frames:
            if reply.frame_delay:
                time.sleep(reply.frame_delay)
            conn.sendall(f"{len(frame):X}\r\n".encode() + frame + b"\r\n")
        if reply.stall:
            time.sleep(reply.stall)
        if reply.cut:
            return False
        conn.sendall(b"0\r\n\r\n")
        return True

    def __enter__(self) -> FaultyEndpoint:
        self._acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._acceptor.join(2)
        self._sock.close()
        with self._lock:
            for conn in self._conns:  # wake workers waiting on a kept-alive connection
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        for worker in self._threads:
            worker.join(2)


# -- frames ------------------------------------------------------------------------------


def converse_frames(pieces: list[str], usage: tuple[int, int] = (5, 3)) -> list[bytes]:
    """A complete ConverseStream: start, one delta per piece, stop, metadata."""
    frames = [event("messageStart", {"role": "assistant"})]
    frames += [event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": p}})
               for p in pieces]
    frames += [
        event("contentBlockStop", {"contentBlockIndex": 0}),
        event("messageStop", {"stopReason": "end_turn"}),
        event("metadata", {"usage": {"inputTokens": usage[0], "outputTokens": usage[1],
                                     "totalTokens": sum(usage)}, "metrics": {"latencyMs": 9}}),
    ]
    return frames


def bad_crc(frame: bytes) -> bytes:
    """The same frame with its message checksum flipped."""
    return frame[:-4] + bytes(b ^ 0xFF for b in frame[-4:])


def converse_body(text: str) -> dict[str, Any]:
    return {"output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 4, "outputTokens": 2, "totalTokens": 6},
            "metrics": {"latencyMs": 7}}


def refused_port() -> tuple[socket.socket, int]:
    """A port bound but not listening: connecting to it is refused, and no other test can
    take it while the socket is held."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock, int(sock.getsockname()[1])
