"""What a ``serve`` server is configured with, what it records, and where it listens.

:class:`ServerConfig` (limits and deadlines), :class:`Exchange` (one request as received and
answered: the pytest fixture's ``requests``) and the address helpers (:func:`bind`,
:func:`is_loopback`, :func:`url_for`). Split from :mod:`.server`, which re-exports them.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .router import Request
from .sigv4 import SignatureVerifier

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


__all__ = ["MAX_BODY_BYTES", "BindError", "Exchange", "ServerConfig", "bind", "is_loopback",
           "url_for"]
