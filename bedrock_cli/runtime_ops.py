"""`Runtime`'s operations besides text: images, embeddings, CountTokens, ApplyGuardrail, the
model and profile listings, model availability and Batch Inference jobs — each a typed request
in and a typed result out (`calls.py`), with the same error mapping as the text calls."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import ServiceError
from bedrock_cli.runtime_base import RuntimeBase
from bedrock_cli.types import Usage

if TYPE_CHECKING:
    from bedrock_cli.calls import (
        Availability,
        EmbedCall,
        EmbedResult,
        GuardrailRequest,
        GuardrailVerdict,
        ImageCall,
        JobDescription,
        JobFilter,
        JobSpec,
        ProfilePage,
        RawAnswer,
        RawStream,
        TokenCountRequest,
    )
    from bedrock_cli.families.images.base import ImageResult


def _json_body(response: Any) -> Any:
    try:
        return json.loads(response["body"].read())
    except ValueError:
        raise ServiceError("The model's response is not JSON.", "Retry the request.") from None


def _date(response: Any) -> str | None:
    headers = (response or {}).get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    return headers.get("date")


class ModelOperations(RuntimeBase):
    """Model calls other than text: the task prices and records them (`Recorder`)."""

    def invoke_raw(self, model_id: str, body: bytes) -> RawAnswer:
        """InvokeModel with the body as given; metered when the headers count tokens."""
        from bedrock_cli.calls import RawAnswer
        from bedrock_cli.families.base import LATENCY_HEADER, usage_from_headers

        started = time.perf_counter()
        response = self._invoke_model(model_id, body)
        headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        try:
            raw = bytes(response["body"].read())
        except Exception as exc:
            raise self._fail(exc, model_id) from exc
        usage = usage_from_headers(headers)
        latency = int(headers.get(LATENCY_HEADER) or (time.perf_counter() - started) * 1000)
        if usage is not None:  # image models report no tokens: nothing to meter
            self._metered(model_id, usage, latency)
        return RawAnswer(raw, usage, latency)

    def invoke_raw_stream(self, model_id: str, body: bytes) -> RawStream:
        """InvokeModelWithResponseStream with the body as given; metered at the end when the
        last chunk counts tokens."""
        from bedrock_cli.calls import RawStream

        def ended(usage: Usage | None, latency_ms: int) -> None:
            if usage is not None:
                self._metered(model_id, usage, latency_ms)

        return RawStream(self._invoke_model_stream(model_id, body), ended)

    def image(self, call: ImageCall) -> ImageResult:
        """InvokeModel with the family's body; the family reads the answer."""
        kwargs: dict[str, Any] = {}
        if call.metadata is not None:
            kwargs["requestMetadata"] = call.metadata
        response = self._send(
            "bedrock-runtime", "invoke_model", call.model_id, modelId=call.model_id,
            body=json.dumps(call.family.build(call.request)), contentType="application/json",
            accept="application/json", **kwargs)
        try:
            data = _json_body(response)
        except Exception as exc:
            if isinstance(exc, ServiceError):
                raise
            raise self._fail(exc, call.model_id) from exc
        try:
            return call.family.parse(data if isinstance(data, dict) else {}, call.request.count)
        except Exception as exc:  # a field of the wrong type, not base64, ...: a broken answer
            raise ServiceError(f"The model's response could not be read ({exc}).",
                               "Retry the request.") from None

    def embed(self, call: EmbedCall) -> EmbedResult:
        from bedrock_cli.calls import EmbedResult
        from bedrock_cli.families.base import usage_from_headers

        started = time.perf_counter()
        response = self._send(
            "bedrock-runtime", "invoke_model", call.model_id, modelId=call.model_id,
            body=json.dumps(call.body).encode(), contentType="application/json",
            accept="application/json")
        headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        try:
            raw = response["body"].read()
        except Exception as exc:
            raise self._fail(exc, call.model_id) from exc
        try:
            vector, tokens = call.read(json.loads(raw))
            vector = [float(v) for v in vector]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ServiceError(f"The embeddings response had an unexpected shape ({exc}).",
                               "Run `bedrock-cli invoke` with the same model to see it.") \
                from None
        if tokens is None:
            usage = usage_from_headers(headers)
            tokens = usage.input_tokens if usage is not None else 0
        result = EmbedResult(vector, int(tokens), int((time.perf_counter() - started) * 1000))
        self._metered(call.model_id, Usage(result.input_tokens, 0, result.input_tokens),
                      result.latency_ms)
        return result

    def count_tokens(self, request: TokenCountRequest) -> int:
        converse: dict[str, Any] = {"messages": request.messages}
        if request.system:
            converse["system"] = [{"text": text} for text in request.system]
        response = self._send("bedrock-runtime", "count_tokens", request.model_id,
                              modelId=request.model_id, input={"converse": converse})
        return int(response["inputTokens"])

    def apply_guardrail(self, request: GuardrailRequest) -> GuardrailVerdict:
        from bedrock_cli.calls import GuardrailVerdict

        response = self._send(
            "bedrock-runtime", "apply_guardrail", guardrailIdentifier=request.identifier,
            guardrailVersion=request.version, source=request.source,
            content=[{"text": {"text": request.text}}])
        return GuardrailVerdict(
            action=str(response.get("action", "NONE")),
            action_reason=str(response.get("actionReason", "")),
            outputs=[str(o.get("text", "")) for o in response.get("outputs") or []],
            assessments=list(response.get("assessments") or []),
            usage=dict(response.get("usage") or {}))


class ControlOperations(RuntimeBase):
    """The control plane (`bedrock`): listings, availability, Batch Inference jobs."""

    def list_foundation_models(self) -> list[dict[str, Any]]:
        response = self._send("bedrock", "list_foundation_models")
        return list(response.get("modelSummaries", []))

    def list_inference_profiles(self, kind: str, next_token: str | None = None) -> ProfilePage:
        from bedrock_cli.calls import ProfilePage

        kwargs: dict[str, Any] = {"typeEquals": kind, "maxResults": 1000}
        if next_token:
            kwargs["nextToken"] = next_token
        page = self._send("bedrock", "list_inference_profiles", **kwargs)
        return ProfilePage(list(page.get("inferenceProfileSummaries", [])),
                           page.get("nextToken") or None)

    def model_availability(self, model_id: str) -> Availability:
        """GetFoundationModelAvailability (`doctor`)."""
        from bedrock_cli.calls import Availability

        found = self._send("bedrock", "get_foundation_model_availability", modelId=model_id)
        return Availability(
            authorization=found.get("authorizationStatus"),
            agreement=(found.get("agreementAvailability") or {}).get("status"),
            entitlement=found.get("entitlementAvailability"),
            region=found.get("regionAvailability"), date=_date(found))

    def create_job(self, spec: JobSpec) -> str:
        """CreateModelInvocationJob; the job's ARN."""
        response = self._send(
            "bedrock", "create_model_invocation_job", jobName=spec.name,
            roleArn=spec.role_arn, modelId=spec.model_id,
            modelInvocationType=spec.invocation_type,
            timeoutDurationInHours=spec.timeout_hours,
            inputDataConfig={"s3InputDataConfig": {"s3Uri": spec.input_uri,
                                                   "s3InputFormat": "JSONL"}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": spec.output_uri}})
        return str(response["jobArn"])

    def get_job(self, job: str) -> JobDescription:
        response = dict(self._send("bedrock", "get_model_invocation_job", jobIdentifier=job))
        response.pop("ResponseMetadata", None)
        return response

    def list_jobs(self, wanted: JobFilter) -> list[JobDescription]:
        """Every page until `wanted.limit` jobs."""
        jobs: list[JobDescription] = []
        kwargs: dict[str, Any] = {"maxResults": min(wanted.limit, 1000),
                                  "sortOrder": "Descending"}
        if wanted.status:
            kwargs["statusEquals"] = wanted.status
        if wanted.name_contains:
            kwargs["nameContains"] = wanted.name_contains
        while len(jobs) < wanted.limit:
            page = self._send("bedrock", "list_model_invocation_jobs", **kwargs)
            jobs.extend(page.get("invocationJobSummaries", []))
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        return jobs[:wanted.limit]

    def stop_job(self, job: str) -> None:
        self._send("bedrock", "stop_model_invocation_job", jobIdentifier=job)
