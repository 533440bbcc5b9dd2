"""Fault and latency injection: an emulator interceptor, so ``serve`` and in-process share it.

A fault is answered exactly as Bedrock answers that failure (``errors`` has the codes, statuses
and observed messages): HTTP errors with ``x-amzn-ErrorType``, in-stream ``exception`` frames
with the lowerCamel ``:exception-type``, and — for a dropped connection — a stream that stops
without its chunked terminator.

Where faults come from, per request, in this order:

1. the ``x-bedrock-cli-fault`` request header (grammar below);
2. a spec queued with :meth:`FaultInjector.queue` (the pytest fixture's ``fault()``): it binds
   to the next call that arrives with ``attempt=1`` and follows that call's retries (matched
   by ``amz-sdk-invocation-id``);
3. the random rates of :class:`FaultOptions` (``--throttle-rate`` …), drawn from one
   ``random.Random(seed)``: five draws per request, so a seeded run given the same requests in
   the same order injects the same faults.

Header grammar (directives separated by ``;`` or ``,``, whitespace ignored)::

    throttle              429 ThrottlingException on every attempt
    throttle=N            429 ThrottlingException on attempts 1..N, then answer normally
    error=CODE            that error on every attempt. CODE is a status (400 403 404 408 424
                          429 500 503) or a Bedrock error name (ModelTimeoutException, …)
    error=CODE*N          that error on attempts 1..N only
    latency=MS            wait MS milliseconds before answering (every attempt)
    cut-after=N           event streams: drop the connection after N events (no terminator)
    stream-exception=TYPE@N
                          event streams: after N events send an in-stream exception TYPE
                          (throttlingException, internalServerException, validationException,
                          serviceUnavailableException, modelStreamErrorException,
                          modelTimeoutException) and end the stream

A fault must be one Bedrock could give for the operation: an error its model lists for it
(``error=ModelTimeoutException`` on ListFoundationModels is refused), an in-stream exception
its event stream has (ConverseStream has no ``modelTimeoutException``). Random errors pick
ServiceUnavailableException only where the operation has it.

The attempt number is the one botocore sends in ``amz-sdk-request: attempt=N; max=M`` (1 when
absent). A header that does not parse is answered with a 400 ValidationException naming the
problem, so a typo in a test fails loudly instead of silently not injecting.

In-process, a cut stream simply ends early (the client sees a truncated stream, no
``messageStop``/``metadata``); over a socket the server closes the connection mid-body.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from . import errors
from .errors import EmulatorError
from .router import Emulator, Request, Response
from .shapes import error_codes, stream_exceptions

FAULT_HEADER = "x-bedrock-cli-fault"
ALWAYS = 1 << 30  # "every attempt"

# In-stream exception types Bedrock sends (reference §1.3, §4.1).
STREAM_EXCEPTIONS = (
    "throttlingException",
    "internalServerException",
    "validationException",
    "serviceUnavailableException",
    "modelStreamErrorException",
    "modelTimeoutException",
)

_BY_STATUS: dict[int, str] = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}

# Messages for the codes whose factories need one (observed wording, reference §4.1).
_DEFAULT_MESSAGES: dict[str, str] = {
    "ValidationException": "The model returned the following errors: Validation Error",
    "ResourceNotFoundException": errors.END_OF_LIFE,
    "ModelErrorException": "The model produced an invalid response. Try your request again.",
    "ModelStreamErrorException": "The model stream was interrupted. Try your request again.",
}


class FaultSyntaxError(ValueError):
    """The fault header (or a queued spec) does not follow the grammar."""


class _Cut(bytes):
    """The marker frame for "drop the connection here" (an empty bytes, so in-process it is a
    no-op for botocore's event-stream buffer and the stream just ends)."""


CUT: bytes = _Cut()


def is_cut(frame: bytes) -> bool:
    return isinstance(frame, _Cut)


def make_error(code: str, message: str | None = None) -> EmulatorError:
    """A Bedrock error by name, with the wording Bedrock uses."""
    factory = errors.BY_CODE.get(code)
    if factory is None:
        raise FaultSyntaxError(f"unknown error {code!r}; use one of {', '.join(errors.BY_CODE)}")
    text = message or _DEFAULT_MESSAGES.get(code)
    return factory(text) if text else factory()


@dataclass(frozen=True)
class FaultSpec:
    """One request's faults, parsed from the header grammar."""

    error: str | None = None  # Bedrock error code
    error_attempts: int = 0  # attempts 1..N get the error
    latency_ms: float = 0.0
    cut_after: int | None = None
    stream_exception: str | None = None  # lowerCamel
    exception_after: int = 0

    def error_for(self, attempt: int) -> EmulatorError | None:
        if self.error and attempt <= self.error_attempts:
            return make_error(self.error)
        return None


def _count(value: str, what: str) -> int:
    if not value.isdigit():
        raise FaultSyntaxError(f"{what} needs a whole number, got {value!r}")
    return int(value)


def _error_code(value: str) -> str:
    if value.isdigit():
        code = _BY_STATUS.get(int(value))
        if code is None:
            raise FaultSyntaxError(f"no Bedrock error has status {value}")
        return code
    for name in errors.BY_CODE:
        if name.lower() == value.lower():
            return name
    raise FaultSyntaxError(f"unknown error {value!r}")


def _stream_type(value: str) -> str:
    for name in STREAM_EXCEPTIONS:
        if name.lower() == value.lower():
            return name
    raise FaultSyntaxError(
        f"unknown stream exception {value!r}; use one of {', '.join(STREAM_EXCEPTIONS)}"
    )


def parse(text: str) -> FaultSpec:
    """Parse the ``x-bedrock-cli-fault`` grammar (see the module docstring)."""
    values: dict[str, object] = {}
    for raw in re.split(r"[;,]", text):
        directive = raw.strip()
        if not directive:
            continue
        name, has_value, value = (p.strip() for p in directive.partition("="))
        name = name.lower()
        if name == "throttle":
            values["error"] = "ThrottlingException"
            values["error_attempts"] = _count(value, "throttle") if has_value else ALWAYS
        elif name == "error" and value:
            code, star, times = value.partition("*")
            values["error"] = _error_code(code.strip())
            values["error_attempts"] = _count(times.strip(), "error=…*N") if star else ALWAYS
        elif name == "latency" and value:
            try:
                values["latency_ms"] = max(0.0, float(value))
            except ValueError:
                raise FaultSyntaxError(f"latency needs milliseconds, got {value!r}") from None
        elif name == "cut-after" and value:
            values["cut_after"] = _count(value, "cut-after")
        elif name == "stream-exception" and value:
            kind, at, after = value.partition("@")
            values["stream_exception"] = _stream_type(kind.strip())
            values["exception_after"] = _count(after.strip(), "stream-exception=…@N") if at else 0
        else:
            raise FaultSyntaxError(f"unknown fault directive {directive!r}")
    return FaultSpec(**values)  # type: ignore[arg-type]


@dataclass
class FaultOptions:
    """Random faults for every request (``serve --throttle-rate`` …). Read at each request, so
    changing a field takes effect on the next one."""

    throttle_rate: float = 0.0  # 429 ThrottlingException
    error_rate: float = 0.0  # 500 InternalServerException or 503 ServiceUnavailableException
    stream_cut_rate: float = 0.0  # event streams dropped after 1-4 events
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("throttle_rate", "error_rate", "stream_cut_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate}")


@dataclass
class FaultInjector:
    """The interceptor. Install with :func:`install`; keep it the emulator's last interceptor
    (for stream faults it calls the route's handler itself, to wrap the events)."""

    options: FaultOptions = field(default_factory=FaultOptions)
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self._rng = random.Random(self.options.seed)
        self._lock = threading.Lock()
        self._queued: deque[FaultSpec] = deque()
        self._bound: OrderedDict[str, FaultSpec] = OrderedDict()

    def configure(self, options: FaultOptions) -> None:
        """Replace the options (and restart the random sequence from their seed)."""
        with self._lock:
            self.options = options
            self._rng = random.Random(options.seed)

    def queue(self, spec: str | FaultSpec) -> FaultSpec:
        """Inject ``spec`` into the next call (and its retries) that carries no fault header."""
        parsed = parse(spec) if isinstance(spec, str) else spec
        with self._lock:
            self._queued.append(parsed)
        return parsed

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()
            self._bound.clear()

    def _scripted(self, request: Request) -> FaultSpec | None:
        header = request.headers.get(FAULT_HEADER)
        if header is not None:
            return parse(header)
        call = request.headers.get("amz-sdk-invocation-id", "")
        with self._lock:
            if call and call in self._bound:
                return self._bound[call]
            if not self._queued or request.attempt != 1:
                return None
            spec = self._queued.popleft()
            if call:
                self._bound[call] = spec
                while len(self._bound) > 1000:
                    self._bound.popitem(last=False)
            return spec

    def _random(self, operation: str) -> tuple[EmulatorError | None, int | None]:
        opts = self.options
        with self._lock:
            throttle, error, kind, cut, where = (self._rng.random() for _ in range(5))
        if throttle < opts.throttle_rate:
            return errors.throttling(), None
        if error < opts.error_rate:
            # the control plane has no ServiceUnavailableException in its model
            unavailable = kind >= 0.5 and "ServiceUnavailableException" in error_codes(operation)
            return (errors.service_unavailable() if unavailable else errors.internal_server()), None
        if cut < opts.stream_cut_rate:
            # Every stream has at least five events (messageStart … metadata): 1-4 is mid-stream.
            return None, 1 + int(where * 4)
        return None, None

    def __call__(self, request: Request, emulator: Emulator) -> Response | None:
        try:
            spec = self._scripted(request) or FaultSpec()
            _check_modelled(spec, request.operation)
        except FaultSyntaxError as exc:
            raise errors.validation(f"Invalid {FAULT_HEADER} header: {exc}") from None
        random_error, random_cut = self._random(request.operation)
        if spec.latency_ms:
            self.sleep(spec.latency_ms / 1000)
        err = spec.error_for(request.attempt) or random_error
        if err is not None:
            return Response.error(err)
        cut_after = spec.cut_after if spec.cut_after is not None else random_cut
        if cut_after is None and spec.stream_exception is None:
            return None
        matched, _ = emulator.router.match(request.method, request.path)
        response = matched.handler(request, emulator)
        if response.events is not None:
            response.events = _faulty(response.events, cut_after, spec)
        return response


def _check_modelled(spec: FaultSpec, operation: str) -> None:
    """Refuse a fault Bedrock could not give for this operation (its model lists the errors
    and the in-stream exceptions each operation has)."""
    codes = error_codes(operation)
    if spec.error and codes and spec.error not in codes:
        raise FaultSyntaxError(f"{operation} never answers {spec.error}; use one of "
                               f"{', '.join(codes)}")
    if spec.stream_exception and codes:
        allowed = stream_exceptions(operation)
        if spec.stream_exception not in allowed:
            raise FaultSyntaxError(
                f"{operation} has no in-stream {spec.stream_exception}"
                + (f"; use one of {', '.join(allowed)}" if allowed else " (it does not stream)"))


def _faulty(events: Iterator[bytes], cut_after: int | None, spec: FaultSpec) -> Iterator[bytes]:
    """Pass ``events`` through, then cut or raise after N of them (or at the end if fewer)."""
    limits = [n for n in (cut_after, spec.exception_after if spec.stream_exception else None)
              if n is not None]
    stop_at = min(limits)
    cut_first = cut_after is not None and cut_after == stop_at
    sent = 0
    try:
        while sent < stop_at:
            frame = next(events, None)
            if frame is None:
                break
            yield frame
            sent += 1
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()
    if cut_first:
        yield CUT
    elif spec.stream_exception:
        code = spec.stream_exception[:1].upper() + spec.stream_exception[1:]
        yield make_error(code).frame()


def install(emulator: Emulator, options: FaultOptions | None = None) -> FaultInjector:
    """Add a :class:`FaultInjector` as the emulator's last interceptor and return it (one per
    emulator: installing again returns the existing one with its options replaced)."""
    for intercept in emulator.interceptors:
        if isinstance(intercept, FaultInjector):
            if options is not None:
                intercept.configure(options)
            return intercept
    injector = FaultInjector(options or FaultOptions())
    emulator.interceptors.append(injector)
    return injector
