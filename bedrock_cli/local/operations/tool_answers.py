"""The answer to tool results: a request whose last user turn holds ``toolResult`` blocks
gets a text answer built from each result's content (text, or JSON put in words), naming the
tool and the input it was called with. Shared by Converse (tools.respond) and the native
families (native_tools.decide).
"""

from __future__ import annotations

import json
import re
from typing import Any


def spaced(name: str) -> str:
    """Words of an identifier: ``getWeather``/``get_weather`` → ``get Weather``/``get weather``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")


def _content_text(content: Any) -> str:
    parts = []
    for item in content or []:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("text"), str):
            parts.append(item["text"].strip())
        elif "json" in item:
            parts.append(_describe(item["json"]))
        elif "document" in item or "image" in item:
            parts.append(f"[{next(iter(item))}]")
    return "; ".join(p for p in parts if p)


def _describe(value: Any) -> str:
    """A JSON result in words: ``{"temp": 20, "sky": "clear"}`` → ``temp 20, sky clear``."""
    if isinstance(value, dict):
        return ", ".join(f"{spaced(str(k)).lower()} {_describe(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_describe(v) for v in value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return str(value)


def result_answer(results: list[tuple[str, dict[str, Any], str, bool]]) -> str:
    """The text answer to tool results: (tool name, its input, the result's text, error?)."""
    lines = []
    for name, given, content, failed in results:
        about = ", ".join(str(v) for v in given.values() if isinstance(v, str | int | float)
                          and not isinstance(v, bool))
        subject = f"{name} ({about})" if about else name
        if failed:
            lines.append(f"The {subject} call failed: {content or 'no details'}.")
        elif content:
            lines.append(f"According to {subject}: {content.rstrip('.')}.")
        else:
            lines.append(f"{subject} returned nothing.")
    return "\n".join(lines)


def converse_results(messages: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], str,
                                                                    bool]]:
    if len(messages) < 2 or messages[-1].get("role") != "user":
        return []
    uses = {b["toolUse"].get("toolUseId"): b["toolUse"]
            for b in messages[-2].get("content") or [] if isinstance(b.get("toolUse"), dict)}
    found = []
    for block in messages[-1].get("content") or []:
        result = block.get("toolResult") if isinstance(block, dict) else None
        if isinstance(result, dict):
            use = uses.get(result.get("toolUseId")) or {}
            given: dict[str, Any] = use["input"] if isinstance(use.get("input"), dict) else {}
            found.append((str(use.get("name", "tool")), given, _content_text(
                result.get("content")), bool(result.get("status") == "error")))
    return found


def turn_text(messages: list[dict[str, Any]]) -> str:
    """The text of the last user turn that has any."""
    for message in reversed(messages):
        if message.get("role") == "user":
            text = "\n".join(b["text"] for b in message.get("content") or []
                             if isinstance(b, dict) and isinstance(b.get("text"), str))
            if text.strip():
                return text
    return ""
