"""The typed requests and results of the Bedrock operations `Runtime` offers besides text.

Tasks build these; `Runtime` turns them into boto3 calls and the answers back into them, so no
task builds boto3 keyword arguments or reads a raw response dict.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.types import Usage

if TYPE_CHECKING:
    from bedrock_cli.families.images.base import ImageFamily, ImageRequest


@dataclass
class ImageCall:
    """InvokeModel with an image family's native body."""

    model_id: str
    family: ImageFamily
    request: ImageRequest
    metadata: str | None = None  # InvokeModel requestMetadata (a JSON object as a string)


@dataclass
class RawAnswer:
    """InvokeModel with a body given as is (`invoke`): the answer's bytes, the token counts
    from the response headers (None when they carry none: image models), the latency."""

    body: bytes
    usage: Usage | None
    latency_ms: int


class RawStream:
    """InvokeModelWithResponseStream with a body given as is: iterate for each chunk's bytes;
    once exhausted, `complete` is True and `usage` / `latency_ms` hold what the last chunk's
    `amazon-bedrock-invocationMetrics` said (`usage` None when it said nothing)."""

    def __init__(self, chunks: Iterator[bytes],
                 on_end: Callable[[Usage | None, int], None]) -> None:
        self._chunks = chunks
        self._on_end = on_end
        self._started = time.perf_counter()
        self.usage: Usage | None = None
        self.latency_ms = 0
        self.complete = False

    def __iter__(self) -> Iterator[bytes]:
        from bedrock_cli.families.base import StreamState

        state = StreamState()
        for chunk in self._chunks:
            try:
                doc = json.loads(chunk)
            except ValueError:
                doc = None
            if isinstance(doc, dict):
                state.metrics(doc)
            yield chunk
        self.complete = True
        self.usage = state.usage
        self.latency_ms = state.latency_ms or int((time.perf_counter() - self._started) * 1000)
        self._on_end(self.usage, self.latency_ms)


@dataclass
class EmbedCall:
    """InvokeModel with an embeddings model's native body; `read` takes the answer's JSON to
    (vector, input tokens or None when the body does not count them)."""

    model_id: str
    body: dict[str, Any]
    read: Callable[[Any], tuple[list[float], int | None]]


@dataclass
class EmbedResult:
    vector: list[float]
    input_tokens: int  # from the body, else the response headers, else 0
    latency_ms: int


@dataclass
class TokenCountRequest:
    """CountTokens for a Converse-shaped input."""

    model_id: str
    messages: list[dict[str, Any]]
    system: list[str] = field(default_factory=list)


@dataclass
class GuardrailRequest:
    """ApplyGuardrail on one text."""

    identifier: str
    version: str
    source: str  # "INPUT" or "OUTPUT"
    text: str


@dataclass
class GuardrailVerdict:
    action: str
    action_reason: str
    outputs: list[str]
    assessments: list[dict[str, Any]]
    usage: dict[str, Any]


@dataclass
class ProfilePage:
    """One ListInferenceProfiles page."""

    profiles: list[dict[str, Any]]
    next_token: str | None


@dataclass
class Availability:
    """GetFoundationModelAvailability, with the response's Date header (clock checks)."""

    authorization: str | None
    agreement: str | None
    entitlement: str | None
    region: str | None
    date: str | None


@dataclass
class JobSpec:
    """CreateModelInvocationJob with one JSONL input and an output prefix on S3."""

    name: str
    role_arn: str
    model_id: str
    invocation_type: str  # "Converse" or "InvokeModel"
    timeout_hours: int
    input_uri: str
    output_uri: str


@dataclass
class JobFilter:
    """ListModelInvocationJobs, newest first."""

    status: str | None = None
    name_contains: str | None = None
    limit: int = 50


#: A job as GetModelInvocationJob / ListModelInvocationJobs describe it (API field names, as
#: `batch status --json` prints them).
JobDescription = dict[str, Any]
