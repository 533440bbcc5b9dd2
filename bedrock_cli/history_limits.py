"""What history keeps of one call: every text field, and every string in the stored
conversation, up to FIELD_LIMIT bytes of UTF-8; the rest is replaced by a marker that gives
the full size. A 10 MB prompt would otherwise be stored three times (prompt, messages and the
search index) on every call, and `history` would slow down with it."""

from __future__ import annotations

from typing import Any

FIELD_LIMIT = 256 * 1024  # bytes of UTF-8 per stored text


def marker(size: int) -> str:
    return (f"\n[… cut by bedrock-cli history: {size:,} bytes in all; the first "
            f"{FIELD_LIMIT // 1024} KiB are kept]")


def capped(text: str | None) -> str | None:
    """``text`` as history stores it: whole up to FIELD_LIMIT bytes, else cut there (on a
    character boundary) with the marker."""
    if text is None or len(text) <= FIELD_LIMIT // 4:  # at most 4 bytes a character
        return text
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= FIELD_LIMIT:
        return text
    return data[:FIELD_LIMIT].decode("utf-8", "ignore") + marker(len(data))


def capped_json(value: Any) -> Any:
    """A JSON-able value (the conversation) with each string in it capped."""
    if isinstance(value, str):
        return capped(value)
    if isinstance(value, list):
        return [capped_json(item) for item in value]
    if isinstance(value, dict):
        return {key: capped_json(item) for key, item in value.items()}
    return value
