"""A tiny scripted HTTP endpoint for AWS-path tests: the real boto3 client, a real socket.

Tests queue responses (JSON, raw bodies, or event-stream frames sent chunked one per chunk)
and read back every request the client sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    frames: list[bytes] | None = None
    frame_delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class FakeEndpoint:
    def __init__(self) -> None:
        self.queue: deque[Scripted] = deque()
        self.requests: list[Seen] = []
        #: answers every request the queue has nothing for (given the request and its number)
        self.responder: Callable[[Seen, int], Scripted] | None = None
        self.lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, dict(self.headers), body)
                with endpoint.lock:
                    endpoint.requests.append(seen)
                    number = len(endpoint.requests)
                    scripted = endpoint.queue.popleft() if endpoint.queue else None
                if scripted is None and endpoint.responder is not None:
                    scripted = endpoint.responder(seen, number)
                scripted = scripted or Scripted(
                    404, json.dumps({"message": "nothing scripted"}).encode(),
                    {"x-amzn-ErrorType": "ResourceNotFoundException:"})
                self.send_response(scripted.status)
                headers = {"Content-Type": "application/json",
                           "x-amzn-RequestId": "fake-request-id", **scripted.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                if scripted.frames is None:
                    self.send_header("Content-Length", str(len(scripted.body)))
                    self.end_headers()
                    self.wfile.write(scripted.body)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for frame in scripted.frames:
                    if scripted.frame_delay:
                        time.sleep(scripted.frame_delay)
                    self.wfile.write(f"{len(frame):X}\r\n".encode() + frame + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

            def handle_one_request(self) -> None:
                try:
                    super().handle_one_request()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (e.g. a read timeout)

            do_POST = do_GET = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def add_json(self, data: Any, status: int = 200, **headers: str) -> None:
        self.queue.append(Scripted(status, json.dumps(data).encode(), dict(headers)))

    def add_error(self, code: str, message: str, status: int) -> None:
        self.queue.append(Scripted(status, json.dumps({"message": message}).encode(),
                                   {"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/"}))

    def add_stream(self, frames: list[bytes], delay: float = 0.0) -> None:
        self.queue.append(Scripted(200, frames=frames, frame_delay=delay,
                                   headers={"Content-Type": "application/vnd.amazon.eventstream"}))

    def __enter__(self) -> FakeEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def converse_frames(text_pieces: list[str], stop: str = "end_turn",
                    usage: tuple[int, int] = (5, 3)) -> list[bytes]:
    from bedrock_cli.local.eventstream import event

    frames = [event("messageStart", {"role": "assistant"})]
    frames += [event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": piece}})
               for piece in text_pieces]
    frames += [
        event("contentBlockStop", {"contentBlockIndex": 0}),
        event("messageStop", {"stopReason": stop}),
        event("metadata", {"usage": {"inputTokens": usage[0], "outputTokens": usage[1],
                                     "totalTokens": sum(usage)},
                           "metrics": {"latencyMs": 12}}),
    ]
    return frames
