"""What a call costs by the catalog's prices: tokens (with cache reads and writes), images,
and the batch discount.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bedrock_cli.catalog.models import ModelInfo

_SIZE = re.compile(r"^\d+[xX]\d+$")


def estimate_cost(
    model: ModelInfo | None, usage: Mapping[str, Any], *, batch: bool = False
) -> float | None:
    """USD for one call, or None when the prices are unknown.

    usage: input_tokens, output_tokens, cache_read_tokens, cache_write_tokens (Converse's
    camelCase names work too); for image models images, and optionally image_quality,
    image_size ("WxH") or image_width/image_height, and steps.
    """
    if model is None or not model.prices.known:
        return None
    from decimal import Decimal

    prices = model.prices
    total = Decimal(0)
    if prices.images:
        count = _count(usage, "images")
        if count:
            price = prices.image_price(*_image_terms(model, usage))
            if price is None:
                return None
            total += Decimal(str(price)) * count
    else:
        tokens = {
            "input": _count(usage, "input_tokens", "inputTokens"),
            "output": _count(usage, "output_tokens", "outputTokens"),
            "cache_read": _count(usage, "cache_read_tokens", "cacheReadInputTokens"),
            "cache_write": _count(usage, "cache_write_tokens", "cacheWriteInputTokens"),
        }
        for kind, count in tokens.items():
            rate = getattr(prices, kind)
            if rate is None and kind.startswith("cache"):
                rate = prices.input  # no separate cache rate: priced as plain input
            if count and rate is None:
                return None
            if count:
                total += Decimal(str(rate)) * count / 1000
    if batch:
        if prices.batch is None:
            return None
        total *= Decimal(str(prices.batch))
    return float(total)


def _count(usage: Mapping[str, Any], *keys: str) -> int:
    for key in keys:
        value = usage.get(key)
        if value:
            return int(value)
    return 0


def _image_terms(
    model: ModelInfo, usage: Mapping[str, Any]
) -> tuple[str, int | None, int | None, int | None]:
    from bedrock_cli.catalog.models import ImageLimits

    limits = model.image or ImageLimits()
    quality = str(usage.get("image_quality") or usage.get("quality") or "standard")
    width, height = usage.get("image_width"), usage.get("image_height")
    size = usage.get("image_size") or usage.get("size")
    if isinstance(size, str) and _SIZE.match(size):
        width, height = (int(side) for side in size.lower().split("x"))
    if not (width and height) and limits.default_size:
        width, height = limits.default_size
    steps = usage.get("steps") or limits.steps_default
    return (
        quality,
        int(width) if width else None,
        int(height) if height else None,
        int(steps) if steps else None,
    )
