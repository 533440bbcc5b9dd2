"""A pen for drawing one subject in its own box: unit coordinates, supersampled, shaded.

A subject's drawing function sees the box as x, y in [0, 1] (y down) and calls `ellipse`,
`circle`, `poly`, `rect`, `line` and `eye`. The pen draws at twice the final size and
box-filters down (anti-aliasing), mirrors the drawing when `flip` is set (the subject faces
the other way), and in the cartoon and anime styles strokes every part with an ink outline.
`finish` returns the RGBA layer, shaded: light from the upper left and darker rims, so flat
parts read as rounded forms (flat cel shading in the cartoon styles).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ..colors import RGB, mix

Point = tuple[float, float]
INK: RGB = (24, 20, 28)
SUPERSAMPLE = 2
INKED_STYLES = {"anime", "cartoon"}


def dark(color: RGB, t: float = 0.3) -> RGB:
    return mix(color, (0, 0, 0), t)


def light(color: RGB, t: float = 0.35) -> RGB:
    return mix(color, (255, 255, 255), t)


class Pen:
    """Draws into a (width x height)-pixel box; see the module docstring."""

    def __init__(
        self,
        width: int,
        height: int,
        *,
        style: str | None = None,
        flip: bool = False,
        time: str = "day",
        variant: float = 0.5,
    ) -> None:
        self.width, self.height = max(2, width), max(2, height)
        self.sw, self.sh = self.width * SUPERSAMPLE, self.height * SUPERSAMPLE
        self.image = Image.new("RGBA", (self.sw, self.sh), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)
        self.style = style
        self.flip = flip
        self.time = time  # day | night | sunset | sunrise: lamps and windows light up
        self.variant = variant  # 0..1 from the seed: small pose and pattern choices
        self.cartoon = style in INKED_STYLES
        self.ink = INK if self.cartoon else None
        self.ink_width = max(2, round(min(self.sw, self.sh) / 70)) if self.cartoon else 0

    # -- coordinates ---------------------------------------------------------------------
    def xy(self, x: float, y: float) -> Point:
        return ((1.0 - x) if self.flip else x) * self.sw, y * self.sh

    def _pts(self, pts: Sequence[Point]) -> list[Point]:
        return [self.xy(x, y) for x, y in pts]

    def _outline(self, color: RGB | None) -> dict[str, object]:
        if self.ink is None or color is None:
            return {}
        return {"outline": self.ink, "width": self.ink_width}

    # -- primitives ----------------------------------------------------------------------
    def ellipse(self, cx: float, cy: float, rx: float, ry: float, color: RGB) -> None:
        (x0, y0), (x1, y1) = self.xy(cx - rx, cy - ry), self.xy(cx + rx, cy + ry)
        box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        self.draw.ellipse(box, fill=color, **self._outline(color))  # type: ignore[arg-type]

    def circle(self, cx: float, cy: float, r: float, color: RGB) -> None:
        """A round circle: r is in units of the box width."""
        self.ellipse(cx, cy, r, r * self.width / self.height, color)

    def ring(self, cx: float, cy: float, r: float, color: RGB, width: float = 0.02) -> None:
        """A circle's outline only (a wheel, a hoop); r and width in box-width units."""
        ry = r * self.width / self.height
        (x0, y0), (x1, y1) = self.xy(cx - r, cy - ry), self.xy(cx + r, cy + ry)
        box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        self.draw.ellipse(box, outline=color, width=max(1, round(width * self.sw)))

    def poly(self, pts: Sequence[Point], color: RGB) -> None:
        self.draw.polygon(self._pts(pts), fill=color, **self._outline(color))  # type: ignore[arg-type]

    def rect(
        self, x0: float, y0: float, x1: float, y1: float, color: RGB, radius: float = 0.0
    ) -> None:
        (ax, ay), (bx, by) = self.xy(x0, y0), self.xy(x1, y1)
        box = (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
        r = radius * self.sw
        if r > 0:
            self.draw.rounded_rectangle(box, r, fill=color, **self._outline(color))  # type: ignore[arg-type]
        else:
            self.draw.rectangle(box, fill=color, **self._outline(color))  # type: ignore[arg-type]

    def line(self, pts: Sequence[Point], color: RGB, width: float = 0.02) -> None:
        """A stroke through the points; width in units of the box width."""
        w = max(1, round(width * self.sw))
        if self.ink is not None and width >= 0.03:
            outer = w + 2 * self.ink_width
            self.draw.line(self._pts(pts), fill=self.ink, width=outer, joint="curve")
        self.draw.line(self._pts(pts), fill=color, width=w, joint="curve")

    def curve(self, pts: Sequence[Point], color: RGB, width: float = 0.02, steps: int = 16) -> None:
        """A smooth stroke through control points (a quadratic B-spline)."""
        if len(pts) < 3:
            self.line(pts, color, width)
            return
        out: list[Point] = [pts[0]]
        for i in range(1, len(pts) - 1):
            a = ((pts[i - 1][0] + pts[i][0]) / 2, (pts[i - 1][1] + pts[i][1]) / 2)
            b = ((pts[i][0] + pts[i + 1][0]) / 2, (pts[i][1] + pts[i + 1][1]) / 2)
            if i == 1:
                a = pts[0]
            if i == len(pts) - 2:
                b = pts[-1]
            for k in range(1, steps + 1):
                t = k / steps
                out.append(
                    (
                        (1 - t) ** 2 * a[0] + 2 * (1 - t) * t * pts[i][0] + t * t * b[0],
                        (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * pts[i][1] + t * t * b[1],
                    )
                )
        self.line(out, color, width)

    def eye(self, cx: float, cy: float, r: float, iris: RGB = (30, 26, 30)) -> None:
        """An eye: white, iris, highlight (bigger and rounder in the cartoon styles)."""
        if self.cartoon:
            r *= 1.35
            self.circle(cx, cy, r, (250, 250, 250))
            self.circle(cx + r * 0.15, cy, r * 0.62, iris)
        else:
            self.circle(cx, cy, r * 0.8, iris)
        self.circle(cx - r * 0.1, cy - r * 0.25, r * 0.25, (255, 255, 255))

    # -- result ----------------------------------------------------------------------------
    def finish(self) -> Image.Image:
        """The RGBA layer at its final size, shaded for the style."""
        img = self.image.reduce(SUPERSAMPLE)
        if self.style in {"pixel", "sketch"}:
            return img
        rgba = np.asarray(img, dtype=np.float32)
        alpha = rgba[..., 3] / 255.0
        h, w = alpha.shape
        ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
        xs = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :]
        if self.cartoon:
            light_f = 1.04 - 0.1 * (ys > 0.62)  # one cel-shading step
        else:
            radius = max(1.5, min(w, h) / 18)
            soft = np.asarray(
                Image.fromarray((alpha * 255).astype(np.uint8), "L").filter(
                    ImageFilter.GaussianBlur(radius)
                ),
                dtype=np.float32,
            ) / 255.0
            rim = np.clip((soft - 0.45) * 2.2, 0.0, 1.0)
            light_f = (0.72 + 0.28 * rim) * (1.1 - 0.14 * ys - 0.08 * xs)
        rgba[..., :3] = np.clip(rgba[..., :3] * light_f[..., None], 0, 255)
        return Image.fromarray(rgba.astype(np.uint8), "RGBA")
