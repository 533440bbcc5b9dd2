"""Reasoning (extended thinking): `--reasoning-budget N` and `--reasoning-effort LEVEL`, turned
into the model's own request fields, with the model's rules checked before any call (exit 2).

Where the fields come from:

- Anthropic Claude (catalog `reasoning = true`): Converse `additionalModelRequestFields`
  `{"thinking": {"type": "enabled", "budget_tokens": N}}`. The budget is at least 1,024 and
  below the request's max tokens (thinking counts toward them), so max tokens are raised when
  needed — and we say so. Claude takes no effort setting (Opus 4.5's `effort` is not in the
  catalog), so `--reasoning-effort` picks a budget for it: low 1,024, medium 4,096, high
  16,384 tokens.
- Amazon Nova 2 (family `nova`, verified from an AWS sample for `amazon.nova-2-lite-v1:0`):
  `additionalModelRequestFields` `{"reasoningConfig": {"type": "enabled",
  "maxReasoningEffort": "low|medium|high"}}`. Nova 2 is not in the shipped catalog, so this
  applies to ids the catalog does not know whose family guesses as `nova`; Nova 1 models do
  not reason and are refused.

The sampling rules for Claude's thinking are encoded once, in `THINKING_RULES`: Anthropic's
extended-thinking docs say thinking "isn't compatible with temperature or top_k
modifications" and that "you can set top_p to values between 1 and 0.95" (Bedrock's page says
top_p may not be modified at all; we follow Anthropic's, the wider of the two). Bedrock also
requires streaming when max tokens exceed 21,333 with thinking on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bedrock_cli.errors import UsageError

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import TextRequest

EFFORTS = ("low", "medium", "high")
EFFORT_BUDGETS = {"low": 1024, "medium": 4096, "high": 16384}
MIN_BUDGET = 1024
ANSWER_ROOM = 4096  # tokens left for the answer when max tokens are raised for a budget
STREAM_REQUIRED_ABOVE = 21_333  # Bedrock: streaming is required above this with thinking


@dataclass
class Reasoning:
    budget: int | None = None
    effort: str | None = None

    @property
    def wanted(self) -> bool:
        return self.budget is not None or self.effort is not None


@dataclass(frozen=True)
class Rule:
    """One sampling rule of Claude's extended thinking: what it checks and how it is named."""

    name: str
    broken: Callable[[TextRequest], bool]
    hint: str


THINKING_RULES = (
    Rule("thinking allows only the default temperature (1)",
         lambda r: r.temperature is not None and r.temperature != 1,
         "Drop --temperature (thinking runs at temperature 1), or drop the reasoning flag."),
    Rule("thinking does not allow top-k",
         lambda r: "top_k" in r.additional_fields,
         "Drop --top-k, or drop the reasoning flag."),
    Rule("thinking allows top-p only from 0.95 to 1",
         lambda r: r.top_p is not None and not 0.95 <= r.top_p <= 1,
         "Use --top-p 0.95 or more (or drop it), or drop the reasoning flag."),
    Rule("thinking cannot be combined with a forced tool",
         lambda r: bool(r.tool_config and "tool" in (r.tool_config.get("toolChoice") or {})),
         "This task forces a tool; use it without a reasoning flag."),
)


def _family(model: ModelInfo | None, model_id: str) -> str | None:
    if model is not None:
        return model.family
    from bedrock_cli.families import guess

    return guess(model_id)


def _reasoning_models() -> str:
    from bedrock_cli.catalog import get_catalog

    names = [m.aliases[0] if m.aliases else m.id for m in get_catalog()
             if m.reasoning and not m.legacy]
    return ", ".join(names)


def apply(request: TextRequest, model: ModelInfo | None, name: str, reasoning: Reasoning, *,
          stream: bool = True) -> list[str]:
    """Put the reasoning fields on the request; raise UsageError (exit 2) for what the model
    does not take or a rule the request breaks. Returns notices to show (max tokens raised)."""
    if not reasoning.wanted:
        return []
    if reasoning.budget is not None and reasoning.effort is not None:
        raise UsageError("Give --reasoning-budget or --reasoning-effort, not both.",
                         "A budget is a number of tokens; an effort is low, medium or high.")
    if reasoning.effort is not None and reasoning.effort not in EFFORTS:
        raise UsageError(f"--reasoning-effort {reasoning.effort!r} is not one of "
                         f"{', '.join(EFFORTS)}.", "Use low, medium or high.")
    if request.api == "invoke":
        raise UsageError("Reasoning flags work with the Converse API.", "Drop --api invoke.")
    family = _family(model, request.model_id)
    if (model is not None and not model.reasoning) or family not in ("anthropic", "nova"):
        raise UsageError(f"{name} does not reason (no extended thinking).",
                         f"Models that do: {_reasoning_models()}.")
    if family == "nova":
        return _nova(request, model, name, reasoning)
    return _anthropic(request, model, name, reasoning, stream=stream)


def _nova(request: TextRequest, model: ModelInfo | None, name: str,
          reasoning: Reasoning) -> list[str]:
    if model is not None:  # every catalog Nova is Nova 1, which has no reasoning
        raise UsageError(f"{name} does not reason.", "Nova 2 Lite does: -m "
                                                     "us.amazon.nova-2-lite-v1:0.")
    if reasoning.effort is None:
        raise UsageError(f"{name} takes --reasoning-effort (low, medium or high), not a "
                         "token budget.", "Use --reasoning-effort instead.")
    request.additional_fields["reasoningConfig"] = {"type": "enabled",
                                                    "maxReasoningEffort": reasoning.effort}
    return []


def _anthropic(request: TextRequest, model: ModelInfo | None, name: str,
               reasoning: Reasoning, *, stream: bool) -> list[str]:
    budget = reasoning.budget if reasoning.budget is not None else \
        EFFORT_BUDGETS[str(reasoning.effort)]
    if budget < MIN_BUDGET:
        raise UsageError(f"--reasoning-budget {budget} is below the minimum of {MIN_BUDGET}.",
                         f"Use {MIN_BUDGET} or more.")
    for rule in THINKING_RULES:
        if rule.broken(request):
            raise UsageError(f"{name}: {rule.name}.", rule.hint)
    limit = model.max_output_tokens if model is not None else 0
    if limit and budget >= limit:
        raise UsageError(f"--reasoning-budget {budget} leaves no room for the answer: {name} "
                         f"writes at most {limit} tokens, thinking included.",
                         f"Use a budget below {limit}.")
    notes = []
    current = request.max_tokens or (model.default_max_tokens if model is not None else 4096)
    if current <= budget:
        raised = budget + ANSWER_ROOM
        if limit:
            raised = min(raised, limit)
        given = "--max-tokens" if request.max_tokens is not None else "max tokens"
        notes.append(f"{given} raised from {current} to {raised}: the thinking budget "
                     f"({budget}) counts toward them.")
        request.max_tokens = raised
    if not stream and (request.max_tokens or current) > STREAM_REQUIRED_ABOVE:
        raise UsageError(f"With thinking, Bedrock streams answers longer than "
                         f"{STREAM_REQUIRED_ABOVE:,} tokens; --no-stream cannot ask for "
                         f"{request.max_tokens or current:,}.",
                         "Drop --no-stream, or lower --max-tokens / the budget.")
    request.additional_fields["thinking"] = {"type": "enabled", "budget_tokens": budget}
    return notes

