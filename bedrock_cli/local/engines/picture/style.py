"""Looks and guidance applied to a full-resolution float image (HxWx3 in [0, 1]).

- `apply_style`: anime (flat colour, ink lines), watercolor (soft, paper, pooled edges),
  sketch (graphite lines and hatching), oil (brush texture), photo (tone curve, vignette),
  pixel (blocks), neon (dark, glowing edges), vintage (sepia, faded), mono (grey).
- `apply_palette`: colour guidance by gradient-mapping luminance onto the given colours.
- `apply_control`: keep a condition image's layout (its edges, or its segments).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageFilter

from .colors import RGB
from .noise import (
    Array,
    blur_rgb,
    fbm,
    grid,
    resize_plane,
    resize_rgb,
    smoothstep,
    to_float,
    to_uint8,
)

LUMA = np.asarray([0.299, 0.587, 0.114], dtype=np.float32)

# amplitude of the fine grain the denoiser leaves, per style
GRAIN: dict[str | None, float] = {
    None: 0.012,
    "photo": 0.03,
    "oil": 0.02,
    "watercolor": 0.015,
    "vintage": 0.025,
    "mono": 0.025,
    "sketch": 0.01,
    "anime": 0.0,
    "pixel": 0.0,
    "neon": 0.01,
}


def luma(rgb: Array) -> Array:
    return (rgb @ LUMA).astype(np.float32)


def edges(rgb: Array, soften: float = 1.0) -> Array:
    """Edge strength in [0, 1] (Pillow's edge filter on a lightly blurred luminance)."""
    gray = Image.fromarray(to_uint8(luma(rgb)), "L")
    if soften > 0:
        gray = gray.filter(ImageFilter.GaussianBlur(soften))
    return np.asarray(gray.filter(ImageFilter.FIND_EDGES), dtype=np.float32) / 255.0


def saturate(rgb: Array, amount: float) -> Array:
    gray = luma(rgb)[..., None]
    return np.clip(gray + (rgb - gray) * amount, 0.0, 1.0).astype(np.float32)


def vignette(rgb: Array, amount: float) -> Array:
    h, w = rgb.shape[:2]
    ys, xs = grid(h, w)
    fall = 1.0 - amount * ((xs - 0.5) ** 2 + (ys - 0.5) ** 2) * 2.0
    return (rgb * fall[..., None]).astype(np.float32)


def apply_style(rgb: Array, style: str | None, rng: np.random.Generator) -> Array:
    if style is None:
        return rgb
    h, w = rgb.shape[:2]
    side = min(h, w)
    if style == "anime":
        # a drawn picture in cel style: smoothed, saturated colour with a little posterising
        # (gradients stay smooth) and ink lines on strong edges. Photos are restyled harder
        # in `restyle.anime`.
        small_side = 320
        scale = min(1.0, small_side / max(h, w))
        sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
        small = Image.fromarray(to_uint8(rgb), "RGB").resize((sw, sh), Image.Resampling.BOX)
        small = small.filter(ImageFilter.MedianFilter(3))
        flat = saturate(to_float(small), 1.25)
        poster = np.round(flat * 12.0) / 12.0
        cel = resize_rgb(flat * 0.6 + poster * 0.4, w, h)
        ink = smoothstep(0.2, 0.45, edges(rgb, max(1.0, side / 350)))
        return np.clip(cel * (1.0 - 0.85 * ink[..., None]), 0, 1).astype(np.float32)
    if style == "watercolor":
        soft = blur_rgb(rgb, max(1.5, side / 220))
        soft = 1.0 - (1.0 - saturate(soft, 0.85)) * 0.78
        pool = smoothstep(0.04, 0.2, edges(soft, max(1.0, side / 300)))
        paper = _texture(rng, h, w, cells=60)
        out = soft * (1.0 - 0.22 * pool[..., None]) * (0.93 + 0.07 * paper[..., None])
        return np.clip(out, 0, 1).astype(np.float32)
    if style == "sketch":
        gray = luma(blur_rgb(rgb, max(1.0, side / 500)))
        lo, hi = np.percentile(gray, [2, 98])
        darkness = 1.0 - np.clip((gray - lo) / max(float(hi - lo), 0.05), 0, 1)
        found = edges(rgb, max(1.0, side / 450))
        found = found / max(float(np.percentile(found, 98)), 0.04)
        lines = smoothstep(0.3, 0.9, found)
        ys, xs = grid(h, w)
        period = max(4.0, side / 90)
        hatch = np.sin((xs * w + ys * h) * (2 * np.pi / period)) > 0.5
        cross = np.sin((xs * w - ys * h) * (2 * np.pi / period)) > 0.6
        paper = np.asarray([0.97, 0.96, 0.93], dtype=np.float32)
        tone = (
            1.0
            - 0.22 * darkness
            - 0.35 * hatch * smoothstep(0.5, 0.8, darkness)
            - 0.3 * cross * smoothstep(0.75, 0.95, darkness)
            - 0.8 * lines
        )
        return np.clip(paper * tone[..., None], 0, 1).astype(np.float32)
    if style == "oil":
        strokes = _texture(rng, h, w, cells=40, stretch=6)
        out = saturate(np.round(rgb * 12) / 12, 1.15) * (0.9 + 0.2 * strokes[..., None])
        return np.clip(out, 0, 1).astype(np.float32)
    if style == "photo":
        curve = rgb + 0.12 * (rgb - 0.5) * (1 - np.abs(2 * rgb - 1))
        return np.clip(vignette(curve, 0.35), 0, 1).astype(np.float32)
    if style == "pixel":
        block = max(4, side // 96)
        small = Image.fromarray(to_uint8(rgb), "RGB").resize(
            (max(1, w // block), max(1, h // block)), Image.Resampling.BOX
        )
        poster = np.round(to_float(small) * 7.0) / 7.0
        big = Image.fromarray(to_uint8(poster), "RGB").resize((w, h), Image.Resampling.NEAREST)
        return to_float(big)
    if style == "neon":
        dark = rgb**1.7 * 0.55
        found = edges(rgb, 1.0)
        found = found / max(float(np.percentile(found, 99.5)), 0.03)
        tint = np.where(
            luma(rgb)[..., None] > 0.12,
            saturate(rgb, 1.6),
            np.asarray([1.0, 0.2, 0.8], dtype=np.float32),
        )
        glow_src = tint * smoothstep(0.2, 0.6, found)[..., None]
        glow = blur_rgb(np.clip(glow_src * 3, 0, 1), max(2.0, side / 120))
        return np.clip(dark + glow * 1.2 + glow_src, 0, 1).astype(np.float32)
    if style == "vintage":
        sepia = np.stack([luma(rgb) * 1.07, luma(rgb) * 0.9, luma(rgb) * 0.7], axis=-1)
        out = rgb * 0.15 + sepia * 0.85
        out = 0.08 + out * 0.86
        return np.clip(vignette(out, 0.5), 0, 1).astype(np.float32)
    if style == "mono":
        gray = luma(rgb)
        gray = np.clip(0.5 + (gray - 0.5) * 1.15, 0, 1)
        return np.repeat(gray[..., None], 3, axis=-1).astype(np.float32)
    return rgb


def _texture(rng: np.random.Generator, h: int, w: int, *, cells: float, stretch: int = 1) -> Array:
    """A seeded fine texture computed at a modest size and scaled up (cheap at any size)."""
    th, tw = min(h, 256), max(2, min(w, 256) // stretch)
    return resize_plane(fbm(rng, th, tw, cells=cells, octaves=2), w, h)


def apply_palette(rgb: Array, colors: Sequence[RGB], strength: float = 0.75) -> Array:
    """Colour guidance: map luminance onto the palette (dark->light), blended by strength."""
    if not colors:
        return rgb
    pal = sorted(colors, key=lambda c: 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2])
    lum = luma(rgb)
    lo, hi = np.percentile(lum, [2, 98])
    t = np.clip((lum - lo) / max(float(hi - lo), 1e-3), 0.0, 1.0)
    pos = np.linspace(0.0, 1.0, len(pal)) if len(pal) > 1 else np.asarray([0.0, 1.0])
    stops = pal if len(pal) > 1 else [pal[0], pal[0]]
    mapped = np.stack(
        [np.interp(t, pos, [c[ch] / 255.0 for c in stops]) for ch in range(3)], axis=-1
    ).astype(np.float32)
    # keep some of the original light and shade so the picture stays readable
    shade = (0.75 + 0.5 * (lum - luma(mapped)))[..., None]
    out = rgb * (1.0 - strength) + np.clip(mapped * shade, 0, 1) * strength
    return np.clip(out, 0, 1).astype(np.float32)


def apply_control(rgb: Array, condition: Image.Image, mode: str, strength: float) -> Array:
    """Make `rgb` follow the layout of `condition` ("canny": its edges; "segmentation": its
    regions), by `strength` in [0, 1]."""
    h, w = rgb.shape[:2]
    cond = to_float(condition.convert("RGB").resize((w, h), Image.Resampling.BILINEAR))
    s = float(np.clip(strength, 0.0, 1.0))
    if mode == "segmentation":
        labels = _segments(cond)
        k = int(labels.max()) + 1
        counts = np.maximum(np.bincount(labels.ravel(), minlength=k), 1).astype(np.float32)
        means = np.stack(
            [
                np.bincount(labels.ravel(), weights=rgb[..., c].ravel(), minlength=k) / counts
                for c in range(3)
            ],
            axis=-1,
        )
        # spread region colours apart so neighbouring segments stay distinguishable
        lum_c = luma(cond)
        region_lum = np.bincount(labels.ravel(), weights=lum_c.ravel(), minlength=k) / counts
        detail = np.clip(0.8 + 0.4 * (lum_c - region_lum[labels]) / 0.2, 0.6, 1.3)
        rel = (region_lum - region_lum.mean())[:, None]
        means = np.clip(means * (1.0 + 0.8 * rel), 0, 1)
        flat = means[labels].astype(np.float32) * detail[..., None]
        return np.clip(rgb * (1 - s) + flat * s, 0, 1).astype(np.float32)
    lum_c = luma(blur_rgb(cond, 1.0))
    line = smoothstep(0.06, 0.2, edges(cond, 1.2))
    shaded = rgb * (0.55 + 0.9 * (lum_c - float(lum_c.mean())) + 0.45)[..., None]
    out = rgb * (1 - 0.6 * s) + np.clip(shaded, 0, 1) * 0.6 * s
    out = out * (1.0 - 0.85 * s * line[..., None])
    return np.clip(out, 0, 1).astype(np.float32)


def _segments(img: Array, k: int = 6, iters: int = 8) -> np.ndarray:
    """K-means colour segments (deterministic: centres start at luminance quantiles)."""
    h, w = img.shape[:2]
    small = (
        np.asarray(
            Image.fromarray(to_uint8(img), "RGB").resize((96, 96), Image.Resampling.BOX),
            dtype=np.float32,
        ).reshape(-1, 3)
        / 255.0
    )
    order = np.argsort(small @ LUMA, kind="stable")
    centres = small[order[np.linspace(0, len(order) - 1, k).astype(int)]].copy()
    for _ in range(iters):
        d = ((small[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        lab = d.argmin(1)
        for j in range(k):
            members = small[lab == j]
            if len(members):
                centres[j] = members.mean(0)
    flat = img.reshape(-1, 3)
    best = np.zeros(flat.shape[0], dtype=np.int64)
    best_d = np.full(flat.shape[0], np.inf, dtype=np.float32)
    for j in range(k):
        d = ((flat - centres[j]) ** 2).sum(-1)
        closer = d < best_d
        best[closer] = j
        best_d[closer] = d[closer]
    return best.reshape(h, w)
