"""The upper half of a scene: sky gradient, sun, moon, stars, clouds, rainbow, rain."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .colors import RGB, mix
from .noise import Array, fbm, grid, lerp_rgb, rgbf, smoothstep
from .prompt import Composition

# (sky top, sky at horizon) per time of day
SKY_STOPS: dict[str, list[RGB]] = {
    "day": [(38, 104, 208), (92, 154, 230), (170, 208, 242)],
    "sunset": [(48, 42, 112), (170, 80, 130), (245, 130, 70), (255, 200, 110)],
    "sunrise": [(80, 112, 188), (200, 150, 185), (252, 186, 140), (255, 226, 170)],
    "night": [(4, 7, 26), (12, 20, 55), (30, 42, 88)],
    "rain": [(78, 86, 100), (118, 126, 138), (160, 166, 174)],
    "space": [(3, 3, 12), (8, 8, 28), (14, 12, 38)],
}


@dataclass
class Sparkle:
    """A small detail drawn crisply at full resolution: a star, a snowflake, a rain streak."""

    kind: str  # dot | line
    x: float  # normalised 0..1
    y: float
    size: float  # fraction of the shorter side
    color: RGB
    alpha: float
    dx: float = 0.0
    dy: float = 0.0
    sky_only: bool = False  # hidden where land or clouds cover the sky


@dataclass
class Canvas:
    """A low-resolution float image being painted, with what later layers need to know."""

    comp: Composition
    rng: np.random.Generator
    rgb: Array
    horizon: float | None  # normalised y of the horizon, None when the sky fills the frame
    sun: tuple[float, float] | None = None
    sparkles: list[Sparkle] = field(default_factory=list)
    cover: Array | None = None  # how much of each pixel is no longer open sky

    def paint(self, color: Array | tuple[float, float, float], alpha: Array) -> None:
        """Composite over the canvas and mark the area as covered (no stars behind it)."""
        self.rgb = lerp_rgb(self.rgb, color, alpha)
        a = np.broadcast_to(alpha[..., 0] if alpha.ndim == 3 else alpha, (self.h, self.w))
        self.cover = a.astype(np.float32) if self.cover is None else np.maximum(self.cover, a)

    def fill(self, where: np.ndarray, color: RGB) -> None:
        """Paint a solid colour into a boolean region."""
        self.rgb[where] = np.asarray(rgbf(color), dtype=np.float32)
        if self.cover is None:
            self.cover = np.zeros((self.h, self.w), dtype=np.float32)
        self.cover[where] = 1.0

    def snow(self) -> RGB:
        """Snow under this light: moonlit blue at night, warm at sunset, white by day."""
        if self.comp.time == "night":
            return (150, 164, 200)
        if self.comp.time in {"sunset", "sunrise"}:
            return (250, 214, 200)
        return (246, 248, 252)

    def open_sky(self, x: float, y: float) -> bool:
        if self.cover is None:
            return True
        yi = min(self.h - 1, max(0, int(y * self.h)))
        xi = min(self.w - 1, max(0, int(x * self.w)))
        return bool(self.cover[yi, xi] < 0.3)

    @property
    def h(self) -> int:
        return int(self.rgb.shape[0])

    @property
    def w(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def sky_bottom(self) -> float:
        return self.horizon if self.horizon is not None else 1.0

    def tone(self, color: RGB) -> RGB:
        """A land or object colour adjusted for the time of day."""
        if self.comp.time == "night":
            return mix(mix(color, (20, 30, 70), 0.45), (0, 0, 0), 0.45)
        if self.comp.time in {"sunset", "sunrise"}:
            return mix(mix(color, (160, 70, 60), 0.25), (0, 0, 0), 0.25)
        if "rain" in self.comp.elements:
            return mix(color, (90, 95, 105), 0.35)
        return color


def sky_colors(comp: Composition) -> list[RGB]:
    if "space" in comp.elements:
        stops = SKY_STOPS["space"]
    elif comp.time != "day":
        stops = SKY_STOPS[comp.time]
    elif "rain" in comp.elements:
        stops = SKY_STOPS["rain"]
    else:
        stops = SKY_STOPS["day"]
    named = comp.colors.get("sky")
    if named is not None:
        if comp.time == "day":
            stops = [mix(named, (0, 0, 0), 0.12), named, mix(named, (255, 255, 255), 0.4)]
        else:
            stops = [mix(s, named, 0.55) for s in stops]
    return stops


def paint_sky(cv: Canvas) -> None:
    ys, _ = grid(cv.h, cv.w)
    stops = sky_colors(cv.comp)
    t = np.clip(ys / max(cv.sky_bottom, 0.2), 0.0, 1.0)
    t = np.broadcast_to(t, (cv.h, cv.w))
    rgb = np.empty((cv.h, cv.w, 3), dtype=np.float32)
    pos = np.linspace(0.0, 1.0, len(stops))
    for c in range(3):
        rgb[..., c] = np.interp(t, pos, [s[c] / 255.0 for s in stops])
    wobble = fbm(cv.rng, cv.h, cv.w, cells=2.5, octaves=3) - 0.5
    rgb *= 1.0 + 0.05 * wobble[..., None]
    if "space" in cv.comp.elements:
        rgb = _nebula(cv, rgb)
    cv.rgb = rgb


def _nebula(cv: Canvas, rgb: Array) -> Array:
    base = cv.comp.colors.get("space", (120, 50, 170))
    second = mix(base, (40, 90, 200), 0.6)
    a = smoothstep(0.45, 0.8, fbm(cv.rng, cv.h, cv.w, cells=3, octaves=5))
    b = smoothstep(0.5, 0.85, fbm(cv.rng, cv.h, cv.w, cells=4, octaves=5))
    rgb = rgb + np.asarray(rgbf(base), dtype=np.float32) * (0.7 * a)[..., None]
    return (rgb + np.asarray(rgbf(second), dtype=np.float32) * (0.5 * b)[..., None]).astype(
        np.float32
    )


def _disc_alpha(px: Array, py: Array, cx: float, cy: float, r: float, soft: float) -> Array:
    d = np.sqrt((px - cx) ** 2 + (py - cy) ** 2)
    return smoothstep(r + soft, r - soft, d)


def paint_sun(cv: Canvas) -> None:
    comp = cv.comp
    low = comp.time in {"sunset", "sunrise"}
    if "sun" not in comp.elements and not (low and "space" not in comp.elements):
        return
    rng = cv.rng
    side = min(cv.h, cv.w)
    if low:
        sx = 0.5 + rng.uniform(-0.18, 0.18)
        sy = cv.sky_bottom - (0.06 if cv.horizon is not None else 0.25)
    else:
        sx = (0.22 if rng.random() < 0.5 else 0.78) + rng.uniform(-0.07, 0.07)
        sy = 0.17 + rng.uniform(-0.04, 0.05)
    cv.sun = (sx, sy)
    ys, xs = grid(cv.h, cv.w)
    px, py = xs * cv.w, ys * cv.h
    cx, cy, r = sx * cv.w, sy * cv.h, 0.075 * side * (1.25 if low else 1.0)
    core = comp.colors.get("sun", (255, 186, 90) if low else (255, 246, 205))
    glow = mix(core, (255, 120, 40) if low else (255, 240, 190), 0.5)
    d = np.sqrt((px - cx) ** 2 + (py - cy) ** 2)
    halo = np.exp(-((d / (r * 3.2)) ** 2)) * 0.55 + np.exp(-((d / (r * 9.0)) ** 2)) * 0.22
    cv.rgb = cv.rgb + np.asarray(rgbf(glow), dtype=np.float32) * halo[..., None]
    cv.paint(rgbf(core), smoothstep(r + 1.2, r - 1.2, d))


def paint_moon(cv: Canvas) -> None:
    if "moon" not in cv.comp.elements:
        return
    rng = cv.rng
    side = min(cv.h, cv.w)
    mx = (0.25 if rng.random() < 0.5 else 0.75) + rng.uniform(-0.08, 0.08)
    my = 0.18 + rng.uniform(-0.04, 0.05)
    ys, xs = grid(cv.h, cv.w)
    px, py = xs * cv.w, ys * cv.h
    cx, cy, r = mx * cv.w, my * cv.h, 0.07 * side
    color = cv.comp.colors.get("moon", (246, 242, 222))
    d = np.sqrt((px - cx) ** 2 + (py - cy) ** 2)
    cv.rgb = cv.rgb + np.float32(0.18) * np.exp(-((d / (r * 4.0)) ** 2))[..., None] * np.asarray(
        rgbf(color), dtype=np.float32
    )
    disc = _disc_alpha(px, py, cx, cy, r, 1.2)
    if "full" not in cv.comp.tokens:
        shadow = _disc_alpha(px, py, cx + 0.45 * r, cy - 0.2 * r, r * 0.92, 1.2)
        disc = disc * (1.0 - shadow)
    spots = fbm(rng, cv.h, cv.w, cells=12, octaves=2)
    moon_rgb = np.asarray(rgbf(color), dtype=np.float32) * (0.9 + 0.12 * spots)[..., None]
    cv.paint(moon_rgb, disc)


def add_stars(cv: Canvas) -> None:
    comp = cv.comp
    if not ({"stars", "space"} & comp.elements or comp.time == "night"):
        return
    rng = cv.rng
    count = (
        (260 if "space" in comp.elements else 150)
        if "stars" in comp.elements or "space" in comp.elements
        else 60
    )
    color = comp.colors.get("stars", (255, 252, 235))
    bottom = cv.sky_bottom * 0.92
    for _ in range(count):
        y = float(rng.uniform(0.0, bottom))
        x = float(rng.uniform(0.0, 1.0))
        bright = float(rng.random()) ** 2.2
        size = 0.0018 + 0.0045 * bright
        cv.sparkles.append(Sparkle("dot", x, y, size, color, 0.35 + 0.65 * bright, sky_only=True))


def paint_clouds(cv: Canvas) -> None:
    comp = cv.comp
    if "clouds" not in comp.elements and "rain" not in comp.elements:
        return
    rng = cv.rng
    heavy = "rain" in comp.elements or "overcast" in comp.tokens or "cloudy" in comp.tokens
    aspect = cv.w / cv.h
    n = round((7 if heavy else 4) * max(0.8, aspect)) + int(rng.integers(0, 3))
    default = (120, 124, 134) if "rain" in comp.elements else (252, 252, 255)
    base = comp.colors.get("clouds", default)
    if comp.time in {"sunset", "sunrise"}:
        lit, shade = mix(base, (255, 185, 150), 0.55), mix(base, (150, 90, 130), 0.6)
    elif comp.time == "night":
        lit, shade = mix(base, (60, 70, 110), 0.75), mix(base, (20, 25, 50), 0.85)
    else:
        lit, shade = base, mix(base, (150, 160, 185), 0.35)
    ys, xs = grid(cv.h, cv.w)
    py, px = ys * cv.h, xs * cv.w
    side = min(cv.h, cv.w)
    rough = fbm(rng, cv.h, cv.w, cells=7, octaves=3) - 0.5
    top_band = cv.sky_bottom * 0.72
    # cloud centres spread across the width in jittered slots so they do not all pile up
    slots = (np.arange(n) + rng.uniform(0.1, 0.9, n)) / n
    rng.shuffle(slots)
    for k in range(n):
        cw = float(rng.uniform(0.2, 0.4)) * cv.w * (1.3 if heavy else 1.0)
        cx = float(slots[k]) * (cv.w * 1.1) - cv.w * 0.05
        cy = float(rng.uniform(0.1, max(0.12, top_band))) * cv.h
        puffs = int(rng.integers(5, 9))
        alpha = np.zeros((cv.h, cv.w), dtype=np.float32)
        x0, x1 = int(max(0, cx - cw)), int(min(cv.w, cx + cw))
        y0, y1 = int(max(0, cy - cw * 0.6)), int(min(cv.h, cy + cw * 0.2))
        if x1 <= x0 or y1 <= y0:
            continue
        sub_px, sub_py = px[:, x0:x1], py[y0:y1, :]
        for j in range(puffs):
            u = (j + 0.5) / puffs
            r = cw * float(rng.uniform(0.17, 0.27)) * (1.15 - abs(u - 0.5) * 1.1)
            bx = cx + (u - 0.5) * cw * 0.95 + float(rng.uniform(-0.04, 0.04)) * cw
            by = cy - r * float(rng.uniform(0.2, 0.7))
            d = np.sqrt((sub_px - bx) ** 2 + (sub_py - by) ** 2)
            edge = r + rough[y0:y1, x0:x1] * r * 0.5
            puff = smoothstep(0.0, max(1.0, side * 0.012), edge - d)
            alpha[y0:y1, x0:x1] = np.maximum(alpha[y0:y1, x0:x1], puff)
        flat = smoothstep(cy + side * 0.01, cy - side * 0.01, py)  # flat cloud base
        alpha *= flat
        shade_t = smoothstep(cy - cw * 0.35, cy, py)
        col = lerp_rgb(
            np.broadcast_to(np.asarray(rgbf(lit), dtype=np.float32), (cv.h, 1, 3)),
            rgbf(shade),
            np.broadcast_to(shade_t, (cv.h, 1)),
        )
        cv.paint(col, alpha * (0.96 if not heavy else 0.9))


def paint_rainbow(cv: Canvas) -> None:
    if "rainbow" not in cv.comp.elements:
        return
    bands = [
        (230, 40, 40),
        (250, 140, 30),
        (250, 220, 40),
        (60, 180, 70),
        (40, 110, 220),
        (80, 50, 170),
        (150, 60, 190),
    ]
    ys, xs = grid(cv.h, cv.w)
    cx = (0.5 + cv.rng.uniform(-0.12, 0.12)) * cv.w
    cy = cv.sky_bottom * cv.h + 0.05 * cv.h
    d = np.sqrt((xs * cv.w - cx) ** 2 + (ys * cv.h - cy) ** 2)
    r_out = 0.62 * max(cv.w, cv.h * 0.9)
    width = 0.085 * r_out
    fade = smoothstep(cv.sky_bottom * cv.h, cv.sky_bottom * cv.h * 0.55, ys * cv.h)
    for k, color in enumerate(bands):
        r1 = r_out - k * width / len(bands)
        band = smoothstep(r1 + 1.5, r1 - 0.5, d) * smoothstep(
            r1 - width / len(bands) - 1.5, r1 - width / len(bands) + 0.5, d
        )
        cv.rgb = lerp_rgb(cv.rgb, rgbf(color), band * 0.55 * (0.3 + 0.7 * fade))


def add_rain(cv: Canvas) -> None:
    if "rain" not in cv.comp.elements:
        return
    rng = cv.rng
    for _ in range(220):
        x = float(rng.uniform(-0.05, 1.05))
        y = float(rng.uniform(0.0, 1.0))
        length = float(rng.uniform(0.03, 0.07))
        cv.sparkles.append(
            Sparkle("line", x, y, 0.0025, (200, 210, 225), 0.45, dx=-length * 0.25, dy=length)
        )
