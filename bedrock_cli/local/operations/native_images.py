"""InvokeModel for the image families: read the native body with the family's own adapter,
refuse what Bedrock refuses, render with the diffusion engine, answer in the family's format.

Schema problems (missing or unknown keys, wrong types, values outside an enum) are Bedrock's
"Malformed input request"; values the schema allows but the model does not (sizes, seeds,
cfg, strengths, lengths, input images) are plain ValidationExceptions. The wording of the
latter is modelled on Bedrock's range message and is UNVERIFIED for the image models.

`requestMetadata` `{"steps": "gif"}` (see `families/images/base.py`) adds each image's
denoising steps as an animated GIF to the response.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from bedrock_cli.families.images import BodyError, ImageFamily, ImageRequest, family_for
from bedrock_cli.families.images.base import measure

from .. import errors
from ..router import Response
from .invoke import InvokeContext, malformed, native

if TYPE_CHECKING:
    from bedrock_cli.catalog import ImageLimits

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_PROMPTED = {"text-to-image", "conditioning", "color-guided", "image-to-image"}


@native("nova-canvas", "titan-image", "stability", "sdxl")
def images(ctx: InvokeContext) -> Response:
    from bedrock_cli.local.image_render import render_all

    family = family_for(ctx.model.family)
    try:
        request = family.read(ctx.body)
    except BodyError as exc:
        raise malformed(exc.violations) from None
    limits: ImageLimits = ctx.model.image
    check(family, limits, request)
    rendered = render_all(request, limits, family.name, steps_gif=wants_steps(ctx))
    return Response.json(family.respond(rendered))


def wants_steps(ctx: InvokeContext) -> bool:
    raw = ctx.request.headers.get("X-Amzn-Bedrock-Request-Metadata")
    try:
        metadata = json.loads(raw) if raw else {}
    except ValueError:
        return False
    return isinstance(metadata, dict) and metadata.get("steps") == "gif"


def check(family: ImageFamily, limits: ImageLimits, r: ImageRequest) -> None:
    """Bedrock's checks beyond the schema, in its words where known."""
    name = family.fields.get
    if r.task not in limits.tasks:
        raise errors.validation(f"This model doesn't support {r.task.replace('-', ' ')}.")
    _enum(limits.qualities, r.quality, "quality")
    _enum(limits.output_formats, r.output_format, "output_format")
    _enum(limits.aspect_ratios, r.aspect_ratio, "aspect_ratio")
    _range(name("count", "count"), r.count, 1, limits.max_images)
    _range(name("seed", "seed"), r.seed, limits.seed_min, limits.seed_max)
    if r.cfg_scale is not None and limits.cfg_min is not None and limits.cfg_max is not None:
        _range(name("cfg_scale", "cfg_scale"), r.cfg_scale, limits.cfg_min, limits.cfg_max)
    if r.steps is not None and limits.steps_min is not None and limits.steps_max is not None:
        _range(name("steps", "steps"), r.steps, limits.steps_min, limits.steps_max)
    _size(limits, r)
    _texts(family, limits, r)
    _strengths(family, r)
    _colors(r)
    _inputs(family, r)


def _enum(allowed: tuple[str, ...], value: str | None, field: str) -> None:
    if value is not None and allowed and value not in allowed:
        raise malformed([f"#/{field}: {value} is not a valid enum value"])


def _range(field: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise errors.out_of_range(field, _num(value), _num(low), _num(high))


def _num(value: float) -> Any:
    return int(value) if float(value).is_integer() else value


def _size(limits: ImageLimits, r: ImageRequest) -> None:
    if r.width is None and r.height is None:
        return
    default = limits.default_size or (1024, 1024)
    width, height = r.width or default[0], r.height or default[1]
    problem = limits.size_error(width, height)
    if problem:
        raise errors.validation(f"The image size {width}x{height} is not supported: {problem}.")


def _texts(family: ImageFamily, limits: ImageLimits, r: ImageRequest) -> None:
    field = family.fields.get("prompt", "prompt")
    if r.task in _PROMPTED and not r.prompt.strip():
        raise errors.validation(f"{field} must not be empty.")
    for value, cap, key in ((r.prompt, limits.prompt_max_chars, "prompt"),
                            (r.negative, limits.negative_prompt_max_chars, "negative")):
        if cap and len(value) > cap:
            raise errors.validation(f"{family.fields.get(key, key)} must be at most {cap} "
                                    f"characters; it is {len(value)}.")


def _strengths(family: ImageFamily, r: ImageRequest) -> None:
    if r.strength is not None:
        field = family.fields.get("strength", "strength")
        if field == "similarityStrength":  # sent as 1 - strength, 0.2..1.0
            _range(field, round(1 - r.strength, 4), 0.2, 1.0)
        else:
            shown = r.strength if field == "strength" else round(1 - r.strength, 4)
            _range(field, shown, 0.0, 1.0)
    if r.control_strength is not None:
        _range("controlStrength", r.control_strength, 0.0, 1.0)


def _colors(r: ImageRequest) -> None:
    if r.task != "color-guided":
        return
    if not 1 <= len(r.colors) <= 10:
        raise errors.validation(f"colors must hold 1 to 10 values; it holds {len(r.colors)}.")
    bad = [c for c in r.colors if not _HEX.match(c)]
    if bad:
        raise errors.validation(f"{bad[0]} is not a colour in #RRGGBB form.")


def _inputs(family: ImageFamily, r: ImageRequest) -> None:
    needs_mask = r.task in ("inpainting", "outpainting") and family.name != "sdxl"
    if needs_mask and (r.mask_prompt is None) == (r.mask_image is None):
        raise errors.validation("Provide exactly one of maskPrompt or maskImage.")
    sizes = {}
    for label, data in (("image", r.image), ("mask image", r.mask_image),
                        ("condition image", r.condition_image)):
        if data is None:
            continue
        fmt, width, height = measure(data)
        problem = family.inputs.problem(fmt, len(data), width, height)
        if problem:
            raise errors.validation(f"The {label} is not supported: {problem}.")
        sizes[label] = (width, height)
    if "mask image" in sizes and "image" in sizes and sizes["mask image"] != sizes["image"]:
        (mw, mh), (iw, ih) = sizes["mask image"], sizes["image"]
        raise errors.validation(f"The mask image is {mw}x{mh} but the image is {iw}x{ih}; "
                                "they must be the same size.")
