"""Answer a real boto3 client's requests in-process, as moto does: a ``before-send`` responder.

botocore emits ``before-send.<service-id>.<Operation>`` with the signed ``AWSPreparedRequest``
just before it would open a socket; the first handler that returns an ``AWSResponse`` replaces
the network. Everything else — serialisation, signing, retries, parsing, event-stream decoding,
error mapping — is botocore's own code, exactly as against AWS.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .router import Emulator, EmulatorOptions, Request, Response

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse


class RawResponse:
    """What botocore reads a response from: ``stream()`` for errors, JSON and event streams
    (frames are produced one by one, on demand), ``read(amt)`` for StreamingBody."""

    def __init__(self, response: Response) -> None:
        self._events = response.events
        self._buffer = io.BytesIO(response.body)
        self._closed = False

    def stream(self, **_: Any) -> Iterator[bytes]:
        if self._events is not None:
            from .faults import is_cut

            for frame in self._events:
                if is_cut(frame):
                    # what urllib3 raises when a socket closes mid-stream, so a scripted cut
                    # looks the same in-process as over `serve`
                    from urllib3.exceptions import ProtocolError

                    raise ProtocolError("Response ended prematurely")
                yield frame
            return
        data = self._buffer.read()
        if data:
            yield data

    def read(self, amt: int | None = None, **_: Any) -> bytes:
        if self._events is not None:
            if amt is None or amt < 0:
                self._buffer = io.BytesIO(self._buffer.read() + b"".join(self._events))
            else:
                pending = self._buffer.read()
                while len(pending) < amt:
                    frame = next(self._events, None)
                    if frame is None:
                        break
                    pending += frame
                self._buffer = io.BytesIO(pending)
        return self._buffer.read() if amt is None or amt < 0 else self._buffer.read(amt)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        close = getattr(self._events, "close", None)
        if close is not None:
            close()  # stops the generator (and the engine behind it)

    def release_conn(self) -> None:
        self.close()


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        start = body.tell() if hasattr(body, "seek") else None
        data = body.read()
        if start is not None:
            body.seek(start)
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return bytes(body)


def to_request(prepared: AWSPreparedRequest) -> Request:
    """A router Request from botocore's prepared request."""
    headers = [
        (str(k), v.decode() if isinstance(v, bytes) else str(v))
        for k, v in prepared.headers.items()
    ]
    return Request.from_target(prepared.method, prepared.url, headers, _body_bytes(prepared.body))


def to_aws_response(url: str, response: Response) -> AWSResponse:
    from botocore.awsrequest import AWSResponse

    return AWSResponse(url, response.status, response.headers, RawResponse(response))


def attach(client: Any, emulator: Emulator | None = None) -> Emulator:
    """Answer every request of ``client`` (bedrock-runtime or bedrock) with ``emulator``.

    With no emulator, one is made that follows the client's region. Returns the emulator.
    """
    if emulator is None:
        emulator = Emulator(EmulatorOptions())
    service_id = client.meta.service_model.service_id.hyphenize()
    from .shapes import know

    know(client.meta.service_model)  # the request checks read the model the client has loaded

    def respond(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        return to_aws_response(request.url, emulator.handle(to_request(request)))

    event, unique_id = f"before-send.{service_id}", "bedrock-cli-emulator"
    client.meta.events.unregister(event, unique_id=unique_id)  # attaching again replaces
    client.meta.events.register(event, respond, unique_id=unique_id)
    return emulator
