"""Extended thinking in the emulator: Claude's `additionalModelRequestFields.thinking`.

For a model whose catalog entry says `reasoning`, `{"thinking": {"type": "enabled",
"budget_tokens": N}}` makes Converse answer with a `reasoningContent` block (text and a
signature) before the text, and ConverseStream send `reasoningContent` deltas — the text, then
the signature — as content block 0, the answer as block 1. The reasoning is honest about what
it is: the same n-gram engine continuing the prompt ("thinking aloud"), at temperature 1 and
its own seed, for a length that grows with the budget (budget/16, 16 to 256 tokens) and never
passes it. Its tokens count as output tokens and come out of the request's max tokens, so the
answer gets what is left — as with Claude.

Bedrock's (Anthropic's) checks come first, with messages as close as we know them to the
service's: the budget is at least 1,024 and below max tokens; temperature may only be 1,
top_k must be unset, top_p at least 0.95; a model without extended thinking refuses the field.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from .tasks import TaskContext

MIN_BUDGET = 1024
_DOCS = ("Please consult our documentation at https://docs.claude.com/en/docs/"
         "build-with-claude/extended-thinking")


def thinking_length(budget: int) -> int:
    """How many tokens the emulator thinks for a budget."""
    return max(16, min(256, budget // 16, budget))


@dataclass
class Thinking:
    """The reasoning of one call, generated lazily; `text` and `output_tokens` are final once
    it has been iterated."""

    budget: int
    length: int
    ctx: TaskContext
    pieces: list[str] = field(default_factory=list)
    output_tokens: int = 0
    done: bool = False

    def __iter__(self) -> Iterator[str]:
        if self.done:
            yield from self.pieces
            return
        from bedrock_cli.local.engines.textlm import get_model

        # Thinking is free text on a new paragraph, never a form the instruction asks for.
        gen = get_model().stream(self.ctx.prompt.rstrip() + "\n", max_tokens=self.length,
                                 temperature=1.0, top_p=self.ctx.top_p,
                                 seed=(self.ctx.seed ^ 0x7E1A) % 2**32, instructions=False)
        for piece in gen:
            self.pieces.append(piece)
            yield piece
        self.output_tokens = int(getattr(gen, "output_tokens", len(self.pieces)))
        self.done = True

    @property
    def text(self) -> str:
        if not self.done:
            for _ in self:
                pass
        return "".join(self.pieces)

    @property
    def signature(self) -> str:
        """Opaque, like Bedrock's: here a digest of the reasoning text."""
        digest = hashlib.sha256(b"bedrock-cli-emulator:" + self.text.encode("utf-8"))
        return base64.b64encode(digest.digest()).decode("ascii")

    def block(self) -> dict[str, Any]:
        return {"reasoningContent": {"reasoningText": {"text": self.text,
                                                       "signature": self.signature}}}

    def events(self, ev: Callable[[str, dict[str, Any]], bytes]) -> Iterator[bytes]:
        """ConverseStream frames for content block 0: reasoning text, signature, stop."""
        for piece in self:
            if piece:
                yield ev("contentBlockDelta", {"contentBlockIndex": 0,
                                               "delta": {"reasoningContent": {"text": piece}}})
        yield ev("contentBlockDelta", {"contentBlockIndex": 0,
                                       "delta": {"reasoningContent": {
                                           "signature": self.signature}}})
        yield ev("contentBlockStop", {"contentBlockIndex": 0})


def _check(body: dict[str, Any], config: dict[str, Any], budget: Any, max_tokens: int) -> None:
    if not isinstance(budget, int) or isinstance(budget, bool):
        raise errors.validation("thinking.enabled.budget_tokens: Field required")
    if budget < MIN_BUDGET:
        raise errors.validation("thinking.enabled.budget_tokens: Input should be greater than "
                                f"or equal to {MIN_BUDGET}")
    if max_tokens <= budget:
        raise errors.validation(f"`max_tokens` must be greater than `thinking.budget_tokens`. "
                                f"{_DOCS}#max-tokens-and-context-window-size")
    temperature = config.get("temperature")
    if temperature is not None and temperature != 1:
        raise errors.validation(f"`temperature` may only be set to 1 when thinking is enabled. "
                                f"{_DOCS}#feature-compatibility")
    fields = body.get("additionalModelRequestFields") or {}
    if fields.get("top_k") is not None:
        raise errors.validation(f"`top_k` must be unset when thinking is enabled. "
                                f"{_DOCS}#feature-compatibility")
    top_p = config.get("topP")
    if top_p is not None and top_p < 0.95:
        raise errors.validation("`top_p` must be greater than or equal to 0.95 or unset when "
                                f"thinking is enabled. {_DOCS}#feature-compatibility")
    choice = (body.get("toolConfig") or {}).get("toolChoice") or {}
    if "tool" in choice or "any" in choice:
        raise errors.validation("Thinking may not be enabled when tool_choice forces tool "
                                f"use. {_DOCS}#extended-thinking-with-tool-use")


def thinking_for(ctx: TaskContext, body: dict[str, Any]) -> Thinking | None:
    """The call's reasoning when thinking is enabled (validated; `ctx` gets temperature 1 and
    the max tokens left for the answer), else None."""
    fields = body.get("additionalModelRequestFields") or {}
    thinking = fields.get("thinking") if isinstance(fields, dict) else None
    if thinking is None:
        return None
    model = ctx.model
    if not getattr(model, "reasoning", False):
        raise errors.validation("thinking: Extra inputs are not permitted (this model has no "
                                "extended thinking)")
    if not isinstance(thinking, dict) or thinking.get("type") not in ("enabled", "disabled"):
        raise errors.validation("thinking.type: Input should be 'enabled' or 'disabled'")
    if thinking["type"] == "disabled":
        return None
    budget: int = thinking.get("budget_tokens")  # type: ignore[assignment]  # checked next
    _check(body, body.get("inferenceConfig") or {}, budget, ctx.max_tokens)
    length = thinking_length(budget)
    ctx.temperature = 1.0
    ctx.max_tokens = max(1, ctx.max_tokens - length)
    return Thinking(budget, length, ctx)
