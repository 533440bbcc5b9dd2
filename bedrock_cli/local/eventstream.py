"""AWS event-stream (``application/vnd.amazon.eventstream``) frames, as Bedrock sends them.

Frame layout (big-endian), exactly what ``botocore.eventstream.EventStreamBuffer`` checks::

    total_length u32 | headers_length u32 | prelude_crc u32 | headers | payload | message_crc u32

``prelude_crc`` is the CRC-32 of the first 8 bytes; ``message_crc`` is the CRC-32 of every byte
before it. Bedrock only uses string headers; the encoder also accepts the other header value
types botocore can decode so tests can build any frame.

The decoder at the bottom is small and strict; it exists for tests and debugging. The client
side always uses botocore's own parser.
"""

from __future__ import annotations

import binascii
import json
import random
import struct
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

CONTENT_TYPE = "application/vnd.amazon.eventstream"

HeaderValue = str | bytes | bool | int | uuid.UUID

# Header value type tags (botocore.eventstream.DecodeUtils / EventStreamHeaderParser).
_TRUE, _FALSE, _INT8, _INT16, _INT32, _INT64, _BYTES, _STRING, _TIMESTAMP, _UUID = range(10)

_MAX_HEADERS = 128 * 1024
_MAX_PAYLOAD = 24 * 1024 * 1024

# Real Bedrock pads event payloads with "p": a prefix of this alphabet of random length.
_PAD_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_pad_rng = random.Random()


def _crc(data: bytes, start: int = 0) -> int:
    return binascii.crc32(data, start) & 0xFFFFFFFF


def _encode_header(name: str, value: HeaderValue) -> bytes:
    raw_name = name.encode("utf-8")
    if len(raw_name) > 255:
        raise ValueError(f"header name too long: {name!r}")
    out = struct.pack("!B", len(raw_name)) + raw_name
    if isinstance(value, bool):
        return out + struct.pack("!B", _TRUE if value else _FALSE)
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return out + struct.pack("!Bi", _INT32, value)
        return out + struct.pack("!Bq", _INT64, value)
    if isinstance(value, uuid.UUID):
        return out + struct.pack("!B", _UUID) + value.bytes
    tag = _BYTES
    if isinstance(value, str):
        tag, value = _STRING, value.encode("utf-8")
    if len(value) > 0xFFFF:
        raise ValueError(f"header value too long for {name!r}")
    return out + struct.pack("!BH", tag, len(value)) + value


def encode_message(headers: Mapping[str, HeaderValue], payload: bytes = b"") -> bytes:
    """Encode one event-stream message (header order is kept)."""
    header_bytes = b"".join(_encode_header(k, v) for k, v in headers.items())
    if len(header_bytes) > _MAX_HEADERS:
        raise ValueError("event-stream headers exceed 128 KiB")
    if len(payload) > _MAX_PAYLOAD:
        raise ValueError("event-stream payload exceeds 24 MiB")
    total = 12 + len(header_bytes) + len(payload) + 4
    prelude = struct.pack("!II", total, len(header_bytes))
    message = prelude + struct.pack("!I", _crc(prelude)) + header_bytes + payload
    return message + struct.pack("!I", _crc(message))


def _json(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def padding(rng: random.Random | None = None) -> str:
    """A random-length value for Bedrock's ``"p"`` padding field."""
    r = rng or _pad_rng
    return _PAD_ALPHABET[: r.randint(1, len(_PAD_ALPHABET) - 10)]


def padded(obj: dict[str, Any], rng: random.Random | None = None) -> dict[str, Any]:
    """A copy of an event payload with Bedrock's ``"p"`` padding appended (botocore ignores it)."""
    return {**obj, "p": padding(rng)}


def event(event_type: str, obj: Any) -> bytes:
    """An ``event`` message. For ConverseStream ``obj`` is the *inner* object (no wrapping);
    for InvokeModelWithResponseStream use ``event("chunk", {"bytes": <base64>})``."""
    return encode_message(
        {
            ":event-type": event_type,
            ":content-type": "application/json",
            ":message-type": "event",
        },
        _json(obj),
    )


def exception(exc_type: str, obj: Any) -> bytes:
    """An ``exception`` message; ``exc_type`` is the lowerCamel member name
    (``throttlingException``), which botocore reports as the error Code."""
    return encode_message(
        {
            ":exception-type": exc_type,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        _json(obj),
    )


def error(code: str, message: str) -> bytes:
    """An ``error`` message (no payload): botocore raises EventStreamError with Code=code."""
    return encode_message(
        {":message-type": "error", ":error-code": code, ":error-message": message}
    )


# --------------------------------------------------------------------------------- decoding


@dataclass(frozen=True)
class Message:
    headers: dict[str, HeaderValue]
    payload: bytes

    def json(self) -> Any:
        return json.loads(self.payload)


class DecodeError(ValueError):
    pass


def _decode_headers(data: bytes) -> dict[str, HeaderValue]:
    headers: dict[str, HeaderValue] = {}
    i = 0
    while i < len(data):
        n = data[i]
        name = data[i + 1 : i + 1 + n].decode("utf-8")
        i += 1 + n
        tag = data[i]
        i += 1
        value: HeaderValue
        if tag in (_TRUE, _FALSE):
            value = tag == _TRUE
        elif tag in (_INT8, _INT16, _INT32, _INT64, _TIMESTAMP):
            fmt = {_INT8: "!b", _INT16: "!h", _INT32: "!i", _INT64: "!q", _TIMESTAMP: "!q"}[tag]
            size = struct.calcsize(fmt)
            (value,) = struct.unpack(fmt, data[i : i + size])
            i += size
        elif tag in (_BYTES, _STRING):
            (length,) = struct.unpack("!H", data[i : i + 2])
            raw = data[i + 2 : i + 2 + length]
            value = raw.decode("utf-8") if tag == _STRING else raw
            i += 2 + length
        elif tag == _UUID:
            value = uuid.UUID(bytes=data[i : i + 16])
            i += 16
        else:
            raise DecodeError(f"unknown header type {tag}")
        if name in headers:
            raise DecodeError(f"duplicate header {name!r}")
        headers[name] = value
    return headers


def iter_messages(data: bytes) -> Iterator[Message]:
    """Decode concatenated frames, checking both CRCs; raises DecodeError on anything wrong."""
    i = 0
    while i < len(data):
        if len(data) - i < 16:
            raise DecodeError("truncated frame")
        total, hlen, prelude_crc = struct.unpack("!III", data[i : i + 12])
        if _crc(data[i : i + 8]) != prelude_crc:
            raise DecodeError("prelude CRC mismatch")
        frame = data[i : i + total]
        if len(frame) < total:
            raise DecodeError("truncated frame")
        (message_crc,) = struct.unpack("!I", frame[-4:])
        if _crc(frame[:-4]) != message_crc:
            raise DecodeError("message CRC mismatch")
        yield Message(_decode_headers(frame[12 : 12 + hlen]), frame[12 + hlen : -4])
        i += total


def decode_messages(data: bytes) -> list[Message]:
    return list(iter_messages(data))
