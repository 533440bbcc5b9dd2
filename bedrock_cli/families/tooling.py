"""What the family adapters share about tools (the emulator side): a tool as any family's
body offers it, a tool result with the call it answers, and tool input as streamed JSON text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["ToolDef", "ToolResult", "json_fragments"]


@dataclass(frozen=True)
class ToolDef:
    """A tool a native body offers, whatever the family's spelling."""

    name: str
    description: str
    schema: Any  # the input JSON Schema as sent (checked by the emulator)
    where: str  # the path of the schema in the body, for error messages


@dataclass(frozen=True)
class ToolResult:
    """A tool result of the last user turn, with the call it answers."""

    name: str
    input: dict[str, Any]
    text: str
    error: bool = False


def json_fragments(value: Any, size: int = 12) -> list[str]:
    """A tool input as JSON text in pieces, the way tool input streams (partial JSON)."""
    text = json.dumps(value, ensure_ascii=False)
    return [text[i:i + size] for i in range(0, len(text), size)] or [text]
