"""Checks made before anything is sent, pinned at their boundaries so that loosening any of them
fails a test (issue 13 item 20): the temperature range, the attachment limits of Converse
(images 3.75 MB and 8000 px a side, documents 4.5 MB) in the CLI and in the emulator, and the
inference-profile preference order of each geography."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from bedrock_cli.catalog import GEOGRAPHIES, get_catalog
from bedrock_cli.local import Emulator, EmulatorOptions, Request, modelref
from tests import helpers
from tests.fake_endpoint import FakeEndpoint
from tests.helpers import Run

MB = 1_000_000


def aws(endpoint: FakeEndpoint, *args: str) -> Run:
    return helpers.aws(endpoint, "--no-log", *args)


# -- temperature -----------------------------------------------------------------------------

@pytest.mark.parametrize("model", ["nova-lite", "haiku", "mistral-large-2402", "llama3-8b"])
@pytest.mark.parametrize("value", ["1.3", "1.01", "-0.1"])
def test_a_temperature_outside_0_to_1_is_exit_2_before_any_call(
        endpoint: FakeEndpoint, model: str, value: str) -> None:
    run = aws(endpoint, "generate", "hi", "-m", model, "--temperature", value)
    assert run.exit_code == 2, run.stderr  # type: ignore[attr-defined]
    assert f"--temperature {float(value):g}" in run.stderr  # type: ignore[attr-defined]
    assert endpoint.requests == []


@pytest.mark.parametrize("value", ["0", "1"])
def test_the_ends_of_the_temperature_range_are_sent(endpoint: FakeEndpoint, value: str) -> None:
    from tests.fake_endpoint import converse_frames

    endpoint.add_stream(converse_frames(["ok"]))
    run = aws(endpoint, "generate", "hi", "--temperature", value)
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    assert endpoint.requests[0].json()["inferenceConfig"]["temperature"] == float(value)


# -- attachments in the CLI ------------------------------------------------------------------

def png(path: Path, size: tuple[int, int], noise_bytes: int = 0) -> Path:
    """A valid PNG of `size`, padded past `noise_bytes` with an ancillary chunk if asked."""
    buf = io.BytesIO()
    Image.new("L", size, 0).save(buf, "PNG")
    data = buf.getvalue()
    if noise_bytes > len(data) + 12:
        import struct
        import zlib

        payload = b"\0" * (noise_bytes - len(data) - 12)  # the chunk adds 12 bytes of framing
        chunk = b"zzZz" + payload  # ancillary, private: readers skip it
        extra = struct.pack(">I", len(payload)) + chunk + struct.pack(">I", zlib.crc32(chunk))
        data = data[:-12] + extra + data[-12:]  # before IEND
    path.write_bytes(data)
    assert noise_bytes == 0 or len(data) == noise_bytes
    return path


@pytest.mark.parametrize(("size", "nbytes", "needle"), [
    ((64, 64), 3_750_001, "Bedrock takes images up to 3.75 MB"),
    ((8001, 8), 0, "at most 8000 per side"),
    ((8, 8001), 0, "at most 8000 per side"),
])
def test_an_oversized_image_is_exit_2_before_any_call(
        endpoint: FakeEndpoint, tmp_path: Path, size: tuple[int, int], nbytes: int,
        needle: str) -> None:
    image = png(tmp_path / "big.png", size, nbytes)
    run = aws(endpoint, "generate", "what is it", "-a", str(image))
    assert run.exit_code == 2, run.stderr  # type: ignore[attr-defined]
    assert needle in run.stderr  # type: ignore[attr-defined]
    assert endpoint.requests == []


def test_an_image_at_the_limits_is_sent(endpoint: FakeEndpoint, tmp_path: Path) -> None:
    from tests.fake_endpoint import converse_frames

    endpoint.add_stream(converse_frames(["a picture"]))
    image = png(tmp_path / "edge.png", (8000, 8), 3_750_000)
    assert image.stat().st_size == 3_750_000
    run = aws(endpoint, "generate", "what is it", "-a", str(image))
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    assert len(endpoint.requests) == 1


@pytest.mark.parametrize(("nbytes", "sent"), [(4_500_001, False), (4_500_000, True)])
def test_the_document_limit_is_4_5_mb(endpoint: FakeEndpoint, tmp_path: Path, nbytes: int,
                                      sent: bool) -> None:
    from tests.fake_endpoint import converse_frames

    endpoint.add_stream(converse_frames(["ok"]))
    doc = tmp_path / "notes.csv"
    doc.write_bytes(b"a,b\n" * (nbytes // 4) + b"x" * (nbytes % 4))
    run = aws(endpoint, "generate", "summarize", "-a", str(doc))
    if sent:
        assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
        assert len(endpoint.requests) == 1
    else:
        assert run.exit_code == 2
        assert "Bedrock takes documents up to 4.5 MB" in run.stderr  # type: ignore[attr-defined]
        assert endpoint.requests == []


# -- attachments in the emulator -------------------------------------------------------------

def converse(block: dict[str, object]) -> tuple[int, dict[str, object]]:
    """Status and body of a Converse call to the emulator; an error must be Bedrock's
    ValidationException."""
    emulator = Emulator(EmulatorOptions(region="us-east-1"))
    body = json.dumps({"messages": [{"role": "user", "content": [{"text": "hi"}, block]}],
                       "inferenceConfig": {"maxTokens": 3}}).encode()
    response = emulator.handle(Request("POST", "/model/amazon.nova-lite-v1%3A0/converse", {},
                                       {"Content-Type": "application/json"}, body))
    if response.status != 200:
        assert response.headers["x-amzn-ErrorType"].startswith("ValidationException")
    return response.status, json.loads(response.body)


def image_block(data: bytes) -> dict[str, object]:
    return {"image": {"format": "png", "source": {"bytes": base64.b64encode(data).decode()}}}


@pytest.mark.parametrize(("size", "nbytes", "ok"), [
    ((64, 64), 3_750_001, False), ((64, 64), 3_750_000, True),
    ((8001, 8), 0, False), ((8000, 8), 0, True),
])
def test_the_emulator_refuses_an_oversized_image_as_bedrock_does(
        tmp_path: Path, size: tuple[int, int], nbytes: int, ok: bool) -> None:
    status, body = converse(image_block(png(tmp_path / "i.png", size, nbytes).read_bytes()))
    if ok:
        assert status == 200, body
    else:
        assert status == 400
        assert "image" in str(body["message"]) and "Reduce its size" in str(body["message"])


@pytest.mark.parametrize(("nbytes", "ok"), [(4_500_001, False), (4_000, True)])
def test_the_emulator_refuses_an_oversized_document(nbytes: int, ok: bool) -> None:
    block = {"document": {"format": "txt", "name": "d", "source": {
        "bytes": base64.b64encode(b"a" * nbytes).decode()}}}
    status, body = converse(block)
    assert (status == 200) == ok, body
    if not ok:
        assert "over the maximum of 4500000 bytes" in str(body["message"])


# -- inference-profile preference ------------------------------------------------------------

#: (region, the geographies callable from it, most preferred first)
PREFERENCE = [
    ("us-east-1", ["us", "global"]), ("us-west-2", ["us", "global"]),
    ("eu-west-1", ["eu", "global"]), ("il-central-1", ["eu", "global"]),
    ("ap-northeast-1", ["jp", "apac", "global"]), ("ap-northeast-3", ["jp", "apac", "global"]),
    ("ap-southeast-2", ["au", "apac", "global"]), ("ap-southeast-4", ["au", "apac", "global"]),
    ("ap-south-1", ["apac", "global"]), ("me-central-1", ["apac", "global"]),
    ("ca-central-1", ["ca", "us", "global"]), ("us-gov-west-1", ["us-gov"]),
    ("sa-east-1", ["global"]),
]


@pytest.mark.parametrize(("region", "order"), PREFERENCE)
def test_profile_preference_per_geography(region: str, order: list[str]) -> None:
    """With every geography on offer, each Region takes its most specific profile, and each
    fallback in turn when the better ones are missing (the CLI and the emulator agree)."""
    base = get_catalog().find("nova-lite")
    assert base is not None
    for dropped in range(len(order) + 1):
        offered = tuple(g for g in GEOGRAPHIES if g not in order[:dropped])
        model = dataclasses.replace(base, profile_geographies=offered)
        assert modelref.profile_geographies(model, region) == order[dropped:]
        expected = order[dropped] if dropped < len(order) else None
        assert model.profile_geography_for(region) == expected, (region, offered)
