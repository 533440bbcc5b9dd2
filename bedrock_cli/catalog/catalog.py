"""The model catalog: `models.toml` loaded once, plus lookup, inference-profile routing and cost.

This module is on the start-up path of every command, so it imports nothing heavy (no boto3,
no rich); `difflib` and `decimal` are imported only where they are used.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

_T = TypeVar("_T")

MODALITIES = ("TEXT", "IMAGE", "DOCUMENT", "VIDEO", "EMBEDDING")
# fmt: off
FAMILIES = ("anthropic", "nova", "titan-text", "llama", "mistral", "cohere", "nova-canvas",
            "titan-image", "stability", "sdxl", "titan-embed", "cohere-embed")
# fmt: on
IMAGE_FAMILIES = frozenset({"nova-canvas", "titan-image", "stability", "sdxl"})
EMBEDDING_FAMILIES = frozenset({"titan-embed", "cohere-embed"})
GEOGRAPHIES = ("us", "eu", "apac", "jp", "au", "ca", "us-gov", "global")
LIFECYCLES = ("ACTIVE", "LEGACY")
# fmt: off
IMAGE_TASKS = ("text-to-image", "image-variation", "image-to-image", "inpainting", "outpainting",
               "color-guided", "background-removal", "conditioning")
# fmt: on
CACHE_FIELDS = ("system", "messages", "tools")
#: the Region assumed when `resolve` is given none
DEFAULT_REGION = "us-east-1"

_JAPAN = frozenset({"ap-northeast-1", "ap-northeast-3"})
_AUSTRALIA = frozenset({"ap-southeast-2", "ap-southeast-4", "ap-southeast-6"})
# A Bedrock-shaped model id: "<provider>.<name>", lower case. Stricter than "anything with a
# dot": the provider has no hyphen and the name starts with a letter, so alias typos such as
# "sonnet-3.6" or "sd3.6" are reported as unknown instead of being sent to Bedrock.
_SHAPED = re.compile(r"^[a-z][a-z0-9]*\.[a-z][a-z0-9.:_-]*$")
_ANY_ARN = re.compile(r"^arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:\d*:\S+$", re.IGNORECASE)
_BEDROCK_ARN = re.compile(r"^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:([a-z-]+)/(\S+)$")
_PROFILE_KINDS = ("inference-profile", "application-inference-profile")
_SIZE = re.compile(r"^\d+[xX]\d+$")


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

    def supports(self, modality: str) -> bool:
        return self.accepts(modality) or self.produces(modality)

    def arn(self, region: str) -> str:
        return f"arn:aws:bedrock:{region}::foundation-model/{self.id}"

    def profile_id(self, geo: str) -> str:
        return f"{geo}.{self.id}"

    def on_demand_in(self, region: str) -> bool:
        return not self.requires_profile and region.lower() in self.regions

    def profile_geography_for(self, region: str) -> str | None:
        """The system profile to call this model through from `region`, if one exists."""
        candidates = _profile_candidates(region)
        if not region.lower().startswith("us-gov-"):
            candidates.append("global")
        return next((geo for geo in candidates if geo in self.profile_geographies), None)

    def needs_profile(self, region: str) -> bool:
        """True when the bare id fails on demand in `region` (Bedrock's ValidationException)."""
        return not self.on_demand_in(region)


@dataclass(frozen=True)
class Resolution:
    """What to call: `model_id` as sent to Bedrock; `profile` is set when that is a profile."""

    model: ModelInfo | None
    model_id: str
    profile: str | None = None

    @property
    def geography(self) -> str | None:
        if not self.profile:
            return None
        head = self.profile.rsplit("/", 1)[-1].split(".", 1)[0]
        return head if head in GEOGRAPHIES else None


def geography(region: str | None) -> str | None:
    """The inference-profile geography a Region belongs to: us-east-1 → us, ap-* → apac, ..."""
    r = (region or "").lower()
    if r.startswith("us-gov-"):
        return "us-gov"
    if r.startswith("us-"):
        return "us"
    if r.startswith("eu-") or r == "il-central-1":
        return "eu"
    if r.startswith("ap-") or r == "me-central-1":
        return "apac"
    if r.startswith("ca-"):
        return "ca"
    return None


def _profile_candidates(region: str) -> list[str]:
    """Geographies to try, most specific first. Approximate: some profiles are callable from
    only part of their geography (e.g. the us. Llama 3.1 405B profile from us-east-2 only)."""
    r = region.lower()
    if r in _JAPAN:
        return ["jp", "apac"]
    if r in _AUSTRALIA:
        return ["au", "apac"]
    if r.startswith("ca-"):
        return ["ca", "us"]  # Canada: own ca. profiles (Nova Lite), else the us. profiles
    geo = geography(r)
    return [geo] if geo else []


def _split_geography(name: str) -> tuple[str | None, str]:
    head, dot, rest = name.partition(".")
    if dot and head in GEOGRAPHIES and rest:
        return head, rest
    return None, name


class Catalog:
    def __init__(
        self,
        models: Iterable[ModelInfo],
        *,
        prices_as_of: str = "",
        currency: str = "USD",
        price_region: str = DEFAULT_REGION,
    ) -> None:
        self._models = tuple(models)
        self.prices_as_of = prices_as_of
        self.currency = currency
        self.price_region = price_region
        self._by_id: dict[str, ModelInfo] = {}
        self._by_alias: dict[str, ModelInfo] = {}
        for model in self._models:
            key = model.id.lower()
            if key in self._by_id:
                raise CatalogError(f"duplicate model id {model.id!r}")
            self._by_id[key] = model
        for model in self._models:
            for alias in model.aliases:
                key = alias.lower()
                if key in self._by_alias or key in self._by_id:
                    raise CatalogError(f"alias {alias!r} of {model.id} is not unique")
                self._by_alias[key] = model

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Catalog:
        as_of = _iso(data.get("prices_as_of", ""))
        raw_models = data.get("model")
        if not isinstance(raw_models, list) or not raw_models:
            raise CatalogError("the catalog has no [[model]] tables")
        return cls(
            (_model(raw, as_of) for raw in raw_models),
            prices_as_of=as_of,
            currency=str(data.get("currency", "USD")),
            price_region=str(data.get("price_region", DEFAULT_REGION)),
        )

    def __iter__(self) -> Iterator[ModelInfo]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.find(name) is not None

    def get(self, model_id: str) -> ModelInfo | None:
        """Exact catalog id (case-insensitive), nothing else."""
        return self._by_id.get(model_id.lower())

    def find(self, name: str) -> ModelInfo | None:
        """Alias, catalog id, geography-prefixed id, foundation-model or profile ARN."""
        key = name.strip().lower()
        hit = self._by_alias.get(key) or self._by_id.get(key)
        if hit is not None:
            return hit
        if key.startswith("arn:"):
            match = _BEDROCK_ARN.match(key)
            if match is None:
                return None
            kind, key = match.groups()
            if kind == "foundation-model":
                return self._by_id.get(key)
            if kind != "inference-profile":
                return None
        geo, rest = _split_geography(key)
        return self._by_id.get(rest) if geo else None

    def resolve(self, name: str, region: str | None) -> Resolution:
        """What to call for `name` in `region` (DEFAULT_REGION when None)."""
        wanted = name.strip()
        key = wanted.lower()
        model = self._by_alias.get(key) or self._by_id.get(key)
        if model is not None:
            return _route(model, region or DEFAULT_REGION)
        if key.startswith("arn:"):
            if not _ANY_ARN.match(wanted):
                raise UnknownModelError(name, self.suggest(wanted))
            match = _BEDROCK_ARN.match(key)
            profile = wanted if match and match.group(1) in _PROFILE_KINDS else None
            return Resolution(self.find(wanted), wanted, profile)
        geo, rest = _split_geography(key)
        if geo is not None and _SHAPED.match(rest):
            return Resolution(self._by_id.get(rest), wanted, wanted)
        if _SHAPED.match(wanted):
            return Resolution(None, wanted, None)
        raise UnknownModelError(name, self.suggest(wanted))

    def models(self, provider: str | None = None, modality: str | None = None) -> list[ModelInfo]:
        """Models by provider (display name or id prefix) and by what they produce (text,
        image, embedding); document and video match what they accept."""
        want_provider = provider.strip().lower() if provider else None
        want = modality.strip().upper() if modality else None
        if want and want not in MODALITIES and want.endswith("S"):
            want = want[:-1]  # "images", "embeddings"
        out = []
        for model in self._models:
            if want_provider and want_provider not in (model.provider.lower(), model.provider_key):
                continue
            if want and not (
                model.produces(want) if want not in ("DOCUMENT", "VIDEO") else model.accepts(want)
            ):
                continue
            out.append(model)
        return out

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """The closest aliases and ids to `name`, best first."""
        import difflib

        key = _split_geography(name.strip().lower())[1]
        if not key:
            return []
        pool = list(self._by_alias) + list(self._by_id)
        found = difflib.get_close_matches(key, pool, n=n, cutoff=0.6)
        if len(key) >= 3:
            found += [p for p in pool if key in p and p not in found]
        return found[:n]

    def aliases(self) -> dict[str, str]:
        """Every alias and the catalog id it stands for."""
        return {alias: model.id for alias, model in self._by_alias.items()}


def _route(model: ModelInfo, region: str) -> Resolution:
    if model.on_demand_in(region):
        return Resolution(model, model.id, None)
    geo = model.profile_geography_for(region)
    if geo is None:  # not callable from this Region at all; Bedrock will say so
        return Resolution(model, model.id, None)
    profile = model.profile_id(geo)
    return Resolution(model, profile, profile)


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
    limits = model.image or ImageLimits()
    quality = str(usage.get("image_quality") or usage.get("quality") or "standard")
    width, height = usage.get("image_width"), usage.get("image_height")
    size = usage.get("image_size") or usage.get("size")
    if isinstance(size, str) and _SIZE.match(size):
        width, height = _size(size)
    if not (width and height) and limits.default_size:
        width, height = limits.default_size
    steps = usage.get("steps") or limits.steps_default
    return (
        quality,
        int(width) if width else None,
        int(height) if height else None,
        int(steps) if steps else None,
    )


# ── loading ───────────────────────────────────────────────────────────────────────────────

# How each field annotation is read from TOML: the accepted TOML types, and a conversion.
_PLAIN: dict[str, tuple[tuple[type, ...], Callable[[Any], Any]]] = {
    "str": ((str,), str),
    "bool": ((bool,), bool),
    "int": ((int,), int),
    "int | None": ((int,), int),
    "float": ((int, float), float),
    "float | None": ((int, float), float),
    "tuple[str, ...]": ((list,), tuple),
    "tuple[int, ...]": ((list,), tuple),
}
_ITEM_TYPE = {"tuple[str, ...]": str, "tuple[int, ...]": int}


def _build(cls: type[_T], raw: Any, where: str, special: Mapping[str, Callable[[Any], Any]]) -> _T:
    """A `cls` from one TOML table: every field checked against its annotation, required
    fields enforced, and unknown keys (typos) reported."""
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: expected a table")
    data: dict[str, Any] = dict(raw)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            if f.default is dataclasses.MISSING:
                raise CatalogError(f"{where}: missing {f.name!r}")
            continue
        value = data.pop(f.name)
        if f.name in special:
            kwargs[f.name] = special[f.name](value)
            continue
        types, convert = _PLAIN[str(f.type)]
        if not _fits(value, types, _ITEM_TYPE.get(str(f.type))):
            raise CatalogError(f"{where}: {f.name!r} has the wrong type")
        kwargs[f.name] = convert(value)
    if data:
        raise CatalogError(f"{where}: unknown keys {sorted(data)}")
    return cls(**kwargs)


def _fits(value: Any, types: tuple[type, ...], item: type | None) -> bool:
    if isinstance(value, bool) and bool not in types:
        return False  # TOML true is not an int here
    if item is not None and isinstance(value, list):
        return all(type(v) is item for v in value)
    return isinstance(value, types)


def _model(raw: Any, default_as_of: str) -> ModelInfo:
    if not isinstance(raw, Mapping):
        raise CatalogError("each [[model]] must be a table")
    where = f"model {raw.get('id', '?')}"

    def prices(value: Any) -> Prices:
        tiers = {
            "images": lambda v: tuple(_build(ImagePrice, t, where, {}) for t in _list(v)),
            "as_of": _iso,
        }
        built = _build(Prices, value, f"{where} prices", tiers)
        return built if built.as_of else dataclasses.replace(built, as_of=default_as_of)

    def image(value: Any) -> ImageLimits:
        sizes = {"sizes": lambda v: tuple(_size(s) for s in _list(v)), "default_size": _size}
        return _build(ImageLimits, value, f"{where} image", sizes)

    special = {
        "prices": prices,
        "image": image,
        "embedding": lambda v: _build(EmbeddingInfo, v, f"{where} embedding", {}),
    }
    model = _build(ModelInfo, {"prices": {}, **raw}, where, special)
    _check(model, where)
    return model


def _check(model: ModelInfo, where: str) -> None:
    image_tasks = set(model.image.tasks) if model.image else set()
    rules = [
        (model.family in FAMILIES, f"unknown family {model.family!r}"),
        (model.lifecycle in LIFECYCLES, f"unknown lifecycle {model.lifecycle!r}"),
        (
            set(model.input_modalities + model.output_modalities) <= set(MODALITIES),
            "unknown modality",
        ),
        (set(model.profile_geographies) <= set(GEOGRAPHIES), "unknown profile geography"),
        (
            (model.image is not None) == (model.family in IMAGE_FAMILIES),
            "image models, and only they, have a [model.image] table",
        ),
        (
            (model.embedding is not None) == (model.family in EMBEDDING_FAMILIES),
            "embedding models, and only they, have a [model.embedding] table",
        ),
        (image_tasks <= set(IMAGE_TASKS), "unknown image task"),
        (model.prompt_caching == bool(model.cache_fields), "prompt_caching needs cache_fields"),
        (set(model.cache_fields) <= set(CACHE_FIELDS), "unknown cache field"),
        (not (model.requires_profile and model.regions), "requires_profile but on-demand regions"),
        (
            not model.requires_profile or bool(model.profile_geographies),
            "requires_profile but no profile geographies",
        ),
    ]
    problems = [message for ok, message in rules if not ok]
    if problems:
        raise CatalogError(f"{where}: {'; '.join(problems)}")


def _size(text: Any) -> tuple[int, int]:
    w, _, h = str(text).lower().partition("x")
    if not (w.isdigit() and h.isdigit()):
        raise CatalogError(f"bad image size {text!r}; expected WIDTHxHEIGHT")
    return int(w), int(h)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise CatalogError(f"expected a list, got {value!r}")
    return value


def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _toml_loads(text: str) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads(text)


CATALOG_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models.toml")


def load_catalog(path: str | os.PathLike[str] | None = None) -> Catalog:
    """Parse a catalog file (the shipped models.toml by default). Uncached."""
    with open(path or CATALOG_PATH, encoding="utf-8") as fh:
        return Catalog.from_dict(_toml_loads(fh.read()))


@functools.cache
def get_catalog() -> Catalog:
    """The shipped catalog, parsed once per process (and its parse cached on disk)."""
    from bedrock_cli.catalog import _cache

    return Catalog.from_dict(_cache.parsed(CATALOG_PATH, _toml_loads))
