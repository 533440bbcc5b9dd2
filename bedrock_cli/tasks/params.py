"""Inference parameters checked against the model's ranges before any call (exit 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo


#: the most top-k Bedrock takes (Anthropic's top_k, Nova's inferenceConfig.topK, Cohere's k:
#: 0-500; the emulator refuses more, as Bedrock does)
TOP_K_MAX = 500


@dataclass
class Sampling:
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] = field(default_factory=list)
    seed: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [])}


def validate(sampling: Sampling, model: ModelInfo | None, model_name: str) -> None:
    if sampling.temperature is not None and not 0 <= sampling.temperature <= 1:
        raise UsageError(f"--temperature {sampling.temperature:g} is outside Bedrock's range.",
                         "Use a value from 0 to 1 (0 = most predictable).")
    if sampling.top_p is not None and not 0 <= sampling.top_p <= 1:
        raise UsageError(f"--top-p {sampling.top_p:g} is outside Bedrock's range.",
                         "Use a value from 0 to 1.")
    if sampling.max_tokens is not None:
        limit = model.max_output_tokens if model else None
        if sampling.max_tokens < 1:
            raise UsageError(f"--max-tokens {sampling.max_tokens} must be at least 1.",
                             f"Use 1 to {limit}." if limit else "Use a positive number.")
        if limit and sampling.max_tokens > limit:
            raise UsageError(
                f"--max-tokens {sampling.max_tokens} is above {model_name}'s limit of {limit}.",
                f"Use at most {limit}.",
            )
    if sampling.top_k is not None:
        if not 1 <= sampling.top_k <= TOP_K_MAX:
            raise UsageError(f"--top-k {sampling.top_k} is outside Bedrock's range.",
                             f"Use a whole number from 1 to {TOP_K_MAX}.")
        if model is not None and not model.top_k_field:
            raise UsageError(f"{model_name} does not take a top-k parameter.",
                             "Drop --top-k, or use --top-p to narrow the sampling.")
    if sampling.seed is not None and not 0 <= sampling.seed <= 2**32 - 1:
        raise UsageError(f"--seed {sampling.seed} is out of range.", "Use 0 to 4294967295.")
    if any(not stop for stop in sampling.stop):
        raise UsageError("--stop needs a non-empty string.", "Remove the empty --stop.")


def additional_fields(sampling: Sampling, model: ModelInfo | None) -> dict[str, Any]:
    """Model-specific fields that reach the model through additionalModelRequestFields."""
    fields: dict[str, Any] = {}
    if model is None:
        return fields
    if sampling.top_k is not None and model.top_k_field:
        _set_path(fields, model.top_k_field, sampling.top_k)
    if sampling.seed is not None and model.seed_field:
        _set_path(fields, model.seed_field, sampling.seed)
    return fields


def _set_path(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value
