"""The before-send responder and the router, through real boto3 clients (test-only routes)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import botocore.endpoint
import pytest
from botocore.exceptions import ClientError, EventStreamError

from bedrock_cli.local import Emulator, EmulatorOptions, Request, Response, eventstream
from bedrock_cli.local import errors as E
from bedrock_cli.local.router import Router

from .conftest import make_client

PROFILE_ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0"


class FakeTime:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def __getattr__(self, name: str) -> Any:
        import time

        return getattr(time, name)


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(botocore.endpoint, "time", fake)
    return fake


def _router() -> Router:
    router = Router()
    seen: list[Request] = []

    @router.route("POST", "/model/{modelId}/invoke", name="InvokeModel")
    def invoke(request: Request, emu: Emulator) -> Response:
        seen.append(request)
        body = json.dumps(
            {"modelId": request.params["modelId"], "echo": request.body.decode()}
        ).encode()
        return Response(
            200, {"Content-Type": "application/json", "X-Amzn-Bedrock-Input-Token-Count": "3"}, body
        )

    @router.route("POST", "/model/{modelId}/converse", name="Converse")
    def converse(request: Request, emu: Emulator) -> Response:
        seen.append(request)
        kind = request.json()["messages"][0]["content"][0]["text"]
        if kind == "crash":
            raise RuntimeError("bug")
        if kind == "model-error":
            raise E.model_error("The model failed.", 503, "res-1")
        if kind == "timeout":
            raise E.model_timeout()
        return Response.json(
            {
                "output": {"message": {"role": "assistant", "content": [{"text": kind}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
                "metrics": {"latencyMs": 1},
            }
        )

    @router.route("POST", "/model/{modelId}/converse-stream", name="ConverseStream")
    def converse_stream(request: Request, emu: Emulator) -> Response:
        produced: list[int] = emu.options.extra.setdefault("produced", [])
        fail = request.json()["messages"][0]["content"][0]["text"]

        def frames() -> Iterator[bytes]:
            produced.append(0)
            yield eventstream.event("messageStart", {"role": "assistant"})
            for i in range(1, 4):
                if fail == "throttle" and i == 2:
                    raise E.throttling("Slow down mid-stream.")
                if fail == "crash" and i == 2:
                    raise RuntimeError("bug")
                produced.append(i)
                yield eventstream.event(
                    "contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": str(i)}}
                )
            yield eventstream.event("contentBlockStop", {"contentBlockIndex": 0})
            yield eventstream.event("messageStop", {"stopReason": "end_turn"})

        return Response.stream(frames())

    router.seen = seen  # type: ignore[attr-defined]
    return router


def _msg(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"text": text}]}]


@pytest.fixture
def emu() -> Emulator:
    return Emulator(EmulatorOptions(), router=_router())


@pytest.fixture
def client(emu: Emulator) -> Any:
    return make_client("bedrock-runtime", emu)


def test_json_operation_and_request_id(client: Any) -> None:
    out = client.converse(modelId="m", messages=_msg("hello"))
    assert out["output"]["message"]["content"] == [{"text": "hello"}]
    meta = out["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert len(meta["RequestId"]) == 36
    assert meta["HTTPHeaders"]["content-type"] == "application/json"
    assert meta["RetryAttempts"] == 0


def test_path_labels_are_decoded_once_and_keep_slashes(client: Any, emu: Emulator) -> None:
    out = client.invoke_model(modelId=PROFILE_ARN, body=b'{"a": 1}')
    assert out["contentType"] == "application/json"
    doc = json.loads(out["body"].read())
    assert doc == {"modelId": PROFILE_ARN, "echo": '{"a": 1}'}
    request = emu.router.seen[-1]  # type: ignore[attr-defined]
    assert request.path.startswith("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A")
    assert "%2Fus.amazon.nova-lite-v1%3A0/invoke" in request.path
    assert request.operation == "InvokeModel"
    assert request.attempt == 1 and request.max_attempts == 3
    assert request.signing_region == "us-east-1"
    assert out["ResponseMetadata"]["HTTPHeaders"]["x-amzn-bedrock-input-token-count"] == "3"


def test_percent_sign_in_label_is_decoded_only_once(client: Any) -> None:
    # "%" is outside the model's modelId pattern, so the id comes back in Bedrock's
    # ValidationException, decoded once ("a%3Ab", not "a:b")
    with pytest.raises(client.exceptions.ValidationException) as info:
        client.invoke_model(modelId="a%3Ab", body=b"{}")
    assert "Value 'a%3Ab' at 'modelId'" in info.value.response["Error"]["Message"]


def test_file_like_body(client: Any, emu: Emulator) -> None:
    import io

    out = client.invoke_model(modelId="m", body=io.BytesIO(b"xyz"))
    assert json.loads(out["body"].read())["echo"] == "xyz"


def test_modeled_error_with_extra_fields(client: Any) -> None:
    with pytest.raises(client.exceptions.ModelErrorException) as info:
        client.converse(modelId="m", messages=_msg("model-error"))
    resp = info.value.response
    assert resp["Error"] == {"Code": "ModelErrorException", "Message": "The model failed."}
    assert resp["originalStatusCode"] == 503 and resp["resourceName"] == "res-1"
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert resp["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == (
        "ModelErrorException:http://internal.amazon.com/coral/com.amazon.bedrock/"
    )


def test_model_timeout_is_408_and_not_retried(client: Any, fake_time: FakeTime) -> None:
    with pytest.raises(client.exceptions.ModelTimeoutException) as info:
        client.converse(modelId="m", messages=_msg("timeout"))
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 408
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 0


def test_unexpected_exception_becomes_internal_server_error(
    client: Any, fake_time: FakeTime
) -> None:
    with pytest.raises(client.exceptions.InternalServerException) as info:
        client.converse(modelId="m", messages=_msg("crash"))
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 2  # 500 is retried


def test_unknown_route_is_a_bedrock_shaped_404(client: Any) -> None:
    with pytest.raises(ClientError) as info:
        client.list_async_invokes()
    resp = info.value.response
    assert resp["Error"]["Code"] == "UnknownOperationException"
    assert "GET /async-invoke" in resp["Error"]["Message"]
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert len(resp["ResponseMetadata"]["RequestId"]) == 36


def test_throttled_twice_then_success_is_retried(emu: Emulator, fake_time: FakeTime) -> None:
    attempts: list[int] = []

    def throttle_twice(request: Request, _: Emulator) -> Response | None:
        attempts.append(request.attempt)
        if request.attempt <= 2:
            raise E.throttling()
        return None

    emu.interceptors.append(throttle_twice)
    client = make_client("bedrock-runtime", emu, retries={"mode": "standard"})
    out = client.converse(modelId="m", messages=_msg("ok"))
    assert out["output"]["message"]["content"] == [{"text": "ok"}]
    assert out["ResponseMetadata"]["RetryAttempts"] == 2
    assert attempts == [1, 2, 3]
    assert len(fake_time.sleeps) == 2


def test_throttled_past_max_attempts_raises(emu: Emulator, fake_time: FakeTime) -> None:
    emu.interceptors.append(lambda request, _: Response.error(E.throttling()))
    client = make_client("bedrock-runtime", emu)
    with pytest.raises(client.exceptions.ThrottlingException) as info:
        client.converse(modelId="m", messages=_msg("ok"))
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert info.value.response["Error"]["Message"] == E.THROTTLED


def test_event_stream_is_lazy(client: Any, emu: Emulator) -> None:
    out = client.converse_stream(modelId="m", messages=_msg("ok"))
    produced = emu.options.extra["produced"]
    assert produced == []  # nothing generated before the caller reads
    events = iter(out["stream"])
    assert next(events) == {"messageStart": {"role": "assistant"}}
    assert produced == [0]
    assert next(events) == {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "1"}}}
    assert produced == [0, 1]
    rest = list(events)
    assert [next(iter(e)) for e in rest] == [
        "contentBlockDelta",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
    ]


def test_closing_the_stream_stops_the_generator(client: Any, emu: Emulator) -> None:
    out = client.converse_stream(modelId="m", messages=_msg("ok"))
    events = iter(out["stream"])
    next(events)
    out["stream"].close()
    assert emu.options.extra["produced"] == [0]


@pytest.mark.parametrize(
    ("kind", "code", "message"),
    [
        ("throttle", "throttlingException", "Slow down mid-stream."),
        ("crash", "internalServerException", E.INTERNAL),
    ],
)
def test_error_mid_stream_becomes_exception_frame(
    client: Any, kind: str, code: str, message: str
) -> None:
    out = client.converse_stream(modelId="m", messages=_msg(kind))
    got = []
    with pytest.raises(EventStreamError) as info:
        for ev in out["stream"]:
            got.append(ev)
    assert info.value.response["Error"] == {"Code": code, "Message": message}
    assert len(got) == 2


def test_invoke_body_raw_read_in_pieces(client: Any) -> None:
    out = client.invoke_model(modelId="m", body=base64.b64encode(b"x" * 100))
    body = out["body"]
    first = body.read(10)
    assert first == b'{"modelId"'
    assert json.loads(first + body.read())["modelId"] == "m"


def test_attach_with_no_emulator_follows_the_client_region() -> None:
    from bedrock_cli.local import attach

    client = make_client("bedrock", None, region="eu-west-1")
    emulator = attach(client)  # attaching again replaces the responder
    assert isinstance(emulator, Emulator) and emulator.options.region is None
    ids = {
        p["inferenceProfileId"]
        for p in client.list_inference_profiles()["inferenceProfileSummaries"]
    }
    assert "eu.amazon.nova-lite-v1:0" in ids


def test_keyboard_interrupt_reaches_the_caller_and_closes_the_stream() -> None:
    router = Router()
    closed: list[bool] = []

    @router.route("POST", "/model/{modelId}/converse-stream")
    def stream(request: Request, emu: Emulator) -> Response:
        def frames() -> Iterator[bytes]:
            try:
                yield eventstream.event("messageStart", {"role": "assistant"})
                raise KeyboardInterrupt
            finally:
                closed.append(True)

        return Response.stream(frames())

    client = make_client("bedrock-runtime", Emulator(router=router))
    out = client.converse_stream(modelId="m", messages=_msg("x"))
    events = iter(out["stream"])
    assert next(events) == {"messageStart": {"role": "assistant"}}
    with pytest.raises(KeyboardInterrupt):
        next(events)
    assert closed == [True]
