"""Fixtures for the server tests: a live server on a free loopback port, raw sockets, boto3."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config

from bedrock_cli.local import Emulator, EmulatorOptions
from bedrock_cli.local.server import Exchange, ServerConfig, ServerThread


@dataclass
class Live:
    thread: ServerThread
    exchanges: list[Exchange] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.thread.port

    @property
    def url(self) -> str:
        return self.thread.url

    def client(self, service: str = "bedrock-runtime", key: str = "testing",
               secret: str = "testing", **config: Any) -> Any:
        cfg = Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=10,
                     connect_timeout=5, **config)
        return boto3.client(service, region_name="us-east-1", endpoint_url=self.url,
                            aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)


@pytest.fixture
def start_server() -> Iterator[Callable[..., Live]]:
    """Start servers with short timeouts (override any ServerConfig field); stopped after."""
    started: list[ServerThread] = []

    def start(options: EmulatorOptions | None = None, **overrides: Any) -> Live:
        exchanges: list[Exchange] = []
        lines: list[str] = []
        settings: dict[str, Any] = {
            "port": 0, "idle_timeout": 2.0, "header_timeout": 1.0, "body_timeout": 5.0,
            "write_timeout": 5.0, "shutdown_grace": 1.0, "record": exchanges.append,
            "log": lines.append, **overrides,
        }
        thread = ServerThread(Emulator(options or EmulatorOptions()), ServerConfig(**settings))
        started.append(thread.start())
        return Live(thread, exchanges, lines)

    yield start
    for thread in started:
        thread.stop(grace=0.5)


@pytest.fixture
def live(start_server: Callable[..., Live]) -> Live:
    return start_server()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def read_reply(sock: socket.socket) -> Reply:
    """Read one HTTP/1.1 response with a Content-Length body (or up to EOF)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a full response head: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return Reply(status, headers, rest[:length])
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return Reply(status, headers, rest)
        rest += chunk


def exchange(port: int, data: bytes, timeout: float = 5.0) -> Reply:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_reply(sock)


def closed_by_peer(sock: socket.socket) -> bool:
    """True when the peer has closed (EOF or reset) — reads whatever is left first."""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
