"""What every `Runtime` operation shares: the clients, the usage hook and the error mapping.

`runtime.Runtime` is this plus the text operations (`runtime.py`) and the other model and
control-plane operations (`runtime_ops.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from bedrock_cli.clients import Clients
from bedrock_cli.errors import BedrockCliError
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
        from bedrock_cli.runtime import map_exception

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
