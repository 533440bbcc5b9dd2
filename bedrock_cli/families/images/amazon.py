"""Nova Canvas and Titan Image Generator v1/v2: one shared schema ([ref] §3.1).

    {"taskType": "TEXT_IMAGE" | "IMAGE_VARIATION" | "INPAINTING" | "OUTPAINTING" |
                 "COLOR_GUIDED_GENERATION" | "BACKGROUND_REMOVAL",
     "<task>Params": {...},
     "imageGenerationConfig": {"numberOfImages", "width", "height", "cfgScale", "seed",
                               "quality"}}          (absent for BACKGROUND_REMOVAL)
    -> {"images": ["<b64 png>", ...], "error": null | "...content filters."}

Masks follow Bedrock: black pixels are "inside the mask". Inpainting repaints inside it;
outpainting keeps inside it and regenerates the rest ([doc] Titan guide: "(0 0 0) is a pixel
inside the mask"; the outpainting reading for Nova Canvas is UNVERIFIED).
`similarityStrength` (0.2–1.0, higher = closer to the input) is `1 - strength`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .base import (
    CONTROL_MODES,
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

TASK_TYPES = {
    "text-to-image": "TEXT_IMAGE",
    "conditioning": "TEXT_IMAGE",
    "image-variation": "IMAGE_VARIATION",
    "inpainting": "INPAINTING",
    "outpainting": "OUTPAINTING",
    "color-guided": "COLOR_GUIDED_GENERATION",
    "background-removal": "BACKGROUND_REMOVAL",
}
PARAMS = {
    "TEXT_IMAGE": "textToImageParams",
    "IMAGE_VARIATION": "imageVariationParams",
    "INPAINTING": "inPaintingParams",
    "OUTPAINTING": "outPaintingParams",
    "COLOR_GUIDED_GENERATION": "colorGuidedGenerationParams",
    "BACKGROUND_REMOVAL": "backgroundRemovalParams",
}
_MODES = {native: name for name, native in CONTROL_MODES.items()}

# The schema of each params object (closed: Bedrock refuses extraneous keys).
_SCHEMAS: dict[str, Schema] = {
    "TEXT_IMAGE": {"text": (STR, True), "negativeText": (STR, False),
                   "conditionImage": (STR, False), "controlMode": (STR, False),
                   "controlStrength": (NUM, False), "style": (STR, False)},
    "IMAGE_VARIATION": {"images": (LIST, True), "text": (STR, False),
                        "negativeText": (STR, False), "similarityStrength": (NUM, False)},
    "INPAINTING": {"image": (STR, True), "text": (STR, False), "negativeText": (STR, False),
                   "maskPrompt": (STR, False), "maskImage": (STR, False),
                   "returnMask": ((bool,), False)},
    "OUTPAINTING": {"image": (STR, True), "text": (STR, False), "negativeText": (STR, False),
                    "maskPrompt": (STR, False), "maskImage": (STR, False),
                    "outPaintingMode": (STR, False), "returnMask": ((bool,), False)},
    "COLOR_GUIDED_GENERATION": {"text": (STR, True), "colors": (LIST, True),
                                "referenceImage": (STR, False), "negativeText": (STR, False)},
    "BACKGROUND_REMOVAL": {"image": (STR, True)},
}
_CONFIG: Schema = {"numberOfImages": (INT, False), "width": (INT, False),
                   "height": (INT, False), "cfgScale": (NUM, False), "seed": (INT, False),
                   "quality": (STR, False)}
# tasks whose output size comes from the input image, not from imageGenerationConfig
_SIZE_FROM_INPUT = {"inpainting", "outpainting", "background-removal"}


def _similarity(strength: float) -> float:
    return round(1.0 - strength, 4)


class AmazonImages(ImageFamily):
    """Nova Canvas (`nova-canvas`) and Titan Image Generator (`titan-image`)."""

    name = "nova-canvas"
    variation_task = "image-variation"
    # Nova Canvas input images: the output-size rules without the multiple of 16 ([ref] §3.1);
    # assumed the same for Titan (UNVERIFIED).
    inputs = InputLimits(formats=("png", "jpeg"), min_side=320, max_side=4096,
                         max_pixels=4_194_304, min_aspect=0.25, max_aspect=4.0)
    fields: ClassVar[dict[str, str]] = {
        "count": "numberOfImages", "seed": "seed", "cfg_scale": "cfgScale", "width": "width",
        "height": "height", "quality": "quality", "strength": "similarityStrength",
        "control_strength": "controlStrength", "prompt": "text", "negative": "negativeText",
        "colors": "colors",
    }

    # -- client side -------------------------------------------------------------------
    def build(self, request: ImageRequest) -> dict[str, Any]:
        task_type = TASK_TYPES[request.task]
        params = self._params(request)
        body: dict[str, Any] = {"taskType": task_type, PARAMS[task_type]: params}
        if request.task == "background-removal":
            return body
        config: dict[str, Any] = {"numberOfImages": request.count, "seed": request.seed}
        if request.task not in _SIZE_FROM_INPUT and request.width and request.height:
            config["width"], config["height"] = request.width, request.height
        if request.cfg_scale is not None:
            config["cfgScale"] = request.cfg_scale
        if request.quality:
            config["quality"] = request.quality
        body["imageGenerationConfig"] = config
        return body

    def _params(self, r: ImageRequest) -> dict[str, Any]:
        text: dict[str, Any] = {"text": r.prompt} if r.prompt else {}
        if r.negative:
            text["negativeText"] = r.negative
        if r.task in ("text-to-image", "conditioning"):
            params = dict(text)
            if r.condition_image is not None:
                params["conditionImage"] = b64(r.condition_image)
                params["controlMode"] = CONTROL_MODES[r.control or "canny"]
                if r.control_strength is not None:
                    params["controlStrength"] = r.control_strength
            return params
        if r.task == "image-variation":
            params = {"images": [b64(r.image or b"")], **text}
            if r.strength is not None:
                params["similarityStrength"] = _similarity(r.strength)
            return params
        if r.task in ("inpainting", "outpainting"):
            params = {"image": b64(r.image or b""), **text}
            if r.mask_prompt:
                params["maskPrompt"] = r.mask_prompt
            elif r.mask_image is not None:
                params["maskImage"] = b64(r.mask_image)
            return params
        if r.task == "color-guided":
            params = {**text, "colors": list(r.colors)}
            if r.image is not None:
                params["referenceImage"] = b64(r.image)
            return params
        return {"image": b64(r.image or b"")}  # background-removal

    def parse(self, body: dict[str, Any], requested: int) -> ImageResult:
        images = [unb64(item, "images") for item in body.get("images") or []]
        error = body.get("error")
        result = ImageResult(images, [None] * len(images), requested, steps=steps_from(body))
        if isinstance(error, str) and error:
            result.blocked.append(error)
        elif not isinstance(body.get("images"), list):  # a broken answer, not a filter
            result.errors.append("the response has no images field")
        elif result.missing:
            result.blocked.append(f"{result.missing} of {requested} images did not come back")
        return result

    # -- emulator side -----------------------------------------------------------------
    def read(self, body: dict[str, Any]) -> ImageRequest:
        require(check(body, {"taskType": (STR, True), **{p: (OBJ, False) for p in
                                                          PARAMS.values()},
                             "imageGenerationConfig": (OBJ, False)}))
        task_type = body["taskType"]
        if task_type not in PARAMS:
            raise BodyError([f"#/taskType: {task_type} is not a valid enum value"])
        key = PARAMS[task_type]
        others = [p for p in PARAMS.values() if p != key and p in body]
        violations = [f"#: extraneous key [{p}] is not permitted" for p in others]
        if key not in body:
            violations.append(f"#: required key [{key}] not found")
        require(violations)
        params: dict[str, Any] = body[key]
        config: dict[str, Any] = body.get("imageGenerationConfig") or {}
        require(check(params, _SCHEMAS[task_type], f"#/{key}")
                + check(config, _CONFIG, "#/imageGenerationConfig"))
        if task_type == "BACKGROUND_REMOVAL" and "imageGenerationConfig" in body:
            raise BodyError(["#: extraneous key [imageGenerationConfig] is not permitted"])
        request = ImageRequest(
            task=_task(task_type, params),
            prompt=params.get("text", ""),
            negative=params.get("negativeText", ""),
            width=config.get("width"),
            height=config.get("height"),
            count=int(config.get("numberOfImages", 1)),
            seed=int(config.get("seed", 0)),
            cfg_scale=config.get("cfgScale"),
            quality=config.get("quality"),
            mask_prompt=params.get("maskPrompt"),
        )
        self._read_inputs(request, task_type, key, params)
        return request

    def _read_inputs(self, r: ImageRequest, task_type: str, key: str,
                     params: dict[str, Any]) -> None:
        where = f"#/{key}"
        if "image" in params:
            r.image = unb64(params["image"], f"{where}/image")
        if "maskImage" in params:
            r.mask_image = unb64(params["maskImage"], f"{where}/maskImage")
        if task_type == "IMAGE_VARIATION":
            images = params["images"]
            if images:
                r.image = unb64(images[0], f"{where}/images/0")
            if "similarityStrength" in params:
                r.strength = _similarity(float(params["similarityStrength"]))
        if "conditionImage" in params:
            r.condition_image = unb64(params["conditionImage"], f"{where}/conditionImage")
            mode = params.get("controlMode", "CANNY_EDGE")
            if mode not in _MODES:
                raise BodyError([f"{where}/controlMode: {mode} is not a valid enum value"])
            r.control = _MODES[mode]
            r.control_strength = params.get("controlStrength")
        if task_type == "COLOR_GUIDED_GENERATION":
            r.colors = tuple(str(c) for c in params["colors"])
            if "referenceImage" in params:
                r.image = unb64(params["referenceImage"], f"{where}/referenceImage")

    def respond(self, images: list[Rendered]) -> dict[str, Any]:
        return with_steps({"images": [b64(image.data) for image in images], "error": None},
                          images)


def _task(task_type: str, params: dict[str, Any]) -> str:
    if task_type == "TEXT_IMAGE":
        return "conditioning" if "conditionImage" in params else "text-to-image"
    return next(name for name, native in TASK_TYPES.items()
                if native == task_type and name != "conditioning")


FAMILY = AmazonImages()
