"""The live catalog: what ListFoundationModels and ListInferenceProfiles say this account can
call in a region, cached as JSON in the data dir and merged with the shipped catalog.

The shipped catalog stays the source of prices, limits and capabilities; the listing adds
models the shipped data does not know yet (with the fields the API gives) and says, for this
account and region, which models are offered and whether each needs an inference profile.

Nothing here is on the start-up path: `models refresh` and `models list --available` fetch
and read the cache, and `AppContext.resolve_model` reads it (never fetches) only for a model
id the shipped catalog does not know, so `generate` makes no control-plane call.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.catalog.catalog import Catalog
from bedrock_cli.catalog.models import ModelInfo
from bedrock_cli.catalog.routing import GEOGRAPHIES, Resolution, profile_candidates

if TYPE_CHECKING:
    from bedrock_cli.clients import Clients
    from bedrock_cli.runtime import Runtime

CACHE_DIR = "catalog"
CACHE_VERSION = 1
DEFAULT_MAX_AGE = 24 * 3600.0
MAX_PAGES = 100  # ListInferenceProfiles pages per type: a guard against a looping token
PROFILE_TYPES = ("SYSTEM_DEFINED", "APPLICATION")


@dataclass
class Snapshot:
    """One refresh: the raw listings for a region, and when they were taken."""

    region: str
    source: str  # backend[/profile][@endpoint]: whose answer this is
    fetched_at: float  # epoch seconds
    foundation_models: list[dict[str, Any]]
    inference_profiles: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def age(self, now: float | None = None) -> float:
        return max(0.0, (now if now is not None else time.time()) - self.fetched_at)

    def to_json(self) -> dict[str, Any]:
        return {"version": CACHE_VERSION, "region": self.region, "source": self.source,
                "fetched_at": self.fetched_at, "foundation_models": self.foundation_models,
                "inference_profiles": self.inference_profiles, "notes": self.notes}


@dataclass
class LiveModel:
    """A model as the listing shows it, with its shipped catalog entry when there is one."""

    id: str
    provider: str
    name: str
    input_modalities: tuple[str, ...]
    output_modalities: tuple[str, ...]
    streaming: bool
    lifecycle: str
    inference_types: tuple[str, ...]
    profiles: tuple[str, ...]  # inference profile ids (system and application) that hold it
    shipped: ModelInfo | None = None

    @property
    def on_demand(self) -> bool:
        return "ON_DEMAND" in self.inference_types

    @property
    def callable(self) -> bool:
        return self.on_demand or bool(self.profiles)

    @property
    def system_profiles(self) -> tuple[str, ...]:
        return tuple(p for p in self.profiles if p.split(".", 1)[0] in GEOGRAPHIES)

    def called_as(self, region: str) -> str:
        """The id to call in ``region``: the bare id on demand, else the profile of the
        region's geography (the global one last)."""
        if self.on_demand or not self.system_profiles:
            return self.id
        geos = [*profile_candidates(region), "global"]
        by_geo = {p.split(".", 1)[0]: p for p in self.system_profiles}
        return next((by_geo[g] for g in geos if g in by_geo), self.system_profiles[0])

    def to_json(self, region: str) -> dict[str, Any]:
        called = self.called_as(region)
        return {"id": self.id, "provider": self.provider, "name": self.name,
                "input_modalities": list(self.input_modalities),
                "output_modalities": list(self.output_modalities),
                "streaming": self.streaming, "lifecycle": self.lifecycle,
                "inference_types": list(self.inference_types),
                "inference_profiles": list(self.profiles), "called_as": called,
                "needs_profile": called != self.id, "in_shipped_catalog": self.shipped is not None,
                "aliases": list(self.shipped.aliases) if self.shipped else []}


# ── fetching and caching ───────────────────────────────────────────────────────────────────

def source_key(clients: Clients) -> str:
    """Whose answer a snapshot is: the backend, the AWS profile and any endpoint override."""
    parts = [clients.backend]
    if clients.settings.profile and clients.backend != "local":
        parts.append(clients.settings.profile)
    if clients.settings.endpoint_url and clients.backend != "local":
        parts.append(clients.settings.endpoint_url)
    return "/".join(parts)


def cache_path(data_dir: Path, region: str, source: str) -> Path:
    digest = hashlib.sha256(source.encode()).hexdigest()[:10]
    label = source.split("/", 1)[0]
    return data_dir / CACHE_DIR / f"models-{region}-{label}-{digest}.json"


def fetch(runtime: Runtime, region: str, source: str) -> Snapshot:
    """Both listings for the runtime's region (every ListInferenceProfiles page)."""
    from bedrock_cli.errors import ConfigError

    models = [_plain(m) for m in runtime.list_foundation_models()]
    profiles: list[dict[str, Any]] = []
    notes: list[str] = []
    for kind in PROFILE_TYPES:
        token: str | None = None
        for _page in range(MAX_PAGES):
            try:
                page = runtime.list_inference_profiles(kind, token)
            except ConfigError as err:
                if kind == "SYSTEM_DEFINED":
                    raise
                notes.append(f"application inference profiles not listed: {err.message}")
                break
            profiles += [_plain(p) for p in page.profiles]
            token = page.next_token
            if not token:
                break
    return Snapshot(region, source, time.time(), models, profiles, notes)


def _plain(data: Any) -> Any:
    """API data made JSON-safe (timestamps become ISO strings)."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items() if k != "ResponseMetadata"}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    if hasattr(data, "isoformat"):
        return data.isoformat()
    return data


def save(snapshot: Snapshot, path: Path) -> None:
    from bedrock_cli.paths import atomic_write

    atomic_write(path, json.dumps(snapshot.to_json(), ensure_ascii=False).encode("utf-8"),
                 mode=0o600)


def load(path: Path) -> Snapshot | None:
    """The cached snapshot, or None when there is none (or it is unreadable or foreign)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != CACHE_VERSION:
            return None
        return Snapshot(str(data["region"]), str(data["source"]), float(data["fetched_at"]),
                        list(data["foundation_models"]), list(data["inference_profiles"]),
                        list(data.get("notes", [])))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


# ── merging ────────────────────────────────────────────────────────────────────────────────

def _base_id(arn_or_id: str) -> str:
    return arn_or_id.rsplit("/", 1)[-1]


def merge(catalog: Catalog, snapshot: Snapshot) -> list[LiveModel]:
    """Every listed model, with its shipped entry where the catalog has one (the shipped
    entry's prices and limits win; the listing says what is callable here and how)."""
    holders: dict[str, list[str]] = {}
    for profile in snapshot.inference_profiles:
        if str(profile.get("status", "ACTIVE")).upper() != "ACTIVE":
            continue
        profile_id = str(profile.get("inferenceProfileId") or
                         _base_id(str(profile.get("inferenceProfileArn", ""))))
        for member in profile.get("models", []) or []:
            model_id = _base_id(str(member.get("modelArn", "")))
            if profile_id and profile_id not in holders.setdefault(model_id, []):
                holders[model_id].append(profile_id)
    out = []
    for raw in snapshot.foundation_models:
        model_id = str(raw.get("modelId", ""))
        if not model_id:
            continue
        lifecycle = (raw.get("modelLifecycle") or {}).get("status", "ACTIVE")
        out.append(LiveModel(
            id=model_id,
            provider=str(raw.get("providerName", "")),
            name=str(raw.get("modelName", model_id)),
            input_modalities=tuple(raw.get("inputModalities") or ()),
            output_modalities=tuple(raw.get("outputModalities") or ()),
            streaming=bool(raw.get("responseStreamingSupported", False)),
            lifecycle=str(lifecycle),
            inference_types=tuple(raw.get("inferenceTypesSupported") or ()),
            profiles=tuple(holders.get(model_id, ())),
            shipped=catalog.get(model_id),
        ))
    return out


def find(models: list[LiveModel], name: str) -> LiveModel | None:
    """A listed model by id, profile id or ARN (case-insensitive)."""
    key = _base_id(name.strip()).lower()
    for model in models:
        if model.id.lower() == key or key in (p.lower() for p in model.profiles):
            return model
    return None


def route(data_dir: Path, clients: Clients, catalog: Catalog, name: str) -> Resolution | None:
    """What to call for a model id the shipped catalog does not know, from the cached listing
    (never fetched here). None when there is no cache or it does not list the model."""
    region = clients.region
    snapshot = load(cache_path(data_dir, region, source_key(clients)))
    if snapshot is None:
        return None
    model = find(merge(catalog, snapshot), name)
    if model is None or model.id.lower() != name.strip().lower():
        return None
    called = model.called_as(region)
    return Resolution(None, called, called if called != model.id else None)
