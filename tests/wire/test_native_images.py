"""The emulator's image models through a real boto3 client: each family answers in its own
format, deterministically, and refuses what Bedrock refuses."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from bedrock_cli.families.images import STEPS_FIELD
from tests.wire.conftest import make_client

CANVAS = "amazon.nova-canvas-v1:0"
TITAN = "amazon.titan-image-generator-v2:0"
TITAN_V1 = "amazon.titan-image-generator-v1"
SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
SDXL = "stability.stable-diffusion-xl-v1"


@pytest.fixture
def west() -> Any:
    return make_client("bedrock-runtime", region="us-west-2")


def invoke(client: Any, model: str, body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    response = client.invoke_model(modelId=model, body=json.dumps(body), **kwargs)
    assert response["contentType"] == "application/json"
    return json.loads(response["body"].read())


def picture(b64: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(b64)))
    image.load()
    return image


def png(width: int, height: int, color: tuple[int, ...] = (200, 60, 60),
        mode: str = "RGB") -> str:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def error_of(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def text_image(seed: int, n: int = 1, **config: Any) -> dict[str, Any]:
    return {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a blue sky over the sea"},
            "imageGenerationConfig": {"numberOfImages": n, "seed": seed, "width": 384,
                                      "height": 320, **config}}


def test_canvas_answers_in_its_format_with_the_requested_size(runtime: Any) -> None:
    body = invoke(runtime, CANVAS, text_image(5, n=2))
    assert set(body) == {"images", "error"} and body["error"] is None
    first, second = (picture(b) for b in body["images"])
    assert first.format == "PNG" and first.size == (384, 320) and first.mode == "RGB"
    assert first.tobytes() != second.tobytes()  # numberOfImages: distinct seeds
    r, _g, b = first.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert b > r  # a blue sky comes out blue


def test_same_seed_same_bytes_different_seed_different(runtime: Any) -> None:
    one = invoke(runtime, CANVAS, text_image(5))["images"][0]
    again = invoke(runtime, CANVAS, text_image(5))["images"][0]
    other = invoke(runtime, CANVAS, text_image(6))["images"][0]
    assert one == again
    assert one != other


def test_titan_same_schema(runtime: Any) -> None:
    body = invoke(runtime, TITAN, text_image(0, width=512, height=512))
    assert picture(body["images"][0]).size == (512, 512)


def test_stability_answers_seeds_finish_reasons_images(west: Any) -> None:
    body = invoke(west, SD35, {"prompt": "green hills", "mode": "text-to-image",
                               "aspect_ratio": "16:9", "seed": 77, "output_format": "jpeg"})
    assert body["seeds"] == [77] and body["finish_reasons"] == [None]
    image = picture(body["images"][0])
    assert image.format == "JPEG" and image.width > image.height
    random_seed = invoke(west, SD35, {"prompt": "green hills"})  # seed 0 = random
    assert random_seed["seeds"][0] > 0


def test_stability_image_to_image_and_core_refusal(west: Any) -> None:
    body = invoke(west, SD35, {"prompt": "a watercolor", "mode": "image-to-image",
                               "image": png(640, 480), "strength": 0.5, "seed": 3})
    assert picture(body["images"][0]).width > picture(body["images"][0]).height
    code, message = error_of(lambda: invoke(west, CORE, {
        "prompt": "x", "mode": "image-to-image", "image": png(640, 480), "strength": 0.5}))
    assert code == "ValidationException" and "image to image" in message


def test_sdxl_answers_artifacts(west: Any) -> None:
    body = invoke(west, SDXL, {"text_prompts": [{"text": "a lighthouse", "weight": 1.0},
                                                {"text": "fog", "weight": -1.0}],
                               "seed": 9, "steps": 10, "samples": 1, "width": 1152,
                               "height": 896})
    assert body["result"] == "success"
    [artifact] = body["artifacts"]
    assert artifact["seed"] == 9 and artifact["finishReason"] == "SUCCESS"
    assert picture(artifact["base64"]).size == (1152, 896)


def test_background_removal_is_a_transparent_png(runtime: Any) -> None:
    source = Image.new("RGB", (400, 400), (240, 240, 240))
    source.paste((30, 90, 200), (120, 120, 280, 280))
    buffer = io.BytesIO()
    source.save(buffer, format="PNG")
    body = invoke(runtime, CANVAS, {"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams":
                                    {"image": base64.b64encode(buffer.getvalue()).decode()}})
    out = picture(body["images"][0])
    assert out.mode == "RGBA" and out.size == (400, 400)
    assert out.getpixel((5, 5))[3] == 0  # background transparent
    assert out.getpixel((200, 200))[3] == 255  # subject opaque


def test_inpainting_keeps_what_is_outside_the_mask(runtime: Any) -> None:
    mask = Image.new("L", (400, 320), 255)
    mask.paste(0, (0, 0, 400, 160))  # black = repaint the top half
    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    source = png(400, 320, (10, 120, 30))
    body = invoke(runtime, CANVAS, {"taskType": "INPAINTING", "inPaintingParams": {
        "image": source, "maskImage": base64.b64encode(buffer.getvalue()).decode(),
        "text": "a yellow sun in a blue sky"}, "imageGenerationConfig": {"seed": 1}})
    out = picture(body["images"][0]).convert("RGB")
    assert out.getpixel((200, 300)) == (10, 120, 30)
    assert out.getpixel((200, 40)) != (10, 120, 30)


def test_steps_are_returned_only_when_asked_through_request_metadata(runtime: Any) -> None:
    plain = invoke(runtime, CANVAS, text_image(3))
    assert STEPS_FIELD not in plain
    asked = invoke(runtime, CANVAS, text_image(3),
                   requestMetadata=json.dumps({"task": "image", "steps": "gif"}))
    assert asked["images"] == plain["images"]  # the steps do not change the image
    gif = Image.open(io.BytesIO(base64.b64decode(asked[STEPS_FIELD][0])))
    assert gif.format == "GIF" and gif.n_frames >= 10


@pytest.mark.parametrize(("model", "body", "needle"), [
    (CANVAS, text_image(999_999_999), "The value 999999999 for seed is out of range. Valid "
     "values are between 0 and 858993459"),
    (CANVAS, text_image(1, cfgScale=12), "cfgScale is out of range"),
    (CANVAS, text_image(1, numberOfImages=6), "numberOfImages is out of range"),
    (CANVAS, text_image(1, width=1000, height=1000), "multiple of 16"),
    (TITAN, text_image(1, width=1000, height=1000), "1000x1000 is not one of the model's sizes"),
    (TITAN_V1, {"taskType": "COLOR_GUIDED_GENERATION", "colorGuidedGenerationParams": {
        "text": "x", "colors": ["#FF0000"]}}, "doesn't support color guided"),
    (CANVAS, {"taskType": "INPAINTING", "inPaintingParams": {"image": png(400, 400)}},
     "exactly one of maskPrompt or maskImage"),
    (CANVAS, {"taskType": "IMAGE_VARIATION", "imageVariationParams": {
        "images": [png(100, 100)]}}, "each side must be 320 to 4096"),
    (CANVAS, {"taskType": "IMAGE_VARIATION", "imageVariationParams": {
        "images": [png(400, 400)], "similarityStrength": 0.1}}, "similarityStrength"),
    (CANVAS, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x" * 1025}},
     "at most 1024 characters"),
])
def test_out_of_range_values_are_validation_errors(runtime: Any, model: str,
                                                   body: dict[str, Any], needle: str) -> None:
    code, message = error_of(lambda: invoke(runtime, model, body))
    assert code == "ValidationException"
    assert needle in message


@pytest.mark.parametrize("body", [
    {"taskType": "TEXT_IMAGE", "textToImageParams": {"prompt": "x"}},
    {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x"},
     "imageGenerationConfig": {"quality": "ultra"}},
    {"taskType": "PAINT", "textToImageParams": {"text": "x"}},
])
def test_schema_errors_are_malformed_input(runtime: Any, body: dict[str, Any]) -> None:
    code, message = error_of(lambda: invoke(runtime, CANVAS, body))
    assert code == "ValidationException"
    assert message.startswith("Malformed input request: ")


def test_stability_aspect_ratio_enum(west: Any) -> None:
    _code, message = error_of(lambda: invoke(west, SD35, {"prompt": "x", "aspect_ratio": "4:3"}))
    assert message.startswith("Malformed input request")


def test_image_models_do_not_stream(runtime: Any) -> None:
    with pytest.raises(ClientError) as info:
        runtime.invoke_model_with_response_stream(modelId=CANVAS, body=json.dumps(text_image(1)))
    assert info.value.response["Error"]["Code"] == "ValidationException"
