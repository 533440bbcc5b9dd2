"""The image family adapters: exact native bodies per task, response parsing (filtering
included), and the emulator side reading back exactly what the client side builds."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest

from bedrock_cli.families.images import (
    STEPS_FIELD,
    BodyError,
    ImageRequest,
    Rendered,
    family_for,
)

IMG, MASK, COND = b"\x89PNG-image", b"\x89PNG-mask", b"\x89PNG-cond"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


CANVAS = family_for("nova-canvas")
TITAN = family_for("titan-image")
STABILITY = family_for("stability")
SDXL = family_for("sdxl")


# ------------------------------------------------------------------ Nova Canvas / Titan

AMAZON_CASES = [
    (ImageRequest("text-to-image", prompt="a red fox", negative="blurry", width=1280,
                  height=720, count=2, seed=7, cfg_scale=6.5, quality="premium"),
     {"taskType": "TEXT_IMAGE",
      "textToImageParams": {"text": "a red fox", "negativeText": "blurry"},
      "imageGenerationConfig": {"numberOfImages": 2, "seed": 7, "width": 1280, "height": 720,
                                "cfgScale": 6.5, "quality": "premium"}}),
    (ImageRequest("conditioning", prompt="a castle", width=1024, height=1024, seed=1,
                  condition_image=COND, control="segmentation", control_strength=0.5),
     {"taskType": "TEXT_IMAGE",
      "textToImageParams": {"text": "a castle", "conditionImage": b64(COND),
                            "controlMode": "SEGMENTATION", "controlStrength": 0.5},
      "imageGenerationConfig": {"numberOfImages": 1, "seed": 1, "width": 1024,
                                "height": 1024}}),
    (ImageRequest("image-variation", prompt="anime style", image=IMG, strength=0.3,
                  width=768, height=768, seed=3),
     {"taskType": "IMAGE_VARIATION",
      "imageVariationParams": {"images": [b64(IMG)], "text": "anime style",
                               "similarityStrength": 0.7},
      "imageGenerationConfig": {"numberOfImages": 1, "seed": 3, "width": 768,
                                "height": 768}}),
    (ImageRequest("inpainting", prompt="a yellow sun", image=IMG, mask_prompt="the sky",
                  seed=4),
     {"taskType": "INPAINTING",
      "inPaintingParams": {"image": b64(IMG), "text": "a yellow sun", "maskPrompt": "the sky"},
      "imageGenerationConfig": {"numberOfImages": 1, "seed": 4}}),
    (ImageRequest("outpainting", prompt="a beach", image=IMG, mask_image=MASK, seed=5),
     {"taskType": "OUTPAINTING",
      "outPaintingParams": {"image": b64(IMG), "text": "a beach", "maskImage": b64(MASK)},
      "imageGenerationConfig": {"numberOfImages": 1, "seed": 5}}),
    (ImageRequest("color-guided", prompt="a city", colors=("#FF9800", "#1E88E5"), image=IMG,
                  width=1024, height=1024, seed=6),
     {"taskType": "COLOR_GUIDED_GENERATION",
      "colorGuidedGenerationParams": {"text": "a city", "colors": ["#FF9800", "#1E88E5"],
                                      "referenceImage": b64(IMG)},
      "imageGenerationConfig": {"numberOfImages": 1, "seed": 6, "width": 1024,
                                "height": 1024}}),
    (ImageRequest("background-removal", image=IMG, seed=9),
     {"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": b64(IMG)}}),
]


@pytest.mark.parametrize(("request_", "body"), AMAZON_CASES, ids=lambda c: getattr(c, "task", ""))
def test_amazon_bodies(request_: ImageRequest, body: dict) -> None:
    assert CANVAS.build(request_) == body
    assert TITAN is CANVAS  # one schema for both


@pytest.mark.parametrize(("request_", "body"), AMAZON_CASES, ids=lambda c: getattr(c, "task", ""))
def test_amazon_emulator_reads_back_what_the_client_builds(request_: ImageRequest,
                                                           body: dict) -> None:
    read = CANVAS.read(body)
    expected = request_
    if request_.task in ("inpainting", "outpainting", "background-removal"):
        expected = replace(expected, width=None, height=None)
    if request_.task == "background-removal":
        expected = replace(expected, seed=0)
    assert read == expected


def test_amazon_parse_full_and_filtered() -> None:
    ok = CANVAS.parse({"images": [b64(b"one"), b64(b"two")], "error": None}, 2)
    assert ok.images == [b"one", b"two"] and ok.blocked == [] and ok.missing == 0
    some = CANVAS.parse({"images": [b64(b"one")], "error": "Some of the generated images have "
                         "been blocked by our content filters."}, 2)
    assert some.images == [b"one"] and some.missing == 1
    assert some.blocked == ["Some of the generated images have been blocked by our content "
                            "filters."]
    fewer = CANVAS.parse({"images": [b64(b"one")]}, 3)  # Canvas may omit `error`
    assert fewer.blocked == ["2 of 3 images did not come back"]


@pytest.mark.parametrize("body", [
    {"textToImageParams": {"text": "x"}},  # no taskType
    {"taskType": "TEXT_IMAGE"},  # no params
    {"taskType": "TEXT_IMAGE", "textToImageParams": {}},  # no text
    {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x", "bogus": 1}},
    {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": 5}},
    {"taskType": "MAKE_ART", "textToImageParams": {"text": "x"}},
    {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x"},
     "imageVariationParams": {"images": []}},
    {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x"},
     "imageGenerationConfig": {"seed": "12"}},
    {"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": "@@@"}},
])
def test_amazon_schema_violations(body: dict) -> None:
    with pytest.raises(BodyError):
        CANVAS.read(body)


def test_amazon_respond_and_steps_field() -> None:
    plain = CANVAS.respond([Rendered(b"png", 1)])
    assert plain == {"images": [b64(b"png")], "error": None}
    with_steps = CANVAS.respond([Rendered(b"png", 1, b"GIF89a")])
    assert with_steps[STEPS_FIELD] == [b64(b"GIF89a")]
    assert CANVAS.parse(with_steps, 1).steps == [b"GIF89a"]


# ------------------------------------------------------------------------- Stability

def test_stability_text_to_image_body() -> None:
    request = ImageRequest("text-to-image", prompt="a car made of vegetables",
                           negative="people", aspect_ratio="16:9", seed=42, output_format="jpeg")
    body = STABILITY.build(request)
    assert body == {"prompt": "a car made of vegetables", "mode": "text-to-image",
                    "negative_prompt": "people", "aspect_ratio": "16:9", "seed": 42,
                    "output_format": "jpeg"}
    assert STABILITY.read(body) == request


def test_stability_image_to_image_body() -> None:
    request = ImageRequest("image-to-image", prompt="watercolor", image=IMG, strength=0.6,
                           seed=3, output_format="png")
    body = STABILITY.build(request)
    assert body == {"prompt": "watercolor", "mode": "image-to-image", "image": b64(IMG),
                    "strength": 0.6, "seed": 3, "output_format": "png"}
    assert "aspect_ratio" not in body  # text-to-image only
    assert STABILITY.read(body) == request


def test_stability_parse() -> None:
    ok = STABILITY.parse({"seeds": [2130420379], "finish_reasons": [None],
                          "images": [b64(b"img")]}, 1)
    assert ok.images == [b"img"] and ok.seeds == [2130420379] and not ok.blocked
    filtered = STABILITY.parse({"finish_reasons": ["Filter reason: prompt"]}, 1)
    assert filtered.images == [] and filtered.blocked == ["Filter reason: prompt"]
    failed = STABILITY.parse({"seeds": [1], "finish_reasons": ["Inference error"],
                              "images": []}, 1)
    assert failed.errors == ["Inference error"] and not failed.blocked


def test_stability_schema() -> None:
    for body in ({"mode": "text-to-image"}, {"prompt": "x", "cfg_scale": 5},
                 {"prompt": "x", "mode": "sketch"},
                 {"prompt": "x", "mode": "image-to-image", "image": b64(IMG)}):
        with pytest.raises(BodyError):
            STABILITY.read(body)


# ------------------------------------------------------------------------------ SDXL

def test_sdxl_bodies() -> None:
    text = ImageRequest("text-to-image", prompt="a lighthouse", negative="blurry",
                        width=1152, height=896, seed=11, cfg_scale=9.0, steps=40)
    assert SDXL.build(text) == {
        "text_prompts": [{"text": "a lighthouse", "weight": 1.0},
                         {"text": "blurry", "weight": -1.0}],
        "seed": 11, "samples": 1, "cfg_scale": 9.0, "steps": 40, "width": 1152,
        "height": 896}
    assert SDXL.read(SDXL.build(text)) == text
    img2img = ImageRequest("image-to-image", prompt="oil painting", image=IMG, strength=0.6,
                           seed=2)
    assert SDXL.build(img2img) == {
        "text_prompts": [{"text": "oil painting", "weight": 1.0}], "seed": 2, "samples": 1,
        "init_image": b64(IMG), "init_image_mode": "IMAGE_STRENGTH", "image_strength": 0.4}
    assert SDXL.read(SDXL.build(img2img)) == img2img
    inpaint = ImageRequest("inpainting", prompt="a boat", image=IMG, mask_image=MASK, seed=8)
    assert SDXL.build(inpaint) == {
        "text_prompts": [{"text": "a boat", "weight": 1.0}], "seed": 8, "samples": 1,
        "init_image": b64(IMG), "mask_source": "MASK_IMAGE_BLACK", "mask_image": b64(MASK)}
    assert SDXL.read(SDXL.build(inpaint)) == inpaint


def test_sdxl_parse() -> None:
    body = {"result": "success", "artifacts": [
        {"seed": 5, "base64": b64(b"a"), "finishReason": "SUCCESS"},
        {"seed": 6, "base64": b64(b"blurred"), "finishReason": "CONTENT_FILTERED"}]}
    result = SDXL.parse(body, 2)
    assert result.images == [b"a"] and result.seeds == [5]
    assert result.blocked == ["CONTENT_FILTERED"]  # the filtered artifact is not kept
    error = SDXL.parse({"result": "success", "artifacts": [
        {"seed": 1, "base64": "", "finishReason": "ERROR"}]}, 1)
    assert error.errors == ["ERROR"] and error.images == []


def test_sdxl_schema() -> None:
    for body in ({"prompt": "x"}, {"text_prompts": ["x"]},
                 {"text_prompts": [{"weight": 1}]},
                 {"text_prompts": [{"text": "x"}], "mask_image": b64(MASK)},
                 {"text_prompts": [{"text": "x"}], "init_image": b64(IMG),
                  "mask_source": "MASK_IMAGE_BLACK"}):
        with pytest.raises(BodyError):
            SDXL.read(body)
