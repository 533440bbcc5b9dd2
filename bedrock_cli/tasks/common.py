"""What every text task shares: the model to call, the request, hints, budgets, totals.

Task hints travel in Converse ``requestMetadata`` (``{"task": "summarize", "length": ...}``):
AWS accepts and logs them (useful for invocation-log filtering) and the local backend's engines
read them. Bedrock allows 1–16 entries whose keys and values match
``[a-zA-Z0-9\\s:_@$#=/+,-.]`` (values up to 256 characters), so free text is cleaned first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.types import TextRequest, TextResult, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo, Resolution
    from bedrock_cli.tasks.textcall import Outcome

CHARS_PER_TOKEN = 3  # a conservative estimate (English runs 3.3–4 characters per token)
DEFAULT_CHUNK_TOKENS = 24_000  # long inputs are split so each call stays well-focused
UNKNOWN_WINDOW = 8_000  # models outside the catalog: assume a small context window
_META_FORBIDDEN = re.compile(r"[^a-zA-Z0-9\s:_@$#=/+,\-.]")


@dataclass
class Target:
    """The model a task calls: the id to call, its catalog entry and its display name."""

    model_id: str
    model: ModelInfo | None
    name: str

    @property
    def window(self) -> int:
        return int(self.model.context_window) if self.model and self.model.context_window \
            else UNKNOWN_WINDOW


#: A model name (None: the `model` setting) → the text model to call (`AppContext.target`).
TargetFor = Callable[[str | None], Target]


def target(resolution: Resolution, wanted: str) -> Target:
    """The text model to call: `resolution` is what the name `wanted` resolved to."""
    model = resolution.model
    if model is not None and model.kind != "text":
        raise UsageError(f"{model.id} makes {model.kind}s, not text.",
                         "Pick a text model: `bedrock-cli models list --modality text`.")
    return Target(resolution.model_id, model, model.id if model else wanted)


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 1


MIN_CHUNK_TOKENS = 100


def max_chunk_tokens(tgt: Target) -> int:
    """The most `--chunk-tokens` may be: half the model's context window (the rest is kept
    for the instructions and the answer), as `--help` and docs/tasks.md say."""
    return max(MIN_CHUNK_TOKENS, tgt.window // 2)


def chunk_tokens(tgt: Target, override: int | None) -> int:
    """How many input tokens one call may carry (a part of a long document)."""
    if override is not None:
        if override < MIN_CHUNK_TOKENS:
            raise UsageError(f"--chunk-tokens {override} is too small.",
                             f"Use {MIN_CHUNK_TOKENS} or more.")
        limit = max_chunk_tokens(tgt)
        if override > limit:
            raise UsageError(f"--chunk-tokens {override} is more than half of {tgt.name}'s "
                             f"context window of {tgt.window} tokens.",
                             f"Use at most {limit}.")
        return override
    return max(500, min(DEFAULT_CHUNK_TOKENS, max_chunk_tokens(tgt)))


def meta_value(text: str) -> str:
    """Free text made acceptable as a requestMetadata value."""
    cleaned = " ".join(_META_FORBIDDEN.sub(" ", text).split())
    return cleaned[:256]


def request(
    tgt: Target,
    content: list[dict[str, Any]],
    *,
    task: str,
    system: str | None = None,
    hints: dict[str, str] | None = None,
    history: list[dict[str, Any]] | None = None,
    tool_config: dict[str, Any] | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
) -> TextRequest:
    """A Converse request; the system text moves into the message for models without one."""
    content = list(content)
    system_blocks = [system] if system else []
    if system and tgt.model is not None and not tgt.model.system_prompt:
        system_blocks = []
        content.insert(0, {"text": system})
    metadata = {"task": task}
    for key, value in (hints or {}).items():
        if value:
            metadata[key] = meta_value(value)
    return TextRequest(
        model_id=tgt.model_id,
        messages=[*(history or []), {"role": "user", "content": content}],
        system=system_blocks,
        max_tokens=max_tokens,
        temperature=temperature,
        metadata=metadata,
        tool_config=tool_config,
    )


def combine(outcomes: list[Outcome], text: str, latency_ms: int) -> Outcome:
    """One outcome standing for several calls: summed usage and cost, the last call's id."""
    from bedrock_cli.tasks.textcall import Outcome

    last = outcomes[-1]
    usage = Usage()
    for outcome in outcomes:
        u = outcome.result.usage
        usage.input_tokens += u.input_tokens
        usage.output_tokens += u.output_tokens
        usage.total_tokens += u.total_tokens
        usage.cache_read_tokens += u.cache_read_tokens
        usage.cache_write_tokens += u.cache_write_tokens
    costs = [o.cost_usd for o in outcomes]
    cost = None if any(c is None for c in costs) else sum(c or 0.0 for c in costs)
    result = TextResult(text=text, stop_reason=last.result.stop_reason, usage=usage,
                        latency_ms=latency_ms, model_id=last.result.model_id,
                        partial=any(o.result.partial for o in outcomes))
    return Outcome(result, cost, last.history_id, last.backend, last.model_name)


def quote_block(tag: str, text: str, **attrs: str) -> str:
    """``<tag a="b">text</tag>``: how documents are delimited in prompts (and found again by
    the local engines)."""
    rendered = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<{tag}{rendered}>\n{text.strip()}\n</{tag}>"
