"""A `Composition` -> a low-resolution background: a scene, a backdrop or an abstract piece."""

from __future__ import annotations

import colorsys

import numpy as np

from . import land, sky
from .colors import RGB, color_for_word, luminance, mix
from .noise import fbm, grid, lerp_rgb, rgbf, smoothstep
from .prompt import Composition
from .sky import Canvas

SKY_ONLY = {
    "sky",
    "clouds",
    "sun",
    "moon",
    "stars",
    "night",
    "sunset",
    "sunrise",
    "rainbow",
    "space",
    "background",
}


def choose_horizon(comp: Composition, rng: np.random.Generator) -> float | None:
    els = comp.elements
    if not (els - SKY_ONLY):
        return None  # sky fills the frame
    base = 0.56
    if "mountains" in els and not (els & {"hills", "field", "forest"}):
        base = 0.66
    if els & {"sea", "lake"} and "mountains" not in els:
        base = 0.55
    return base + float(rng.uniform(-0.04, 0.04))


def paint_scene(comp: Composition, width: int, height: int, rng: np.random.Generator) -> Canvas:
    """Paint sky, lights, clouds and land into a float canvas of the given (low) size."""
    horizon = choose_horizon(comp, rng)
    cv = Canvas(comp, rng, np.zeros((height, width, 3), dtype=np.float32), horizon)
    sky.paint_sky(cv)
    sky.add_stars(cv)
    sky.paint_sun(cv)
    sky.paint_moon(cv)
    sky.paint_rainbow(cv)
    sky.paint_clouds(cv)
    if horizon is not None:
        land.paint_mountains(cv, horizon)
        land.paint_ground(cv, horizon)
        ground = land.paint_hills(cv, horizon)
        land.paint_city(cv, horizon)
        land.paint_water(cv, horizon)
        land.paint_trees(cv, ground if comp.elements & {"hills", "landscape"} else horizon)
    cv.sparkles = [s for s in cv.sparkles if not s.sky_only or cv.open_sky(s.x, s.y)]
    land.add_snowfall(cv)
    sky.add_rain(cv)
    cv.rgb = np.clip(cv.rgb, 0.0, 1.0)
    return cv


def palette_for(comp: Composition, colors: list[RGB] | None) -> list[RGB]:
    """Colours for things the prompt names no colour for: guidance, named, then word colours."""
    if colors:
        return list(colors)
    named = list(comp.free_colors) + [s.color for s in comp.shapes if s.color is not None]
    if named:
        return named
    words = comp.subject_words or comp.tokens or ["untitled"]
    picks = [color_for_word(w) for w in words]
    if comp.avoid_colors:
        picks = [c for c in picks if not _near_any(c, comp.avoid_colors)] or [(90, 120, 160)]
    return picks


def _near_any(color: RGB, others: list[RGB]) -> bool:
    return any(sum((a - b) ** 2 for a, b in zip(color, o, strict=True)) < 90**2 for o in others)


def paint_backdrop(
    comp: Composition, width: int, height: int, rng: np.random.Generator, palette: list[RGB]
) -> Canvas:
    """A studio-like backdrop for shapes and lettering: named colour or a soft neutral."""
    named = comp.background
    if named is None:
        objects = [s.color for s in comp.shapes if s.color is not None]
        dark = comp.style == "neon" or (objects and all(luminance(c) > 0.8 for c in objects))
        top, bottom = ((24, 26, 40), (44, 40, 66)) if dark else ((250, 248, 244), (226, 230, 238))
        if not objects and comp.free_colors and not comp.shapes:
            top = mix(comp.free_colors[0], (255, 255, 255), 0.15)
            bottom = mix(comp.free_colors[-1], (0, 0, 0), 0.15)
    else:
        top, bottom = mix(named, (255, 255, 255), 0.06), mix(named, (0, 0, 0), 0.08)
    ys, xs = grid(height, width)
    rgb = lerp_rgb(
        np.broadcast_to(np.asarray(rgbf(top), dtype=np.float32), (height, 1, 3)),
        rgbf(bottom),
        np.broadcast_to(ys, (height, 1)),
    ) * np.ones((1, width, 1), dtype=np.float32)
    vignette = ((xs - 0.5) ** 2 + (ys - 0.5) ** 2) * 0.25
    rgb = (
        rgb * (1.0 - vignette[..., None])
        + 0.02 * (fbm(rng, height, width, cells=3) - 0.5)[..., None]
    )
    return Canvas(comp, rng, np.clip(rgb, 0, 1).astype(np.float32), None)


def paint_abstract(
    comp: Composition, width: int, height: int, rng: np.random.Generator, palette: list[RGB]
) -> Canvas:
    """Something pleasing for a prompt the grammar does not know, derived from its words.

    The subject's colours (from the words, or the guidance palette) light a soft backdrop; a
    glowing central form stands for the subject, with out-of-focus orbs and flowing bands
    around it. The arrangement varies with the seed; the colours follow the words.
    """
    cols = [_lively(c) for c in (palette * 3)[: max(3, len(palette))]]
    main = cols[0]
    second = cols[1] if len(palette) > 1 else _shift_hue(main, 0.08)
    third = cols[2] if len(palette) > 2 else _shift_hue(main, -0.1)
    ys, xs = grid(height, width)
    angle = float(rng.uniform(0, np.pi))
    t = np.clip(0.5 + (xs - 0.5) * np.cos(angle) + (ys - 0.5) * np.sin(angle), 0, 1)
    rgb = lerp_rgb(
        np.broadcast_to(
            np.asarray(rgbf(mix(second, (16, 18, 40), 0.45)), dtype=np.float32), (height, width, 3)
        ),
        rgbf(mix(third, (250, 244, 230), 0.35)),
        t,
    )
    flow = fbm(rng, height, width, cells=1.6, octaves=4)
    for k, col in enumerate((third, second, main)):
        level = 0.38 + 0.1 * k
        band = smoothstep(level - 0.03, level, flow) * smoothstep(level + 0.08, level + 0.03, flow)
        rgb = lerp_rgb(rgb, rgbf(mix(col, (255, 255, 255), 0.2)), band * 0.5)
    px, py = xs * width, ys * height
    side = min(width, height)
    for _ in range(int(rng.integers(8, 14))):
        cx, cy = float(rng.random()) * width, float(rng.random()) * height
        r = float(rng.uniform(0.03, 0.1)) * side
        col = cols[int(rng.integers(0, len(cols)))]
        d = np.sqrt((px - cx) ** 2 + (py - cy) ** 2)
        rgb = lerp_rgb(
            rgb,
            rgbf(mix(col, (255, 255, 255), 0.5)),
            smoothstep(r, r * 0.85, d) * float(rng.uniform(0.15, 0.35)),
        )
    # the subject: a lit sphere with a rim light and a soft glow
    cx = (0.5 + float(rng.uniform(-0.1, 0.1))) * width
    cy = (0.5 + float(rng.uniform(-0.06, 0.06))) * height
    r = float(rng.uniform(0.2, 0.27)) * side
    d = np.sqrt((px - cx) ** 2 + (py - cy) ** 2)
    glow = np.exp(-((d / (r * 1.7)) ** 2))[..., None] * np.asarray(rgbf(main), dtype=np.float32)
    rgb = rgb + glow * 0.35
    lx, ly = cx - r * 0.35, cy - r * 0.4
    light = np.clip(1.0 - np.sqrt((px - lx) ** 2 + (py - ly) ** 2) / (1.6 * r), 0, 1)
    rim = smoothstep(r * 0.75, r, d) * 0.35
    body = np.asarray(rgbf(main), dtype=np.float32) * (0.45 + 0.75 * light)[..., None]
    body = body + rim[..., None] * np.asarray(rgbf(third), dtype=np.float32)
    body = body + (light**6 * 0.35)[..., None]
    rgb = lerp_rgb(rgb, body, smoothstep(r + 1.0, r - 1.0, d))
    return Canvas(comp, rng, np.clip(rgb, 0, 1).astype(np.float32), None)


def _lively(color: RGB) -> RGB:
    """The same hue with enough light and colour to carry a picture."""
    h, s, v = colorsys.rgb_to_hsv(*(c / 255.0 for c in color))
    r, g, b = colorsys.hsv_to_rgb(h, max(s, 0.35) if s > 0.08 else s, min(max(v, 0.5), 0.95))
    return (round(r * 255), round(g * 255), round(b * 255))


def _shift_hue(color: RGB, amount: float) -> RGB:
    h, s, v = colorsys.rgb_to_hsv(*(c / 255.0 for c in color))
    r, g, b = colorsys.hsv_to_rgb((h + amount) % 1.0, s, v)
    return (round(r * 255), round(g * 255), round(b * 255))


def paint_background(
    comp: Composition, width: int, height: int, rng: np.random.Generator, palette: list[RGB]
) -> Canvas:
    if comp.is_scene:
        return paint_scene(comp, width, height, rng)
    if comp.shapes or comp.texts or comp.things or comp.background is not None:
        return paint_backdrop(comp, width, height, rng, palette)
    return paint_abstract(comp, width, height, rng, palette)
