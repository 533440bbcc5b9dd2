"""The ``next-token-distribution`` task: the language model's true next-token table.

``bedrock-cli sample --exact`` sends a Converse request tagged
``requestMetadata={"task": "next-token-distribution", "rows": "20"}`` with
``additionalModelResponseFieldPaths=["/next_token_distribution"]``. The answer's text is the
likeliest next token (one token at most, as a normal Converse answer would be under
``maxTokens: 1``); the table comes back in ``additionalModelResponseFields``::

    {"next_token_distribution": {
        "tokens": [{"token": "full", "probability": 0.6661}, ...],   # most probable first
        "other_probability": 0.21,          # everything below the listed rows
        "temperature": 1.0, "top_p": 1.0, "top_k": null,
        "end_token": "<end>"}}              # how the end of the answer is spelled

The probabilities are those the engine samples from — after temperature, top-k and top-p —
over the whole vocabulary, so the listed rows plus ``other_probability`` sum to 1. Bedrock
itself never returns this field; the CLI says so when it is missing.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from .tasks import FixedText, Generation, TaskContext, task

TASK_NAME = "next-token-distribution"
FIELD = "next_token_distribution"
DEFAULT_ROWS = 20
MAX_ROWS = 200


class DistributionText(FixedText):
    """A FixedText that also carries fields for ``additionalModelResponseFields``."""

    def __init__(self, text: str, max_tokens: int, response_fields: dict[str, Any]) -> None:
        super().__init__(text, max_tokens)
        self.response_fields = response_fields


def _rows(ctx: TaskContext) -> int:
    raw = ctx.metadata.get("rows", "").strip()
    if not raw:
        return DEFAULT_ROWS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ROWS:
        raise errors.validation(f"requestMetadata rows must be a whole number from 1 to "
                                f"{MAX_ROWS}.")
    return int(raw)


def distribution(ctx: TaskContext) -> dict[str, Any]:
    """The table for the context's prompt under its sampling parameters."""
    from bedrock_cli.local.engines.textlm import END_TOKEN, get_model

    rows = get_model().next_token_distribution(
        ctx.prompt, temperature=ctx.temperature, top_p=ctx.top_p, top_k=ctx.top_k,
        limit=_rows(ctx))
    listed = [{"token": token, "probability": prob} for token, prob in rows]
    other = max(0.0, 1.0 - sum(prob for _token, prob in rows))
    return {
        "tokens": listed,
        "other_probability": other if other > 1e-12 else 0.0,
        "temperature": ctx.temperature,
        "top_p": ctx.top_p,
        "top_k": ctx.top_k,
        "end_token": END_TOKEN,
    }


@task(TASK_NAME)
def next_token_distribution(ctx: TaskContext) -> Generation:
    from bedrock_cli.local.engines.textlm import END_TOKEN

    table = distribution(ctx)
    top = table["tokens"][0]["token"] if table["tokens"] else END_TOKEN
    text = "" if top == END_TOKEN else top
    return DistributionText(text, min(ctx.max_tokens, 1), {FIELD: table})
