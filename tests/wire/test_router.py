"""The router on its own: labels, headers, request helpers, error responses."""

from __future__ import annotations

import json

import pytest

from bedrock_cli.local import Emulator, EmulatorOptions, Request, Response
from bedrock_cli.local import errors as E
from bedrock_cli.local.router import Headers, Router


def _router() -> Router:
    router = Router()

    @router.route("POST", "/model/{modelId}/converse", name="Converse")
    def converse(request: Request, emu: Emulator) -> Response:
        return Response.json({"modelId": request.params["modelId"], "op": request.operation})

    @router.route("GET", "/guardrail/{id}/version/{version}")
    def guardrail(request: Request, emu: Emulator) -> Response:
        return Response.json(request.params)

    return router


def test_labels_decode_once_and_keep_encoded_slashes() -> None:
    route, params = _router().match("POST", "/model/arn%3Aaws%3Ax%2Fus.m%3A0/converse")
    assert route.name == "Converse" and params == {"modelId": "arn:aws:x/us.m:0"}
    assert _router().match("POST", "/model/a%253A/converse")[1] == {"modelId": "a%3A"}


def test_unencoded_slash_in_a_label_still_matches() -> None:
    _, params = _router().match(
        "POST", "/model/arn:aws:bedrock:x:1:inference-profile/us.m/converse"
    )
    assert params == {"modelId": "arn:aws:bedrock:x:1:inference-profile/us.m"}


def test_several_labels() -> None:
    _, params = _router().match("GET", "/guardrail/gr%201/version/DRAFT")
    assert params == {"id": "gr 1", "version": "DRAFT"}


@pytest.mark.parametrize(("method", "path"), [("GET", "/model/m/converse"), ("POST", "/nope")])
def test_unknown_operation(method: str, path: str) -> None:
    with pytest.raises(E.EmulatorError) as info:
        _router().match(method, path)
    assert info.value.code == "UnknownOperationException" and info.value.status == 404


def test_duplicate_route_from_another_handler_is_refused() -> None:
    router = _router()
    with pytest.raises(ValueError, match="already taken"):
        router.add("POST", "/model/{modelId}/converse", lambda r, e: Response())


def test_headers_are_case_insensitive() -> None:
    h = Headers({"Content-Type": "a"})
    h["content-type"] = "b"
    assert h["CONTENT-TYPE"] == "b" and len(h) == 1 and list(h) == ["content-type"]


def test_request_helpers() -> None:
    r = Request.from_target(
        "post",
        "/model/m/converse?x=1&x=2&e=",
        [
            ("amz-sdk-request", "attempt=3; max=5"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AK/20260101/eu-west-1/bedrock/aws4_request",
            ),
        ],
        b'{"a": 1}',
    )
    assert r.method == "POST" and r.path == "/model/m/converse"
    assert r.query == {"x": ["1", "2"], "e": [""]} and r.first("x") == "1"
    assert (r.attempt, r.max_attempts, r.signing_region) == (3, 5, "eu-west-1")
    assert r.json() == {"a": 1}
    assert Request("GET", "/").attempt == 1
    with pytest.raises(E.EmulatorError):
        Request("POST", "/", body=b"[1]").json()


def test_handle_sets_request_id_and_never_raises() -> None:
    # the test-only route answers a made-up body: no service-model check (strict mode)
    emu = Emulator(EmulatorOptions(extra={"strict": False}), router=_router())
    ok = emu.handle(Request("POST", "/model/m/converse"))
    assert ok.status == 200 and json.loads(ok.body) == {"modelId": "m", "op": "Converse"}
    assert len(ok.headers["x-amzn-RequestId"]) == 36
    assert ok.headers["Content-Length"] == str(len(ok.body))
    missing = emu.handle(Request("GET", "/nothing"))
    assert missing.status == 404
    assert missing.headers["x-amzn-ErrorType"] == (
        "UnknownOperationException:http://internal.amazon.com/coral/com.amazon.bedrock/"
    )
    assert json.loads(missing.body)["message"]


def test_error_serialisation() -> None:
    err = E.on_demand_not_supported("a.b-v1:0")
    assert err.status == 400 and err.code == "ValidationException"
    assert json.loads(err.body()) == {"message": err.message}
    assert "isn\u2019t supported" in err.message
    assert E.model_error("x", 503, "r").payload() == {
        "message": "x",
        "originalStatusCode": 503,
        "resourceName": "r",
    }
    assert E.model_stream_error("x", 500, "boom").stream_type == "modelStreamErrorException"
    statuses = {code: f("m").status for code, f in E.BY_CODE.items()}
    assert statuses == {
        "ValidationException": 400,
        "AccessDeniedException": 403,
        "ResourceNotFoundException": 404,
        "ThrottlingException": 429,
        "ModelTimeoutException": 408,
        "InternalServerException": 500,
        "ServiceUnavailableException": 503,
        "ServiceQuotaExceededException": 400,
        "ModelNotReadyException": 429,
        "ModelErrorException": 424,
        "ModelStreamErrorException": 424,
    }
