"""Which catalog model a runtime request names, judged the way Bedrock judges a ``modelId``.

Accepted: a catalog model id, a geography-prefixed system inference profile id of a model that
has that geography (``us.amazon.nova-lite-v1:0``), or the ARN of either. Aliases are a CLI
convenience and are *not* accepted here — Bedrock does not know them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import errors

# Longest first, so "us-gov." is not read as "us" (the catalog's GEOGRAPHIES, reordered).
GEOGRAPHIES = ("us-gov", "global", "apac", "us", "eu", "jp", "au", "ca")

_FM_ARN = re.compile(r"^arn:aws(?:-[a-z]+)*:bedrock:([a-z0-9-]+)::foundation-model/(.+)$")
_PROFILE_ARN = re.compile(
    r"^arn:aws(?:-[a-z]+)*:bedrock:([a-z0-9-]+):(\d{12}):inference-profile/(.+)$"
)


@dataclass(frozen=True)
class ModelRef:
    model: Any  # catalog ModelInfo
    requested: str  # the id as sent (percent-decoded)
    geography: str | None  # the inference profile's geography, None for a foundation model
    region: str

    @property
    def profile_id(self) -> str | None:
        return f"{self.geography}.{self.model.id}" if self.geography else None


def split_profile(model_id: str) -> tuple[str | None, str]:
    """``us.amazon.nova-lite-v1:0`` -> ("us", "amazon.nova-lite-v1:0"); no prefix -> (None, id)."""
    for geo in GEOGRAPHIES:
        if model_id.startswith(geo + "."):
            return geo, model_id[len(geo) + 1 :]
    return None, model_id


def on_demand(model: Any, region: str) -> bool:
    """Whether the bare model id can be invoked on demand in ``region``."""
    return bool(model.on_demand_in(region))


def profile_geographies(model: Any, region: str) -> list[str]:
    """The system profiles of ``model`` callable from ``region``, most specific first."""
    from bedrock_cli.catalog.routing import profile_geographies as callable_from

    return [g for g in callable_from(region) if g in model.profile_geographies]


def profile_available(model: Any, geo: str, region: str) -> bool:
    """Whether the ``geo.`` system profile of ``model`` can be called from ``region``."""
    return geo in profile_geographies(model, region)


def _catalog_model(model_id: str) -> Any | None:
    from bedrock_cli.catalog import get_catalog

    model = get_catalog().get(model_id)
    return model if model is not None and model.id == model_id else None


def lookup(model_id: str, region: str) -> tuple[Any, str | None] | None:
    """(model, profile geography) for an id or ARN Bedrock would accept in ``region``."""
    arn = _FM_ARN.match(model_id)
    if arn:
        if arn.group(1) != region:
            return None
        model = _catalog_model(arn.group(2))
        return (model, None) if model is not None else None
    arn = _PROFILE_ARN.match(model_id)
    if arn:
        if arn.group(1) != region:
            return None
        model_id = arn.group(3)
        geo, base = split_profile(model_id)
        if geo is None:
            return None
    else:
        geo, base = split_profile(model_id)
    if geo is None:
        model = _catalog_model(model_id)
        return (model, None) if model is not None else None
    model = _catalog_model(base)
    if model is None or not profile_available(model, geo, region):
        return None
    return model, geo


def resolve(model_id: str, region: str, *, invoke: bool = True) -> ModelRef:
    """The model a request names; Bedrock's ValidationException when it names none.

    With ``invoke`` (every inference call), a profile-only model called by its bare id gets the
    on-demand error; CountTokens passes ``invoke=False``.
    """
    found = lookup(model_id, region)
    if found is None:
        raise errors.invalid_model_id()
    model, geo = found
    if str(model.lifecycle).upper() in ("EOL", "END_OF_LIFE", "RETIRED"):
        raise errors.resource_not_found(errors.END_OF_LIFE)
    if invoke and geo is None and not on_demand(model, region):
        raise errors.on_demand_not_supported(model.id)
    return ModelRef(model, model_id, geo, region)


def is_text_model(model: Any) -> bool:
    """A model Converse can talk to (text out, and Converse support in the catalog)."""
    return bool(getattr(model, "converse", True)) and "TEXT" in model.output_modalities
