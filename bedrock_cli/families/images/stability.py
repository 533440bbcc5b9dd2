"""Stability AI 2024+ models: SD3.5 Large, Stable Image Ultra, Stable Image Core ([ref] §3.2).

    {"prompt": "...",                       required, at most 10,000 characters [doc]
     "negative_prompt": "...",
     "mode": "text-to-image" | "image-to-image",
     "aspect_ratio": "16:9" | "1:1" | ...,  text-to-image only [doc]
     "seed": 0,                             0 = random [doc]
     "output_format": "png" | "jpeg" | "webp",
     "image": "<b64>", "strength": 0.7}     image-to-image: 0 keeps the input, 1 ignores it
    -> {"seeds": [n], "finish_reasons": [null | "Filter reason: prompt" | ...], "images": [...]}

Stable Image Core is text-to-image only. One image per request. `mode` is always sent, as the
reference advises (the SD3.5 doc's image-to-image example omits it).
"""

from __future__ import annotations

from typing import Any, ClassVar

from .base import (
    INT,
    NUM,
    STR,
    BodyError,
    ImageFamily,
    ImageRequest,
    ImageResult,
    InputLimits,
    Rendered,
    Schema,
    b64,
    check,
    require,
    steps_from,
    unb64,
    with_steps,
)

MODES = {"text-to-image": "text-to-image", "image-to-image": "image-to-image"}
#: pixel sizes the aspect ratios come out at (about one megapixel; Stability's platform API
#: sizes, UNVERIFIED for Bedrock) — used by the emulator and to report sizes
ASPECT_SIZES: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024), "16:9": (1344, 768), "9:16": (768, 1344), "21:9": (1536, 640),
    "9:21": (640, 1536), "3:2": (1216, 832), "2:3": (832, 1216), "5:4": (1088, 896),
    "4:5": (896, 1088),
}
FILTER_PREFIX = "Filter reason:"
_SCHEMA: Schema = {"prompt": (STR, True), "negative_prompt": (STR, False),
                   "mode": (STR, False), "aspect_ratio": (STR, False), "seed": (INT, False),
                   "output_format": (STR, False), "image": (STR, False),
                   "strength": (NUM, False)}


class StabilityImages(ImageFamily):
    name = "stability"
    variation_task = "image-to-image"
    takes_aspect_ratio = True
    # Stability's platform-API rules for input images (UNVERIFIED for Bedrock)
    inputs = InputLimits(formats=("png", "jpeg", "webp"), min_side=64, max_pixels=9_437_184)
    fields: ClassVar[dict[str, str]] = {
        "seed": "seed", "strength": "strength", "prompt": "prompt",
        "negative": "negative_prompt", "aspect_ratio": "aspect_ratio",
        "output_format": "output_format",
    }

    # -- client side -------------------------------------------------------------------
    def build(self, request: ImageRequest) -> dict[str, Any]:
        body: dict[str, Any] = {"prompt": request.prompt, "mode": MODES[request.task]}
        if request.negative:
            body["negative_prompt"] = request.negative
        if request.task == "image-to-image":
            body["image"] = b64(request.image or b"")
            body["strength"] = request.strength if request.strength is not None else 0.7
        elif request.aspect_ratio:
            body["aspect_ratio"] = request.aspect_ratio
        body["seed"] = request.seed
        body["output_format"] = request.output_format or "png"
        return body

    def parse(self, body: dict[str, Any], requested: int) -> ImageResult:
        images = [unb64(item, "images") for item in body.get("images") or []]
        seeds = [int(s) if isinstance(s, int) else None for s in body.get("seeds") or []]
        seeds = (seeds + [None] * len(images))[: len(images)]
        result = ImageResult(images, seeds, requested, steps=steps_from(body))
        for reason in body.get("finish_reasons") or []:
            if isinstance(reason, str) and reason.startswith(FILTER_PREFIX):
                result.blocked.append(reason)
            elif reason is not None:
                result.errors.append(str(reason))
        if not isinstance(body.get("images"), list) and not result.blocked and \
                not result.errors:  # a broken answer, not a filter
            result.errors.append("the response has no images field")
        elif result.missing and not result.blocked and not result.errors:
            result.blocked.append(f"{result.missing} of {requested} images did not come back")
        return result

    # -- emulator side -----------------------------------------------------------------
    def read(self, body: dict[str, Any]) -> ImageRequest:
        require(check(body, _SCHEMA))
        mode = body.get("mode", "text-to-image")
        if mode not in MODES:
            raise BodyError([f"#/mode: {mode} is not a valid enum value"])
        if mode == "image-to-image":
            require([f"#: required key [{k}] not found" for k in ("image", "strength")
                     if k not in body])
        request = ImageRequest(
            task=mode,
            prompt=body["prompt"],
            negative=body.get("negative_prompt", ""),
            aspect_ratio=body.get("aspect_ratio"),
            seed=int(body.get("seed", 0)),
            output_format=body.get("output_format", "png"),
        )
        if mode == "image-to-image":
            request.image = unb64(body["image"], "#/image")
            request.strength = float(body["strength"])
        return request

    def respond(self, images: list[Rendered]) -> dict[str, Any]:
        return with_steps({"seeds": [image.seed for image in images],
                           "finish_reasons": [None for _ in images],
                           "images": [b64(image.data) for image in images]}, images)


FAMILY = StabilityImages()
