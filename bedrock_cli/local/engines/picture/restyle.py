"""Image-to-image restyles: an input picture redrawn in a style, keeping its layout.

`restyle(rgb, style, rng, strength)` is the target the sampler denoises toward when the
prompt names a style. Strength (0 keeps the input, 1 ignores it) says how far:

- anime / manga / cartoon: edge-preserving smoothing (repeated median filters), colour
  quantisation to a small palette (fewer colours as strength grows: flat cel regions), a
  saturated, brightened palette, and dark ink outlines where neighbouring regions differ in
  lightness;
- oil: a Kuwahara filter (each pixel takes the mean of its least varied quadrant, which
  flattens strokes and keeps edges), posterised and brushed;
- pixel: blocks (bigger with strength) on a posterised palette;
- watercolor, sketch, mono (black and white), vintage, neon, photo: the looks in `style`.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from .noise import Array, resize_rgb, to_float, to_uint8
from .style import apply_style, luma, saturate

WORK_SIDE = 640
INK = np.asarray([0.08, 0.07, 0.1], dtype=np.float32)


def restyle(rgb: Array, style: str | None, rng: np.random.Generator, strength: float) -> Array:
    if style is None:
        return rgb
    s = float(np.clip(strength, 0.0, 1.0))
    if style == "anime":
        return anime(rgb, s)
    if style == "oil":
        return oil(rgb, s, rng)
    if style == "pixel":
        return pixel(rgb, s)
    return apply_style(rgb, style, rng)


def _small(rgb: Array) -> tuple[Image.Image, int, int]:
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    img = Image.fromarray(to_uint8(rgb), "RGB")
    if scale < 1.0:
        img = img.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.BOX)
    return img, w, h


def anime(rgb: Array, strength: float) -> Array:
    """Flat colour regions, a saturated palette and dark outlines (see the module doc)."""
    small, w, h = _small(rgb)
    side = min(small.size)
    size = 5 if side >= 300 else 3
    small = small.filter(ImageFilter.GaussianBlur(max(0.8, side / 400)))
    for _ in range(2 + round(strength * 2)):
        small = small.filter(ImageFilter.MedianFilter(size))
    colors = max(6, round(18 - 12 * strength))
    quant = small.quantize(colors=colors, method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE)
    quant = quant.filter(ImageFilter.ModeFilter(size))  # drop specks: flat regions
    palette = np.asarray(quant.getpalette() or [], dtype=np.float32)[: colors * 3]
    palette = palette.reshape(-1, 3) / 255.0
    vivid = saturate(palette[None], 1.45)[0]
    vivid = np.clip(vivid * 1.06 + 0.03, 0, 1)
    index = np.asarray(quant, dtype=np.int64)
    flat = vivid[np.clip(index, 0, len(vivid) - 1)].astype(np.float32)
    lum = luma(flat)
    jump = np.zeros_like(lum)
    jump[:, 1:] = np.abs(lum[:, 1:] - lum[:, :-1])
    jump[1:, :] = np.maximum(jump[1:, :], np.abs(lum[1:, :] - lum[:-1, :]))
    line = (jump > 0.12).astype(np.uint8) * 255
    ink = Image.fromarray(line, "L")
    big_ink = np.asarray(
        ink.resize((w, h), Image.Resampling.BILINEAR).filter(
            ImageFilter.MaxFilter(3 if min(w, h) >= 400 else 1)
        ),
        dtype=np.float32,
    ) / 255.0
    flat_img = Image.fromarray(to_uint8(flat), "RGB")
    flat_big = to_float(flat_img.resize((w, h), Image.Resampling.NEAREST))
    a = np.clip(big_ink * 1.2, 0, 1)[..., None] * 0.92
    return (flat_big * (1 - a) + INK * a).astype(np.float32)


def kuwahara(rgb: Array, radius: int) -> Array:
    """The Kuwahara filter: each pixel gets the mean colour of the (2r+1)-wide quadrant
    around it whose lightness varies least."""
    r = max(1, radius)
    h, w = rgb.shape[:2]
    lum = luma(rgb)
    pad = np.pad(np.concatenate([rgb, lum[..., None], (lum**2)[..., None]], axis=-1),
                 ((r, r), (r, r), (0, 0)), mode="edge")
    cs = np.pad(pad.cumsum(0).cumsum(1), ((1, 0), (1, 0), (0, 0)))
    n = float((r + 1) ** 2)
    best = np.full((h, w), np.inf, dtype=np.float32)
    out = np.zeros_like(rgb)
    for dy in (0, r):
        for dx in (0, r):
            y0, x0 = dy, dx
            y1, x1 = y0 + r + 1, x0 + r + 1
            total = (cs[y1 : y1 + h, x1 : x1 + w] - cs[y0 : y0 + h, x1 : x1 + w]
                     - cs[y1 : y1 + h, x0 : x0 + w] + cs[y0 : y0 + h, x0 : x0 + w]) / n
            var = total[..., 4] - total[..., 3] ** 2
            better = var < best
            best = np.where(better, var, best)
            out = np.where(better[..., None], total[..., :3], out)
    return out.astype(np.float32)


def oil(rgb: Array, strength: float, rng: np.random.Generator) -> Array:
    small, w, h = _small(rgb)
    arr = to_float(small)
    radius = max(2, round(min(small.size) / 110 * (0.6 + strength)))
    painted = kuwahara(kuwahara(arr, radius), max(1, radius // 2))
    painted = saturate(np.round(painted * 14) / 14, 1.2)
    big = resize_rgb(painted, w, h)
    return apply_style(np.clip(big, 0, 1).astype(np.float32), "oil", rng)


def pixel(rgb: Array, strength: float) -> Array:
    h, w = rgb.shape[:2]
    block = max(3, round(min(h, w) / (110 - 70 * strength)))
    small = Image.fromarray(to_uint8(rgb), "RGB").resize(
        (max(1, w // block), max(1, h // block)), Image.Resampling.BOX
    )
    quant = small.quantize(colors=max(8, round(32 - 20 * strength)), dither=Image.Dither.NONE)
    vivid = saturate(to_float(quant.convert("RGB")), 1.2)
    big = Image.fromarray(to_uint8(vivid), "RGB").resize((w, h), Image.Resampling.NEAREST)
    return to_float(big)
