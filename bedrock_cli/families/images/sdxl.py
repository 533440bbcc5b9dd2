"""SDXL 1.0 (`stability.stable-diffusion-xl-v1`, [ref] §3.3, [doc] "Stability.ai Diffusion 1.0").

    {"text_prompts": [{"text": "...", "weight": 1.0}, {"text": "blurry", "weight": -1.0}],
     "height": 1024, "width": 1024, "cfg_scale": 7, "seed": 0, "steps": 30, "samples": 1,
     "init_image": "<b64>", "init_image_mode": "IMAGE_STRENGTH", "image_strength": 0.35,
     "mask_source": "MASK_IMAGE_BLACK", "mask_image": "<b64>"}
    -> {"result": "success",
        "artifacts": [{"seed": 1, "base64": "<b64>", "finishReason": "SUCCESS"}]}

A negative weight declares a negative prompt [doc]. `image_strength` is how much the init image
shapes the result (near 1: very similar), so it is `1 - strength`. finishReason is
SUCCESS | ERROR | CONTENT_FILTERED; a filtered artifact still carries an (unusable) image,
which is not kept.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .base import (
    INT,
    LIST,
    NUM,
    OBJ,
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

MASK_SOURCES = {"black": "MASK_IMAGE_BLACK", "white": "MASK_IMAGE_WHITE",
                "alpha": "INIT_IMAGE_ALPHA"}
_SOURCES = {native: name for name, native in MASK_SOURCES.items()}
DEFAULT_IMAGE_STRENGTH = 0.35  # the reference's example value
_SCHEMA: Schema = {
    "text_prompts": (LIST, True), "height": (INT, False), "width": (INT, False),
    "cfg_scale": (NUM, False), "clip_guidance_preset": (STR, False), "sampler": (STR, False),
    "samples": (INT, False), "seed": (INT, False), "steps": (INT, False),
    "style_preset": (STR, False), "extras": (OBJ, False), "init_image": (STR, False),
    "init_image_mode": (STR, False), "image_strength": (NUM, False),
    "step_schedule_start": (NUM, False), "step_schedule_end": (NUM, False),
    "mask_source": (STR, False), "mask_image": (STR, False),
}
_PROMPT: Schema = {"text": (STR, True), "weight": (NUM, False)}


class SdxlImages(ImageFamily):
    name = "sdxl"
    variation_task = "image-to-image"
    # init images within SDXL's one-megapixel budget, sides 64..1536 (UNVERIFIED)
    inputs = InputLimits(formats=("png", "jpeg"), min_side=64, max_side=1536,
                         max_pixels=1_048_576)
    fields: ClassVar[dict[str, str]] = {
        "count": "samples", "seed": "seed", "cfg_scale": "cfg_scale", "steps": "steps",
        "width": "width", "height": "height", "strength": "image_strength",
        "prompt": "text_prompts", "negative": "text_prompts",
    }

    # -- client side -------------------------------------------------------------------
    def build(self, request: ImageRequest) -> dict[str, Any]:
        prompts: list[dict[str, Any]] = [{"text": request.prompt, "weight": 1.0}]
        if request.negative:
            prompts.append({"text": request.negative, "weight": -1.0})
        body: dict[str, Any] = {"text_prompts": prompts, "seed": request.seed,
                                "samples": request.count}
        if request.cfg_scale is not None:
            body["cfg_scale"] = request.cfg_scale
        if request.steps is not None:
            body["steps"] = request.steps
        if request.task == "text-to-image":
            if request.width and request.height:
                body["width"], body["height"] = request.width, request.height
            return body
        body["init_image"] = b64(request.image or b"")
        if request.task == "inpainting":
            body["mask_source"] = MASK_SOURCES[request.mask_source]
            if request.mask_source != "alpha":
                body["mask_image"] = b64(request.mask_image or b"")
            return body
        strength = request.strength
        body["init_image_mode"] = "IMAGE_STRENGTH"
        body["image_strength"] = (DEFAULT_IMAGE_STRENGTH if strength is None
                                  else round(1.0 - strength, 4))
        return body

    def parse(self, body: dict[str, Any], requested: int) -> ImageResult:
        result = ImageResult([], [], requested, steps=steps_from(body))
        for artifact in body.get("artifacts") or []:
            reason = str(artifact.get("finishReason") or "SUCCESS")
            if reason == "CONTENT_FILTERED":
                result.blocked.append("CONTENT_FILTERED")
            elif reason != "SUCCESS":
                result.errors.append(reason)
            else:
                result.images.append(unb64(artifact.get("base64"), "artifacts/base64"))
                seed = artifact.get("seed")
                result.seeds.append(int(seed) if isinstance(seed, int) else None)
        if not isinstance(body.get("artifacts"), list):  # a broken answer, not a filter
            result.errors.append("the response has no artifacts field")
        elif result.missing and not result.blocked and not result.errors:
            result.blocked.append(f"{result.missing} of {requested} images did not come back")
        return result

    # -- emulator side -----------------------------------------------------------------
    def read(self, body: dict[str, Any]) -> ImageRequest:
        require(check(body, _SCHEMA))
        positive: list[str] = []
        negative: list[str] = []
        for i, item in enumerate(body["text_prompts"]):
            if not isinstance(item, dict):
                raise BodyError([f"#/text_prompts/{i}: expected type: JSONObject"])
            require(check(item, _PROMPT, f"#/text_prompts/{i}"))
            (negative if float(item.get("weight", 1.0)) < 0 else positive).append(item["text"])
        request = ImageRequest(
            task="text-to-image",
            prompt=" ".join(positive),
            negative=" ".join(negative),
            width=body.get("width"),
            height=body.get("height"),
            count=int(body.get("samples", 1)),
            seed=int(body.get("seed", 0)),
            cfg_scale=body.get("cfg_scale"),
            steps=body.get("steps"),
        )
        if "init_image" in body:
            request.image = unb64(body["init_image"], "#/init_image")
            self._read_init(request, body)
        elif "mask_source" in body or "mask_image" in body:
            raise BodyError(["#: required key [init_image] not found"])
        return request

    def _read_init(self, request: ImageRequest, body: dict[str, Any]) -> None:
        if "mask_source" in body:
            source = body["mask_source"]
            if source not in _SOURCES:
                raise BodyError([f"#/mask_source: {source} is not a valid enum value"])
            request.task, request.mask_source = "inpainting", _SOURCES[source]
            if source != "INIT_IMAGE_ALPHA":
                if "mask_image" not in body:
                    raise BodyError(["#: required key [mask_image] not found"])
                request.mask_image = unb64(body["mask_image"], "#/mask_image")
            return
        mode = body.get("init_image_mode", "IMAGE_STRENGTH")
        if mode not in ("IMAGE_STRENGTH", "STEP_SCHEDULE"):
            raise BodyError([f"#/init_image_mode: {mode} is not a valid enum value"])
        request.task = "image-to-image"
        if mode == "IMAGE_STRENGTH":
            similarity = float(body.get("image_strength", DEFAULT_IMAGE_STRENGTH))
        else:  # the schedule start is where denoising begins: 1 - start is kept
            similarity = 1.0 - float(body.get("step_schedule_start", 0.65))
        request.strength = round(1.0 - similarity, 4)

    def respond(self, images: list[Rendered]) -> dict[str, Any]:
        return with_steps({"result": "success", "artifacts": [
            {"seed": image.seed, "base64": b64(image.data), "finishReason": "SUCCESS"}
            for image in images]}, images)


FAMILY = SdxlImages()
