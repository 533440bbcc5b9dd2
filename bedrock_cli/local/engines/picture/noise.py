"""Seeded value noise and the small array helpers the image engine shares.

Arrays are float32; images are HxWx3 in [0, 1] unless a function says otherwise. Every random
choice comes from a `numpy.random.Generator` passed in, never from global state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFilter

Array = NDArray[np.floating[Any]]  # float32 in practice


def smoothstep(edge0: float, edge1: float, x: Array) -> Array:
    """Hermite ramp from 0 (at edge0) to 1 (at edge1); edges may be in either order."""
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return (t * t * (3.0 - 2.0 * t)).astype(np.float32)


def resize_plane(plane: Array, width: int, height: int, *, smooth: bool = True) -> Array:
    """Resize one float plane (HxW) with bicubic (or nearest) interpolation."""
    if plane.shape == (height, width):
        return plane.astype(np.float32, copy=False)
    img = Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32), "F")
    method = Image.Resampling.BICUBIC if smooth else Image.Resampling.NEAREST
    return np.asarray(img.resize((width, height), method), dtype=np.float32)


def resize_rgb(rgb: Array, width: int, height: int) -> Array:
    """Resize an HxWx3 float image channel by channel (bicubic, full float precision)."""
    if rgb.shape[:2] == (height, width):
        return rgb.astype(np.float32, copy=False)
    planes = [resize_plane(rgb[..., c], width, height) for c in range(3)]
    return np.stack(planes, axis=-1)


def to_uint8(rgb: Array) -> NDArray[np.uint8]:
    """[0, 1] float -> uint8 with rounding."""
    return (np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def to_float(img: Image.Image) -> Array:
    """PIL image (any mode) -> HxWx3 float32 in [0, 1]."""
    return np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0


def blur_rgb(rgb: Array, radius: float) -> Array:
    """Gaussian blur of an HxWx3 [0, 1] image (8-bit precision, fast C code in Pillow)."""
    if radius <= 0:
        return rgb
    img = Image.fromarray(to_uint8(rgb), "RGB").filter(ImageFilter.GaussianBlur(radius))
    return np.asarray(img, dtype=np.float32) / 255.0


def blur_plane(plane: Array, radius: float) -> Array:
    """Gaussian blur of an HxW [0, 1] plane (8-bit precision)."""
    if radius <= 0:
        return plane
    img = Image.fromarray((np.clip(plane, 0, 1) * 255 + 0.5).astype(np.uint8), "L")
    return np.asarray(img.filter(ImageFilter.GaussianBlur(radius)), dtype=np.float32) / 255.0


def coarse_blur(rgb: Array, factor: int) -> Array:
    """A very wide, smooth blur: shrink by `factor` (box filter) and grow back (bicubic)."""
    h, w = rgb.shape[:2]
    sw, sh = max(1, w // factor), max(1, h // factor)
    small = np.stack(
        [
            np.asarray(
                Image.fromarray(np.ascontiguousarray(rgb[..., c]), "F").resize(
                    (sw, sh), Image.Resampling.BOX
                ),
                dtype=np.float32,
            )
            for c in range(3)
        ],
        axis=-1,
    )
    return resize_rgb(small, w, h)


def value_noise(rng: np.random.Generator, height: int, width: int, cells: float) -> Array:
    """Smooth noise in [0, 1]: a random lattice of `cells` cells across the longer side."""
    longer = max(height, width)
    cy = max(2, round(cells * height / longer) + 2)
    cx = max(2, round(cells * width / longer) + 2)
    lattice = rng.random((cy, cx), dtype=np.float32)
    # Oversize and crop so lattice borders (where bicubic clamps) stay out of view.
    big_w = int(width * cx / (cx - 1.5))
    big_h = int(height * cy / (cy - 1.5))
    plane = resize_plane(lattice, big_w, big_h)
    oy = int(rng.integers(0, max(1, big_h - height)))
    ox = int(rng.integers(0, max(1, big_w - width)))
    return plane[oy : oy + height, ox : ox + width]


def fbm(
    rng: np.random.Generator,
    height: int,
    width: int,
    *,
    cells: float = 3.0,
    octaves: int = 4,
    persistence: float = 0.5,
) -> Array:
    """Fractal (multi-octave) value noise, normalised to roughly [0, 1]."""
    total = np.zeros((height, width), dtype=np.float32)
    amp, norm = 1.0, 0.0
    for octave in range(octaves):
        total += amp * value_noise(rng, height, width, cells * (2**octave))
        norm += amp
        amp *= persistence
    return total / norm


def fbm1d(
    rng: np.random.Generator, n: int, *, cells: float = 4.0, octaves: int = 4, jagged: bool = False
) -> Array:
    """1-D fractal noise of length n in roughly [0, 1] (smooth, or jagged like ridges)."""
    x = np.linspace(0.0, 1.0, n, dtype=np.float32)
    total = np.zeros(n, dtype=np.float32)
    amp, norm, c = 1.0, 0.0, cells
    for _ in range(octaves):
        k = int(np.ceil(c)) + 2
        pts = rng.random(k, dtype=np.float32)
        pos = x * c + float(rng.random())
        i = np.floor(pos).astype(np.int64)
        f = pos - i
        if not jagged:
            f = f * f * (3.0 - 2.0 * f)
        layer = pts[i] * (1.0 - f) + pts[np.minimum(i + 1, k - 1)] * f
        if jagged:
            layer = 1.0 - np.abs(layer * 2.0 - 1.0)
        total += amp * layer
        norm += amp
        amp *= 0.5
        c *= 2.1
    return (total / norm).astype(np.float32)


def grid(height: int, width: int) -> tuple[Array, Array]:
    """Normalised pixel-centre coordinates: y in [0, 1] down, x in [0, 1] across."""
    ys = ((np.arange(height, dtype=np.float32) + 0.5) / height)[:, None]
    xs = ((np.arange(width, dtype=np.float32) + 0.5) / width)[None, :]
    return ys, xs


def lerp_rgb(base: Array, color: Array | tuple[float, float, float], alpha: Array) -> Array:
    """Composite `color` (an image or one RGB triple in [0, 1]) over `base` with alpha HxW."""
    a = alpha[..., None] if alpha.ndim == 2 else alpha
    col = np.asarray(color, dtype=np.float32)
    return (base + (col - base) * a).astype(np.float32)


def rgbf(color: tuple[int, int, int]) -> tuple[float, float, float]:
    """An 8-bit colour as floats in [0, 1]."""
    return (color[0] / 255.0, color[1] / 255.0, color[2] / 255.0)
