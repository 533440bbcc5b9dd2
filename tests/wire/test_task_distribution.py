"""The emulator's next-token table (Converse task hint) and GetFoundationModelAvailability,
through real boto3 clients."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from bedrock_cli.local.engines.textlm import END_TOKEN, get_model

PROMPT = "After the rain, the streets were"
NOVA_LITE = "amazon.nova-lite-v1:0"


def exact(runtime: Any, rows: str = "20", **config: Any) -> dict[str, Any]:
    response = runtime.converse(
        modelId=NOVA_LITE,
        messages=[{"role": "user", "content": [{"text": PROMPT}]}],
        inferenceConfig={"maxTokens": 1, **config},
        requestMetadata={"task": "next-token-distribution", "rows": rows},
        additionalModelResponseFieldPaths=["/next_token_distribution"],
    )
    return dict(response)


def test_the_table_is_the_engines_and_sums_to_one(runtime: Any) -> None:
    response = exact(runtime, temperature=0.7, topP=0.9)
    table = response["additionalModelResponseFields"]["next_token_distribution"]
    expected = get_model().next_token_distribution(PROMPT, temperature=0.7, top_p=0.9,
                                                   limit=20)
    assert [(t["token"], t["probability"]) for t in table["tokens"]] == expected
    total = sum(t["probability"] for t in table["tokens"]) + table["other_probability"]
    assert total == pytest.approx(1.0)
    assert table["end_token"] == END_TOKEN
    assert (table["temperature"], table["top_p"], table["top_k"]) == (0.7, 0.9, None)
    # the answer itself is the likeliest word, one token at most
    assert response["output"]["message"]["content"] == [{"text": expected[0][0]}]
    assert response["usage"]["outputTokens"] == 1


def test_temperature_zero_is_one_certain_word(runtime: Any) -> None:
    table = exact(runtime, temperature=0)["additionalModelResponseFields"][
        "next_token_distribution"]
    assert len(table["tokens"]) == 1
    assert table["tokens"][0]["probability"] == 1.0
    assert table["other_probability"] == 0.0


def test_rows_are_limited_and_checked(runtime: Any) -> None:
    table = exact(runtime, rows="3")["additionalModelResponseFields"]["next_token_distribution"]
    assert len(table["tokens"]) == 3
    with pytest.raises(ClientError) as err:
        exact(runtime, rows="0")
    assert err.value.response["Error"]["Code"] == "ValidationException"


def test_the_field_only_comes_when_asked_for(runtime: Any) -> None:
    response = runtime.converse(
        modelId=NOVA_LITE, messages=[{"role": "user", "content": [{"text": PROMPT}]}],
        requestMetadata={"task": "next-token-distribution"})
    assert "additionalModelResponseFields" not in response


def test_stop_sequence_field_still_works_alongside(runtime: Any) -> None:
    response = runtime.converse(
        modelId=NOVA_LITE, messages=[{"role": "user", "content": [{"text": PROMPT}]}],
        inferenceConfig={"maxTokens": 1},
        requestMetadata={"task": "next-token-distribution"},
        additionalModelResponseFieldPaths=["/next_token_distribution", "/stop_sequence"])
    fields = response["additionalModelResponseFields"]
    assert set(fields) == {"next_token_distribution", "stop_sequence"}
    assert fields["stop_sequence"] is None


def test_availability_of_catalog_models(control: Any) -> None:
    found = control.get_foundation_model_availability(modelId=NOVA_LITE)
    assert found["authorizationStatus"] == "AUTHORIZED"
    assert found["agreementAvailability"] == {"status": "AVAILABLE"}
    assert found["entitlementAvailability"] == "AVAILABLE"
    assert found["regionAvailability"] == "AVAILABLE"
    with pytest.raises(ClientError) as err:
        control.get_foundation_model_availability(modelId="amazon.no-such-model-v1:0")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
