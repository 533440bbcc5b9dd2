"""Record and replay over HTTP. The "real Bedrock" upstream is a second emulator on loopback
that insists on SigV4 with its own key, so a recording that reaches it proves the re-signing,
and the cassette is searched for every secret that was in play."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from bedrock_cli import testing
from bedrock_cli.local.eventstream import decode_messages
from bedrock_cli.local.sigv4 import SignatureVerifier
from tests.serve.conftest import Live

UP_KEY, UP_SECRET = "AKIDUPSTREAMKEY12345", "upstream-secret-do-not-leak"
CLIENT_TOKEN = "client-session-token-do-not-leak"
NOVA = "us.amazon.nova-lite-v1:0"
CLAUDE = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
MESSAGES = [{"role": "user", "content": [{"text": "Write about the sea."}]}]
CONVERSE = json.dumps({"messages": MESSAGES, "inferenceConfig": {"maxTokens": 12}}).encode()
NATIVE = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 12,
                     "messages": [{"role": "user", "content": "Write about the sea."}]}).encode()


def _png() -> str:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


IMAGE = _png()
WITH_IMAGE = json.dumps({"messages": [{"role": "user", "content": [
    {"text": "What is this?"}, {"image": {"format": "png", "source": {"bytes": IMAGE}}}]}],
    "inferenceConfig": {"maxTokens": 5}}).encode()
CALLS = [  # (path, body): the recorder does not need the client's signature at all
    (f"/model/{NOVA.replace(':', '%3A')}/converse", CONVERSE),
    (f"/model/{NOVA.replace(':', '%3A')}/converse-stream", CONVERSE),
    (f"/model/{CLAUDE.replace(':', '%3A')}/invoke", NATIVE),
    (f"/model/{CLAUDE.replace(':', '%3A')}/invoke-with-response-stream", NATIVE),
    (f"/model/{NOVA.replace(':', '%3A')}/converse", WITH_IMAGE),
]


def raw(url: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    """POST (or GET) and read the whole body, chunked or not, as bytes."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("POST" if body is not None else "GET", path, body=body,
                     headers={"Content-Type": "application/json"})
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


@pytest.fixture
def upstream(start_server: Callable[..., Live]) -> Live:
    return start_server(verifier=SignatureVerifier(UP_KEY, UP_SECRET))


def recorder(start_server: Callable[..., Live], upstream: Live, cassette: Path) -> Live:
    live = start_server()
    session = boto3.Session(aws_access_key_id=UP_KEY, aws_secret_access_key=UP_SECRET,
                            region_name="us-east-1")
    testing.record(live.thread.emulator, cassette, upstream.url, session=session)
    return live


def replayer(start_server: Callable[..., Live], cassette: Path, **options: Any) -> Live:
    live = start_server()
    testing.replay(live.thread.emulator, cassette, **options)
    return live


def test_record_then_replay_byte_for_byte(start_server: Callable[..., Live], upstream: Live,
                                          tmp_path: Path) -> None:
    cassette = tmp_path / "bedrock.jsonl"
    rec = recorder(start_server, upstream, cassette)
    recorded = [raw(rec.url, path, body) for path, body in CALLS]
    recorded.append(raw(rec.url, "/foundation-models?byProvider=Amazon"))
    assert [status for status, _ in recorded] == [200] * 6
    # the upstream saw every request, signed with the recorder's own key
    assert [e.status for e in upstream.exchanges] == [200] * 6
    assert all(UP_KEY in e.headers["Authorization"] for e in upstream.exchanges)
    assert upstream.exchanges[-1].target == "/foundation-models?byProvider=Amazon"

    rep = replayer(start_server, cassette)
    replayed = [raw(rep.url, path, body) for path, body in CALLS]
    replayed.append(raw(rep.url, "/foundation-models?byProvider=Amazon"))
    assert replayed == recorded
    assert len(upstream.exchanges) == 6  # replay never goes upstream


def test_the_cassette_is_diff_friendly_and_holds_no_secret(
        start_server: Callable[..., Live], upstream: Live, tmp_path: Path) -> None:
    cassette = tmp_path / "bedrock.jsonl"
    rec = recorder(start_server, upstream, cassette)
    client = boto3.client(
        "bedrock-runtime", endpoint_url=rec.url, region_name="us-east-1",
        aws_access_key_id="AKIDCLIENTKEY", aws_secret_access_key="client-secret-do-not-leak",
        aws_session_token=CLIENT_TOKEN)
    client.converse(modelId=NOVA, messages=MESSAGES, inferenceConfig={"maxTokens": 5})
    events = list(client.converse_stream(modelId=NOVA, messages=MESSAGES,
                                         inferenceConfig={"maxTokens": 5})["stream"])
    client.invoke_model(modelId=CLAUDE, body=NATIVE)
    text = cassette.read_text(encoding="utf-8")
    for secret in (UP_KEY, UP_SECRET, "AKIDCLIENTKEY", "client-secret", CLIENT_TOKEN,
                   "Signature=", "Credential=", "authorization", "x-amz-date",
                   "x-amz-security-token", "amz-sdk-invocation-id"):
        assert secret.lower() not in text.lower(), secret
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["operation"] for line in lines] == ["Converse", "ConverseStream",
                                                     "InvokeModel"]
    first = lines[0]
    assert first["request"]["json"]["messages"] == MESSAGES  # JSON as JSON, not a string
    assert first["response"]["json"]["output"]["message"]["role"] == "assistant"
    frames = [base64.b64decode(f) for f in lines[1]["response"]["events"]]
    assert len(frames) == len(events)  # one entry per event-stream frame
    assert decode_messages(frames[0])[0].headers[":event-type"] == "messageStart"
    assert lines[2]["response"]["headers"]["X-Amzn-Bedrock-Output-Token-Count"]


def test_boto3_reads_a_replay_like_the_original(start_server: Callable[..., Live],
                                                upstream: Live, tmp_path: Path) -> None:
    cassette = tmp_path / "c.jsonl"
    rec = recorder(start_server, upstream, cassette)
    first = rec.client().converse(modelId=NOVA, messages=MESSAGES,
                                  inferenceConfig={"maxTokens": 8})
    streamed = list(rec.client().converse_stream(modelId=NOVA, messages=MESSAGES,
                                                 inferenceConfig={"maxTokens": 8})["stream"])
    rep = replayer(start_server, cassette)
    again = rep.client().converse(modelId=NOVA, messages=MESSAGES,
                                  inferenceConfig={"maxTokens": 8})
    assert again["output"] == first["output"] and again["usage"] == first["usage"]
    assert list(rep.client().converse_stream(modelId=NOVA, messages=MESSAGES,
                                             inferenceConfig={"maxTokens": 8})["stream"]) \
        == streamed


def test_no_recording_is_a_validation_error_naming_cassette_and_request(
        start_server: Callable[..., Live], upstream: Live, tmp_path: Path) -> None:
    cassette = tmp_path / "c.jsonl"
    rec = recorder(start_server, upstream, cassette)
    raw(rec.url, *CALLS[0])
    rep = replayer(start_server, cassette)
    with pytest.raises(ClientError) as info:
        rep.client().converse(modelId=NOVA, messages=[
            {"role": "user", "content": [{"text": "never recorded"}]}])
    err = info.value.response
    assert err["Error"]["Code"] == "ValidationException"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert str(cassette) in err["Error"]["Message"]
    assert "Converse request (model us.amazon.nova-lite-v1:0)" in err["Error"]["Message"]


def test_matching_is_configurable(start_server: Callable[..., Live], upstream: Live,
                                  tmp_path: Path) -> None:
    cassette = tmp_path / "c.jsonl"
    rec = recorder(start_server, upstream, cassette)
    status, recorded = raw(rec.url, *CALLS[0])
    assert status == 200
    other = json.dumps({"messages": MESSAGES, "inferenceConfig": {"maxTokens": 99}}).encode()
    loose = replayer(start_server, cassette, match=["operation", "model"])
    assert raw(loose.url, CALLS[0][0], other) == (200, recorded)
    ignoring = replayer(start_server, cassette, ignore=["inferenceConfig.maxTokens"])
    assert raw(ignoring.url, CALLS[0][0], other) == (200, recorded)
    strict = replayer(start_server, cassette)
    assert raw(strict.url, CALLS[0][0], other)[0] == 400
    with pytest.raises(ValueError, match="match on operation, model, body"):
        replayer(start_server, cassette, match=["modle"])


def test_the_same_request_recorded_twice_replays_in_order(
        start_server: Callable[..., Live], upstream: Live, tmp_path: Path) -> None:
    cassette = tmp_path / "c.jsonl"
    rec = recorder(start_server, upstream, cassette)
    testing.respond(upstream.thread.emulator, answers=["first", "second"])
    recorded = [raw(rec.url, *CALLS[0])[1] for _ in range(2)]
    assert [json.loads(r)["output"]["message"]["content"][0]["text"] for r in recorded] == \
        ["first", "second"]
    rep = replayer(start_server, cassette)
    assert [raw(rep.url, *CALLS[0])[1] for _ in range(3)] == [*recorded, recorded[1]]


def test_upstream_errors_are_recorded_and_replayed(start_server: Callable[..., Live],
                                                   upstream: Live, tmp_path: Path) -> None:
    cassette = tmp_path / "c.jsonl"
    rec = recorder(start_server, upstream, cassette)
    testing.respond(upstream.thread.emulator, error="ThrottlingException")
    status, body = raw(rec.url, *CALLS[0])
    assert status == 429
    rep = replayer(start_server, cassette)
    with pytest.raises(ClientError) as info:
        rep.client().converse(modelId=NOVA, messages=MESSAGES,
                              inferenceConfig={"maxTokens": 12})
    assert info.value.response["Error"]["Code"] == "ThrottlingException"
    assert raw(rep.url, *CALLS[0]) == (429, body)
