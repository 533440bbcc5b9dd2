"""Image model families: each module builds and parses its native InvokeModel JSON for the CLI
and reads and writes the same JSON for the emulator (see `base.py`)."""

from __future__ import annotations

import importlib

from .base import (
    METADATA_STEPS,
    METADATA_TASK,
    STEPS_FIELD,
    BodyError,
    ImageFamily,
    ImageRequest,
    ImageResult,
    Rendered,
)

#: catalog family name -> module holding its `FAMILY`
MODULES = {"nova-canvas": "amazon", "titan-image": "amazon", "stability": "stability",
           "sdxl": "sdxl"}


def family_for(name: str) -> ImageFamily:
    """The adapter for a catalog image family (`ModelInfo.family`); KeyError for others."""
    module = importlib.import_module(f"{__name__}.{MODULES[name]}")
    family: ImageFamily = module.FAMILY
    return family


__all__ = [
    "METADATA_STEPS",
    "METADATA_TASK",
    "MODULES",
    "STEPS_FIELD",
    "BodyError",
    "ImageFamily",
    "ImageRequest",
    "ImageResult",
    "Rendered",
    "family_for",
]
