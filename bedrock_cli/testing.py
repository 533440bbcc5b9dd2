"""The offline Bedrock as a test double for your own code, in-process, with no port.

``mock_bedrock()`` is a context manager and a decorator, like moto's ``mock_aws``: every boto3
``bedrock-runtime`` and ``bedrock`` client created inside it is answered by the emulator,
through the same botocore ``before-send`` responder the CLI's local backend uses. Nothing is
sent, and no credentials are needed (dummy keys are set inside when the environment has none;
a region too)::

    import boto3
    from bedrock_cli.testing import mock_bedrock

    with mock_bedrock() as bedrock:
        bedrock.respond(user="capital of France", text="Paris.")
        runtime = boto3.client("bedrock-runtime")
        r = runtime.converse(modelId="us.amazon.nova-lite-v1:0",
                             messages=[{"role": "user",
                                        "content": [{"text": "The capital of France?"}]}])
        assert r["output"]["message"]["content"][0]["text"] == "Paris."
        assert bedrock.requests[0].json()["messages"][0]["role"] == "user"

    @mock_bedrock
    def test_it():
        ...

It composes with moto's ``mock_aws`` in either nesting order (moto keeps S3, STS…; the
emulator answers Bedrock, its responder running first), with declared responses
(``respond``), faults (``fault``) and cassettes (``replay``, ``record``). The same controls
are on the pytest fixture ``local_bedrock`` (which serves over a loopback port instead).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bedrock_cli.local import faults
from bedrock_cli.local.cassette import CRITERIA, CassetteWriter, Matcher, Replayer
from bedrock_cli.local.declared import ENV, Rule, install
from bedrock_cli.local.recording import Recorder, Upstream
from bedrock_cli.local.router import Emulator, EmulatorOptions
from bedrock_cli.local.rules import parse_rule
from bedrock_cli.local.server import Exchange

__all__ = ["MockBedrock", "current", "mock_bedrock", "record", "replay", "respond"]

SERVICES = ("bedrock-runtime", "bedrock")
DUMMY_KEY = "testing"
DEFAULT_REGION = "us-east-1"
F = TypeVar("F", bound=Callable[..., Any])

# ---------------------------------------------------------------------------- shared controls
# (used by MockBedrock, the pytest fixture and `serve`)


def respond(emulator: Emulator, **rule: Any) -> Rule:
    """Declare an answer (keys as in a responses file: model, user, text, tool_use, error…)."""
    return install(emulator).add(parse_rule(rule, "respond()"))


def _without_cassettes(emulator: Emulator) -> None:
    emulator.interceptors[:] = [i for i in emulator.interceptors
                                if not isinstance(i, Replayer | Recorder)]


def replay(emulator: Emulator, path: str | Path, match: Sequence[str] = CRITERIA,
           ignore: Sequence[str] = ()) -> Replayer:
    """Answer every request from the cassette at ``path`` (its interceptor runs first)."""
    replayer = Replayer(path, Matcher(tuple(match), tuple(ignore)))
    _without_cassettes(emulator)
    emulator.interceptors.insert(0, replayer)
    return replayer


@contextlib.contextmanager
def environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """These environment variables (None: unset) for the duration, then as they were."""
    before = {key: os.environ.get(key) for key in values}
    try:
        _apply(values)
        yield
    finally:
        _apply(before)


def _apply(values: Mapping[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def record(emulator: Emulator, path: str | Path, upstream: str = "aws",
           region: str | None = None, session: Any = None,
           real_env: Mapping[str, str | None] | None = None) -> Recorder:
    """Forward every request to ``upstream`` (``aws``, or a URL) and append it to the cassette
    at ``path``. The credentials (and, unless given, the region) are resolved with
    ``real_env`` put back (the variables a double replaced with dummies), so the user's own
    chain signs. Raises ``recording.UpstreamError`` when AWS credentials are missing."""
    import boto3

    with environment(real_env or {}):
        region = region or (session or boto3.Session()).region_name or DEFAULT_REGION
        target = Upstream(upstream, region, session)
    writer = CassetteWriter(Path(path))
    recorder = Recorder(writer, target)
    _without_cassettes(emulator)
    emulator.interceptors.insert(0, recorder)
    return recorder


# ---------------------------------------------------------------------------- the client hook

_active: list[MockBedrock] = []
_lock = threading.RLock()
_original: Any = None


def current() -> MockBedrock | None:
    """The innermost active ``mock_bedrock`` (for a decorated test to declare answers)."""
    return _active[-1] if _active else None


def _responder(request: Any, **_: Any) -> Any:
    mock = current()
    return mock.answer(request) if mock is not None else None


def _hook() -> None:
    global _original
    from botocore.client import ClientCreator

    if _original is not None:
        return
    _original = ClientCreator.create_client

    @functools.wraps(_original)
    def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        client = _original(self, service_name, *args, **kwargs)
        if service_name in SERVICES:
            service_id = client.meta.service_model.service_id.hyphenize()
            client.meta.events.register_first(f"before-send.{service_id}", _responder,
                                              unique_id="bedrock-cli-mock-bedrock")
            _detach_moto(client)
        return client

    ClientCreator.create_client = create_client


def _detach_moto(client: Any) -> None:
    """botocore calls every ``before-send`` handler, not only until one answers: moto's
    (registered for all services once moto is imported) would try to answer Bedrock too, so
    a Bedrock client made inside ``mock_bedrock`` does without it."""
    import sys

    moto_models = sys.modules.get("moto.core.models")
    stubber = getattr(moto_models, "botocore_stubber", None)
    if stubber is not None:
        client.meta.events.unregister("before-send", stubber)


def _unhook() -> None:
    global _original
    from botocore.client import ClientCreator

    if _original is not None:
        ClientCreator.create_client = _original
        _original = None


class MockBedrock:
    """One activation of the in-process Bedrock (fresh emulator and records each ``start``)."""

    def __init__(self, *, responses: str | Path | None = None,
                 replay: str | Path | None = None, match: Sequence[str] = CRITERIA,
                 ignore: Sequence[str] = (), region: str | None = None) -> None:
        self._responses, self._replay = responses, replay
        self._match, self._ignore, self._region = tuple(match), tuple(ignore), region
        self._saved_env: dict[str, str | None] = {}
        self._saved_session: Any = None
        self.requests: list[Exchange] = []
        self.emulator = Emulator(EmulatorOptions(region=region))

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> MockBedrock:
        self.emulator = Emulator(EmulatorOptions(region=self._region))
        self.requests = []
        self._injector = faults.install(self.emulator)
        install(self.emulator, self._responses or os.environ.get(ENV) or None)
        if self._replay is not None:
            replay(self.emulator, self._replay, self._match, self._ignore)
        self._set_env()
        with _lock:
            _hook()
            _active.append(self)
        return self

    def stop(self) -> None:
        with _lock:
            if self in _active:
                _active.remove(self)
            if not _active:
                _unhook()
        self._restore_env()

    def __enter__(self) -> MockBedrock:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        if inspect.isclass(func):
            for name, member in list(vars(func).items()):
                if name.startswith("test") and callable(member):
                    setattr(func, name, self(member))
            return func

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _set_env(self) -> None:
        import boto3
        import botocore.session

        wanted: dict[str, str | None] = {}
        if not os.environ.get("AWS_ACCESS_KEY_ID"):
            # dummy keys, ahead of any profile: signing must never reach SSO or STS
            wanted.update(AWS_ACCESS_KEY_ID=DUMMY_KEY, AWS_SECRET_ACCESS_KEY=DUMMY_KEY,
                          AWS_SESSION_TOKEN=None)
        if not botocore.session.Session().get_config_variable("region"):
            wanted["AWS_DEFAULT_REGION"] = self._region or DEFAULT_REGION
        self._saved_env = {k: os.environ.get(k) for k in wanted}
        _apply(wanted)
        self._saved_session, boto3.DEFAULT_SESSION = boto3.DEFAULT_SESSION, None

    def _restore_env(self) -> None:
        import boto3

        _apply(self._saved_env)
        self._saved_env = {}
        boto3.DEFAULT_SESSION = self._saved_session

    # -- answering -------------------------------------------------------------------------
    def answer(self, prepared: Any) -> Any:
        from bedrock_cli.local.transport import to_aws_response, to_request

        request = to_request(prepared)
        response = self.emulator.handle(request)
        parts = urlsplit(prepared.url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        self.requests.append(Exchange(request.method, target, dict(request.headers.items()),
                                      request.body, response.status, request.operation))
        return to_aws_response(prepared.url, response)

    # -- controls --------------------------------------------------------------------------
    def respond(self, **rule: Any) -> Rule:
        """Declare an answer: ``respond(user="weather", text="Sunny.")`` (docs/testing.md)."""
        return respond(self.emulator, **rule)

    def replay(self, path: str | Path, match: Sequence[str] = CRITERIA,
               ignore: Sequence[str] = ()) -> Replayer:
        return replay(self.emulator, path, match, ignore)

    def record(self, path: str | Path, upstream: str = "aws",
               region: str | None = None) -> Recorder:
        """Forward every request to ``upstream`` (``aws``: your own credentials and region,
        or a URL) and append it to a cassette."""
        return record(self.emulator, path, upstream, region, real_env=self._saved_env)

    def fault(self, spec: str) -> faults.FaultSpec:
        """Faults for the next call, in the ``x-bedrock-cli-fault`` grammar (``throttle=2``)."""
        return self._injector.queue(spec)

    def reset(self) -> None:
        """Forget received requests, declared answers and queued faults."""
        self.requests.clear()
        install(self.emulator).clear()
        self._injector.clear()


def mock_bedrock(func: F | None = None, **options: Any) -> Any:
    """``with mock_bedrock() as bedrock:``, ``@mock_bedrock`` or ``@mock_bedrock(replay=…)``.

    Options: ``responses`` (a responses file), ``replay`` (a cassette), ``match`` and
    ``ignore`` (how replay matches), ``region`` (answer as this region)."""
    mock = MockBedrock(**options)
    return mock(func) if func is not None else mock
