"""Prompt -> target image x0 (full resolution, float HxWx3 in [0, 1]).

Stages, each usable on its own so image-to-image and edits can mix in an input image:
`backdrop` (scene, backdrop or abstract piece, painted small and scaled up smoothly),
`decorate` (sparkles, shapes and lettering drawn crisply at full size), `finish` (style
look, control image). Colour guidance is applied to the backdrop, so lettering keeps its
contrast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from . import drawing, style
from .colors import RGB, mix
from .noise import Array, resize_rgb, to_float, to_uint8
from .prompt import Composition
from .scene import paint_background, palette_for
from .sky import Sparkle
from .subjects import layout

LOW_RES = 640  # the backdrop is painted at most this many pixels a side


@dataclass
class Backdrop:
    rgb: Array
    sparkles: list[Sparkle] = field(default_factory=list)
    scene: bool = False
    horizon: float | None = None


def low_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, LOW_RES / max(width, height))
    return max(8, round(width * scale)), max(8, round(height * scale))


def backdrop(
    comp: Composition,
    width: int,
    height: int,
    rng: np.random.Generator,
    palette: list[RGB],
    guidance: Sequence[RGB] = (),
) -> Backdrop:
    lw, lh = low_size(width, height)
    canvas = paint_background(comp, lw, lh, rng, palette)
    rgb = canvas.rgb
    if guidance:
        rgb = style.apply_palette(rgb, guidance)
    return Backdrop(
        np.clip(resize_rgb(rgb, width, height), 0, 1),
        canvas.sparkles,
        comp.is_scene,
        canvas.horizon,
    )


def object_palette(comp: Composition, guidance: Sequence[RGB]) -> list[RGB]:
    if guidance:
        return list(guidance)
    if comp.free_colors:
        return list(comp.free_colors)
    start = sum(ord(c) for c in comp.prompt) % len(drawing.DEFAULT_SHAPE_COLORS)
    cols = drawing.DEFAULT_SHAPE_COLORS[start:] + drawing.DEFAULT_SHAPE_COLORS[:start]
    if comp.background is not None:
        bg = comp.background
        cols = [c for c in cols if sum((a - b) ** 2 for a, b in zip(c, bg, strict=True)) > 80**2]
    return cols or [(40, 40, 48)]


def decorate(
    rgb: Array,
    comp: Composition,
    sparkles: list[Sparkle],
    rng: np.random.Generator,
    palette: list[RGB],
    *,
    scene: bool,
    region: drawing.Box | None = None,
) -> Array:
    """Draw sparkles, shapes and lettering at full resolution over `rgb`."""
    if not (sparkles or comp.shapes or comp.texts):
        return rgb
    h, w = rgb.shape[:2]
    img = Image.fromarray(to_uint8(rgb), "RGB")
    drawing.draw_sparkles(img, sparkles)
    box = region or (0.0, 0.0, float(w), float(h))
    tight = region is not None
    text_box, shape_box = drawing.object_boxes(comp, box, scene, tight=tight)
    placed = drawing.layout_shapes(
        comp.shapes, shape_box, rng, palette, fill=0.9 if tight else 0.62
    )
    drawing.draw_shapes(img, placed, outline=comp.style == "anime")
    ink = None
    if comp.style == "neon":
        ink = mix(palette[0], (255, 255, 255), 0.3)
    drawing.draw_texts(img, comp.texts, text_box, ink=ink)
    return to_float(img)


def finish(
    rgb: Array,
    comp: Composition,
    rng: np.random.Generator,
    *,
    condition: Image.Image | None = None,
    control: str | None = None,
    control_strength: float = 0.7,
) -> Array:
    out = style.apply_style(rgb, comp.style, rng)
    if condition is not None:
        out = style.apply_control(out, condition, control or "canny", control_strength)
    return out


def compose(
    comp: Composition,
    width: int,
    height: int,
    rng: np.random.Generator,
    *,
    guidance: Sequence[RGB] = (),
    condition: Image.Image | None = None,
    control: str | None = None,
    control_strength: float = 0.7,
) -> Array:
    """The whole text-to-image target."""
    comp = layout.plan_scene(comp, rng)
    palette = palette_for(comp, list(guidance) or None)
    back = backdrop(comp, width, height, rng, palette, guidance)
    rgb = layout.draw_things(back.rgb, comp, rng, back.horizon)
    rgb = decorate(
        rgb, comp, back.sparkles, rng, object_palette(comp, guidance), scene=back.scene
    )
    return finish(
        rgb, comp, rng, condition=condition, control=control, control_strength=control_strength
    )


def match_colors(src: Array, ref: Array, amount: float) -> Array:
    """Shift `src`'s per-channel mean and spread toward `ref`'s by `amount` (0..1)."""
    if amount <= 0:
        return src
    s_mean, s_std = src.reshape(-1, 3).mean(0), src.reshape(-1, 3).std(0) + 1e-3
    r_mean, r_std = ref.reshape(-1, 3).mean(0), ref.reshape(-1, 3).std(0) + 1e-3
    moved = (src - s_mean) * (r_std / s_std) + r_mean
    return np.clip(src + (moved - src) * amount, 0, 1).astype(np.float32)
