"""The cassette format on its own: frames split from any chunking, bodies kept exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bedrock_cli.local import eventstream
from bedrock_cli.local.cassette import (
    CassetteError,
    Interaction,
    decode_body,
    encode_body,
    frames,
    load,
    request_headers,
)

FRAMES = [eventstream.event("contentBlockDelta", {"delta": {"text": t}, "contentBlockIndex": 0})
          for t in ("Hel", "lo", " wörld", "")]


@given(st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=40))
def test_frames_are_found_whatever_the_chunking(sizes: list[int]) -> None:
    data = b"".join(FRAMES)
    chunks, pos, i = [], 0, 0
    while pos < len(data):
        size = sizes[i % len(sizes)]
        chunks.append(data[pos:pos + size])
        pos, i = pos + size, i + 1
    assert list(frames(chunks)) == FRAMES


def test_a_truncated_last_frame_is_passed_on() -> None:
    data = FRAMES[0] + FRAMES[1][:7]
    assert list(frames([data])) == [FRAMES[0], FRAMES[1][:7]]


@pytest.mark.parametrize("raw", [
    b'{"a":1,"b":"\xc3\xa9"}',          # compact JSON: stored as JSON, written back exactly
    b'{"a": 1}',                          # spaced JSON: kept as text
    b"\x89PNG\r\n\x1a\n\x00\xff",         # binary: base64
    b"",
])
def test_response_bodies_come_back_byte_for_byte(raw: bytes) -> None:
    doc = encode_body(raw)
    assert decode_body(json.loads(json.dumps(doc))) == raw
    if raw.startswith(b'{"a":1'):
        assert doc == {"json": {"a": 1, "b": "é"}}


def test_request_bodies_are_json_for_reading() -> None:
    assert encode_body(b'{"messages": [1, 2]}', exact=False) == {"json": {"messages": [1, 2]}}


def test_only_harmless_request_headers_are_kept() -> None:
    kept = request_headers({"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/...",
                            "X-Amz-Date": "20260101T000000Z", "X-Amz-Security-Token": "tok",
                            "Content-Type": "application/json", "User-Agent": "boto3",
                            "X-Amzn-Bedrock-GuardrailIdentifier": "g1",
                            "amz-sdk-invocation-id": "x"})
    assert kept == {"Content-Type": "application/json", "X-Amzn-Bedrock-GuardrailIdentifier": "g1"}


def test_an_interaction_round_trips_through_one_line() -> None:
    item = Interaction("ConverseStream", "POST", "/model/m%3A0/converse-stream",
                       {"Content-Type": "application/json"}, b'{"messages": []}', 200,
                       {"Content-Type": eventstream.CONTENT_TYPE}, events=FRAMES)
    line = item.to_line()
    assert "\n" not in line
    back = Interaction.from_line(line)
    assert back.events == FRAMES and back.path == item.path and back.status == 200


def test_a_broken_line_is_named(tmp_path: Path) -> None:
    good = Interaction("Converse", "POST", "/model/m/converse", {}, b"{}", 200, {},
                       b'{"ok":true}').to_line()
    cassette = tmp_path / "c.jsonl"
    cassette.write_text(f"{good}\n\n{{not json\n", encoding="utf-8")
    with pytest.raises(CassetteError, match="line 3 is not a recorded interaction"):
        load(cassette)


def test_strict_mode_does_not_judge_a_recorded_answer(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Bedrock may send members newer than the installed botocore knows: a replayed
    answer comes back as recorded even under strict mode, while an emulator answer is judged."""
    from bedrock_cli.local.router import Emulator, Request, Response
    from bedrock_cli.testing import replay

    monkeypatch.setenv("BEDROCK_CLI_LOCAL_STRICT", "1")
    body = (b'{"output":{"message":{"role":"assistant","content":[{"text":"hi"}]}},'
            b'"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,'
            b'"totalTokens":2},"metrics":{"latencyMs":3},"newerMember":{"x":1}}')
    path = "/model/amazon.nova-lite-v1%3A0/converse"
    request = b'{"messages":[{"role":"user","content":[{"text":"hi"}]}]}'
    cassette = tmp_path / "c.jsonl"
    cassette.write_text(Interaction("Converse", "POST", path, {}, request, 200,
                                    {"Content-Type": "application/json"}, body).to_line() + "\n",
                        encoding="utf-8")
    emulator = Emulator()
    replay(emulator, cassette)
    send = Request.from_target("POST", path, {"Content-Type": "application/json"}, request)
    assert emulator.handle(send).body == body
    emulator.interceptors.insert(0, lambda _r, _e: Response(200, {}, body))  # not recorded
    assert emulator.handle(send).status == 500
