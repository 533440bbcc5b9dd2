"""The emulator's image engine: a procedural renderer driven by a real diffusion schedule.

Honest about what it is. There is no neural network: the "denoiser" is an oracle that knows
the picture the prompt describes. The prompt is parsed into a composition (sky, clouds, sun,
moon, sea, hills, mountains, fields, trees, city, shapes, lettering, style; see
`picture.prompt`) and painted as the target x0. The sampler is the real thing: seeded
Gaussian noise x_T, Stable-Diffusion's scaled-linear beta schedule over T = 1000 training
steps, and `steps` deterministic DDIM updates (eta = 0)

    eps_hat = (x_t - sqrt(a_t) * x0_hat) / sqrt(1 - a_t)
    x_prev  = sqrt(a_prev) * x0_hat + sqrt(1 - a_prev) * eps_hat

where the denoiser's x0_hat goes from coarse (a blurred target at high noise) to fine, as a
trained model's does, and a short schedule resolves less of the fine detail (1 step is soft,
4 steps carry half the detail, 30 steps 99%). Image-to-image starts part-way down the
schedule from the noised input (t = strength * T) and denoises toward a blend of the prompt's
picture and the input.

Everything is deterministic in (prompt, negative, seed, width, height, steps, cfg_scale and
the other inputs): numpy `Generator(PCG64(...))` only, no global RNG, no clock.

Mask convention: in `mask` images WHITE marks the area to repaint and black the area to
keep. Nova Canvas and Titan use the opposite (black = edit); pass `invert_mask=True` for
those. Pixels outside the repaint area come back bit-for-bit identical to the input.

Public API: `render`, `outpaint`, `remove_background`, `describe_mask_prompt`, `steps_gif`,
`FrameRecorder`, `noise_schedule`, `ddim_timesteps`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from .picture import compose as cmp
from .picture.colors import RGB, parse_hex, word_hash
from .picture.frames import FrameRecorder, steps_gif
from .picture.masks import describe_mask_prompt, extend_fill, remove_background, shift_fill
from .picture.noise import (
    Array,
    blur_plane,
    blur_rgb,
    fbm,
    resize_plane,
    to_float,
    to_uint8,
)
from .picture.prompt import Composition, parse
from .picture.restyle import restyle
from .picture.sampler import (
    TRAIN_STEPS,
    StepCallback,
    ddim_timesteps,
    decode,
    guide,
    noise_schedule,
    sample,
)
from .picture.scene import palette_for
from .picture.style import apply_control

__all__ = [
    "FrameRecorder",
    "StepCallback",
    "ddim_timesteps",
    "describe_mask_prompt",
    "noise_schedule",
    "outpaint",
    "remove_background",
    "render",
    "steps_gif",
]

MAX_SIDE = 8192
CONTROL_MODES = {
    "canny": "canny",
    "canny_edge": "canny",
    "edge": "canny",
    "segmentation": "segmentation",
    "seg": "segmentation",
}


def _check(width: int, height: int, steps: int, seed: int) -> None:
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise ValueError(f"image size must be 1..{MAX_SIDE} pixels a side, got {width}x{height}")
    if not 1 <= steps <= TRAIN_STEPS:
        raise ValueError(f"steps must be 1..{TRAIN_STEPS}, got {steps}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")


def _rngs(prompt: str, seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """(noise rng: depends on the seed only, scene rng: seed and prompt)."""
    noise = np.random.Generator(np.random.PCG64(seed))
    scene = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, word_hash(prompt)])))
    return noise, scene


def _colors(colors: Sequence[str] | None) -> list[RGB]:
    return [parse_hex(c) for c in colors] if colors else []


def _mask_array(mask: Image.Image, width: int, height: int, invert: bool) -> Array:
    m = mask.convert("L")
    if m.size != (width, height):
        m = m.resize((width, height), Image.Resampling.BILINEAR)
    arr = np.asarray(m, dtype=np.float32) / 255.0
    return 1.0 - arr if invert else arr


def render(
    prompt: str,
    *,
    width: int,
    height: int,
    seed: int,
    steps: int = 30,
    negative: str = "",
    cfg_scale: float = 7.0,
    init_image: Image.Image | None = None,
    strength: float = 0.7,
    mask: Image.Image | None = None,
    invert_mask: bool = False,
    colors: Sequence[str] | None = None,
    condition_image: Image.Image | None = None,
    control: str | None = None,
    control_strength: float = 0.7,
    on_step: StepCallback | None = None,
) -> Image.Image:
    """Render `prompt` as an RGB image of exactly width x height.

    - text-to-image: from seeded noise, `steps` DDIM steps.
    - image-to-image (`init_image`, no mask): strength 0 returns the input (resized) without
      running any step; 1 ignores it; in between round(steps * strength) steps run from the
      input noised to t = strength * T, toward the input restyled and blended with the
      prompt's picture (the blend leans to the prompt as strength grows). Nova/Titan
      `similarityStrength` s corresponds to strength 1 - s.
    - inpainting (`init_image` and `mask`, white = repaint unless `invert_mask`): the masked
      area is regenerated from noise (strength is not used); the rest is kept exactly.
    - `colors`: "#RRGGBB" palette guidance; `condition_image` + `control` ("canny" |
      "segmentation") keeps that image's layout by `control_strength`.
    - `on_step(step, total, frame)` after every reverse step with the current noisy image.
    """
    _check(width, height, steps, seed)
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be within 0..1, got {strength}")
    if mask is not None and init_image is None:
        raise ValueError("a mask needs the image it applies to (init_image)")
    mode = None
    if condition_image is not None:
        mode = CONTROL_MODES.get((control or "canny").lower())
        if mode is None:
            raise ValueError(f"control must be 'canny' or 'segmentation', got {control!r}")
    guidance = _colors(colors)
    comp = parse(prompt, negative)
    noise_rng, rng = _rngs(prompt, seed)
    eps = noise_rng.standard_normal((height, width, 3), dtype=np.float32)

    if init_image is not None and mask is not None:
        init = to_float(init_image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS))
        m = _mask_array(mask, width, height, invert_mask)
        return _edit(comp, init, m, rng, eps, steps, guidance, cfg_scale, on_step)

    if init_image is not None and strength < 1.0:
        init = to_float(init_image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS))
        if strength <= 0.0:
            return Image.fromarray(to_uint8(init), "RGB")
        target = _image_to_image_target(comp, init, strength, rng, guidance, width, height)
        if condition_image is not None and mode is not None:
            target = apply_control(target, condition_image, mode, control_strength)
        x = sample(
            guide(target, comp, cfg_scale),
            eps,
            steps,
            style=comp.style,
            start=init,
            strength=strength,
            on_step=on_step,
        )
        return decode(x)

    target = cmp.compose(
        comp,
        width,
        height,
        rng,
        guidance=guidance,
        condition=condition_image,
        control=mode,
        control_strength=control_strength,
    )
    x = sample(guide(target, comp, cfg_scale), eps, steps, style=comp.style, on_step=on_step)
    return decode(x)


def _image_to_image_target(
    comp: Composition,
    init: Array,
    strength: float,
    rng: np.random.Generator,
    guidance: list[RGB],
    width: int,
    height: int,
) -> Array:
    """The input, softened and restyled by strength, pulled toward the prompt's picture.

    A prompt that only names a style ("into anime style") restyles the input and nothing
    more; one that describes colours or a scene also moves the input's colours toward its
    picture and, as strength grows, blends the picture in.
    """
    palette = palette_for(comp, guidance or None)
    back = cmp.backdrop(comp, width, height, rng, palette, guidance)
    side = min(width, height)
    soft = init
    radius = strength**2 * side / 160.0
    if radius >= 0.5:
        soft = blur_rgb(init, radius)
    content = comp.is_scene or bool(comp.free_colors) or bool(guidance)
    soft = cmp.match_colors(soft, back.rgb, strength * 0.6 if content else 0.0)
    weight = strength**2 if comp.is_scene else 0.0
    base = soft + (back.rgb - soft) * np.float32(weight)
    sparkles = back.sparkles if comp.is_scene else []
    drawn = cmp.decorate(
        base, comp, sparkles, rng, cmp.object_palette(comp, guidance), scene=back.scene
    )
    styled = restyle(drawn, comp.style, rng, strength)
    # a style carries the whole picture by strength 0.3 (Canvas's default similarity 0.7)
    amount = np.float32(min(1.0, 0.3 + strength * 2.4))
    return (drawn + (styled - drawn) * amount).astype(np.float32)


def _edit(
    comp: Composition,
    init: Array,
    m: Array,
    rng: np.random.Generator,
    eps: Array,
    steps: int,
    guidance: list[RGB],
    cfg_scale: float,
    on_step: StepCallback | None,
    *,
    fill: Array | None = None,
    scene_weight: Array | None = None,
) -> Image.Image:
    """Regenerate where m > 0 (inpainting / outpainting); keep the rest bit for bit.

    fill: what the repaint area continues from its surroundings (default: `shift_fill`);
    scene_weight: how much of the prompt's scene (when it describes one) replaces the fill
    (default: all of it).
    """
    height, width = init.shape[:2]
    init_u8 = to_uint8(init)
    repaint = m > (0.5 / 255.0)
    if not repaint.any():
        return Image.fromarray(init_u8, "RGB")
    side = min(width, height)
    weight = m * blur_plane(m, max(1.0, side / 256.0))
    weight = np.where(repaint, np.maximum(weight, m * 0.5), 0.0).astype(np.float32)
    if fill is None:
        fill = shift_fill(init, repaint)
    variation = fbm(rng, min(height, 256), min(width, 256), cells=8, octaves=3) - 0.5
    fill = fill * (1.0 + 0.05 * resize_plane(variation, width, height))[..., None]
    palette = palette_for(comp, guidance or None)
    sparkles = []
    if comp.is_scene:
        back = cmp.backdrop(comp, width, height, rng, palette, guidance)
        k = np.float32(1.0) if scene_weight is None else scene_weight[..., None]
        inside = fill + (back.rgb - fill) * k
        sparkles = back.sparkles
    elif comp.free_colors or guidance:
        tint = np.asarray((guidance or comp.free_colors)[0], dtype=np.float32) / 255.0
        lum = fill.mean(-1, keepdims=True)
        inside = fill * 0.3 + np.clip(tint * (0.5 + lum), 0, 1) * 0.7
    else:
        inside = fill
    ys, xs = np.nonzero(repaint)
    region = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
    base = init * (1.0 - weight[..., None]) + inside * weight[..., None]
    decorated = cmp.decorate(
        base,
        comp,
        sparkles,
        rng,
        cmp.object_palette(comp, guidance),
        scene=comp.is_scene and scene_weight is None,
        region=region,
    )
    styled = cmp.finish(decorated, comp, rng)
    target = init + (guide(styled, comp, cfg_scale) - init) * weight[..., None]
    keep_w = (1.0 - weight)[..., None].astype(np.float32)
    x = sample(
        target.astype(np.float32),
        eps,
        steps,
        style=comp.style,
        keep=(init, keep_w),
        on_step=on_step,
    )
    out = to_uint8((x + 1.0) * 0.5)
    out[~repaint] = init_u8[~repaint]
    return Image.fromarray(out, "RGB")


def outpaint(
    image: Image.Image,
    *,
    width: int,
    height: int,
    seed: int,
    prompt: str = "",
    steps: int = 30,
    negative: str = "",
    cfg_scale: float = 7.0,
    mask: Image.Image | None = None,
    invert_mask: bool = False,
    position: tuple[int, int] | None = None,
    on_step: StepCallback | None = None,
) -> Image.Image:
    """Extend `image` to width x height, filling new areas consistently with its edges.

    The image is placed at `position` (top-left; default centred), scaled down to fit if it
    is larger than the canvas. Everything outside it is generated: the image is mirrored
    across its edges and softened with distance, so skies, horizons and grounds continue;
    when the prompt describes a scene, that scene takes over farther out. `mask`
    (canvas-sized; white = repaint unless `invert_mask`) adds areas to repaint, so a
    same-size canvas with a mask regenerates only the masked part. Kept pixels come back
    bit for bit.
    """
    _check(width, height, steps, seed)
    src = image.convert("RGB")
    if src.width > width or src.height > height:
        scale = min(width / src.width, height / src.height)
        src = src.resize(
            (max(1, int(src.width * scale)), max(1, int(src.height * scale))),
            Image.Resampling.LANCZOS,
        )
    left, top = (
        position if position is not None else ((width - src.width) // 2, (height - src.height) // 2)
    )
    canvas = Image.new("RGB", (width, height), (0, 0, 0))
    canvas.paste(src, (left, top))
    x0, y0 = max(0, left), max(0, top)
    x1, y1 = min(width, left + src.width), min(height, top + src.height)
    if x1 <= x0 or y1 <= y0:
        raise ValueError("the image is placed entirely outside the canvas")
    m = np.ones((height, width), dtype=np.float32)
    m[y0:y1, x0:x1] = 0.0
    rgb = to_float(canvas)
    fill = extend_fill(rgb, (x0, y0, x1, y1))
    rgb = np.where((m > 0)[..., None], fill, rgb).astype(np.float32)
    if mask is not None:
        extra = _mask_array(mask, width, height, invert_mask)
        inner = (extra > 0.5 / 255.0) & (m == 0)
        if inner.any():
            fill = np.where(inner[..., None], shift_fill(rgb, inner), fill)
        m = np.maximum(m, extra)
    side = min(width, height)
    reach = blur_plane((m == 0).astype(np.float32), max(2.0, side / 8.0))
    scene_weight = np.clip(1.0 - reach * 2.0, 0.0, 1.0) ** 1.5 * 0.85
    comp = parse(prompt, negative)
    noise_rng, rng = _rngs(prompt, seed)
    eps = noise_rng.standard_normal((height, width, 3), dtype=np.float32)
    return _edit(
        comp,
        rgb,
        m,
        rng,
        eps,
        steps,
        [],
        cfg_scale,
        on_step,
        fill=fill,
        scene_weight=scene_weight.astype(np.float32),
    )
