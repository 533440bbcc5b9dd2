"""Bedrock's errors, as the emulator raises and serialises them.

An operation raises :class:`EmulatorError`; the router turns it into the HTTP error response
botocore parses (``x-amzn-ErrorType`` header plus ``{"message": ...}``), or — once a stream has
started — into an in-stream ``exception`` frame whose ``:exception-type`` is the lowerCamel
member name (``throttlingException``). Wording follows what Bedrock is observed to say
(``shared/reference/bedrock-api.md`` §4.1).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import eventstream

ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.bedrock/"

# Observed Bedrock messages.
INVALID_MODEL_ID = "The provided model identifier is invalid."
UNSUPPORTED_MODEL = (
    "This action doesn't support the model that you provided. "
    "Try again with a supported text or chat model."
)
FIRST_MESSAGE_USER = (
    "A conversation must start with a user message. "
    "Try again with a conversation that starts with a user message."
)
ALTERNATE_ROLES = (
    "A conversation must alternate between user and assistant roles. "
    "Make sure the conversation alternates between user and assistant roles and try again."
)
THROTTLED = "Too many requests, please wait before trying again."
ACCESS_DENIED = "You don't have access to the model with the specified model ID."
END_OF_LIFE = (
    "This model version has reached the end of its life. "
    "Please refer to the AWS documentation for more details."
)
QUOTA_EXCEEDED = "Too many tokens per day, please wait before trying again."
MODEL_TIMEOUT = "Model has timed out in processing the request. Try your request again."
INTERNAL = "The server encountered an internal error while processing the request."
UNAVAILABLE = "The service is temporarily unable to handle the request. Try again later."
MODEL_NOT_READY = "Model is not ready to serve inference requests. Try again later."


class EmulatorError(Exception):
    """A Bedrock error: ``code`` (``ValidationException``), message, HTTP status, extra fields."""

    def __init__(
        self, code: str, message: str, status: int, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra = dict(extra or {})

    @property
    def stream_type(self) -> str:
        """The lowerCamel ``:exception-type`` used inside event streams."""
        return self.code[:1].lower() + self.code[1:]

    def payload(self) -> dict[str, Any]:
        return {"message": self.message, **self.extra}

    def body(self) -> bytes:
        return json.dumps(self.payload(), ensure_ascii=False).encode("utf-8")

    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "x-amzn-ErrorType": self.code + ERROR_TYPE_SUFFIX,
        }

    def frame(self) -> bytes:
        """This error as an in-stream exception message."""
        return eventstream.exception(self.stream_type, self.payload())


def validation(message: str) -> EmulatorError:
    return EmulatorError("ValidationException", message, 400)


def invalid_model_id() -> EmulatorError:
    return validation(INVALID_MODEL_ID)


def on_demand_not_supported(model_id: str) -> EmulatorError:
    return validation(
        f"Invocation of model ID {model_id} with on-demand throughput isn\u2019t supported. "
        "Retry your request with the ID or ARN of an inference profile that contains this model."
    )


def unsupported_model() -> EmulatorError:
    return validation(UNSUPPORTED_MODEL)


def out_of_range(field: str, value: object, low: object, high: object) -> EmulatorError:
    return validation(
        f"The value {value} for {field} is out of range. "
        f"Valid values are between {low} and {high}. Try again with a value in range."
    )


def access_denied(message: str = ACCESS_DENIED) -> EmulatorError:
    return EmulatorError("AccessDeniedException", message, 403)


def resource_not_found(message: str) -> EmulatorError:
    return EmulatorError("ResourceNotFoundException", message, 404)


def throttling(message: str = THROTTLED) -> EmulatorError:
    return EmulatorError("ThrottlingException", message, 429)


def model_timeout(message: str = MODEL_TIMEOUT) -> EmulatorError:
    return EmulatorError("ModelTimeoutException", message, 408)


def internal_server(message: str = INTERNAL) -> EmulatorError:
    return EmulatorError("InternalServerException", message, 500)


def service_unavailable(message: str = UNAVAILABLE) -> EmulatorError:
    return EmulatorError("ServiceUnavailableException", message, 503)


def service_quota_exceeded(message: str = QUOTA_EXCEEDED) -> EmulatorError:
    return EmulatorError("ServiceQuotaExceededException", message, 400)


def model_not_ready(message: str = MODEL_NOT_READY) -> EmulatorError:
    return EmulatorError("ModelNotReadyException", message, 429)


def model_error(
    message: str, original_status_code: int = 500, resource_name: str | None = None
) -> EmulatorError:
    extra: dict[str, Any] = {"originalStatusCode": original_status_code}
    if resource_name is not None:
        extra["resourceName"] = resource_name
    return EmulatorError("ModelErrorException", message, 424, extra)


def model_stream_error(
    message: str, original_status_code: int = 500, original_message: str | None = None
) -> EmulatorError:
    extra: dict[str, Any] = {"originalStatusCode": original_status_code}
    if original_message is not None:
        extra["originalMessage"] = original_message
    return EmulatorError("ModelStreamErrorException", message, 424, extra)


def unknown_operation(method: str, path: str) -> EmulatorError:
    return EmulatorError(
        "UnknownOperationException",
        f"The requested operation {method} {path} is not recognized by the service.",
        404,
    )


# Codes by name, for fault injection and tests: code -> factory taking a message.
BY_CODE: dict[str, Callable[..., EmulatorError]] = {
    "ValidationException": validation,
    "AccessDeniedException": access_denied,
    "ResourceNotFoundException": resource_not_found,
    "ThrottlingException": throttling,
    "ModelTimeoutException": model_timeout,
    "InternalServerException": internal_server,
    "ServiceUnavailableException": service_unavailable,
    "ServiceQuotaExceededException": service_quota_exceeded,
    "ModelNotReadyException": model_not_ready,
    "ModelErrorException": model_error,
    "ModelStreamErrorException": model_stream_error,
}
