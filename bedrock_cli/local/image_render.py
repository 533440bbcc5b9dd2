"""Turn a validated `ImageRequest` into images with the diffusion engine (`engines/diffusion`).

Deterministic in (prompt, negative, seed, size, steps and the inputs): the same request gives
the same bytes. Image `i` of a multi-image request uses seed `seed + i`, so the images differ.
A seed of 0 on the Stability families means "random", as on Bedrock, and the seed used is
reported back.
"""

from __future__ import annotations

import io
import secrets
from typing import TYPE_CHECKING, Any

from bedrock_cli.families.images import ImageRequest, Rendered
from bedrock_cli.families.images.stability import ASPECT_SIZES

if TYPE_CHECKING:
    from PIL import Image

    from bedrock_cli.catalog import ImageLimits

DEFAULT_STEPS = 30  # for families whose API has no step count
DEFAULT_VARIATION_STRENGTH = 0.3  # Nova Canvas / Titan similarityStrength 0.7 [ref]
DEFAULT_CONTROL_STRENGTH = 0.7  # [ref] §3.1
_PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
_RANDOM_SEED_FAMILIES = {"stability", "sdxl"}


def decode(data: bytes) -> Image.Image:
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def encode(image: Image.Image, fmt: str = "png") -> bytes:
    out = io.BytesIO()
    pil_format = _PIL_FORMATS.get(fmt, "PNG")
    if pil_format != "PNG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.save(out, format=pil_format)
    return out.getvalue()


def output_size(request: ImageRequest, limits: ImageLimits, family: str) -> tuple[int, int]:
    """The size Bedrock would answer with for this request."""
    if request.task in ("inpainting", "outpainting", "background-removal") or (
            request.task == "image-to-image" and family == "sdxl"):
        return decode(request.image or b"").size
    if request.task == "image-to-image":  # Stability: the input's shape, about a megapixel
        width, height = decode(request.image or b"").size
        scale = (1024 * 1024 / (width * height)) ** 0.5
        return max(64, round(width * scale / 64) * 64), max(64, round(height * scale / 64) * 64)
    if limits.aspect_ratios:
        return ASPECT_SIZES.get(request.aspect_ratio or limits.default_aspect_ratio,
                                (1024, 1024))
    default = limits.default_size or (1024, 1024)
    return request.width or default[0], request.height or default[1]


def base_seed(request: ImageRequest, family: str) -> int:
    if request.seed == 0 and family in _RANDOM_SEED_FAMILIES:
        return secrets.randbelow(2**31 - 1) + 1
    return request.seed


def render_all(request: ImageRequest, limits: ImageLimits, family: str, *,
               steps_gif: bool = False) -> list[Rendered]:
    """Every image the request asks for, encoded, with its steps GIF when asked for."""
    from bedrock_cli.local.engines import diffusion

    width, height = output_size(request, limits, family)
    seed = base_seed(request, family)
    top = limits.seed_max or 2**32 - 1
    out = []
    for i in range(max(1, request.count)):
        image_seed = (seed + i) % (top + 1)
        recorder = diffusion.FrameRecorder() if steps_gif else None
        picture = _render_one(request, limits, width, height, image_seed, recorder)
        gif = diffusion.steps_gif(recorder.frames) if recorder and recorder.frames else None
        out.append(Rendered(encode(picture, request.output_format or "png"), image_seed, gif))
    return out


def _render_one(r: ImageRequest, limits: ImageLimits, width: int, height: int, seed: int,
                on_step: Any) -> Image.Image:
    from bedrock_cli.local.engines import diffusion

    steps = r.steps or limits.steps_default or DEFAULT_STEPS
    cfg = r.cfg_scale if r.cfg_scale is not None else (limits.cfg_default or 7.0)
    common: dict[str, Any] = {"seed": seed, "steps": steps, "negative": r.negative,
                              "cfg_scale": cfg, "on_step": on_step}
    if r.task == "background-removal":
        return diffusion.remove_background(decode(r.image or b"").convert("RGB"))
    if r.task in ("inpainting", "outpainting"):
        init = decode(r.image or b"").convert("RGB")
        mask, invert = _mask(r, init)
        if r.task == "outpainting":
            return diffusion.outpaint(init, width=width, height=height, prompt=r.prompt,
                                      mask=mask, invert_mask=invert, **common)
        return diffusion.render(r.prompt, width=width, height=height, init_image=init,
                                mask=mask, invert_mask=invert, **common)
    if r.task in ("image-variation", "image-to-image"):
        strength = r.strength if r.strength is not None else DEFAULT_VARIATION_STRENGTH
        return diffusion.render(r.prompt, width=width, height=height,
                                init_image=decode(r.image or b"").convert("RGB"),
                                strength=strength, **common)
    extra: dict[str, Any] = {}
    if r.task == "color-guided":
        extra["colors"] = list(r.colors)
    if r.condition_image is not None:
        extra.update(condition_image=decode(r.condition_image).convert("RGB"),
                     control=r.control or "canny",
                     control_strength=(r.control_strength if r.control_strength is not None
                                       else DEFAULT_CONTROL_STRENGTH))
    return diffusion.render(r.prompt, width=width, height=height, **common, **extra)


def _mask(r: ImageRequest, init: Image.Image) -> tuple[Image.Image, bool]:
    """The engine's mask (white = repaint unless inverted) for Bedrock's mask semantics:
    inpainting repaints the masked region, outpainting keeps it and repaints the rest."""
    from bedrock_cli.local.engines import diffusion

    outpaint = r.task == "outpainting"
    if r.mask_prompt:  # white = the described region
        return diffusion.describe_mask_prompt(init, r.mask_prompt), outpaint
    if r.mask_source == "alpha":  # SDXL INIT_IMAGE_ALPHA: transparent pixels are replaced
        from PIL import ImageOps

        alpha = decode(r.image or b"").convert("RGBA").getchannel("A")
        return ImageOps.invert(alpha), False
    mask = decode(r.mask_image or b"").convert("L")
    black_marks = r.mask_source == "black"
    # inpainting: the marked pixels are repainted; outpainting: they are kept
    return mask, black_marks != outpaint
