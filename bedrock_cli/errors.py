"""Error types. Each carries an exit code (SPEC §6) and a hint saying what to try next.

Errors are raised anywhere below the CLI and translated into a message and an exit status in
exactly one place, `cli/boundary.py`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    CONFIG = 3
    THROTTLED = 4
    SERVICE = 5
    BLOCKED = 6
    INTERRUPTED = 130


class BedrockCliError(Exception):
    """An expected failure with a user-facing message, a hint and an exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL
    kind = "error"

    def __init__(self, message: str, hint: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        #: the service's error code when the error came from Bedrock (e.g. ThrottlingException)
        self.code = code
        #: what arrived before the failure, when a command can still show it (--json prints it)
        self.partial: object | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "error": {
                "type": self.kind,
                "code": self.code,
                "message": self.message,
                "hint": self.hint,
                "exit_code": int(self.exit_code),
            }
        }


class UsageError(BedrockCliError):
    """Bad flag or value, unreadable input, a parameter outside the model's range."""

    exit_code = ExitCode.USAGE
    kind = "usage"


class ConfigError(BedrockCliError):
    """No region, no credentials, expired token, access denied, model not enabled."""

    exit_code = ExitCode.CONFIG
    kind = "config"


class ThrottledError(BedrockCliError):
    """Throttled or over quota after retries."""

    exit_code = ExitCode.THROTTLED
    kind = "throttled"


class ServiceError(BedrockCliError):
    """The service or the model failed: validation, model error, timeout, broken stream."""

    exit_code = ExitCode.SERVICE
    kind = "service"


class BlockedError(BedrockCliError):
    """A guardrail or content filter blocked the request or the answer."""

    exit_code = ExitCode.BLOCKED
    kind = "blocked"


class InterruptedByUser(BedrockCliError):
    """Ctrl-C: what arrived has been kept."""

    exit_code = ExitCode.INTERRUPTED
    kind = "interrupted"
