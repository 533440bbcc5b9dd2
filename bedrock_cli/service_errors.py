"""Turn botocore exceptions into the project's typed errors, each with a hint (SPEC §6)."""

from __future__ import annotations

import re
from typing import Any

from bedrock_cli.errors import (
    BedrockCliError,
    BlockedError,
    ConfigError,
    ServiceError,
    ThrottledError,
    UsageError,
)

_PROFILE_HINT = re.compile(r"Invocation of model ID (\S+) with on-demand throughput", re.I)
_INVALID_MODEL = re.compile(r"provided model identifier is invalid", re.I)

_THROTTLING = {
    "ThrottlingException",
    "throttlingException",
    "TooManyRequestsException",
    "ServiceQuotaExceededException",
    "ModelNotReadyException",
    "429",
}
_ACCESS = {"AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
           "UnauthorizedOperation", "403"}
_EXPIRED = {"ExpiredTokenException", "ExpiredToken", "RequestExpired", "TokenRefreshRequired"}


def _credential_hint(profile: str | None) -> str:
    login = f"aws sso login --profile {profile}" if profile else "aws sso login --profile NAME"
    return f"Refresh your credentials (`{login}`, or `aws configure`), or use --backend local."


def _model_hint(model_id: str | None, region: str | None) -> str | None:
    """The catalog's way to call the model from this Region, or None when it says it works."""
    from bedrock_cli.catalog.reach import hint_for

    return hint_for(model_id, region)


def _resource_hint(operation: str) -> str | None:
    """How to check the identifier a non-model operation names (a job, a guardrail…), or
    None when the operation is about a model."""
    if "ModelInvocationJob" in operation:
        return "Check the job id or ARN; `bedrock-cli batch list` lists the batch jobs."
    if "ModelCustomizationJob" in operation or "CustomModel" in operation:
        return "Check the name (`aws bedrock list-model-customization-jobs`)."
    if "Guardrail" in operation:
        return "Check the guardrail id and version (`aws bedrock list-guardrails`)."
    if "AsyncInvoke" in operation:
        return "Check the invocation ARN (`aws bedrock-runtime list-async-invokes`)."
    if operation and not (operation.startswith(("Converse", "Invoke", "CountTokens"))
                          or "Model" in operation):
        return "Check the identifiers in the command; --debug shows the request."
    return None


def _not_found_hint(operation: str) -> str:
    """What to look up, by what the failed operation names (a job, a guardrail, a model)."""
    return _resource_hint(operation) or (
        "Check the model ID and region with `bedrock-cli models list`; the model may be "
        "retired or not offered in this region.")


def from_client_error(exc: Any, *, model_id: str | None = None,
                      profile: str | None = None, region: str | None = None) -> BedrockCliError:
    """Map a botocore ClientError (including EventStreamError) to a project error."""
    operation = str(getattr(exc, "operation_name", "") or "")
    error = exc.response.get("Error", {}) if hasattr(exc, "response") else {}
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or str(exc))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") if hasattr(
        exc, "response") else None
    in_stream = type(exc).__name__ == "EventStreamError"
    where = " (in the response stream)" if in_stream else ""
    retries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts") if hasattr(
        exc, "response") else None

    if code in _THROTTLING:
        tried = f" after {retries + 1} attempts" if retries else ""
        return ThrottledError(
            f"Bedrock throttled the request{tried}{where}: {message}",
            "Wait and retry, raise --max-attempts, use --retry-mode adaptive, "
            "or request a quota increase in Service Quotas.",
            code=code,
        )
    if code in _EXPIRED:
        return ConfigError(f"Your AWS credentials have expired: {message}",
                           _credential_hint(profile), code=code)
    if code in _ACCESS:
        hint = ("Enable access to this model in the Bedrock console (Model access) and check "
                "that your IAM policy allows bedrock:InvokeModel; "
                "`bedrock-cli models list` shows the models.")
        return ConfigError(f"Access denied{where}: {message}", hint, code=code)
    if code == "ResourceNotFoundException":
        hint = _not_found_hint(operation)
        if "model" in hint:
            hint = _model_hint(model_id, region) or hint
        return ServiceError(f"Not found: {message}", hint, code=code)
    if code in {"ValidationException", "validationException"}:
        if _PROFILE_HINT.search(message) or _INVALID_MODEL.search(message):
            return ServiceError(
                f"Bedrock rejected the call: {message}",
                _model_hint(model_id, region) or (
                    "Call it through an inference profile that contains it: `bedrock-cli "
                    "models refresh` learns this account's profiles (or see `aws bedrock "
                    "list-inference-profiles`)." if _PROFILE_HINT.search(message)
                    else "Check the model id and region: `bedrock-cli models list` shows "
                         "the ids; `bedrock-cli models show MODEL` where each is offered."),
                code=code,
            )
        if "content filters" in message:
            return BlockedError(f"Blocked by Bedrock's content filters: {message}",
                                "Rephrase the prompt or change the input image.", code=code)
        return ServiceError(f"Bedrock rejected the request{where}: {message}",
                            _resource_hint(operation)
                            or "Check the parameters against `bedrock-cli models show MODEL`.",
                            code=code)
    if code in {"ModelTimeoutException", "modelTimeoutException"}:
        return ServiceError(f"The model timed out{where}: {message}",
                            "Retry, shorten the input or lower --max-tokens.", code=code)
    if code in {"ModelErrorException", "modelStreamErrorException", "ModelStreamErrorException"}:
        return ServiceError(f"The model failed{where}: {message}",
                            "Retry; if it persists, try another model.", code=code)
    if code in {"InternalServerException", "internalServerException",
                "ServiceUnavailableException", "serviceUnavailableException"} or (
            isinstance(status, int) and status >= 500):
        return ServiceError(f"Bedrock had a server error{where}: {message}",
                            "Retry in a moment; raise --max-attempts for flaky periods.",
                            code=code or str(status))
    if in_stream and not code:  # an exception type the API model does not list: no details
        return ServiceError("The response stream broke off with an error the service did not "
                            "name.", "Retry the request; what arrived has been kept.")
    if in_stream:
        return ServiceError(f"The response stream failed: {code} {message}",
                            "Retry the request.", code=code)
    return ServiceError(f"Bedrock returned an error: {code or status}: {message}",
                        "Run with --debug for details.", code=code or None)


def from_exception(exc: BaseException, *, model_id: str | None = None,
                   profile: str | None = None, endpoint: str | None = None,
                   region: str | None = None) -> BedrockCliError | None:
    """Map any botocore exception; None when it is not one we know."""
    from botocore import exceptions as bexc

    if isinstance(exc, bexc.ClientError):
        return from_client_error(exc, model_id=model_id, profile=profile, region=region)
    if isinstance(exc, bexc.NoCredentialsError):
        return ConfigError(
            "No AWS credentials were found.",
            "Run `aws configure` or `aws sso login --profile NAME` and pass --profile NAME, "
            "or use --backend local for the offline emulator.",
        )
    if isinstance(exc, (bexc.SSOTokenLoadError, bexc.UnauthorizedSSOTokenError,
                        bexc.TokenRetrievalError)):
        return ConfigError(f"Your SSO session has expired or is missing: {exc}",
                           _credential_hint(profile))
    if isinstance(exc, bexc.ProfileNotFound):
        return ConfigError(f"{exc}.", "List profiles with `aws configure list-profiles`.")
    if isinstance(exc, bexc.NoRegionError):
        return ConfigError("No AWS region is set.", REGION_HINT)
    if isinstance(exc, bexc.ParamValidationError):
        return UsageError(f"Invalid request: {exc}", "Check the command's options.")
    if isinstance(exc, bexc.ReadTimeoutError):
        return ServiceError(f"No answer within the read timeout: {exc}",
                            READ_TIMEOUT_HINT)
    if isinstance(exc, bexc.ConnectionClosedError):
        return ServiceError(
            f"The connection to {endpoint or 'the Bedrock endpoint'} closed before an answer "
            "arrived.", "Retry the request; check --endpoint-url if it keeps happening.")
    if isinstance(exc, (bexc.EndpointConnectionError, bexc.ConnectTimeoutError)):
        return ServiceError(
            f"Could not connect to {endpoint or 'the Bedrock endpoint'}: {exc}",
            "Check the network, --region and --endpoint-url; --backend local works offline.",
        )
    if isinstance(exc, bexc.ResponseStreamingError):
        return ServiceError(f"The response stream broke off: {exc}", "Retry the request.")
    if isinstance(exc, bexc.InvalidEndpointConfigurationError):
        return ConfigError(f"{exc}", "Bearer tokens need an https endpoint.")
    if isinstance(exc, bexc.BotoCoreError):
        return ServiceError(f"{type(exc).__name__}: {exc}", "Run with --debug for details.")
    return None


# Not "stream the answer": the call may have streamed already, and some commands cannot.
READ_TIMEOUT_HINT = "Raise --read-timeout, or retry."


REGION_HINT = (
    "Pass --region REGION, set AWS_REGION, set a region in your AWS profile "
    "(`aws configure set region us-east-1`), or `bedrock-cli config set region us-east-1`."
)
