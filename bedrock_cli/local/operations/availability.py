"""GetFoundationModelAvailability (control plane): whether this account may call a model here.

The emulator's account has accepted every agreement and is authorized for every model, so the
answer depends only on the catalog: a model is available in a region when it can be called
there on demand or through one of its system inference profiles.
"""

from __future__ import annotations

from .. import errors, modelref
from ..router import Emulator, Request, Response, route
from .control import NOT_FOUND_MODEL


@route("GET", "/foundation-model-availability/{modelId}", name="GetFoundationModelAvailability")
def get_foundation_model_availability(request: Request, emulator: Emulator) -> Response:
    region = emulator.region(request)
    model_id = request.params["modelId"]
    from bedrock_cli.catalog import get_catalog

    model = get_catalog().get(model_id)
    if model is None or model.id != model_id:
        raise errors.resource_not_found(NOT_FOUND_MODEL)
    here = modelref.on_demand(model, region) or bool(modelref.profile_geographies(model, region))
    available = "AVAILABLE" if here else "NOT_AVAILABLE"
    return Response.json({
        "modelId": model.id,
        "agreementAvailability": {"status": "AVAILABLE"},
        "authorizationStatus": "AUTHORIZED",
        "entitlementAvailability": "AVAILABLE",
        "regionAvailability": available,
    })
