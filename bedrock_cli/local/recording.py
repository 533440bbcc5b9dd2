"""Recording: forward each request to a real Bedrock (or any endpoint), answer with its reply,
and write the interaction to a cassette (``cassette.py``).

The request goes out re-signed with the user's own credential chain (botocore's ``SigV4Auth``
over a fresh ``AWSRequest`` for service ``bedrock``): only the body, the query and the
``Content-Type``/``Accept``/``X-Amzn-Bedrock-*`` headers of the incoming request are carried
over, so the client's (dummy) signature never travels and the cassette never holds one.
Event streams are passed on frame by frame as they arrive, and recorded the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from . import errors
from .cassette import (
    CassetteWriter,
    Interaction,
    frames,
    request_headers,
    response_headers,
)
from .eventstream import CONTENT_TYPE as EVENT_STREAM
from .router import Emulator, Request, Response

AWS = "aws"
SIGNING_NAME = "bedrock"


class UpstreamError(ValueError):
    """The upstream cannot be used (no credentials for AWS, a URL that is not http(s))."""


@functools.lru_cache(maxsize=1)
def runtime_operations() -> frozenset[str]:
    """Operations of ``bedrock-runtime`` (everything else the emulator serves is ``bedrock``)."""
    from .shapes import service_model

    return frozenset(service_model("bedrock-runtime").operation_names)


class Upstream:
    """Where recorded requests go: ``aws`` (Bedrock in ``region``) or a base URL."""

    def __init__(self, target: str, region: str, session: Any = None) -> None:
        self.target, self.region = target, region
        if target != AWS and not target.startswith(("http://", "https://")):
            raise UpstreamError(f"upstream {target!r} is neither aws nor an http(s) URL")
        if session is None:
            import boto3

            session = boto3.Session(region_name=region)
        self.credentials = session.get_credentials()
        if target == AWS and self.credentials is None:
            raise UpstreamError("no AWS credentials found to sign the recorded requests")
        from botocore.httpsession import URLLib3Session

        self._http = URLLib3Session(timeout=(10, 300))

    def url(self, request: Request) -> str:
        target = _target(request)
        if self.target == AWS:
            host = "bedrock-runtime" if request.operation in runtime_operations() else "bedrock"
            return f"https://{host}.{self.region}.amazonaws.com{target}"
        return self.target.rstrip("/") + target

    def send(self, request: Request) -> Any:
        """The upstream's botocore ``AWSResponse``, its body not yet read."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        outgoing = AWSRequest(request.method, self.url(request),
                              headers=request_headers(request.headers), data=request.body)
        if self.credentials is not None:
            SigV4Auth(self.credentials.get_frozen_credentials(), SIGNING_NAME,
                      self.region).add_auth(outgoing)
        prepared = outgoing.prepare()
        prepared.stream_output = True
        try:
            return self._http.send(prepared)
        except Exception as exc:  # botocore's connection errors: the upstream is unreachable
            raise errors.service_unavailable(
                f"The recording upstream {self.target} could not be reached: {exc}") from None


class Recorder:
    """The interceptor: every request goes upstream, its reply comes back and is recorded."""

    def __init__(self, writer: CassetteWriter, upstream: Upstream) -> None:
        self.writer, self.upstream = writer, upstream

    def __call__(self, request: Request, emulator: Emulator) -> Response:
        reply = self.upstream.send(request)
        headers = {str(k): str(v) for k, v in reply.headers.items()}
        kept = response_headers(headers)
        item = Interaction(request.operation, request.method, _target(request),
                           request_headers(request.headers), request.body, reply.status_code,
                           kept)
        if reply.status_code == 200 and headers_value(headers, "content-type") == EVENT_STREAM:
            item.events = []
            return Response.stream(self._relay(reply, item), headers=kept)
        item.response_body = reply.raw.read()
        self.writer.append(item)
        return Response(reply.status_code, kept, item.response_body)

    def _relay(self, reply: Any, item: Interaction) -> Iterator[bytes]:
        assert item.events is not None
        try:
            for frame in frames(reply.raw.stream(4096)):
                item.events.append(frame)
                yield frame
        finally:
            reply.raw.release_conn()
            self.writer.append(item)


def headers_value(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "").split(";")[0].strip()


def _target(request: Request) -> str:
    """The request's path and query (the query re-encoded from its parsed form)."""
    from urllib.parse import quote, urlencode

    query = urlencode(request.query, doseq=True, quote_via=quote)
    return request.path + (f"?{query}" if query else "")
