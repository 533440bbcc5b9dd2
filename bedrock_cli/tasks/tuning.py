"""What the text commands add to a request they built: reasoning and prompt caching (and, for
chat, a template's sampling), applied in one place so every command checks them alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bedrock_cli.tasks import caching, params
from bedrock_cli.tasks.reasoning import Reasoning
from bedrock_cli.tasks.reasoning import apply as apply_reasoning

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import TextRequest


@dataclass
class Tuning:
    reasoning: Reasoning = field(default_factory=Reasoning)
    cache_prompt: bool = False
    hide_reasoning: bool = False
    sampling: params.Sampling | None = None  # sampling a template sets (chat)

    @property
    def any(self) -> bool:
        return self.reasoning.wanted or self.cache_prompt or self.sampling is not None


def apply(request: TextRequest, model: ModelInfo | None, name: str, tuning: Tuning, *,
          stream: bool = True) -> list[str]:
    """Apply the tuning to the request (UsageError for what the model does not take);
    returns the notices to show."""
    if tuning.sampling is not None:
        params.validate(tuning.sampling, model, name)
        s = tuning.sampling
        request.temperature = s.temperature if s.temperature is not None else \
            request.temperature
        request.top_p = s.top_p if s.top_p is not None else request.top_p
        request.max_tokens = s.max_tokens if s.max_tokens is not None else request.max_tokens
    notes = apply_reasoning(request, model, name, tuning.reasoning, stream=stream)
    if tuning.cache_prompt:
        notes += caching.mark(request, model, name)
    return notes


def log_params(tuning: Tuning) -> dict[str, object]:
    """What history records about the tuning."""
    out: dict[str, object] = {}
    if tuning.reasoning.budget is not None:
        out["reasoning_budget"] = tuning.reasoning.budget
    if tuning.reasoning.effort is not None:
        out["reasoning_effort"] = tuning.reasoning.effort
    if tuning.cache_prompt:
        out["cache_prompt"] = True
    return out
