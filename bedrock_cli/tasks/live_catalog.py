"""`models refresh` and `models list --available`: the account's model listing for a region,
fetched through the control-plane client (the emulator answers it on the local backend) and
cached in the data dir for a while."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.catalog import live
from bedrock_cli.errors import UsageError

if TYPE_CHECKING:
    from bedrock_cli.catalog import Catalog
    from bedrock_cli.clients import Clients
    from bedrock_cli.runtime import Runtime

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_age(text: str) -> float:
    """``90``, ``90s``, ``30m``, ``24h``, ``7d`` → seconds."""
    match = _AGE.match(text)
    if not match:
        raise UsageError(f"--max-age {text!r} is not a duration.",
                         "Use seconds or a number with s, m, h or d, e.g. 30m or 24h.")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


def describe_age(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


@dataclass
class Listing:
    snapshot: live.Snapshot
    path: Path
    fetched: bool  # fetched now (else read from the cache)
    models: list[live.LiveModel]
    warnings: list[str] = field(default_factory=list)  # for the command to show

    @property
    def region(self) -> str:
        return self.snapshot.region

    def summary(self) -> dict[str, Any]:
        shipped = {m.id for m in self.models if m.shipped is not None}
        from bedrock_cli.catalog import get_catalog

        return {
            "region": self.region,
            "source": self.snapshot.source,
            "fetched_at": datetime.fromtimestamp(self.snapshot.fetched_at, timezone.utc)
            .isoformat(timespec="seconds"),
            "fetched_now": self.fetched,
            "path": str(self.path),
            "foundation_models": len(self.snapshot.foundation_models),
            "inference_profiles": len(self.snapshot.inference_profiles),
            "callable": sum(m.callable for m in self.models),
            "new_models": sorted(m.id for m in self.models if m.shipped is None),
            "not_listed": sorted(m.id for m in get_catalog() if m.id not in shipped),
            "notes": list(self.snapshot.notes),
        }


def listing(runtime: Runtime, catalog: Catalog, data_dir: Path, *,
            max_age: float | None) -> Listing:
    """The cached listing when it is younger than ``max_age`` seconds, else a fresh one
    (``max_age=None`` always fetches). A fresh listing is cached atomically under
    ``data_dir``."""
    clients = runtime.clients
    region = clients.region
    source = live.source_key(clients)
    path = live.cache_path(data_dir, region, source)
    snapshot = live.load(path) if max_age is not None else None
    fetched = snapshot is None or snapshot.age() > (max_age or 0.0)
    warnings: list[str] = []
    if fetched:
        snapshot = live.fetch(runtime, region, source)
        try:
            live.save(snapshot, path)
        except OSError as exc:
            warnings.append(f"could not cache the model list at {path} ({exc}).")
    assert snapshot is not None
    return Listing(snapshot, path, fetched, live.merge(catalog, snapshot), warnings)


def cached(clients: Clients, catalog: Catalog, data_dir: Path) -> Listing | None:
    """The cached listing for this backend and region, if any (never fetches)."""
    path = live.cache_path(data_dir, clients.region, live.source_key(clients))
    snapshot = live.load(path)
    if snapshot is None:
        return None
    return Listing(snapshot, path, False, live.merge(catalog, snapshot))


def available(lst: Listing, provider: str | None = None,
              modality: str | None = None) -> list[live.LiveModel]:
    """Callable models, filtered like `models list` (provider name or id prefix; output
    modality text, image or embedding)."""
    want_provider = provider.strip().lower() if provider else None
    want = modality.strip().upper().rstrip("S") if modality else None
    out = []
    for model in lst.models:
        if not model.callable:
            continue
        if want_provider and want_provider not in (model.provider.lower(),
                                                   model.id.split(".", 1)[0].lower()):
            continue
        if want and want not in model.output_modalities:
            continue
        out.append(model)
    return sorted(out, key=lambda m: (m.provider.lower(), m.id))
