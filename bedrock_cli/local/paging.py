"""Paginated control-plane listings, as Bedrock does them: `maxResults` (1–1000) and an opaque
`nextToken` that is only valid for the listing that issued it."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from . import errors
from .router import Request


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        if text.startswith("offset:") and text[7:].isdigit():
            return int(text[7:])
    except (binascii.Error, ValueError):
        pass
    raise errors.validation("The provided pagination token is invalid.")


def max_results(request: Request) -> int:
    """The page size asked for; checked before any other work, as Bedrock does."""
    raw = request.first("maxResults")
    if raw is not None and (not raw.isdigit() or not 1 <= int(raw) <= 1000):
        raise errors.out_of_range("maxResults", raw, 1, 1000)
    return int(raw) if raw else 1000


def page(request: Request, items: Sequence[Any], key: str, limit: int) -> dict[str, Any]:
    """`{key: items on this page}` plus `nextToken` when more remain."""
    start = _offset(request.first("nextToken"))
    result: dict[str, Any] = {key: list(items[start:start + limit])}
    if start + limit < len(items):
        result["nextToken"] = _token(start + limit)
    return result
