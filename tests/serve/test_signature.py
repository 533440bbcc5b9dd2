"""``--require-signature``: SigV4 recomputed with botocore over the request as received."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from bedrock_cli.local.sigv4 import MISMATCH, SignatureVerifier

from .conftest import Live, exchange

KEY, SECRET = "AKIDSERVETEST0000001", "serve-test-secret/with+odd=chars"
MESSAGES = [{"role": "user", "content": [{"text": "hello"}]}]
PROFILE_ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0"


@pytest.fixture
def signed(start_server: Callable[..., Live]) -> Live:
    return start_server(verifier=SignatureVerifier(KEY, SECRET))


def _error(exc: Exception) -> tuple[int, str, str]:
    r = exc.response  # type: ignore[attr-defined]
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def test_correctly_signed_requests_are_answered(signed: Live) -> None:
    runtime = signed.client(key=KEY, secret=SECRET)
    control = signed.client("bedrock", key=KEY, secret=SECRET)
    r = runtime.converse(modelId=PROFILE_ARN, messages=MESSAGES, inferenceConfig={"maxTokens": 3})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    stream = runtime.converse_stream(modelId="us.amazon.nova-lite-v1:0", messages=MESSAGES,
                                     inferenceConfig={"maxTokens": 3})
    assert "metadata" in list(stream["stream"])[-1]
    assert control.list_foundation_models(byProvider="Amazon")["modelSummaries"]
    assert control.list_inference_profiles(maxResults=5, typeEquals="SYSTEM_DEFINED")
    assert [e.status for e in signed.exchanges] == [200, 200, 200, 200]


def test_wrong_secret_is_rejected(signed: Live) -> None:
    client = signed.client(key=KEY, secret="not-the-secret")
    with pytest.raises(client.exceptions.ClientError) as info:
        client.converse(modelId="us.amazon.nova-lite-v1:0", messages=MESSAGES)
    assert _error(info.value) == (403, "InvalidSignatureException", MISMATCH)


def test_unknown_key_id_is_rejected(signed: Live) -> None:
    client = signed.client(key="AKIDSOMEONEELSE00000", secret=SECRET)
    with pytest.raises(client.exceptions.ClientError) as info:
        client.converse(modelId="us.amazon.nova-lite-v1:0", messages=MESSAGES)
    assert _error(info.value) == (403, "UnrecognizedClientException",
                                  "The security token included in the request is invalid.")


def test_unsigned_request_is_rejected(signed: Live) -> None:
    reply = exchange(signed.port, b"GET /foundation-models HTTP/1.1\r\nHost: t\r\n\r\n")
    assert reply.status == 403
    assert reply.headers["x-amzn-errortype"].startswith("MissingAuthenticationTokenException:")
    assert reply.json() == {"message": "Missing Authentication Token"}


def test_bearer_token_is_rejected_when_signatures_are_required(signed: Live,
                                                               live: Live) -> None:
    request = (b"GET /foundation-models HTTP/1.1\r\nHost: t\r\n"
               b"Authorization: Bearer ABSKbm90LWEtcmVhbC1rZXk=\r\n\r\n")
    refused = exchange(signed.port, request)
    assert refused.status == 403
    assert refused.headers["x-amzn-errortype"].startswith("AccessDeniedException:")
    assert exchange(live.port, request).status == 200  # accepted when nothing is required


def _signed_request(port: int, body: bytes, *, when: datetime | None = None) -> AWSRequest:
    request = AWSRequest(method="POST", data=body,
                         url=f"http://127.0.0.1:{port}/model/us.amazon.nova-lite-v1%3A0/converse",
                         headers={"Content-Type": "application/json"})
    signer = SigV4Auth(Credentials(KEY, SECRET), "bedrock", "us-east-1")
    if when is None:
        signer.add_auth(request)
    else:
        request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
        request.headers["X-Amz-Date"] = request.context["timestamp"]
        canonical = signer.canonical_request(request)
        signature = signer.signature(signer.string_to_sign(request, canonical), request)
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={signer.scope(request)}, "
            f"SignedHeaders={signer.signed_headers(signer.headers_to_sign(request))}, "
            f"Signature={signature}")
    return request


def _raw(request: AWSRequest, body: bytes) -> bytes:
    host, path = request.url.split("/", 3)[2:]
    head = f"POST /{path} HTTP/1.1\r\nHost: {host}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in request.headers.items())
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def test_tampered_body_is_rejected(signed: Live) -> None:
    body = json.dumps({"messages": MESSAGES, "inferenceConfig": {"maxTokens": 2}}).encode()
    request = _signed_request(signed.port, body)
    assert exchange(signed.port, _raw(request, body)).status == 200
    tampered = body.replace(b'"maxTokens": 2', b'"maxTokens": 9')
    reply = exchange(signed.port, _raw(request, tampered))
    assert reply.status == 403
    assert reply.json() == {"message": MISMATCH}


def test_stale_signature_is_rejected(signed: Live) -> None:
    body = json.dumps({"messages": MESSAGES}).encode()
    old = datetime.now(timezone.utc) - timedelta(minutes=20)
    reply = exchange(signed.port, _raw(_signed_request(signed.port, body, when=old), body))
    assert reply.status == 403
    assert reply.headers["x-amzn-errortype"].startswith("InvalidSignatureException:")
    assert reply.json()["message"].startswith(f"Signature expired: {old:%Y%m%dT%H%M%SZ} is now "
                                              "earlier than ")


@pytest.mark.parametrize(("authorization", "message"), [
    ("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc",
     "Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256"),
    ("Basic dXNlcjpwYXNz",
     "Authorization header requires a supported signing algorithm: AWS4-HMAC-SHA256."),
])
def test_malformed_authorization(signed: Live, authorization: str, message: str) -> None:
    reply = exchange(signed.port, f"GET /foundation-models HTTP/1.1\r\nHost: t\r\n"
                                  f"Authorization: {authorization}\r\n\r\n".encode())
    assert reply.status == 403
    assert reply.headers["x-amzn-errortype"].startswith("IncompleteSignatureException:")
    assert reply.json() == {"message": message}


def test_secret_never_logged_or_shown(signed: Live) -> None:
    client = signed.client("bedrock", key=KEY, secret=SECRET)
    client.list_foundation_models()
    bad = signed.client("bedrock", key=KEY, secret="wrong")
    with pytest.raises(bad.exceptions.ClientError):
        bad.list_foundation_models()
    verifier = SignatureVerifier(KEY, SECRET)
    assert SECRET not in repr(verifier)
    assert signed.lines and all(SECRET not in line for line in signed.lines)
    assert all(SECRET not in str(e.headers) for e in signed.exchanges)
