"""Titan Embeddings v2 and Cohere Embed v3 through the emulator's InvokeModel."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from botocore.exceptions import ClientError

TITAN = "amazon.titan-embed-text-v2:0"
COHERE = "cohere.embed-english-v3"


def invoke(client: Any, model_id: str, body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    response = client.invoke_model(modelId=model_id, body=json.dumps(body))
    return json.loads(response["body"].read()), response["ResponseMetadata"]["HTTPHeaders"]


def norm(vector: list[float]) -> float:
    return math.sqrt(sum(v * v for v in vector))


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (norm(a) * norm(b))


@pytest.mark.parametrize("dims", [256, 512, 1024])
def test_titan_dimensions_unit_length_and_token_count(runtime: Any, dims: int) -> None:
    doc, headers = invoke(runtime, TITAN, {"inputText": "The cat sat on the mat.",
                                           "dimensions": dims})
    assert set(doc) == {"embedding", "inputTextTokenCount", "embeddingsByType"}
    assert len(doc["embedding"]) == dims
    assert norm(doc["embedding"]) == pytest.approx(1.0)
    assert doc["embeddingsByType"] == {"float": doc["embedding"]}
    assert doc["inputTextTokenCount"] == 7
    assert headers["x-amzn-bedrock-input-token-count"] == "7"


def test_titan_is_deterministic_and_closer_for_shared_words(runtime: Any) -> None:
    def vec(text: str) -> list[float]:
        return invoke(runtime, TITAN, {"inputText": text})[0]["embedding"]

    a, b = vec("the cat sat on the mat"), vec("a cat sat on a mat")
    c = vec("quarterly revenue grew by ten percent")
    assert vec("the cat sat on the mat") == a
    assert len(a) == 1024
    assert cosine(a, b) > cosine(a, c) + 0.3


def test_titan_normalize_false_and_binary_type(runtime: Any) -> None:
    doc, _ = invoke(runtime, TITAN, {"inputText": "hello hello world", "normalize": False,
                                     "embeddingTypes": ["binary", "float"]})
    assert norm(doc["embedding"]) > 1.01
    binary = doc["embeddingsByType"]["binary"]
    assert set(binary) <= {0, 1} and len(binary) == 1024
    assert binary == [1 if v > 0 else 0 for v in doc["embedding"]]


def error(client: Any, model_id: str, body: dict[str, Any]) -> str:
    with pytest.raises(ClientError) as info:
        client.invoke_model(modelId=model_id, body=json.dumps(body))
    assert info.value.response["Error"]["Code"] == "ValidationException"
    return str(info.value.response["Error"]["Message"])


def test_titan_malformed_bodies(runtime: Any) -> None:
    assert error(runtime, TITAN, {"inputText": "x", "dimensions": 300}) == (
        "Malformed input request: #/dimensions: 300 is not a valid enum value, please "
        "reformat your input and try again.")
    assert error(runtime, TITAN, {"texts": ["x"]}) == (
        "Malformed input request: 2 schema violations found, please reformat your input and "
        "try again.")
    assert "minLength" in error(runtime, TITAN, {"inputText": ""})
    with pytest.raises(ClientError, match="unsupported for streaming"):
        runtime.invoke_model_with_response_stream(modelId=TITAN,
                                                  body=json.dumps({"inputText": "x"}))


def test_cohere_floats_response(runtime: Any) -> None:
    texts = ["The cat sat.", "Dogs bark."]
    doc, headers = invoke(runtime, COHERE, {"texts": texts, "input_type": "search_document"})
    assert set(doc) == {"embeddings", "id", "response_type", "texts"}
    assert doc["response_type"] == "embeddings_floats" and doc["texts"] == texts
    assert [len(v) for v in doc["embeddings"]] == [1024, 1024]
    assert all(norm(v) == pytest.approx(1.0) for v in doc["embeddings"])
    assert int(headers["x-amzn-bedrock-input-token-count"]) == 7
    query, _ = invoke(runtime, COHERE, {"texts": ["The cat sat."], "input_type": "search_query"})
    assert query["embeddings"][0] == doc["embeddings"][0]  # one space for queries and documents


def test_cohere_embedding_types(runtime: Any) -> None:
    doc, _ = invoke(runtime, COHERE, {"texts": ["hi there"], "input_type": "clustering",
                                      "embedding_types": ["float", "int8", "ubinary"]})
    assert doc["response_type"] == "embeddings_by_type"
    by_type = doc["embeddings"]
    assert set(by_type) == {"float", "int8", "ubinary"}
    assert len(by_type["int8"][0]) == 1024 and len(by_type["ubinary"][0]) == 128
    assert all(-128 <= v <= 127 for v in by_type["int8"][0])
    assert all(0 <= v <= 255 for v in by_type["ubinary"][0])


def test_cohere_validation(runtime: Any) -> None:
    assert error(runtime, COHERE, {"inputText": "x"}) == (
        "Malformed input request: 3 schema violations found, please reformat your input and "
        "try again.")
    assert "#/input_type: search is not a valid enum value" in error(
        runtime, COHERE, {"texts": ["x"], "input_type": "search"})
    assert "maximum item count: 96" in error(
        runtime, COHERE, {"texts": ["x"] * 97, "input_type": "clustering"})
    assert "maxLength: 2048" in error(
        runtime, COHERE, {"texts": ["x" * 2049], "input_type": "clustering"})
    long = "a " * 600  # 600 tokens in 1,200 characters
    assert "Too many input tokens" in error(
        runtime, COHERE, {"texts": [long], "input_type": "clustering"})
    doc, _ = invoke(runtime, COHERE, {"texts": [long], "input_type": "clustering",
                                      "truncate": "END"})
    assert len(doc["embeddings"][0]) == 1024
