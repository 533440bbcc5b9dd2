"""Control plane through a real boto3 `bedrock` client: foundation models and profiles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bedrock_cli.catalog import get_catalog

from .conftest import make_client

NOVA_LITE = "amazon.nova-lite-v1:0"
SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"
SUMMARY_KEYS = {
    "modelArn",
    "modelId",
    "modelName",
    "providerName",
    "inputModalities",
    "outputModalities",
    "responseStreamingSupported",
    "customizationsSupported",
    "inferenceTypesSupported",
    "modelLifecycle",
}
PROFILE_KEYS = {
    "inferenceProfileName",
    "description",
    "createdAt",
    "updatedAt",
    "inferenceProfileArn",
    "models",
    "inferenceProfileId",
    "status",
    "type",
}


def test_list_foundation_models_shapes(control: Any) -> None:
    summaries = control.list_foundation_models()["modelSummaries"]
    by_id = {s["modelId"]: s for s in summaries}
    assert all(set(s) == SUMMARY_KEYS for s in summaries)
    lite = by_id[NOVA_LITE]
    assert lite["modelArn"] == f"arn:aws:bedrock:us-east-1::foundation-model/{NOVA_LITE}"
    assert lite["providerName"] == "Amazon" and lite["modelName"] == "Nova Lite"
    assert lite["inputModalities"] == ["TEXT", "IMAGE", "VIDEO"]  # no DOCUMENT: not an API value
    assert lite["outputModalities"] == ["TEXT"]
    assert lite["inferenceTypesSupported"] == ["ON_DEMAND", "INFERENCE_PROFILE"]
    assert lite["modelLifecycle"] == {"status": "ACTIVE"}
    assert by_id[SONNET_4]["inferenceTypesSupported"] == ["INFERENCE_PROFILE"]
    assert "amazon.titan-embed-text-v2:0" in by_id


@pytest.mark.parametrize(
    ("kwargs", "check"),
    [
        ({"byProvider": "anthropic"}, lambda s: s["providerName"] == "Anthropic"),
        ({"byOutputModality": "IMAGE"}, lambda s: s["outputModalities"] == ["IMAGE"]),
        ({"byOutputModality": "EMBEDDING"}, lambda s: "EMBEDDING" in s["outputModalities"]),
        ({"byInferenceType": "ON_DEMAND"}, lambda s: "ON_DEMAND" in s["inferenceTypesSupported"]),
    ],
)
def test_list_foundation_models_filters(control: Any, kwargs: dict[str, str], check: Any) -> None:
    summaries = control.list_foundation_models(**kwargs)["modelSummaries"]
    assert summaries and all(check(s) for s in summaries)
    everything = control.list_foundation_models()["modelSummaries"]
    assert len(summaries) == sum(1 for s in everything if check(s))


def test_region_changes_what_is_on_demand() -> None:
    west = make_client("bedrock", region="us-west-2")
    by_id = {s["modelId"]: s for s in west.list_foundation_models()["modelSummaries"]}
    haiku35 = by_id["anthropic.claude-3-5-haiku-20241022-v1:0"]
    assert haiku35["inferenceTypesSupported"] == ["ON_DEMAND", "INFERENCE_PROFILE"]
    assert haiku35["modelArn"].startswith("arn:aws:bedrock:us-west-2::")
    east = make_client("bedrock")
    by_id = {s["modelId"]: s for s in east.list_foundation_models()["modelSummaries"]}
    assert by_id["anthropic.claude-3-5-haiku-20241022-v1:0"]["inferenceTypesSupported"] == [
        "INFERENCE_PROFILE"
    ]


def test_get_foundation_model_by_id_and_arn(control: Any) -> None:
    details = control.get_foundation_model(modelIdentifier=NOVA_LITE)["modelDetails"]
    assert set(details) == SUMMARY_KEYS and details["modelId"] == NOVA_LITE
    arn = f"arn:aws:bedrock:us-east-1::foundation-model/{NOVA_LITE}"
    assert control.get_foundation_model(modelIdentifier=arn)["modelDetails"] == details


@pytest.mark.parametrize("ident", ["amazon.nova-nope-v1:0", "us.amazon.nova-lite-v1:0"])
def test_get_foundation_model_unknown_is_404(control: Any, ident: str) -> None:
    with pytest.raises(control.exceptions.ResourceNotFoundException) as info:
        control.get_foundation_model(modelIdentifier=ident)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert info.value.response["Error"]["Message"] == (
        "Could not resolve the foundation model from the provided model identifier."
    )


def test_get_foundation_model_refuses_what_is_not_a_model_id(control: Any) -> None:
    with pytest.raises(control.exceptions.ValidationException) as info:
        control.get_foundation_model(modelIdentifier="nova-lite")
    assert info.value.response["Error"]["Message"].startswith(
        "1 validation error detected: Value 'nova-lite' at 'modelIdentifier' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ")


def test_list_inference_profiles_pages(control: Any) -> None:
    pages, token = [], None
    while True:
        kwargs = {"maxResults": 4, **({"nextToken": token} if token else {})}
        page = control.list_inference_profiles(**kwargs)
        pages.append(page["inferenceProfileSummaries"])
        token = page.get("nextToken")
        if not token:
            break
    assert all(len(p) == 4 for p in pages[:-1]) and 1 <= len(pages[-1]) <= 4
    ids = [s["inferenceProfileId"] for p in pages for s in p]
    assert len(ids) == len(set(ids))
    expected = sorted(
        f"{g}.{m.id}" for m in get_catalog() for g in ("us", "global") if g in m.profile_geographies
    )
    assert sorted(ids) == expected
    paginated = control.get_paginator("list_inference_profiles").paginate(
        PaginationConfig={"PageSize": 7}
    )
    assert (
        sorted(s["inferenceProfileId"] for p in paginated for s in p["inferenceProfileSummaries"])
        == expected
    )


def test_inference_profile_shape(control: Any) -> None:
    [page] = [control.list_inference_profiles(maxResults=1000)]
    assert "nextToken" not in page
    by_id = {s["inferenceProfileId"]: s for s in page["inferenceProfileSummaries"]}
    lite = by_id["us.amazon.nova-lite-v1:0"]
    assert set(lite) == PROFILE_KEYS
    assert lite["inferenceProfileArn"] == (
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0"
    )
    assert lite["status"] == "ACTIVE" and lite["type"] == "SYSTEM_DEFINED"
    assert isinstance(lite["createdAt"], dt.datetime)
    assert lite["models"][0] == {
        "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"
    }
    assert "global.anthropic.claude-sonnet-4-20250514-v1:0" in by_id
    assert (
        control.list_inference_profiles(typeEquals="APPLICATION")["inferenceProfileSummaries"] == []
    )


def test_profiles_follow_the_region() -> None:
    eu = make_client("bedrock", region="eu-west-1")
    ids = {
        s["inferenceProfileId"] for s in eu.list_inference_profiles()["inferenceProfileSummaries"]
    }
    assert "eu.amazon.nova-lite-v1:0" in ids and "us.amazon.nova-lite-v1:0" not in ids


def test_get_inference_profile_by_id_and_arn(control: Any) -> None:
    by_id = control.get_inference_profile(inferenceProfileIdentifier="us.amazon.nova-lite-v1:0")
    arn = by_id["inferenceProfileArn"]
    by_arn = control.get_inference_profile(inferenceProfileIdentifier=arn)
    by_id.pop("ResponseMetadata"), by_arn.pop("ResponseMetadata")
    assert by_id == by_arn and set(by_id) == PROFILE_KEYS


@pytest.mark.parametrize("ident", ["eu.amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0", "x"])
def test_get_inference_profile_unknown(control: Any, ident: str) -> None:
    with pytest.raises(control.exceptions.ResourceNotFoundException):
        control.get_inference_profile(inferenceProfileIdentifier=ident)


def test_bad_page_token(control: Any) -> None:
    with pytest.raises(ClientError) as info:
        control.list_inference_profiles(nextToken="garbage!")
    assert info.value.response["Error"]["Code"] == "ValidationException"
