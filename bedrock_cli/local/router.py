"""The emulator's front door: requests in, Bedrock-shaped responses out, no HTTP library.

``Emulator.handle(Request) -> Response`` is all a transport needs: the in-process botocore
responder (``transport.attach``) and the HTTP server (``serve``) both call it.

Operations register themselves with :func:`route` when their module is imported; the emulator
imports every module of ``bedrock_cli.local.operations`` the first time one is built, so a new
operation is a new module there and nothing else::

    from bedrock_cli.local.router import Request, Response, route

    @route("POST", "/model/{modelId}/converse", name="Converse")
    def converse(request: Request, emulator: Emulator) -> Response:
        model_id = request.params["modelId"]      # percent-decoded once, may contain "/"
        return Response.json({...})

Path labels match one raw segment and are percent-decoded once, so an ARN sent as
``arn%3Aaws%3A...%3Ainference-profile%2Fus.amazon...`` arrives whole. (A client that does not
encode ``/`` inside a label still matches, through a lenient second pass.)
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import pkgutil
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import errors
from .errors import EmulatorError

log = logging.getLogger(__name__)

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
JSON_TYPE = "application/json"


class Headers(MutableMapping[str, str]):
    """A case-insensitive header mapping that remembers the spelling it was given."""

    def __init__(self, data: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        pairs = data.items() if isinstance(data, Mapping) else data
        for key, value in pairs:
            self[key] = value

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()][1]

    def __setitem__(self, key: str, value: str) -> None:
        self._items[key.lower()] = (key, value)

    def __delitem__(self, key: str) -> None:
        del self._items[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


_ATTEMPT = re.compile(r"attempt=(\d+)")
_MAX = re.compile(r"max=(\d+)")
_SCOPE = re.compile(r"Credential=[^/,]*/\d{8}/([a-z0-9-]+)/")


@dataclass
class Request:
    """One HTTP request. ``path`` is the raw (still percent-encoded) path, without the query."""

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=Headers)
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)  # path labels, set by the router
    operation: str = ""  # the matched route's name, set by the router

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        if not isinstance(self.headers, Headers):
            self.headers = Headers(self.headers)

    @classmethod
    def from_target(
        cls,
        method: str,
        target: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes = b"",
    ) -> Request:
        """Build from a URL or an HTTP request target (``/path?query``), e.g. in ``serve``."""
        parts = urlsplit(target)
        query = parse_qs(parts.query, keep_blank_values=True)
        return cls(method, parts.path or "/", query, Headers(headers), body)

    @property
    def attempt(self) -> int:
        """The attempt botocore sends in ``amz-sdk-request: attempt=N; max=M`` (1 if absent)."""
        m = _ATTEMPT.search(self.headers.get("amz-sdk-request", ""))
        return int(m.group(1)) if m else 1

    @property
    def max_attempts(self) -> int | None:
        m = _MAX.search(self.headers.get("amz-sdk-request", ""))
        return int(m.group(1)) if m else None

    @property
    def signing_region(self) -> str | None:
        """The region in the SigV4 credential scope, when the request is signed."""
        m = _SCOPE.search(self.headers.get("Authorization", ""))
        return m.group(1) if m else None

    def first(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> dict[str, Any]:
        """The body as a JSON object ({} when empty); ValidationException when it is not one."""
        if not self.body.strip():
            return {}
        try:
            obj = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            obj = None
        if not isinstance(obj, dict):
            raise errors.validation(
                "Malformed input request, please reformat your input and try again."
            )
        return obj


@dataclass
class Response:
    """A response: ``body`` bytes, or ``events`` (event-stream frames, one per item, lazily)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    events: Iterator[bytes] | None = None
    #: An answer recorded from real Bedrock (a cassette): strict mode does not judge it, since
    #: the service may send members newer than the installed botocore knows.
    recorded: bool = False

    @classmethod
    def json(
        cls, obj: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return cls(status, {"Content-Type": JSON_TYPE, **(headers or {})}, body)

    @classmethod
    def stream(cls, events: Iterable[bytes], headers: Mapping[str, str] | None = None) -> Response:
        from .eventstream import CONTENT_TYPE

        return cls(200, {"Content-Type": CONTENT_TYPE, **(headers or {})}, events=iter(events))

    @classmethod
    def error(cls, err: EmulatorError) -> Response:
        return cls(err.status, err.headers(), err.body())

    def header(self, name: str) -> str | None:
        return Headers(self.headers).get(name)


Handler = Callable[[Request, "Emulator"], Response]
Interceptor = Callable[[Request, "Emulator"], "Response | None"]

_LABEL = re.compile(r"\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    name: str
    strict: re.Pattern[str]
    lenient: re.Pattern[str]


def _compile(template: str, label: str) -> re.Pattern[str]:
    pattern, pos = "", 0
    for m in _LABEL.finditer(template):
        pattern += re.escape(template[pos : m.start()]) + f"(?P<{m.group(1)}>{label})"
        pos = m.end()
    return re.compile(pattern + re.escape(template[pos:]) + r"/?\Z")


class Router:
    """A route table: (method, path template) -> handler."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, name: str | None = None) -> None:
        method = method.upper()
        new = Route(
            method,
            template,
            handler,
            name or handler.__name__,
            _compile(template, "[^/]+"),
            _compile(template, ".+?"),
        )
        for i, old in enumerate(self.routes):
            if (old.method, old.template) == (method, template):
                same = (old.handler.__module__, old.handler.__qualname__) == (
                    handler.__module__,
                    handler.__qualname__,
                )
                if not same:
                    raise ValueError(f"route {method} {template} is already taken by {old.name}")
                self.routes[i] = new
                return
        self.routes.append(new)

    def route(
        self, method: str, template: str, name: str | None = None
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.add(method, template, handler, name)
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route and decoded labels for a raw path; UnknownOperationException otherwise."""
        for attr in ("strict", "lenient"):
            for r in self.routes:
                m = getattr(r, attr).match(path)
                if m and r.method == method.upper():
                    return r, {k: unquote(v) for k, v in m.groupdict().items()}
        raise errors.unknown_operation(method.upper(), path)


ROUTER = Router()


def route(method: str, template: str, name: str | None = None) -> Callable[[Handler], Handler]:
    """Register an operation on the default router (used by ``local/operations/*``)."""
    return ROUTER.route(method, template, name)


_loaded = False
_load_lock = threading.Lock()


def load_operations() -> None:
    """Import every module of ``bedrock_cli.local.operations`` once, so their routes register."""
    global _loaded
    with _load_lock:
        if _loaded:
            return
        from . import operations

        for info in pkgutil.iter_modules(operations.__path__):
            name = f"{operations.__name__}.{info.name}"
            try:
                importlib.import_module(name)
            except Exception:  # a broken operation module must not take the others down
                log.warning("emulator: could not load %s", name, exc_info=True)
        _loaded = True


@dataclass
class EmulatorOptions:
    """How the emulator behaves. ``region=None`` follows each request's signing region."""

    region: str | None = None
    account_id: str = DEFAULT_ACCOUNT
    latency_ms: float = 0.0  # added before every response
    stream_delay_ms: float = 0.0  # added between stream events
    extra: dict[str, Any] = field(default_factory=dict)  # room for later features (faults)


class Emulator:
    """The offline Bedrock. Thread-safe as long as operations keep no unguarded shared state."""

    def __init__(
        self, options: EmulatorOptions | None = None, router: Router | None = None
    ) -> None:
        self.options = options or EmulatorOptions()
        if router is None:
            load_operations()
        self.router = router or ROUTER
        # Called in order after routing, before the handler; the first non-None response wins.
        self.interceptors: list[Interceptor] = []

    def region(self, request: Request) -> str:
        return self.options.region or request.signing_region or DEFAULT_REGION

    @property
    def account_id(self) -> str:
        return self.options.account_id

    def handle(self, request: Request) -> Response:
        """Answer one request. Never raises: every failure becomes a Bedrock error response."""
        try:
            response = self.dispatch(request)
        except EmulatorError as exc:
            response = Response.error(exc)
        except Exception:
            log.exception("emulator: unexpected error in %s %s", request.method, request.path)
            response = Response.error(errors.internal_server())
        checking = self.options.extra.get("strict")  # None: BEDROCK_CLI_LOCAL_STRICT decides
        if not response.recorded and (
                checking or (checking is None and os.environ.get("BEDROCK_CLI_LOCAL_STRICT"))):
            from .wire_check import strict  # answers outside the service model fail loudly

            response = strict(request.operation, response)
        if self.options.latency_ms > 0:
            time.sleep(self.options.latency_ms / 1000)
        headers = Headers(response.headers)
        headers["x-amzn-RequestId"] = str(uuid.uuid4())
        headers.setdefault("Content-Type", JSON_TYPE)
        if response.events is not None:
            response.events = self._guard(response.events)
            headers.pop("Content-Length", None)
        else:
            headers["Content-Length"] = str(len(response.body))
        response.headers = dict(headers.items())
        return response

    def dispatch(self, request: Request) -> Response:
        matched, params = self.router.match(request.method, request.path)
        request.params, request.operation = params, matched.name
        from . import shapes  # Bedrock checks its model's constraints before anything else

        violations = shapes.check_request(request.operation, params, request.query,
                                          request.headers, request.body)
        if violations:
            raise errors.validation(shapes.message(violations))
        for intercept in self.interceptors:
            response = intercept(request, self)
            if response is not None:
                return response
        return matched.handler(request, self)

    def _guard(self, events: Iterator[bytes]) -> Iterator[bytes]:
        """Pace the frames, and turn a failure mid-stream into an in-stream exception frame."""
        delay = self.options.stream_delay_ms / 1000
        try:
            for i, frame in enumerate(events):
                if delay and i:
                    time.sleep(delay)
                yield frame
        except EmulatorError as exc:
            yield exc.frame()
        except Exception:
            log.exception("emulator: unexpected error while streaming")
            yield errors.internal_server().frame()
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
