"""The frame encoder against botocore's own decoder."""

from __future__ import annotations

import json
import struct
import uuid

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from bedrock_cli.local import eventstream


def _botocore_decode(data: bytes) -> list:  # type: ignore[type-arg]
    buf = EventStreamBuffer()
    buf.add_data(data)
    return list(buf)


def test_event_frame_decodes_with_botocore() -> None:
    frame = eventstream.event(
        "contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hé"}}
    )
    [msg] = _botocore_decode(frame)
    assert msg.headers == {
        ":event-type": "contentBlockDelta",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert json.loads(msg.payload) == {"contentBlockIndex": 0, "delta": {"text": "Hé"}}
    total, hlen = struct.unpack("!II", frame[:8])
    assert total == len(frame)
    assert msg.prelude.headers_length == hlen


def test_exception_and_error_frames() -> None:
    exc = eventstream.exception("throttlingException", {"message": "slow down"})
    err = eventstream.error("InternalFailure", "boom")
    m1, m2 = _botocore_decode(exc + err)
    assert m1.headers[":message-type"] == "exception"
    assert m1.headers[":exception-type"] == "throttlingException"
    assert json.loads(m1.payload) == {"message": "slow down"}
    assert m2.headers == {
        ":message-type": "error",
        ":error-code": "InternalFailure",
        ":error-message": "boom",
    }
    assert m2.payload == b""


def test_all_header_types_round_trip_through_botocore() -> None:
    u = uuid.uuid4()
    headers = {"s": "text", "b": b"\x00\x01", "t": True, "f": False, "i": -7, "big": 2**40, "u": u}
    frame = eventstream.encode_message(headers, b"payload")
    [msg] = _botocore_decode(frame)
    assert msg.headers == {
        "s": "text",
        "b": b"\x00\x01",
        "t": True,
        "f": False,
        "i": -7,
        "big": 2**40,
        "u": u.bytes,
    }
    assert msg.payload == b"payload"
    [mine] = eventstream.decode_messages(frame)
    assert mine.headers == headers and mine.payload == b"payload"


def test_frames_split_arbitrarily_still_decode() -> None:
    data = b"".join(eventstream.event("e", {"i": i}) for i in range(5))
    buf = EventStreamBuffer()
    out = []
    for i in range(0, len(data), 7):
        buf.add_data(data[i : i + 7])
        out.extend(buf)
    assert [json.loads(m.payload)["i"] for m in out] == [0, 1, 2, 3, 4]


def test_corrupt_crc_is_detected_by_both_decoders() -> None:
    frame = bytearray(eventstream.event("e", {"x": 1}))
    frame[-6] ^= 0xFF
    with pytest.raises(ChecksumMismatch):
        _botocore_decode(bytes(frame))
    with pytest.raises(eventstream.DecodeError):
        eventstream.decode_messages(bytes(frame))


def test_padding_is_a_prefix_of_the_alphabet() -> None:
    obj = eventstream.padded({"role": "assistant"})
    assert list(obj) == ["role", "p"]
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    assert obj["p"] and alphabet.startswith(obj["p"])
    lengths = {len(eventstream.padding()) for _ in range(200)}
    assert len(lengths) > 10  # random length
