"""`--cache-prompt`: where a request gets Converse `cachePoint` blocks.

Bedrock caches the prompt prefix up to each cache point (tools, then system, then messages)
for 5 minutes from its last use; a later request whose prefix matches reads it at a tenth of
the input price (Claude; Nova reads at a quarter) instead of paying for it again. The points
go, in order of priority and at most 4 (Bedrock's limit):

1. after the tools (models whose catalog `cache_fields` include tools — not Nova);
2. after the system prompt;
3. after the context: before the last block of the last user message, when that message has
   several blocks (the tasks put the large, stable part — documents, sources, piped input,
   attachments — first and the question last);
4. after the previous assistant turn, and the one before it (a continued conversation or a
   chat: the turn before keeps last call's point, so this call reads what that one wrote).

Models whose catalog entry has no prompt caching get no cache points, and a notice says so:
caching is an optimisation, the answer is the same without it, so a script that always
passes `--cache-prompt` keeps working when the model changes. Ids the catalog does not know
get the points (Bedrock decides). A prefix below the model's minimum is sent anyway (Bedrock
then simply does not cache it) with a notice.

The points are kept as positions on `TextRequest.cache_points` and only become blocks in the
request body (`types.with_cache_points`, when the request is serialised), so history never
stores them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import CachePoint, TextRequest

MAX_POINTS = 4


def positions(request: TextRequest, model: ModelInfo | None) -> list[CachePoint]:
    """The cache points a request gets, in prompt order, at most MAX_POINTS."""
    fields = set(model.cache_fields) if model is not None else {"system", "messages", "tools"}
    ranked: list[CachePoint] = []
    if request.tool_config and request.tool_config.get("tools") and "tools" in fields:
        ranked.append("tools")
    if request.system and "system" in fields:
        ranked.append("system")
    messages = request.messages
    if "messages" in fields and messages:
        last = messages[-1].get("content") or []
        if len(last) >= 2:
            ranked.append((len(messages) - 1, len(last) - 2))
        answers = [i for i, m in enumerate(messages[:-1]) if m.get("role") == "assistant"
                   and m.get("content")]
        for i in reversed(answers[-2:]):
            ranked.append((i, len(messages[i]["content"]) - 1))
    kept = ranked[:MAX_POINTS]
    order = {"tools": (-2, 0), "system": (-1, 0)}
    return sorted(kept, key=lambda p: order.get(p, p) if isinstance(p, str) else tuple(p))


def mark(request: TextRequest, model: ModelInfo | None, name: str) -> list[str]:
    """Set `request.cache_points`; notices to show (no caching for this model, a prefix
    too short to be cached)."""
    from bedrock_cli.errors import UsageError

    if request.api == "invoke":
        raise UsageError("--cache-prompt works with the Converse API.", "Drop --api invoke.")
    if model is not None and not model.prompt_caching:
        return [f"{name} does not support prompt caching; sending without cache points."]
    request.cache_points = positions(request, model)
    if not request.cache_points:
        return ["Nothing to cache in this request (no system prompt, context or tools)."]
    minimum = model.cache_min_tokens if model is not None else 0
    prefix = _prefix_chars(request)
    if minimum and prefix // 4 < minimum:
        return [f"The cacheable part of the prompt (about {prefix // 4:,} tokens) is below "
                f"{name}'s minimum of {minimum:,}: Bedrock will not cache it."]
    return []


def _prefix_chars(request: TextRequest) -> int:
    """Characters up to the last cache point (a rough size of what would be cached)."""
    points = request.cache_points
    size = len(json.dumps(request.tool_config)) if "tools" in points else 0
    size += sum(len(s) for s in request.system)
    last = max((p for p in points if not isinstance(p, str)), default=None)
    if last is not None:
        for i, message in enumerate(request.messages[: last[0] + 1]):
            blocks = message.get("content") or []
            upto = blocks[: last[1] + 1] if i == last[0] else blocks
            size += sum(len(str(b.get("text", ""))) or 2000 for b in upto)
    return size
