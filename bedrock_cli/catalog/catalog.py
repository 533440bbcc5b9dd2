"""The model catalog: `models.toml` loaded once (every field checked), and lookup by alias, id,
geography-prefixed id or ARN.

This module is on the start-up path of every command, so it imports nothing heavy (no boto3,
no rich); `difflib` is imported only where it is used. The model data is `models.py`,
inference-profile routing `routing.py`, cost `pricing.py`.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from bedrock_cli.catalog.models import (
    CACHE_FIELDS,
    EMBEDDING_FAMILIES,
    FAMILIES,
    IMAGE_FAMILIES,
    IMAGE_TASKS,
    LIFECYCLES,
    MODALITIES,
    CatalogError,
    EmbeddingInfo,
    ImageLimits,
    ImagePrice,
    ModelInfo,
    Prices,
    UnknownModelError,
)
from bedrock_cli.catalog.routing import (
    DEFAULT_REGION,
    GEOGRAPHIES,
    PROFILE_KINDS,
    Resolution,
    any_arn,
    bedrock_arn,
    route,
    shaped_id,
    split_geography,
)

_T = TypeVar("_T")


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
            parts = bedrock_arn(key)
            if parts is None:
                return None
            kind, key = parts
            if kind == "foundation-model":
                return self._by_id.get(key)
            if kind != "inference-profile":
                return None
        geo, rest = split_geography(key)
        return self._by_id.get(rest) if geo else None

    def resolve(self, name: str, region: str | None) -> Resolution:
        """What to call for `name` in `region` (DEFAULT_REGION when None)."""
        wanted = name.strip()
        key = wanted.lower()
        model = self._by_alias.get(key) or self._by_id.get(key)
        if model is not None:
            return route(model, region or DEFAULT_REGION)
        if key.startswith("arn:"):
            if not any_arn(wanted):
                raise UnknownModelError(name, self.suggest(wanted))
            parts = bedrock_arn(key)
            profile = wanted if parts and parts[0] in PROFILE_KINDS else None
            return Resolution(self.find(wanted), wanted, profile)
        geo, rest = split_geography(key)
        if geo is not None and shaped_id(rest):
            return Resolution(self._by_id.get(rest), wanted, wanted)
        if shaped_id(wanted):
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

        key = split_geography(name.strip().lower())[1]
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


def toml_loads(text: str) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads(text)


CATALOG_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models.toml")


def load_catalog(path: str | os.PathLike[str] | None = None) -> Catalog:
    """Parse a catalog file (the shipped models.toml by default). Uncached."""
    with open(path or CATALOG_PATH, encoding="utf-8") as fh:
        return Catalog.from_dict(toml_loads(fh.read()))


@functools.cache
def get_catalog() -> Catalog:
    """The shipped catalog, parsed once per process (and its parse cached on disk)."""
    from bedrock_cli.catalog import _cache

    return Catalog.from_dict(_cache.parsed(CATALOG_PATH, toml_loads))
