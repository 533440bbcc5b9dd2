"""What every `Runtime` operation shares: the clients, the usage hook and the error mapping.

`runtime.Runtime` is this plus the text operations (`runtime.py`) and the other model and
control-plane operations (`runtime_ops.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from bedrock_cli.clients import Clients
from bedrock_cli.errors import BedrockCliError, ServiceError, UsageError
from bedrock_cli.service_errors import READ_TIMEOUT_HINT, from_exception
from bedrock_cli.types import Usage

#: Told of every call's usage (model id as called, usage, latency in ms): `metering.Meter`.
UsageHook = Callable[[str, Usage, "int | None"], None]


class RuntimeBase:
    def __init__(self, clients: Clients, on_usage: UsageHook | None = None) -> None:
        self.clients = clients
        self.on_usage = on_usage

    def _metered(self, model_id: str, usage: Usage, latency_ms: int | None) -> None:
        if self.on_usage is not None:
            self.on_usage(model_id, usage, latency_ms)

    def _fail(self, exc: BaseException, model_id: str | None = None) -> BedrockCliError:
        mapped = map_exception(exc, model_id=model_id, clients=self.clients)
        if mapped is None:
            raise exc
        return mapped

    def _send(self, service: str, operation: str, model_id: str | None = None,
              **kwargs: Any) -> Any:
        """One boto3 operation with the errors mapped (for the typed methods only)."""
        client = self.clients.client(service)
        try:
            return getattr(client, operation)(**kwargs)
        except Exception as exc:
            raise self._fail(exc, model_id) from exc

    def _invoke_model(self, model_id: str, body: bytes, **kwargs: Any) -> Any:
        """InvokeModel with a raw JSON body; the boto3 response (`body` is a StreamingBody)."""
        try:
            return self.clients.runtime.invoke_model(
                modelId=model_id, body=body, contentType="application/json",
                accept="application/json", **kwargs)
        except Exception as exc:
            raise self._fail(exc, model_id) from exc

    def _invoke_model_stream(self, model_id: str, body: bytes, **kwargs: Any) -> Iterator[bytes]:
        """InvokeModelWithResponseStream: each chunk's decoded bytes, as they arrive."""
        try:
            response = self.clients.runtime.invoke_model_with_response_stream(
                modelId=model_id, body=body, contentType="application/json",
                accept="application/json", **kwargs)
        except Exception as exc:
            raise self._fail(exc, model_id) from exc
        stream = response["body"]
        try:
            for event in stream:
                chunk = event.get("chunk")
                if chunk is not None:
                    yield bytes(chunk.get("bytes") or b"")
        except Exception as exc:
            raise self._fail(exc, model_id) from exc
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()


UNREADABLE = "Bedrock's answer could not be read: it is not a complete response."
MALFORMED = "MalformedResponse"  # ours, not Bedrock's: the body was not the operation's shape


def _raised_in(exc: BaseException, module: str) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__") == module:
            return True
        tb = tb.tb_next
    return False


def _known_region(clients: Clients | None) -> str | None:
    """The Region the call went to (for a hint); None when it cannot be told."""
    if clients is None:
        return None
    from botocore.exceptions import BotoCoreError

    try:
        return clients.region
    except (BedrockCliError, BotoCoreError):  # no region at all: the error says so itself
        return None


def map_exception(exc: BaseException, *, model_id: str | None = None,
                  clients: Clients | None = None) -> BedrockCliError | None:
    if isinstance(exc, BedrockCliError):
        return exc
    profile = clients.settings.profile if clients else None
    endpoint = clients.endpoint if clients else None
    region = _known_region(clients) if model_id else None
    mapped = from_exception(exc, model_id=model_id, profile=profile, endpoint=endpoint,
                            region=region)
    if mapped is not None:
        return mapped
    if type(exc).__module__ == "botocore.eventstream":  # ChecksumMismatch, framing errors
        return ServiceError(f"The response stream was corrupted: {exc}", "Retry the request.")
    module = type(exc).__module__
    if module.startswith("urllib3") and "Timeout" in type(exc).__name__:
        return ServiceError(f"No answer within the read timeout: {exc}",
                            READ_TIMEOUT_HINT)
    if module.startswith("urllib3"):  # a connection dropped mid-response
        return ServiceError(f"The connection broke off: {exc}", "Retry the request.")
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return ServiceError(f"Connection failed: {exc}", "Check the network and retry.")
    if _raised_in(exc, "botocore.parsers"):  # a body of the wrong shape (TypeError & co)
        return ServiceError(UNREADABLE, "Retry the request; --debug shows the HTTP exchange.",
                            code=MALFORMED)
    if isinstance(exc, OSError) and exc.filename is not None:  # e.g. an -o not writable
        return UsageError(f"{exc.filename}: {exc.strerror or exc}.",
                          "Check the path, its permissions and the free space on its disk.")
    return None
