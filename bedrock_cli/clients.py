"""One botocore session and Config per run, and the clients built from them (Bedrock's
straight from botocore, others through a boto3 session over the same botocore session).

Both backends get the same client. For `local`, the session has dummy credentials and
the offline emulator is registered on the client as a botocore `before-send` responder; that
is the only difference, and this module is the only place that knows about it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from bedrock_cli import __version__
from bedrock_cli.errors import ConfigError, UsageError
from bedrock_cli.service_errors import REGION_HINT
from bedrock_cli.settings import Settings

LOCAL_DEFAULT_REGION = "us-east-1"
LOCAL_NOTICE = (
    "No AWS credentials found: using the offline local backend "
    "(pass --backend aws or set BEDROCK_CLI_BACKEND=aws to use AWS)."
)
_DUMMY_KEY = "AKIALOCALEMULATOR000"
_DUMMY_SECRET = "local-emulator-secret-not-a-real-key"


class Clients:
    """Lazily builds the session and clients for the chosen backend."""

    def __init__(self, settings: Settings, notice: Callable[[str], None] | None = None,
                 *, max_pool_connections: int = 10) -> None:
        self.settings = settings
        self._notice = notice or (lambda _message: None)
        self._pool = max_pool_connections
        self._core: Any = None
        self._session: Any = None
        self._backend: str | None = None
        self._region: str | None = None
        self._clients: dict[str, Any] = {}
        self._emulator: Any = None
        self._lock = threading.RLock()  # RLock: building a client resolves backend and region

    def pooled(self, size: int) -> Clients:
        """Clients for `size` concurrent calls: these when their connection pool is large
        enough, else a copy with a larger pool sharing the session, backend, region and (for
        the local backend) the emulator. The runtime client is built now, in this thread:
        building clients is slow and not worth racing for, calling them is thread-safe."""
        if size <= self._pool:
            self.runtime  # noqa: B018
            return self
        copy = Clients(self.settings, self._notice, max_pool_connections=size)
        copy._backend = self.backend
        copy._session = self.session
        copy._region = self.region
        if copy._backend == "local":
            copy._emulator = self.emulator
        copy.runtime  # noqa: B018
        return copy

    # -- backend and region -------------------------------------------------------------
    @property
    def backend(self) -> str:
        if self._backend is None:
            self._backend = self._choose_backend()
        return self._backend

    def _aws_session(self) -> Any:
        """A botocore session for the profile (reports a missing profile here)."""
        import botocore.session
        from botocore import exceptions as bexc

        core = botocore.session.Session(profile=self.settings.profile)
        try:
            core.get_scoped_config()
        except bexc.ProfileNotFound as exc:
            raise ConfigError(f"{exc}.", "List profiles with `aws configure list-profiles`.") \
                from None
        return core

    def _choose_backend(self) -> str:
        choice = self.settings.backend
        if choice in ("aws", "local"):
            return str(choice)
        if os.environ.get("AWS_BEARER_TOKEN_BEDROCK"):
            return "aws"
        core = self._aws_session()
        try:
            credentials = core.get_credentials()
        except Exception:  # a broken profile or SSO cache: let the aws path report it
            return "aws"
        if credentials is None:
            if not self.settings.quiet:
                self._notice(LOCAL_NOTICE)
            return "local"
        self._core = core
        return "aws"

    @property
    def core(self) -> Any:
        """The run's botocore session. Bedrock clients are built on it directly: a Bedrock
        call needs nothing of boto3's own layer (resources, s3transfer), which costs about
        30 ms of every run's start-up to import and set up."""
        if self._core is None:
            if self.backend == "local":
                import botocore.session

                # The local backend ignores AWS_PROFILE: a profile that does not exist on this
                # machine must not stop the offline emulator.
                core = botocore.session.Session(session_vars={"profile": (None, None, None,
                                                                          None)})
                core.set_credentials(_DUMMY_KEY, _DUMMY_SECRET)
                core.set_config_variable("region", self.region)
                self._core = core
            else:
                self._core = self._aws_session()
        return self._core

    @property
    def session(self) -> Any:
        """A boto3 session over :attr:`core`, for other services (S3's transfers, STS)."""
        if self._session is None:
            import boto3

            self._session = boto3.session.Session(botocore_session=self.core)
        return self._session

    @property
    def region(self) -> str:
        if self._region is None:
            self._region = self._resolve_region()
        return self._region

    def _resolve_region(self) -> str:
        settings = self.settings
        # flag > AWS_REGION > AWS_DEFAULT_REGION (settings did these) > profile > config file
        if settings.region and settings.source("region") != "config":
            return settings.region
        if self.backend == "aws":
            profile_region = self.core.get_config_variable("region")
            if profile_region:
                return str(profile_region)
        if settings.region:
            return settings.region
        if self.backend == "local":
            return LOCAL_DEFAULT_REGION
        raise ConfigError("No AWS region is set.", REGION_HINT)

    # -- clients ------------------------------------------------------------------------
    def config(self) -> Any:
        from botocore.config import Config

        settings = self.settings
        return Config(
            region_name=self.region,
            retries={"mode": settings.retry_mode, "total_max_attempts": settings.max_attempts},
            read_timeout=settings.read_timeout,
            connect_timeout=settings.connect_timeout,
            user_agent_extra=f"bedrock-cli/{__version__}",
            max_pool_connections=self._pool,
        )

    def client(self, service: str) -> Any:
        """`bedrock-runtime` or `bedrock` (or any other service, e.g. `s3`, `sts`).

        Thread-safe: concurrent commands (batch, sample, compare) share one client, and
        creating it once under a lock is far cheaper than workers racing to build their own
        (boto3 clients themselves are thread-safe once built)."""
        client = self._clients.get(service)
        if client is not None:
            return client
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._build(service)
            return self._clients[service]

    def _build(self, service: str) -> Any:
        kwargs: dict[str, Any] = {"config": self.config()}
        local = self.backend == "local" and service in ("bedrock-runtime", "bedrock")
        if local:
            # An explicit https URL keeps env overrides and bearer-token checks out of the way;
            # the emulator answers before anything is sent.
            kwargs["endpoint_url"] = f"https://{service}.{self.region}.amazonaws.com"
        elif (url := self.settings.endpoint_url) and service in ("bedrock-runtime", "bedrock"):
            kwargs["endpoint_url"] = self._endpoint_for(service, url)
        if service in ("bedrock-runtime", "bedrock"):
            client = self.core.create_client(service, **kwargs)
        else:
            client = self.session.client(service, **kwargs)
        if local:
            from bedrock_cli.local import attach

            attach(client, self.emulator)
        if self.settings.debug:
            _log_requests(client, self._notice)
        return client

    def _endpoint_for(self, service: str, url: str) -> str:
        """--endpoint-url names the runtime endpoint; the control plane shares it, as with
        `serve`, unless AWS_ENDPOINT_URL_BEDROCK says otherwise."""
        if service == "bedrock" and os.environ.get("AWS_ENDPOINT_URL_BEDROCK"):
            return os.environ["AWS_ENDPOINT_URL_BEDROCK"]
        return url

    @property
    def emulator(self) -> Any:
        if self._emulator is None:
            from bedrock_cli.local import Emulator, EmulatorOptions

            # in-process, file:// batch URIs reach only what this user can already reach
            extra = {"local_guardrails": self.settings.local_guardrails, "file_uris": True,
                     # a bedrock-cli process ends with its command: batch jobs then run in a
                     # detached runner (the console script sets this), else in a thread
                     "batch_runner": os.environ.get("BEDROCK_CLI_LOCAL_BATCH_RUNNER", "thread")}
            self._emulator = Emulator(EmulatorOptions(region=self.region, extra=extra))
            _declare(self._emulator)
        return self._emulator

    @property
    def runtime(self) -> Any:
        return self.client("bedrock-runtime")

    @property
    def control(self) -> Any:
        return self.client("bedrock")

    @property
    def endpoint(self) -> str:
        if self.backend == "local":
            return "the local emulator"
        # boto3 also takes the endpoint from the environment (or a .env): name where it went
        if self.settings.endpoint_url:
            return self.settings.endpoint_url
        given = os.environ.get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME") or \
            os.environ.get("AWS_ENDPOINT_URL")
        if given:
            from urllib.parse import urlsplit

            parts = urlsplit(str(given))  # never a user:password part
            return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
        return f"bedrock-runtime.{self.region}.amazonaws.com"


def _log_requests(client: Any, log: Callable[[str], None]) -> None:
    """--debug: one line per HTTP attempt. Never logs headers, so no credential can leak."""
    starts: dict[int, float] = {}

    def before(request: Any, **_kwargs: Any) -> None:
        starts[id(request)] = time.perf_counter()
        log(f"debug: {request.method} {request.url}")

    def after(http_response: Any, parsed: Any, model: Any, **_kwargs: Any) -> None:
        status = getattr(http_response, "status_code", "?")
        request_id = (parsed or {}).get("ResponseMetadata", {}).get("RequestId", "")
        log(f"debug: {model.name} -> HTTP {status} request-id {request_id}")

    client.meta.events.register_first("before-send", before)
    client.meta.events.register("after-call", after)


def _declare(emulator: Any) -> None:
    """The declared answers of BEDROCK_CLI_LOCAL_RESPONSES, for the local backend."""
    from bedrock_cli.local.declared import ENV, install
    from bedrock_cli.local.rules import ResponsesError

    try:
        install(emulator, os.environ.get(ENV) or None)
    except ResponsesError as exc:
        raise UsageError(f"The responses file is not valid ({ENV}): {exc}.",
                         "Fix that rule (the format is in docs/testing.md), or unset "
                         f"{ENV}.") from None
