"""The lower half of a scene: mountains, hills, fields, trees, desert, city, water, beach."""

from __future__ import annotations

import numpy as np

from .colors import RGB, mix
from .noise import Array, fbm, fbm1d, grid, lerp_rgb, resize_plane, rgbf, smoothstep
from .sky import Canvas, Sparkle, sky_colors

WATER_ELEMENTS = {"sea", "lake", "beach"}


def _ridge_alpha(cv: Canvas, line: Array) -> Array:
    """Alpha of everything below a silhouette line (one normalised y per column)."""
    ys, _ = grid(cv.h, cv.w)
    soft = 0.9 / cv.h
    return smoothstep(-soft, soft, ys - line[None, :])


def _smooth1d(values: Array, size: int) -> Array:
    """Moving average of odd width (at most the length), edges padded by repetition."""
    half = max(0, min(size, len(values)) // 2)
    if half == 0:
        return values
    padded = np.pad(values, half, mode="edge")
    return np.convolve(padded, np.ones(2 * half + 1) / (2 * half + 1), mode="valid").astype(
        np.float32
    )


def _haze(cv: Canvas) -> RGB:
    return sky_colors(cv.comp)[-1]


def paint_mountains(cv: Canvas, horizon: float) -> None:
    comp = cv.comp
    if "mountains" not in comp.elements:
        return
    snowy = "snow" in comp.elements
    base = comp.colors.get("mountains", (92, 100, 128))
    haze = _haze(cv)
    ys, _ = grid(cv.h, cv.w)
    for layer, (height, fog) in enumerate(((0.34, 0.5), (0.24, 0.18))):
        ridge = fbm1d(cv.rng, cv.w, cells=2.0 + layer, octaves=4, jagged=True)
        line = horizon - (0.05 + height * ridge) * (0.8 + 0.2 * layer)
        alpha = _ridge_alpha(cv, line) * (ys < horizon + 0.02)
        # faces toward the light are lit, the others shaded: the ridge's slope (smoothed)
        # plus the sideways gradient of a rocky 2-D surface, so facets run diagonally
        slope = _smooth1d(np.gradient(line) * cv.w if cv.w > 1 else np.zeros_like(line), 15)
        rock = fbm(cv.rng, cv.h, cv.w, cells=7, octaves=4)
        facets = np.gradient(rock, axis=1) * cv.w * 0.08 + np.gradient(rock, axis=0) * cv.h * 0.03
        lit = np.clip(0.5 - slope[None, :] * 0.8 + facets, 0.0, 1.0).astype(np.float32)
        color = cv.tone(mix(base, haze, fog))
        rgb = np.broadcast_to(np.asarray(rgbf(color), dtype=np.float32), (cv.h, cv.w, 3))
        rgb = rgb * (0.75 + 0.4 * lit)[..., None]
        depth = np.clip((ys - line[None, :]) / np.maximum(horizon - line[None, :], 1e-3), 0, 1)
        rgb = lerp_rgb(rgb, rgbf(cv.tone(haze)), 0.35 * depth)
        peak = horizon - line
        top = float(peak.max())
        level = horizon - top * (0.45 if snowy else 0.72)  # the snow line, an altitude
        ragged = (fbm(cv.rng, cv.h, cv.w, cells=10, octaves=4) - 0.5) * top * 0.35
        snow_a = smoothstep(1.0 / cv.h, -1.0 / cv.h, ys - level + ragged + facets * 0.02)
        snow_col = np.asarray(rgbf(cv.snow()), dtype=np.float32)
        rgb = lerp_rgb(rgb, snow_col * (0.78 + 0.25 * lit)[..., None], snow_a)
        cv.paint(rgb, alpha)


def paint_hills(cv: Canvas, horizon: float) -> float:
    """Rolling hills; returns the normalised y where the front hill meets the frame's middle."""
    comp = cv.comp
    if not ({"hills", "landscape"} & comp.elements):
        return horizon
    snowy = "snow" in comp.elements
    named = comp.colors.get("hills")
    greens: list[RGB] = [(150, 192, 128), (98, 162, 76), (62, 132, 50)]
    if named is not None:
        greens = [mix(named, (255, 255, 255), 0.25), named, mix(named, (0, 0, 0), 0.2)]
    elif snowy:
        greens = [
            mix(cv.snow(), (110, 130, 180), 0.25),
            mix(cv.snow(), (110, 130, 180), 0.12),
            cv.snow(),
        ]
    haze = _haze(cv)
    ys, _ = grid(cv.h, cv.w)
    front = horizon
    for layer, color in enumerate(greens):
        amp = 0.1 + 0.04 * layer
        base = horizon - 0.03 + layer * 0.08
        line = base - amp * fbm1d(cv.rng, cv.w, cells=1.6 + layer * 0.4, octaves=3)
        tint = mix(color, haze, 0.35 * (2 - layer) / 2)
        tint = tint if snowy else cv.tone(tint)
        tex = fbm(cv.rng, cv.h, cv.w, cells=10, octaves=3)
        below = ys - line[None, :]
        shade = 1.0 - 0.22 * np.clip(below * 4.0, 0, 1) + 0.07 * (tex - 0.5)
        shade = shade + 0.08 * smoothstep(0.03, 0.0, below)  # sunlit crest
        rgb = np.asarray(rgbf(tint), dtype=np.float32)[None, None, :] * shade[..., None]
        cv.paint(rgb, _ridge_alpha(cv, line))
        front = float(line[cv.w // 2])
    return front


def paint_ground(cv: Canvas, horizon: float) -> None:
    """Field, grass, snow, desert or beach sand from the horizon to the bottom of the frame."""
    comp = cv.comp
    els = comp.elements
    if els & WATER_ELEMENTS - {"beach"}:
        return  # water covers the ground; the beach is painted with the water
    if "desert" in els:
        _paint_dunes(cv, horizon)
        return
    grounds = {
        "field",
        "snow",
        "flowers",
        "landscape",
        "forest",
        "tree",
        "city",
        "rain",
        "hills",
        "mountains",
    }
    if not (els & grounds):
        return
    if "snow" in els:
        near, far = cv.snow(), mix(cv.snow(), (120, 140, 190), 0.2)
    elif "city" in els and not (els & {"field", "flowers", "landscape"}):
        near, far = (70, 72, 78), (110, 112, 120)
    else:
        named = comp.colors.get("field")
        near, far = (66, 138, 48), (128, 178, 86)
        if named is not None:
            near, far = mix(named, (0, 0, 0), 0.15), mix(named, (255, 255, 255), 0.2)
    ys, xs = grid(cv.h, cv.w)
    t = np.clip((ys - horizon) / max(1e-3, 1.0 - horizon), 0.0, 1.0)
    if "snow" not in els:
        near, far = cv.tone(near), cv.tone(far)
    rgb = lerp_rgb(
        np.broadcast_to(np.asarray(rgbf(far), dtype=np.float32), (cv.h, 1, 3)),
        rgbf(near),
        np.broadcast_to(t, (cv.h, 1)),
    )
    streaks = resize_plane(fbm(cv.rng, cv.h, max(4, cv.w // 6), cells=14, octaves=3), cv.w, cv.h)
    rgb = rgb * (1.0 + 0.12 * (streaks - 0.5) * (0.4 + t))[..., None]
    alpha = smoothstep(horizon - 0.8 / cv.h, horizon + 0.8 / cv.h, ys) * np.ones_like(xs)
    cv.paint(rgb, alpha)
    if "flowers" in els:
        _add_flowers(cv, horizon)


def _add_flowers(cv: Canvas, horizon: float) -> None:
    comp = cv.comp
    colors = (
        [comp.colors["flowers"]]
        if "flowers" in comp.colors
        else (comp.free_colors or [(235, 60, 90), (250, 215, 40), (250, 250, 250), (170, 90, 220)])
    )
    rng = cv.rng
    for _ in range(240):
        t = float(rng.random()) ** 0.6
        y = horizon + (1.0 - horizon) * (0.08 + 0.92 * t)
        color = colors[int(rng.integers(0, len(colors)))]
        cv.sparkles.append(Sparkle("dot", float(rng.random()), y, 0.003 + 0.007 * t, color, 0.95))


def _paint_dunes(cv: Canvas, horizon: float) -> None:
    named = cv.comp.colors.get("desert", (226, 186, 128))
    ys, _ = grid(cv.h, cv.w)
    for layer in range(3):
        line = horizon + layer * 0.1 - 0.06 * fbm1d(cv.rng, cv.w, cells=1.5 + layer, octaves=2)
        below = ys - line[None, :]
        shade = 1.06 - 0.3 * np.clip(below / 0.12, 0, 1)  # lit crest, shaded lee side
        color = cv.tone(mix(named, (255, 235, 200), 0.25 - 0.1 * layer))
        rgb = np.asarray(rgbf(color), dtype=np.float32)[None, None, :] * shade[..., None]
        cv.paint(rgb, _ridge_alpha(cv, line))


def paint_city(cv: Canvas, horizon: float) -> None:
    if "city" not in cv.comp.elements:
        return
    rng = cv.rng
    night = cv.comp.time == "night"
    base = cv.comp.colors.get("city", (56, 62, 80) if not night else (18, 20, 34))
    ys, xs = grid(cv.h, cv.w)
    x = -0.02
    heights: list[tuple[float, float, float]] = []
    while x < 1.02:
        bw = float(rng.uniform(0.035, 0.085))
        heights.append((x, x + bw, float(rng.uniform(0.07, 0.32))))
        x += bw + float(rng.uniform(0.0, 0.01))
    neon = cv.comp.style == "neon"
    for k, (x0, x1, bh) in enumerate(heights):
        col = cv.tone(mix(base, (150, 160, 185), float(rng.uniform(0.0, 0.25))))
        top = horizon - bh
        inside = (xs >= x0) & (xs < x1) & (ys >= top) & (ys < horizon + 0.01)
        cv.fill(inside, (34, 14, 56) if neon else col)
        win = (200, 220, 240) if not night else (255, 214, 120)
        if neon:
            win = ((255, 60, 200), (60, 230, 255), (255, 230, 90))[k % 3]
            rim = inside & ~((xs >= x0 + 2 / cv.w) & (xs < x1 - 2 / cv.w) & (ys >= top + 2 / cv.h))
            cv.fill(rim, win)
        for wy in np.arange(top + 0.02, horizon - 0.01, 0.028):
            for wx in np.arange(x0 + 0.008, x1 - 0.008, 0.016):
                if rng.random() < (0.5 if night else 0.35):
                    cv.sparkles.append(
                        Sparkle("rect", float(wx), float(wy), 0.005, win, 0.9 if night else 0.35)
                    )


def paint_trees(cv: Canvas, ground: float) -> None:
    comp = cv.comp
    els = comp.elements
    if not (els & {"forest", "tree"}):
        return
    rng = cv.rng
    ys, xs = grid(cv.h, cv.w)
    aspect = cv.w / cv.h
    dark = cv.tone(comp.colors.get("forest", comp.colors.get("tree", (34, 92, 46))))
    snowy = "snow" in els
    far_shore = bool(els & WATER_ELEMENTS)  # trees stand on the far shore, behind the water
    if "forest" in els:
        for row in range(1 if far_shore else 3):
            base_y = ground + (0.004 if far_shore else 0.02 + row * 0.07)
            count = int((18 + row * 6) * aspect * (1.6 if far_shore else 1.0))
            for _ in range(count):
                tx = float(rng.uniform(-0.02, 1.02))
                th = (
                    float(rng.uniform(0.09, 0.16))
                    * (0.75 + 0.25 * row)
                    * (0.5 if far_shore else 1.0)
                )
                tw = th * 0.32 / aspect
                top = base_y - th
                tri = (ys >= top) & (ys <= base_y) & (np.abs(xs - tx) <= tw * (ys - top) / th)
                col = mix(dark, (0, 0, 0), 0.25 * row + float(rng.uniform(0, 0.15)))
                cv.fill(tri, col)
                if snowy:
                    cap = tri & (ys < top + th * 0.25)
                    cv.fill(cap, cv.snow())
    if "tree" in els and "forest" not in els:
        side = 0.22 if rng.random() < 0.5 else 0.78
        base_y = min(0.95, ground + 0.12)
        trunk = (np.abs(xs - side) < 0.018 / aspect) & (ys > base_y - 0.22) & (ys < base_y)
        cv.fill(trunk, cv.tone((96, 64, 38)))
        px, py = xs * cv.w, ys * cv.h
        canopy = np.zeros((cv.h, cv.w), dtype=np.float32)
        for _ in range(7):
            bx = (side + float(rng.uniform(-0.07, 0.07)) / aspect) * cv.w
            by = (base_y - 0.28 + float(rng.uniform(-0.07, 0.05))) * cv.h
            r = float(rng.uniform(0.07, 0.11)) * cv.h
            d = np.sqrt((px - bx) ** 2 + (py - by) ** 2)
            canopy = np.maximum(canopy, smoothstep(r + 1, r - 1, d))
        leaf = fbm(rng, cv.h, cv.w, cells=16, octaves=2)
        leaf_rgb = np.asarray(rgbf(mix(dark, (110, 180, 80), 0.35)), dtype=np.float32)
        cv.paint(leaf_rgb * (0.75 + 0.5 * leaf)[..., None], canopy)


def paint_water(cv: Canvas, horizon: float) -> None:
    comp = cv.comp
    els = comp.elements
    if not (els & WATER_ELEMENTS):
        return
    lake = "lake" in els and "sea" not in els
    ys, xs = grid(cv.h, cv.w)
    named = comp.colors.get("sea", comp.colors.get("lake"))
    far, near = (64, 132, 186), (14, 60, 112)
    if named is not None:
        far, near = mix(named, (255, 255, 255), 0.2), mix(named, (0, 0, 0), 0.35)
    sky_cols = sky_colors(comp)
    warm = comp.time in {"sunset", "sunrise"}
    far = mix(cv.tone(far), sky_cols[-1], 0.55 if warm else 0.3)
    near = mix(cv.tone(near), sky_cols[0], 0.35 if warm else 0.1)
    t = np.clip((ys - horizon) / max(1e-3, 1.0 - horizon), 0.0, 1.0)
    rgb = lerp_rgb(
        np.broadcast_to(np.asarray(rgbf(far), dtype=np.float32), (cv.h, 1, 3)),
        rgbf(near),
        np.broadcast_to(t**0.7, (cv.h, 1)),
    ) * np.ones((1, cv.w, 1), dtype=np.float32)
    # waves: noise stretched sideways, finer near the horizon (perspective)
    waves = resize_plane(fbm(cv.rng, cv.h, max(4, cv.w // 10), cells=24, octaves=3), cv.w, cv.h)
    hy = round(horizon * cv.h)
    if lake and 0 < hy < cv.h:
        rows = np.clip(2 * hy - np.arange(hy, cv.h), 0, cv.h - 1)
        shift = ((waves[hy:, :] - 0.5) * 0.02 * cv.w).astype(np.int64)
        cols = np.clip(np.arange(cv.w)[None, :] + shift, 0, cv.w - 1)
        mirror = cv.rgb[rows[:, None], cols]
        rgb[hy:] = rgb[hy:] * 0.45 + mirror * 0.55 * 0.85
    crest = smoothstep(0.55, 0.8, waves) * (0.25 if not lake else 0.12)
    rgb = rgb * (1.0 + (waves - 0.5)[..., None] * 0.25) + crest[..., None] * 0.35
    if cv.sun is not None:
        sx = cv.sun[0]
        spread = 0.02 + 0.12 * t
        column = np.exp(-(((xs - sx) / spread) ** 2)) * smoothstep(0.45, 0.7, waves)
        sun_col = (1.0, 0.8, 0.5) if comp.time in {"sunset", "sunrise"} else (1.0, 1.0, 0.92)
        rgb = rgb + column[..., None] * np.asarray(sun_col, dtype=np.float32) * 0.6
    alpha = smoothstep(horizon - 0.7 / cv.h, horizon + 0.7 / cv.h, ys) * np.ones_like(xs)
    if "beach" in els:
        shore = 0.8 + 0.04 * fbm1d(cv.rng, cv.w, cells=3, octaves=3)
        sand_a = smoothstep(-1.0 / cv.h, 1.0 / cv.h, ys - shore[None, :])
        foam = smoothstep(0.012, 0.0, np.abs(ys - shore[None, :] + 0.004)) * 0.85
        sand = comp.colors.get("beach", (232, 210, 164))
        wet = np.clip((ys - shore[None, :]) / 0.05, 0, 1)
        sand_rgb = lerp_rgb(
            np.broadcast_to(
                np.asarray(rgbf(cv.tone(mix(sand, (120, 100, 70), 0.3))), dtype=np.float32),
                (cv.h, cv.w, 3),
            ),
            rgbf(cv.tone(sand)),
            wet,
        )
        rgb = lerp_rgb(rgb, sand_rgb, sand_a)
        rgb = lerp_rgb(rgb, rgbf(cv.tone((250, 252, 255))), foam * (1 - sand_a * 0.6))
    cv.paint(rgb.astype(np.float32), alpha)


SNOWING = {"snowing", "snowfall", "snowflakes", "blizzard", "falling", "flakes"}


def add_snowfall(cv: Canvas) -> None:
    tokens = set(cv.comp.tokens)
    if "snow" not in cv.comp.elements or not (
        tokens & SNOWING or ("snow" in tokens and "mountains" not in cv.comp.elements)
    ):
        return
    rng = cv.rng
    for _ in range(140):
        size = 0.002 + 0.006 * float(rng.random()) ** 2
        cv.sparkles.append(
            Sparkle("dot", float(rng.random()), float(rng.random()), size, (255, 255, 255), 0.85)
        )
