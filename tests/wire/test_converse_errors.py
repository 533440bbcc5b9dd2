"""Converse / ConverseStream / CountTokens refusals: Bedrock's codes and wording."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bedrock_cli.local import errors as E

NOVA_LITE = "amazon.nova-lite-v1:0"
SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def user(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": list(blocks) or [{"text": "Hello there."}]}


def assistant(text: str = "Hi.") -> dict[str, Any]:
    return {"role": "assistant", "content": [{"text": text}]}


def _error(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response  # type: ignore[no-any-return]


@pytest.fixture(params=["converse", "converse_stream"])
def call(request: pytest.FixtureRequest, runtime: Any) -> Any:
    return getattr(runtime, request.param)


def _validation(resp: dict[str, Any], message: str) -> None:
    assert resp["Error"] == {"Code": "ValidationException", "Message": message}
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert resp["ResponseMetadata"]["RetryAttempts"] == 0


@pytest.mark.parametrize(
    "model_id",
    [
        "amazon.nova-nope-v1:0",
        "nova-lite",  # a CLI alias: Bedrock does not know it
        "eu.amazon.nova-lite-v1:0",  # a profile of another geography than us-east-1's
        "apac.meta.llama3-8b-instruct-v1:0",  # a profile the model does not have
        "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0",  # other region
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/amazon.nova-lite-v1:0",
        "AMAZON.NOVA-LITE-V1:0",
    ],
)
def test_invalid_model_identifier(call: Any, model_id: str) -> None:
    resp = _error(call, modelId=model_id, messages=[user()])
    _validation(resp, "The provided model identifier is invalid.")


def test_profile_only_model_by_bare_id(call: Any) -> None:
    resp = _error(call, modelId=SONNET_4, messages=[user()])
    message = resp["Error"]["Message"]
    assert message == (
        f"Invocation of model ID {SONNET_4} with on-demand throughput isn\u2019t supported. "
        "Retry your request with the ID or ARN of an inference profile that contains this model."
    )
    assert "\u2019" in message and "isn't" not in message
    _validation(resp, message)


def test_profile_only_in_this_region(runtime: Any) -> None:
    model = "anthropic.claude-3-5-haiku-20241022-v1:0"  # on demand in us-west-2 only
    resp = _error(runtime.converse, modelId=model, messages=[user()])
    assert resp["Error"]["Message"].startswith(f"Invocation of model ID {model} with on-demand")


@pytest.mark.parametrize(
    "model_id",
    ["amazon.nova-canvas-v1:0", "amazon.titan-embed-text-v2:0", "cohere.embed-english-v3"],
)
def test_non_text_models(call: Any, model_id: str) -> None:
    resp = _error(call, modelId=model_id, messages=[user()])
    _validation(resp, E.UNSUPPORTED_MODEL)
    assert resp["Error"]["Message"] == (
        "This action doesn't support the model that you provided. "
        "Try again with a supported text or chat model."
    )


@pytest.mark.parametrize(
    ("config", "field", "value"),
    [
        ({"temperature": 1.5}, "temperature", "1.5"),
        ({"topP": 1.01}, "topP", "1.01"),
    ],
)
def test_out_of_range_sampling(call: Any, config: dict[str, Any], field: str, value: str
                               ) -> None:
    resp = _error(call, modelId=NOVA_LITE, messages=[user()], inferenceConfig=config)
    assert resp["Error"]["Code"] == "ValidationException"
    assert resp["Error"]["Message"] == (  # Bedrock's validator, as captured from AWS
        f"1 validation error detected: Value '{value}' at 'inferenceConfig.{field}' failed to "
        "satisfy constraint: Member must have value less than or equal to 1")


def test_max_tokens_above_the_model_limit(call: Any) -> None:
    resp = _error(call, modelId=NOVA_LITE, messages=[user()], inferenceConfig={"maxTokens": 10001})
    assert resp["Error"]["Code"] == "ValidationException"
    message = resp["Error"]["Message"]
    assert "maxTokens" in message and "10001" in message and "between 1 and 10000" in message


def test_max_tokens_zero_is_refused_by_botocore_itself(runtime: Any) -> None:
    from botocore.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError):
        runtime.converse(modelId=NOVA_LITE, messages=[user()], inferenceConfig={"maxTokens": 0})


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        ([assistant()], E.FIRST_MESSAGE_USER),
        ([], E.FIRST_MESSAGE_USER),
        ([user(), user()], E.ALTERNATE_ROLES),
        ([user(), assistant(), assistant()], E.ALTERNATE_ROLES),
    ],
)
def test_conversation_rules(call: Any, messages: list[Any], message: str) -> None:
    _validation(_error(call, modelId=NOVA_LITE, messages=messages), message)


def test_wording_of_conversation_rules() -> None:
    assert E.FIRST_MESSAGE_USER == (
        "A conversation must start with a user message. "
        "Try again with a conversation that starts with a user message."
    )


def test_image_on_a_text_only_model(call: Any) -> None:
    image = {"image": {"format": "png", "source": {"bytes": PNG}}}
    resp = _error(
        call, modelId="amazon.nova-micro-v1:0", messages=[user({"text": "What is this?"}, image)]
    )
    _validation(
        resp,
        "This model doesn't support the image field for user messages. Remove image and try again.",
    )


def test_document_on_a_model_without_documents(runtime: Any) -> None:
    doc = {"document": {"format": "txt", "name": "notes", "source": {"bytes": b"hello"}}}
    resp = _error(
        runtime.converse,
        modelId="amazon.titan-text-premier-v1:0",
        messages=[user({"text": "Read."}, doc)],
    )
    assert resp["Error"]["Message"].startswith("This model doesn't support the document field")


def test_system_prompt_on_a_model_without_system_support(call: Any) -> None:
    resp = _error(
        call,
        modelId="mistral.mistral-7b-instruct-v0:2",
        messages=[user()],
        system=[{"text": "Be brief."}],
    )
    _validation(resp, "This model doesn't support system messages.")


def test_tools_on_a_model_without_tools(runtime: Any) -> None:
    tools = {"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": {"type": "object"}}}}]}
    resp = _error(
        runtime.converse,
        modelId="meta.llama3-8b-instruct-v1:0",
        messages=[user()],
        toolConfig=tools,
    )
    _validation(resp, "This model doesn't support tool use.")


def test_top_k_out_of_range(runtime: Any) -> None:
    resp = _error(
        runtime.converse,
        modelId=NOVA_LITE,
        messages=[user()],
        additionalModelRequestFields={"inferenceConfig": {"topK": -1}},
    )
    assert resp["Error"]["Code"] == "ValidationException" and "top_k" in resp["Error"]["Message"]


def test_errors_before_streaming_are_plain_http_errors(runtime: Any) -> None:
    with pytest.raises(runtime.exceptions.ValidationException):
        runtime.converse_stream(modelId="nope.nope-v1:0", messages=[user()])


def test_count_tokens_errors(runtime: Any) -> None:
    nova = _error(
        runtime.count_tokens, modelId=NOVA_LITE, input={"converse": {"messages": [user()]}}
    )
    assert nova["Error"]["Code"] == "ValidationException"
    assert "counting tokens" in nova["Error"]["Message"]
    unknown = _error(
        runtime.count_tokens,
        modelId="anthropic.nope-v1:0",
        input={"converse": {"messages": [user()]}},
    )
    _validation(unknown, E.INVALID_MODEL_ID)
    haiku = "anthropic.claude-3-haiku-20240307-v1:0"
    bad = _error(
        runtime.count_tokens, modelId=haiku, input={"converse": {"messages": [assistant()]}}
    )
    _validation(bad, E.FIRST_MESSAGE_USER)
    not_json = _error(
        runtime.count_tokens, modelId=haiku, input={"invokeModel": {"body": b"not json"}}
    )
    assert not_json["Error"]["Code"] == "ValidationException"
