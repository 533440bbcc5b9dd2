"""The typed requests and results of the Bedrock operations `Runtime` offers besides text.

Tasks build these; `Runtime` turns them into boto3 calls and the answers back into them, so no
task builds boto3 keyword arguments or reads a raw response dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from bedrock_cli.families.images.base import ImageFamily, ImageRequest


@dataclass
class ImageCall:
    """InvokeModel with an image family's native body."""

    model_id: str
    family: ImageFamily
    request: ImageRequest
    metadata: str | None = None  # InvokeModel requestMetadata (a JSON object as a string)


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
