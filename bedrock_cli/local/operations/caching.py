"""Prompt caching in the emulator: Converse `cachePoint` blocks, simulated so `--cache-prompt`
can be tested offline.

A cache point marks the prefix before it — tools, then system, then messages, in that order —
as cacheable. Each point's prefix is hashed (with the model, and for points in the messages
the thinking settings, which Anthropic says invalidate message caches when they change) and
counted with the emulator's tokenizer over the same text `inputTokens` counts (tool
definitions carry no tokens in the emulator's accounting, so a point after the tools alone
caches nothing). A prefix shorter than the model's minimum (`cache_min_tokens`) is not cached,
as on Bedrock, and the call still succeeds.

Accounting, as Bedrock reports it: the longest prefix found in the cache is read
(`cacheReadInputTokens`); the rest up to the last point is written (`cacheWriteInputTokens`);
`inputTokens` is what is left after the last point — input excludes cached tokens. A hit
renews the entry's time to live (5 minutes, or "1h" where the point asks for it).

The cache lives in the Emulator instance (thread-safe): in-process, for as long as the
command runs (a chat, a batch run, a map-reduce); behind `serve`, across clients.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from .. import errors
from ..router import Emulator
from . import conversation

MAX_POINTS = 4
TTLS = {"5m": 300.0, "1h": 3600.0}
_FIELDS = {"tools": "tools", "system": "system", "messages": "messages"}


@dataclass
class CacheUsage:
    read: int = 0
    write: int = 0

    def fields(self) -> dict[str, int]:
        return {"cacheReadInputTokens": self.read, "cacheWriteInputTokens": self.write}


class PromptCache:
    """Prefix digests and when they expire, for one Emulator."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, float] = {}
        self.clock = clock

    def hit(self, key: str, ttl: float) -> bool:
        """Is the prefix cached? A hit renews its time to live."""
        now = self.clock()
        with self._lock:
            expires = self._entries.get(key)
            if expires is None or expires <= now:
                self._entries.pop(key, None)
                return False
            self._entries[key] = now + ttl
            return True

    def put(self, key: str, ttl: float) -> None:
        now = self.clock()
        with self._lock:
            self._entries[key] = max(self._entries.get(key, 0.0), now + ttl)
            if len(self._entries) > 10_000:  # drop what has expired
                self._entries = {k: v for k, v in self._entries.items() if v > now}


_caches: weakref.WeakKeyDictionary[Emulator, PromptCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_of(emulator: Emulator) -> PromptCache:
    with _caches_lock:
        found = _caches.get(emulator)
        if found is None:
            found = _caches[emulator] = PromptCache()
        return found


@dataclass
class Point:
    where: str  # tools | system | messages
    key: str
    tokens: int
    ttl: float


def _ttl(block: dict[str, Any]) -> float:
    point = block.get("cachePoint")
    if not isinstance(point, dict) or point.get("type") != "default":
        raise errors.validation("cachePoint.type: the only cache point type is 'default'.")
    ttl = point.get("ttl", "5m")
    if ttl not in TTLS:
        raise errors.validation(f"cachePoint.ttl {ttl!r} is not valid: use 5m or 1h.")
    return TTLS[str(ttl)]


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _points(body: dict[str, Any], model_key: str) -> list[Point]:
    """Every cache point in prompt order with its prefix digest and token count."""
    from bedrock_cli.text.tokenizer import count_tokens

    tools = ((body.get("toolConfig") or {}).get("tools")) or []
    system = body.get("system") or []
    messages = body.get("messages") or []
    fields = body.get("additionalModelRequestFields") or {}
    thinking = fields.get("thinking") if isinstance(fields, dict) else None
    found: list[Point] = []
    for i, tool in enumerate(tools):
        if isinstance(tool, dict) and "cachePoint" in tool:
            found.append(Point("tools", _digest(model_key, tools[:i]), 0, _ttl(tool)))
    for i, block in enumerate(system):
        if isinstance(block, dict) and "cachePoint" in block:
            prefix = system[:i]
            tokens = count_tokens(conversation.prompt_text(prefix, [])[0])
            found.append(Point("system", _digest(model_key, tools, prefix), tokens,
                               _ttl(block)))
    for m, message in enumerate(messages):
        content = message.get("content") or []
        for b, block in enumerate(content):
            if isinstance(block, dict) and "cachePoint" in block:
                prefix = [*messages[:m], {**message, "content": content[:b]}]
                tokens = count_tokens(conversation.prompt_text(system, prefix)[0])
                found.append(Point("messages", _digest(model_key, tools, system, prefix,
                                                       thinking), tokens, _ttl(block)))
    return found


def account(emulator: Emulator, model: Any, model_id: str, body: dict[str, Any],
            input_tokens: int) -> CacheUsage:
    """Read and write the emulator's cache for one request; what to report in usage."""
    points = _points(body, str(getattr(model, "id", None) or model_id))
    if not points:
        return CacheUsage()
    if len(points) > MAX_POINTS:
        raise errors.validation(f"A maximum of {MAX_POINTS} cache points may be provided. "
                                f"Found {len(points)}.")
    if not getattr(model, "prompt_caching", False):
        raise errors.validation("This model doesn't support prompt caching. Remove the "
                                "cachePoint blocks and try again.")
    allowed = set(getattr(model, "cache_fields", ()) or _FIELDS)
    for point in points:
        if point.where not in allowed:
            raise errors.validation(f"This model doesn't support cache points in {point.where}."
                                    " Remove them and try again.")
    minimum = int(getattr(model, "cache_min_tokens", 0) or 0)
    eligible = [p for p in points if p.tokens and p.tokens >= minimum]
    if not eligible:
        return CacheUsage()
    cache = cache_of(emulator)
    read = max((p.tokens for p in eligible if cache.hit(p.key, p.ttl)), default=0)
    last = max(p.tokens for p in eligible)
    for point in eligible:
        cache.put(point.key, point.ttl)
    read = min(read, input_tokens)
    return CacheUsage(read, max(0, min(last, input_tokens) - read))
