"""The model catalog (models.toml) and its lookups. See docs/internals.md for the contract.

`models` (the data), `catalog` (loading, lookup), `routing` (geographies, inference
profiles), `pricing` (cost); the public names are re-exported here.
"""

from bedrock_cli.catalog.catalog import CATALOG_PATH, Catalog, get_catalog, load_catalog
from bedrock_cli.catalog.models import (
    FAMILIES,
    MODALITIES,
    CatalogError,
    EmbeddingInfo,
    ImageLimits,
    ImagePrice,
    ModelInfo,
    Prices,
    UnknownModelError,
)
from bedrock_cli.catalog.pricing import estimate_cost
from bedrock_cli.catalog.routing import DEFAULT_REGION, GEOGRAPHIES, Resolution, geography

__all__ = [
    "CATALOG_PATH",
    "DEFAULT_REGION",
    "FAMILIES",
    "GEOGRAPHIES",
    "MODALITIES",
    "Catalog",
    "CatalogError",
    "EmbeddingInfo",
    "ImageLimits",
    "ImagePrice",
    "ModelInfo",
    "Prices",
    "Resolution",
    "UnknownModelError",
    "estimate_cost",
    "geography",
    "get_catalog",
    "load_catalog",
]
