"""Control plane (``bedrock``): foundation models and system-defined inference profiles,
answered from the catalog for the emulator's region, in Bedrock's shapes."""

from __future__ import annotations

from typing import Any

from .. import errors, modelref, paging
from ..router import Emulator, Request, Response, route

# Source regions of each geography's system-defined profiles (illustrative, not exhaustive).
GEOGRAPHY_REGIONS: dict[str, tuple[str, ...]] = {
    "us": ("us-east-1", "us-east-2", "us-west-2"),
    "us-gov": ("us-gov-east-1", "us-gov-west-1"),
    "eu": ("eu-central-1", "eu-west-1", "eu-west-3", "eu-north-1"),
    "apac": ("ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2"),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
    "au": ("ap-southeast-2", "ap-southeast-4"),
    "ca": ("ca-central-1", "ca-west-1"),
    "global": ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "ap-northeast-1"),
}
_PROFILE_TIME = "2024-11-04T00:00:00Z"
NOT_FOUND_MODEL = "Could not resolve the foundation model from the provided model identifier."


def _models() -> list[Any]:
    from bedrock_cli.catalog import get_catalog

    return list(get_catalog())


def _fm_arn(model_id: str, region: str) -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


def _profile_geographies(model: Any, region: str) -> list[str]:
    return modelref.profile_geographies(model, region)


def _available(model: Any, region: str) -> bool:
    return modelref.on_demand(model, region) or bool(_profile_geographies(model, region))


def _inference_types(model: Any, region: str) -> list[str]:
    types = ["ON_DEMAND"] if modelref.on_demand(model, region) else []
    return types + (["INFERENCE_PROFILE"] if _profile_geographies(model, region) else [])


def model_summary(model: Any, region: str) -> dict[str, Any]:
    lifecycle = str(getattr(model, "lifecycle", "ACTIVE") or "ACTIVE").upper()
    return {
        "modelArn": _fm_arn(model.id, region),
        "modelId": model.id,
        "modelName": model.name,
        "providerName": model.provider,
        "inputModalities": list(model.api_input_modalities),
        "outputModalities": list(model.output_modalities),
        "responseStreamingSupported": bool(getattr(model, "streaming", False)),
        "customizationsSupported": [],
        "inferenceTypesSupported": _inference_types(model, region),
        "modelLifecycle": {"status": "LEGACY" if lifecycle == "LEGACY" else "ACTIVE"},
    }


@route("GET", "/foundation-models", name="ListFoundationModels")
def list_foundation_models(request: Request, emulator: Emulator) -> Response:
    region = emulator.region(request)
    provider = (request.first("byProvider") or "").lower()
    modality = (request.first("byOutputModality") or "").upper()
    inference = (request.first("byInferenceType") or "").upper()
    customization = request.first("byCustomizationType")
    out = []
    for model in _models():
        if not _available(model, region):
            continue
        summary = model_summary(model, region)
        if provider and summary["providerName"].lower() != provider:
            continue
        if modality and modality not in summary["outputModalities"]:
            continue
        if inference and inference not in summary["inferenceTypesSupported"]:
            continue
        if customization and customization not in summary["customizationsSupported"]:
            continue
        out.append(summary)
    return Response.json({"modelSummaries": out})


@route("GET", "/foundation-models/{modelIdentifier}", name="GetFoundationModel")
def get_foundation_model(request: Request, emulator: Emulator) -> Response:
    region = emulator.region(request)
    ident = request.params["modelIdentifier"]
    found = modelref.lookup(ident, region)
    if found is None or found[1] is not None or not _available(found[0], region):
        raise errors.resource_not_found(NOT_FOUND_MODEL)
    return Response.json({"modelDetails": model_summary(found[0], region)})


def profile_summary(model: Any, geo: str, region: str, account: str) -> dict[str, Any]:
    profile_id = f"{geo}.{model.id}"
    regions = GEOGRAPHY_REGIONS.get(geo, (region,))
    if region not in regions:
        regions = (region, *regions)
    where = ", ".join(regions[:-1]) + f" and {regions[-1]}" if len(regions) > 1 else regions[0]
    label = "Global" if geo == "global" else geo.upper()
    return {
        "inferenceProfileName": f"{label} {model.provider} {model.name}",
        "description": f"Routes requests to {model.provider} {model.name} in {where}.",
        "createdAt": _PROFILE_TIME,
        "updatedAt": _PROFILE_TIME,
        "inferenceProfileArn": f"arn:aws:bedrock:{region}:{account}:inference-profile/{profile_id}",
        "models": [{"modelArn": _fm_arn(model.id, r)} for r in regions],
        "inferenceProfileId": profile_id,
        "status": "ACTIVE",
        "type": "SYSTEM_DEFINED",
    }


def _profiles(region: str, account: str) -> list[dict[str, Any]]:
    return [
        profile_summary(model, geo, region, account)
        for model in _models()
        for geo in _profile_geographies(model, region)
    ]


@route("GET", "/inference-profiles", name="ListInferenceProfiles")
def list_inference_profiles(request: Request, emulator: Emulator) -> Response:
    region = emulator.region(request)
    limit = paging.max_results(request)
    kind = request.first("type") or "SYSTEM_DEFINED"  # the model's enum (shapes.py)
    profiles = _profiles(region, emulator.account_id) if kind == "SYSTEM_DEFINED" else []
    return Response.json(paging.page(request, profiles, "inferenceProfileSummaries", limit))


@route("GET", "/inference-profiles/{inferenceProfileIdentifier}", name="GetInferenceProfile")
def get_inference_profile(request: Request, emulator: Emulator) -> Response:
    region = emulator.region(request)
    ident = request.params["inferenceProfileIdentifier"]
    found = modelref.lookup(ident, region)
    geo = found[1] if found else None
    if found is None or geo is None:
        raise errors.resource_not_found(f"Inference profile {ident} not found.")
    return Response.json(profile_summary(found[0], geo, region, emulator.account_id))
