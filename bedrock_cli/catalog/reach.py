"""Where a catalog model can be called from: the hint for a model that fails in a Region.

A hint names only what the catalog says works: the system inference profile callable from the
Region, or else the Regions that offer the model (on demand, or through a profile of their
geography). Nothing is guessed from the Region's geography alone.
"""

from __future__ import annotations

from bedrock_cli.catalog.catalog import ModelInfo, get_catalog

#: A Region from which each geography's system profiles can be called (per `_profile_candidates`).
EXAMPLE_REGION = {"us": "us-east-1", "eu": "eu-west-1", "apac": "ap-southeast-1",
                  "jp": "ap-northeast-1", "au": "ap-southeast-2", "ca": "ca-central-1",
                  "us-gov": "us-gov-west-1", "global": "us-east-1"}


def regions_offering(model: ModelInfo) -> list[str]:
    """Regions where `model` can be called: on demand first, then one per profile geography."""
    found = [] if model.requires_profile else list(model.regions)
    for geo in model.profile_geographies:
        example = EXAMPLE_REGION.get(geo)
        if example and example not in found and model.profile_geography_for(example):
            found.append(example)
    return found


def how_to_call(model: ModelInfo, region: str | None, called: str | None = None) -> str | None:
    """What to do when `model`, called as `called`, fails in `region`; None when the catalog
    says that call works there (the failure has another cause)."""
    if region is None:
        return None
    works = model.id if model.on_demand_in(region) else None
    geo = None if works else model.profile_geography_for(region)
    if geo is not None:
        works = model.profile_id(geo)
    if works is not None:
        if called is None or called.rsplit("/", 1)[-1].lower() == works.lower():
            return None
        how = "its inference profile" if geo else "its model id"
        return f"Call it through {how} in {region}: -m {works}."
    where = regions_offering(model)
    if not where:
        return (f"{model.name} is not offered in any Region bedrock-cli knows; pick another "
                "model (`bedrock-cli models list`).")
    return (f"{model.name} is not offered in {region}; it is in {', '.join(where)}: "
            f"add --region {where[0]}.")


def hint_for(model_id: str | None, region: str | None) -> str | None:
    """`how_to_call` for a model named by id, profile id or ARN; None when not in the catalog."""
    model = get_catalog().find(model_id) if model_id else None
    return how_to_call(model, region, model_id) if model is not None else None
