"""The catalog's model data: what one model is (`ModelInfo` and its prices, image limits and
embedding facts), the names its fields may take, and the catalog's errors.

Loading `models.toml` and looking models up is `catalog.py`; where to call a model from a
Region is `routing.py`; what a call costs is `pricing.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bedrock_cli.catalog.routing import profile_geographies

MODALITIES = ("TEXT", "IMAGE", "DOCUMENT", "VIDEO", "EMBEDDING")
# fmt: off
FAMILIES = ("anthropic", "nova", "titan-text", "llama", "mistral", "cohere", "nova-canvas",
            "titan-image", "stability", "sdxl", "titan-embed", "cohere-embed")
# fmt: on
IMAGE_FAMILIES = frozenset({"nova-canvas", "titan-image", "stability", "sdxl"})
EMBEDDING_FAMILIES = frozenset({"titan-embed", "cohere-embed"})
LIFECYCLES = ("ACTIVE", "LEGACY")
# fmt: off
IMAGE_TASKS = ("text-to-image", "image-variation", "image-to-image", "inpainting", "outpainting",
               "color-guided", "background-removal", "conditioning")
# fmt: on
CACHE_FIELDS = ("system", "messages", "tools")


class UnknownModelError(Exception):
    """A name that is no alias, catalog id, Bedrock-shaped id or ARN (the CLI exits 2)."""

    exit_code = 2

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        message = f"unknown model {name!r}"
        if self.suggestions:
            message += f" (closest: {', '.join(self.suggestions)})"
        super().__init__(message)


class CatalogError(ValueError):
    """models.toml (or a catalog built from other data) is malformed."""


@dataclass(frozen=True)
class ImagePrice:
    """One price tier: the first tier whose conditions hold prices an image."""

    price: float
    quality: str = ""  # "" matches any quality
    max_pixels: int = 0  # 0 = any size
    max_steps: int = 0  # 0 = any step count (SDXL)


@dataclass(frozen=True)
class Prices:
    """USD per 1,000 tokens, or per image by tier; None where unknown or not applicable."""

    input: float | None = None
    output: float | None = None
    cache_read: float | None = None
    cache_write: float | None = None
    images: tuple[ImagePrice, ...] = ()
    batch: float | None = None  # multiplier for Batch Inference; None = batch not supported
    as_of: str = ""  # ISO date the prices were taken
    note: str = ""

    @property
    def known(self) -> bool:
        return self.input is not None or bool(self.images)

    def image_price(
        self,
        quality: str = "standard",
        width: int | None = None,
        height: int | None = None,
        steps: int | None = None,
    ) -> float | None:
        pixels = width * height if width and height else None
        for tier in self.images:
            if tier.quality and tier.quality != quality:
                continue
            if tier.max_pixels and pixels is not None and pixels > tier.max_pixels:
                continue
            if tier.max_steps and steps is not None and steps > tier.max_steps:
                continue
            return tier.price
        return None


@dataclass(frozen=True)
class ImageLimits:
    """What an image model accepts: a fixed size list, size rules, or aspect ratios."""

    sizes: tuple[tuple[int, int], ...] = ()
    min_side: int = 0
    max_side: int = 0
    multiple_of: int = 1
    max_pixels: int = 0
    min_aspect: float = 0.0
    max_aspect: float = 0.0
    aspect_ratios: tuple[str, ...] = ()
    default_aspect_ratio: str = ""
    default_size: tuple[int, int] | None = None
    seed_min: int = 0
    seed_max: int = 0
    seed_default: int = 0
    cfg_min: float | None = None
    cfg_max: float | None = None
    cfg_default: float | None = None
    steps_min: int | None = None
    steps_max: int | None = None
    steps_default: int | None = None
    max_images: int = 1
    prompt_max_chars: int = 0
    negative_prompt_max_chars: int = 0
    qualities: tuple[str, ...] = ()
    output_formats: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()

    @property
    def takes_size(self) -> bool:
        return bool(self.sizes) or self.max_side > 0

    def supports_task(self, task: str) -> bool:
        return task in self.tasks

    def size_error(self, width: int, height: int) -> str | None:
        """Why width×height is not accepted, or None when it is."""
        if not self.takes_size:
            return "this model takes an aspect ratio, not a size"
        if self.sizes:
            return (
                None
                if (width, height) in self.sizes
                else f"{width}x{height} is not one of the model's sizes"
            )
        if not (
            self.min_side <= width <= self.max_side and self.min_side <= height <= self.max_side
        ):
            return f"each side must be {self.min_side} to {self.max_side} pixels"
        if width % self.multiple_of or height % self.multiple_of:
            return f"each side must be a multiple of {self.multiple_of}"
        if self.max_pixels and width * height > self.max_pixels:
            return f"{width}x{height} is more than {self.max_pixels:,} pixels"
        if self.max_aspect and not self.min_aspect <= width / height <= self.max_aspect:
            tall, wide = round(1 / self.min_aspect), round(self.max_aspect)
            return f"the aspect ratio must be between 1:{tall} and {wide}:1"
        return None

    def nearest_size(self, width: int, height: int) -> tuple[int, int]:
        """The accepted size closest in shape, then in area, to width×height."""
        width, height = max(width, 1), max(height, 1)
        if self.sizes:
            return min(
                self.sizes,
                key=lambda s: (
                    abs(s[0] / s[1] - width / height),
                    abs(s[0] * s[1] - width * height),
                ),
            )
        if not self.takes_size:
            return (width, height)
        aspect = min(max(width / height, self.min_aspect or 0.0), self.max_aspect or float("inf"))
        w, h = float(width), width / aspect
        if self.max_pixels and w * h > self.max_pixels:
            scale = (self.max_pixels / (w * h)) ** 0.5
            w, h = w * scale, h * scale
        if min(w, h) < self.min_side:
            scale = self.min_side / min(w, h)
            w, h = w * scale, h * scale
        if max(w, h) > self.max_side:
            scale = self.max_side / max(w, h)
            w, h = w * scale, h * scale
        step = self.multiple_of

        def fit(v: float) -> int:
            return min(max(int(v) // step * step, -(-self.min_side // step) * step), self.max_side)

        fw, fh = fit(w), fit(h)
        if self.max_aspect and fw > fh * self.max_aspect:  # rounding pushed the shape out
            fw = int(fh * self.max_aspect) // step * step
        if self.min_aspect and fw < fh * self.min_aspect:
            fh = int(fw / self.min_aspect) // step * step
        return fw, fh


@dataclass(frozen=True)
class EmbeddingInfo:
    dimensions: tuple[int, ...]
    default_dimensions: int
    max_input_tokens: int
    max_input_chars: int = 0
    max_texts: int = 1
    normalize: bool = False
    input_types: tuple[str, ...] = ()
    default_input_type: str = ""
    embedding_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelInfo:
    id: str
    provider: str
    name: str
    family: str
    aliases: tuple[str, ...]
    lifecycle: str
    input_modalities: tuple[str, ...]  # includes DOCUMENT, which is not an API modality value
    output_modalities: tuple[str, ...]
    converse: bool
    streaming: bool
    system_prompt: bool
    tools: bool
    vision: bool
    documents: bool
    reasoning: bool
    prompt_caching: bool
    count_tokens: bool
    context_window: int
    max_output_tokens: int
    default_max_tokens: int
    top_k_field: str
    seed_field: str
    regions: tuple[str, ...]  # on demand by bare id
    profile_geographies: tuple[str, ...]
    requires_profile: bool
    prices: Prices
    image: ImageLimits | None = None
    embedding: EmbeddingInfo | None = None
    cache_min_tokens: int = 0  # prompt caching: fewest tokens before a cache point
    cache_fields: tuple[str, ...] = ()  # where cache points may go: system, messages, tools
    structured_output: bool = False  # Bedrock's JSON-schema output format (outputConfig)

    @property
    def provider_key(self) -> str:
        """The id's provider prefix: "amazon", "anthropic", "meta", ..."""
        return self.id.split(".", 1)[0]

    @property
    def kind(self) -> str:
        """What the model produces: "text", "image" or "embedding"."""
        if "EMBEDDING" in self.output_modalities:
            return "embedding"
        return "image" if "IMAGE" in self.output_modalities else "text"

    @property
    def legacy(self) -> bool:
        return self.lifecycle == "LEGACY"

    @property
    def api_input_modalities(self) -> tuple[str, ...]:
        """Input modalities as ListFoundationModels spells them (no DOCUMENT)."""
        return tuple(m for m in self.input_modalities if m != "DOCUMENT")

    def accepts(self, modality: str) -> bool:
        return modality.upper() in self.input_modalities

    def produces(self, modality: str) -> bool:
        return modality.upper() in self.output_modalities

    def arn(self, region: str) -> str:
        return f"arn:aws:bedrock:{region}::foundation-model/{self.id}"

    def profile_id(self, geo: str) -> str:
        return f"{geo}.{self.id}"

    def on_demand_in(self, region: str) -> bool:
        return not self.requires_profile and region.lower() in self.regions

    def profile_geography_for(self, region: str) -> str | None:
        """The system profile to call this model through from `region`, if one exists."""
        return next((geo for geo in profile_geographies(region)
                     if geo in self.profile_geographies), None)

    def needs_profile(self, region: str) -> bool:
        """True when the bare id fails on demand in `region` (Bedrock's ValidationException)."""
        return not self.on_demand_in(region)
