"""The doctor's checks that need the backend: backend choice, region, credentials (STS),
endpoint, clock skew and access to the configured models.

Which backend answers matters here — reporting it is the point of the doctor — but the
checks still go through the same boto3 clients as every command: on the local backend the
emulator answers the runtime and control-plane calls, and credentials are not needed.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import BedrockCliError, ConfigError
from bedrock_cli.tasks.doctor.checks import FAIL, OK, SKIP, UPGRADE, WARN, Check

if TYPE_CHECKING:
    from collections.abc import Callable

    from bedrock_cli.catalog import Catalog, Resolution
    from bedrock_cli.clients import Clients
    from bedrock_cli.runtime import Runtime
    from bedrock_cli.settings import Settings

SKEW_FAIL = 300  # SigV4 rejects requests signed more than 5 minutes off
SKEW_WARN = 30
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$")
_KINDS = {"model": "text", "image_model": "image", "embed_model": "embedding"}
SYNC_CLOCK = ("Sync the clock: `sudo timedatectl set-ntp true` (Linux), or turn on "
              "'Set time automatically' (macOS, Windows).")
NO_CREDENTIALS_FIX = ("Run `aws configure sso` then `aws sso login --profile NAME` and pass "
                      "--profile NAME (or `aws configure` for access keys); --backend local "
                      "works without any.")


def clock_skew(date_header: str, received_at: float) -> float:
    """Seconds the local clock is ahead of the server (negative when behind)."""
    return received_at - parsedate_to_datetime(date_header).timestamp()


def _date_of(response: Any) -> str | None:
    headers = (response or {}).get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    return headers.get("date")


class State:
    """What the checks learn as they go (each later check builds on the earlier ones)."""

    def __init__(self, settings: Settings, clients: Clients, runtime: Runtime,
                 catalog: Catalog, resolve: Callable[[str | None], Resolution]) -> None:
        self.settings = settings
        self.clients = clients  # the runtime's
        self.runtime = runtime
        self.catalog = catalog
        self.resolve = resolve  # a model name (None: the text model setting) → what to call
        self.backend: str | None = None
        self.region: str | None = None
        self.signed = False  # a request could be signed (credentials or a bearer token)
        self.usable = False  # ...and the credentials were not refused
        self.dates: list[tuple[str, float]] = []  # (which response, skew in seconds)

    @property
    def local(self) -> bool:
        return self.backend == "local"

    @property
    def redirected(self) -> bool:
        """Bedrock calls go to an endpoint other than AWS's (`serve`, a proxy, a test)."""
        return bool(self.settings.endpoint_url or os.environ.get(
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME") or os.environ.get("AWS_ENDPOINT_URL"))

    def _note_date(self, what: str, response: Any) -> None:
        """Note the clock skew a response's Date header shows (a response, or the date)."""
        date = response if isinstance(response, str) else _date_of(response)
        if date:
            with contextlib.suppress(TypeError, ValueError):
                self.dates.append((what, clock_skew(date, time.time())))

    # -- backend and region ---------------------------------------------------------------
    def check_backend(self) -> Check:
        try:
            self.backend = self.clients.backend
        except BedrockCliError as err:
            return Check("backend", FAIL, err.message, err.hint)
        setting, source = self.settings.backend, self.settings.source("backend")
        if self.local and setting != "local":
            return Check("backend", WARN, "auto chose the offline local backend: no AWS "
                         "credentials were found", "To use AWS, r" + NO_CREDENTIALS_FIX[1:])
        if self.local:
            return Check("backend", OK, f"local: the offline emulator (backend=local, {source})")
        try:
            self.clients.session  # noqa: B018 - a missing profile fails here
        except BedrockCliError as err:
            self.backend = None
            return Check("backend", FAIL, err.message, err.hint)
        where = f", Bedrock endpoint {self.settings.endpoint_url}" if self.redirected and \
            self.settings.endpoint_url else ""
        return Check("backend", OK, f"aws (backend={setting}, {source}){where}")

    def check_region(self) -> Check:
        if self.backend is None:
            return Check("region", SKIP, "needs a working backend")
        try:
            self.region = self.clients.region
        except BedrockCliError as err:
            profile = f" --profile {self.settings.profile}" if self.settings.profile else ""
            return Check("region", FAIL, err.message,
                         f"aws configure set region us-east-1{profile} (or export AWS_REGION)")
        source = self.settings.source("region")
        if not self.settings.region or source == "config":
            profile_region = None if self.local else self.clients.session.region_name
            if profile_region:
                source = f"AWS profile {self.settings.profile or 'default'}"
            elif not self.settings.region:
                source = "the local backend's default"
        if not _REGION.match(self.region):
            return Check("region", WARN, f"{self.region} ({source}) does not look like an AWS "
                         "region", "Use a region such as us-east-1 or eu-west-1.")
        return Check("region", OK, f"{self.region} ({source})")

    # -- credentials, endpoint, clock -------------------------------------------------------
    def check_credentials(self) -> Check:
        if self.backend is None or self.region is None:
            return Check("credentials", SKIP, "needs a backend and a region")
        if self.local:
            self.signed = self.usable = True
            return Check("credentials", OK, "not needed: the local backend uses dummy keys and "
                         "nothing leaves this machine")
        bearer = bool(os.environ.get("AWS_BEARER_TOKEN_BEDROCK"))
        creds = self.clients.session.get_credentials()
        if creds is None:
            if bearer:
                self.signed = self.usable = True
                return Check("credentials", OK, "a Bedrock API key is set "
                             "(AWS_BEARER_TOKEN_BEDROCK, not shown); no AWS credentials, so "
                             "STS was not asked")
            return Check("credentials", FAIL, "no AWS credentials were found",
                         NO_CREDENTIALS_FIX)
        method = getattr(creds, "method", None) or "unknown source"
        self.signed = True
        self.usable = self.redirected or bearer  # STS's verdict is not Bedrock's then
        sts = self.clients.client("sts")
        try:
            identity = sts.get_caller_identity()
        except Exception as exc:
            response = getattr(exc, "response", None)
            self._note_date("STS", response)
            err = _mapped(exc, self.settings, endpoint=sts.meta.endpoint_url)
            why = err.message if response is not None else \
                f"could not reach {sts.meta.endpoint_url} ({type(exc).__name__})"
            if self.usable:
                why += "; Bedrock calls go elsewhere, so this may not matter"
            return Check("credentials", WARN if self.usable else FAIL,
                         f"the {method} credentials could not be checked with STS: {why}",
                         err.hint)
        self.usable = True
        self._note_date("STS", identity)
        extra = ", plus a Bedrock API key (not shown)" if bearer else ""
        return Check("credentials", OK, f"account {identity.get('Account')}, "
                     f"{identity.get('Arn')} (credentials from {method}{extra})")

    def check_endpoint(self) -> Check:
        if self.region is None:
            return Check("endpoint", SKIP, "needs a backend and a region")
        if self.local:
            return self._emulator_round_trip()
        if not self.signed:
            return Check("endpoint", SKIP, "not checked: no credentials to sign a request")
        client = self.clients.runtime
        url = client.meta.endpoint_url
        started = time.perf_counter()
        try:
            response = client.list_async_invokes(maxResults=1)
            status = 200
        except Exception as exc:
            response = getattr(exc, "response", None)
            if response is None:  # nothing came back: not reachable
                return Check("endpoint", FAIL, f"cannot reach {url} ({type(exc).__name__})",
                             "Check the network or proxy (HTTPS_PROXY), --region and "
                             "--endpoint-url; --backend local works offline.")
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
        ms = int((time.perf_counter() - started) * 1000)
        self._note_date("bedrock-runtime", response)
        return Check("endpoint", OK, f"{url} answered (HTTP {status}, {ms} ms)")

    def _emulator_round_trip(self) -> Check:
        from bedrock_cli.types import TextRequest

        name = self._text_model_id()
        request = TextRequest(model_id=name, messages=[{"role": "user", "content": [
            {"text": "Hello"}]}], max_tokens=1, metadata={"task": "generate"})
        started = time.perf_counter()
        try:
            self.runtime.converse(request)
        except BedrockCliError as err:
            return Check("emulator", FAIL, f"the local emulator failed: {err.message}",
                         "Reinstall bedrock-cli; rerun with --debug and report the error.")
        ms = int((time.perf_counter() - started) * 1000)
        return Check("emulator", OK, f"the local emulator answered a Converse call to {name} "
                     f"in {ms} ms (in-process)")

    def _text_model_id(self) -> str:
        """The configured text model when the catalog says it works here, else the first
        catalog text model that does: this checks the emulator, not the model setting (the
        text model line does that)."""
        from bedrock_cli.catalog.reach import how_to_call

        region = str(self.region)
        try:
            resolution = self.resolve(None)
        except BedrockCliError:
            resolution = None
        if resolution is not None and resolution.model is not None and \
                how_to_call(resolution.model, region, resolution.model_id) is None:
            return resolution.model_id
        for model in self.catalog.models(modality="text"):
            if model.converse and how_to_call(model, region) is None:
                return model.id
        return self.catalog.resolve("amazon.nova-lite-v1:0", region).model_id

    def check_clock(self) -> Check:
        if self.local:
            return Check("clock", OK, "not needed: the local backend signs nothing")
        if not self.dates:
            return Check("clock", SKIP, "not checked: no answer from AWS carried a Date header")
        what, skew = max(self.dates, key=lambda d: abs(d[1]))
        way = "ahead of" if skew > 0 else "behind"
        detail = f"{abs(skew):.0f} s {way} the {what} server's clock"
        if abs(skew) > SKEW_FAIL:
            return Check("clock", FAIL, f"{detail}: AWS rejects signatures more than 5 minutes "
                         "off", SYNC_CLOCK)
        if abs(skew) > SKEW_WARN:
            return Check("clock", WARN, f"{detail} (allowed: 5 minutes)", SYNC_CLOCK)
        return Check("clock", OK, f"within {max(1, round(abs(skew)))} s of the {what} "
                     "server's clock")

    # -- model access -------------------------------------------------------------------
    def check_model(self, setting: str, *, blocking: bool) -> Check:
        label = {"model": "text model", "image_model": "image model",
                 "embed_model": "embeddings model"}[setting]
        bad = FAIL if blocking else WARN
        if self.region is None or not self.usable:
            return Check(label, SKIP, "needs a region and working credentials")
        name: str = getattr(self.settings, setting)
        source = self.settings.source(setting)
        try:
            resolution = self.resolve(name)
        except BedrockCliError as err:
            return Check(label, bad, f"{err.message} ({setting} from {source})",
                         f"bedrock-cli config set {setting} NAME — see `bedrock-cli models "
                         "list`.")
        called = resolution.model_id
        via = f" through the inference profile {called}" if resolution.profile else ""
        control = self.clients.control
        if "GetFoundationModelAvailability" in control.meta.service_model.operation_names:
            return self._availability(label, name, resolution, via, bad)
        if _KINDS[setting] == "text":
            return self._tiny_converse(label, name, resolution, via, bad)
        return Check(label, WARN, f"{name}: not checked — this botocore has no "
                     "GetFoundationModelAvailability", UPGRADE)

    def _availability(self, label: str, name: str, resolution: Resolution, via: str,
                      bad: str) -> Check:
        model_id = resolution.model.id if resolution.model else \
            resolution.model_id.rsplit("/", 1)[-1].split(".", 1)[-1]
        try:
            found = self.runtime.model_availability(model_id)
        except ConfigError as err:
            return Check(label, WARN, f"{name}: could not check access: {err.message}",
                         "Allow bedrock:GetFoundationModelAvailability in IAM, or try a call: "
                         f"bedrock-cli generate -m {name} hello --max-tokens 1")
        except BedrockCliError as err:
            return Check(label, bad, f"{name} ({model_id}): {err.message}",
                         "Pick a model offered here: bedrock-cli models list --available")
        self._note_date("bedrock", found.date)
        region = self.region
        problems = []
        if found.authorization not in (None, "AUTHORIZED"):
            problems.append("not authorized for this account")
        agreement = found.agreement
        if agreement not in (None, "AVAILABLE"):
            problems.append(f"model agreement {str(agreement).lower()}")
        if found.entitlement not in (None, "AVAILABLE"):
            problems.append("no entitlement")
        if found.region not in (None, "AVAILABLE"):
            problems.append(f"not offered in {region}")
        how = "GetFoundationModelAvailability, free"
        if not problems:
            return Check(label, OK, f"{name}: available in {region}{via} ({how})")
        fix = ("Pick another region or model: bedrock-cli models list --available"
               if problems == [f"not offered in {region}"] else
               "Enable access in the Bedrock console (Model access) for this account and "
               "region; Anthropic models need the one-time use-case form.")
        return Check(label, bad, f"{name}: {', '.join(problems)} ({how})", fix)

    def _tiny_converse(self, label: str, name: str, resolution: Resolution, via: str,
                       bad: str) -> Check:
        from bedrock_cli.recorder import Recorder
        from bedrock_cli.types import TextRequest

        request = TextRequest(model_id=resolution.model_id, messages=[
            {"role": "user", "content": [{"text": "Hi"}]}], max_tokens=1,
            metadata={"task": "doctor"})
        try:
            result = self.runtime.converse(request)
        except BedrockCliError as err:
            return Check(label, bad, f"{name}: a 1-token Converse call failed: {err.message}",
                         err.hint)
        cost = Recorder.price(resolution.model, result.usage)
        spent = "cost unknown" if cost is None else f"${cost:.6f}"
        return Check(label, OK, f"{name}: answered a 1-token Converse call{via} ({spent})")


def _mapped(exc: BaseException, settings: Settings, *, endpoint: str | None = None
            ) -> BedrockCliError:
    from bedrock_cli.service_errors import from_exception

    mapped = from_exception(exc, profile=settings.profile, endpoint=endpoint)
    return mapped or BedrockCliError(f"{type(exc).__name__}: {exc}", None)
