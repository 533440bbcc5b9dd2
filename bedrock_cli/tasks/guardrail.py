"""Guardrails: `--guardrail ID[:VERSION]` for any Converse task, and `guardrail check`
(ApplyGuardrail).

For a text task, three calls wire a guardrail in (generate's `run_and_render` already makes
the last two)::

    request.guardrail = guardrail.converse_config(spec)       # Converse guardrailConfig
    ... run the request ...
    guardrail.after(outcome.result, request.guardrail, app.output.debug)  # trace; exit 6

and `guardrail.explain(err, request.guardrail)` turns an unknown-guardrail error into one
with the right hint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import BedrockCliError, BlockedError, ConfigError, ServiceError, UsageError

if TYPE_CHECKING:
    from bedrock_cli.runtime import Runtime
    from bedrock_cli.settings import Settings
    from bedrock_cli.types import TextResult

# Bedrock's guardrailIdentifier pattern, and its version pattern (DRAFT or a number).
_ID = re.compile(r"^([a-z0-9]+|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:"
                 r"guardrail/[a-z0-9]+)$")
_VERSION = re.compile(r"^(DRAFT|[1-9][0-9]{0,7})$")
SOURCES = ("input", "output")
NOT_FOUND_HINT = ("Check the guardrail id and version (`aws bedrock list-guardrails`); on the "
                  "local backend the ids are those in BEDROCK_CLI_LOCAL_GUARDRAILS "
                  "(docs/guardrails.md).")


def parse(spec: str) -> tuple[str, str]:
    """`ID[:VERSION]` (an ARN may be the id) -> (identifier, version); version defaults to
    DRAFT. Bad input is a usage error (exit 2)."""
    spec = spec.strip()
    head, _, tail = spec.rpartition(":")
    identifier, version = (head, tail) if head and _VERSION.match(tail) else (spec, "DRAFT")
    if not _ID.match(identifier):
        raise UsageError(
            f"--guardrail {spec!r} is not a guardrail id: use ID[:VERSION], where ID is the "
            "guardrail's id (lower-case letters and digits) or ARN.",
            "e.g. --guardrail abc123xyz:1, or --guardrail abc123xyz for the DRAFT version.")
    return identifier, version


def converse_config(spec: str | None) -> dict[str, str] | None:
    """Converse's guardrailConfig for `--guardrail ID[:VERSION]` (None without one)."""
    if not spec:
        return None
    identifier, version = parse(spec)
    return {"guardrailIdentifier": identifier, "guardrailVersion": version, "trace": "enabled"}


def check_local_file(backend: str, settings: Settings) -> None:
    """On the local backend a guardrail comes from the local guardrails file: a bad file is a
    configuration error (exit 3) that names it, found before any call."""
    if backend == "local":
        check_file(settings.local_guardrails, settings.source("local_guardrails"))


def check_file(path: str | None, source: str) -> None:
    """The local guardrails file `path` (from `source`), if set, is readable and well formed;
    ConfigError otherwise."""
    if not path:
        return
    from pathlib import Path

    from bedrock_cli.local.engines.guardrails import GuardrailConfigError, load

    try:
        load(str(path))
    except GuardrailConfigError as exc:
        named, detail = str(Path(path).expanduser()), str(exc)
        if detail.startswith(named + " "):
            detail = "it " + detail[len(named) + 1:]
        raise ConfigError(
            f"Cannot use the local guardrails file {named}: {detail} (local_guardrails from "
            f"{source}).",
            "Fix the file (its form is in docs/guardrails.md), or point local_guardrails "
            "(BEDROCK_CLI_LOCAL_GUARDRAILS) at another.") from None


def explain(err: BedrockCliError, config: dict[str, str] | None) -> BedrockCliError:
    """An unknown guardrail gets a guardrail hint rather than the model one."""
    if config and err.code == "ResourceNotFoundException" and "guardrail" in err.message.lower():
        return ServiceError(err.message, NOT_FOUND_HINT, code=err.code)
    return err


def after(result: TextResult, config: dict[str, str] | None,
          debug: Callable[[str], None]) -> None:
    """Hand the guardrail trace to ``debug`` (shown under --debug); an intervention is exit 6
    (the guardrail's message has been printed as the answer)."""
    if not config:
        return
    trace = (result.trace or {}).get("guardrail") if isinstance(result.trace, dict) else None
    if trace:
        debug("debug: guardrail trace: " + json.dumps(trace, ensure_ascii=False))
    if result.stop_reason == "guardrail_intervened":
        message = " ".join(result.text.split()) or "no message"
        message = message if len(message) <= 200 else message[:199] + "…"
        raise BlockedError(
            f"Guardrail {config['guardrailIdentifier']} (version {config['guardrailVersion']}) "
            f"intervened: {message}",
            "The answer above is the guardrail's message; --debug shows its assessment.")


# ---------------------------------------------------------------------------- guardrail check


@dataclass
class CheckResult:
    guardrail: str
    version: str
    source: str
    action: str
    action_reason: str
    text: str
    outputs: list[str]
    assessments: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    backend: str = ""

    @property
    def intervened(self) -> bool:
        return self.action == "GUARDRAIL_INTERVENED"

    @property
    def blocked(self) -> bool:
        return any(line.endswith(": BLOCKED") for line in self.findings())

    @property
    def output(self) -> str:
        """The blocked message, the masked text, or the text unchanged."""
        return "\n".join(self.outputs) if self.outputs else self.text

    def to_json(self) -> dict[str, Any]:
        return {"guardrail": self.guardrail, "version": self.version, "source": self.source,
                "action": self.action, "action_reason": self.action_reason,
                "output": self.output, "outputs": self.outputs,
                "assessments": self.assessments, "usage": self.usage, "backend": self.backend}

    def findings(self) -> list[str]:
        """One line per finding, for people."""
        lines = []
        for assessment in self.assessments:
            for topic in (assessment.get("topicPolicy") or {}).get("topics", []):
                lines.append(f"denied topic {topic.get('name')!r}: {topic.get('action')}")
            words = assessment.get("wordPolicy") or {}
            for word in [*words.get("customWords", []), *words.get("managedWordLists", [])]:
                lines.append(f"denied word {word.get('match')!r}: {word.get('action')}")
            for item in (assessment.get("contentPolicy") or {}).get("filters", []):
                lines.append(f"content filter {item.get('type')} ({item.get('confidence')}): "
                             f"{item.get('action')}")
            pii = assessment.get("sensitiveInformationPolicy") or {}
            for entity in pii.get("piiEntities", []):
                lines.append(f"{entity.get('type')} {entity.get('match')!r}: "
                             f"{entity.get('action')}")
            for regex in pii.get("regexes", []):
                lines.append(f"regex {regex.get('name')} {regex.get('match')!r}: "
                             f"{regex.get('action')}")
        return lines


def check(runtime: Runtime, settings: Settings, text: str, spec: str,
          source: str) -> CheckResult:
    """ApplyGuardrail on one text."""
    if source not in SOURCES:
        raise UsageError(f"--source {source!r} is not input or output.", "Use input or output.")
    if not text.strip():
        raise UsageError("No text to check.", "Pass the text as an argument, or pipe it in "
                                              "with `-`.")
    identifier, version = parse(spec)
    backend = runtime.clients.backend
    check_local_file(backend, settings)
    from bedrock_cli.calls import GuardrailRequest

    try:
        verdict = runtime.apply_guardrail(
            GuardrailRequest(identifier, version, source.upper(), text))
    except BedrockCliError as err:
        raise explain(err, {"guardrailIdentifier": identifier}) from None
    return CheckResult(
        guardrail=identifier, version=version, source=source,
        action=verdict.action, action_reason=verdict.action_reason, text=text,
        outputs=verdict.outputs, assessments=verdict.assessments, usage=verdict.usage,
        backend=backend)
