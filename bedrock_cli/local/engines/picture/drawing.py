"""Crisp full-resolution details: shapes, lettering, and small sparkles (stars, snow, rain).

Fonts: Pillow's bundled scalable font (`ImageFont.load_default(size=...)`, Pillow >= 10.1
with FreeType) so the same Pillow gives the same pixels on every machine; else a DejaVu or
Liberation TrueType font already on the machine; else Pillow's bitmap font scaled up.
Nothing is ever downloaded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .colors import RGB, contrasting, luminance, mix
from .prompt import Composition, Shape, Text
from .sky import Sparkle

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels

DEFAULT_SHAPE_COLORS: list[RGB] = [
    (228, 62, 58),
    (38, 118, 222),
    (250, 186, 36),
    (52, 168, 92),
    (150, 78, 200),
    (245, 120, 40),
]
_SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/Library/Fonts/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)


@lru_cache(maxsize=64)
def load_font(size: int) -> Font:
    """A scalable font at `size` pixels, or the bitmap fallback (check `isinstance`)."""
    size = max(4, int(size))
    try:
        font = ImageFont.load_default(size=size)
        if isinstance(font, ImageFont.FreeTypeFont):
            return font
    except (TypeError, OSError, AttributeError):
        pass
    for path in _SYSTEM_FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def draw_sparkles(img: Image.Image, sparkles: list[Sparkle]) -> None:
    """Draw stars, snowflakes, windows and rain streaks onto `img` in place."""
    if not sparkles:
        return
    w, h = img.size
    side = min(w, h)
    draw = ImageDraw.Draw(img, "RGBA")
    for s in sparkles:
        x, y = s.x * w, s.y * h
        r = max(0.6, s.size * side)
        fill = (*s.color, round(255 * s.alpha))
        if s.kind == "dot":
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        elif s.kind == "rect":
            draw.rectangle((x - r, y - r * 1.3, x + r, y + r * 1.3), fill=fill)
        else:
            draw.line((x, y, x + s.dx * side, y + s.dy * side), fill=fill, width=max(1, round(r)))


# ---------------------------------------------------------------- shapes


def _polygon(kind: str) -> list[tuple[float, float]]:
    """Unit outline (inside [-1, 1]^2, y down) of a shape."""
    if kind == "triangle":
        return [(0.0, -0.95), (1.0, 0.78), (-1.0, 0.78)]
    if kind == "square":
        return [(-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (-0.9, 0.9)]
    if kind == "rectangle":
        return [(-1.0, -0.62), (1.0, -0.62), (1.0, 0.62), (-1.0, 0.62)]
    if kind == "diamond":
        return [(0.0, -1.0), (0.72, 0.0), (0.0, 1.0), (-0.72, 0.0)]
    if kind == "star":
        pts = []
        for k in range(10):
            r = 1.0 if k % 2 == 0 else 0.42
            a = -math.pi / 2 + k * math.pi / 5
            pts.append((r * math.cos(a), r * math.sin(a) + 0.08))
        return pts
    if kind == "heart":
        pts = []
        for k in range(120):
            t = 2 * math.pi * k / 120
            x = 16 * math.sin(t) ** 3
            y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
            pts.append((x / 17.0, -y / 17.0 + 0.05))
        return pts
    sides = {"pentagon": 5, "hexagon": 6, "octagon": 8}.get(kind, 64)
    offset = -math.pi / 2 if sides % 2 else math.pi / sides
    return [
        (math.cos(offset + 2 * math.pi * k / sides), math.sin(offset + 2 * math.pi * k / sides))
        for k in range(sides)
    ]


def shape_mask(kind: str, size: int) -> Image.Image:
    """An anti-aliased L mask of a shape, `size` pixels across (drawn at 3x, box-filtered)."""
    big = size * 3
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    half = big / 2.0
    if kind in {"circle", "oval"}:
        ry = 0.68 if kind == "oval" else 0.98
        draw.ellipse(
            (half - 0.98 * half, half - ry * half, half + 0.98 * half, half + ry * half), fill=255
        )
    else:
        draw.polygon(
            [(half + x * half * 0.98, half + y * half * 0.98) for x, y in _polygon(kind)], fill=255
        )
    return mask.resize((size, size), Image.Resampling.BOX)


def _shaded_tile(color: RGB, size: int, kind: str) -> Image.Image:
    v = np.linspace(0.0, 1.0, size, dtype=np.float32)
    shade = 1.1 - 0.22 * v[:, None] + np.zeros((1, size), dtype=np.float32)
    if kind == "circle":
        yy, xx = np.meshgrid(v, v, indexing="ij")
        spot = np.exp(-(((xx - 0.35) ** 2 + (yy - 0.3) ** 2) / 0.04))
        shade = shade + 0.25 * spot
    tile = np.clip(np.asarray(color, dtype=np.float32)[None, None, :] * shade[..., None], 0, 255)
    return Image.fromarray(tile.astype(np.uint8), "RGB")


@dataclass
class Placed:
    shape: Shape
    color: RGB
    cx: float
    cy: float
    size: int


def layout_shapes(
    shapes: list[Shape],
    band: Box,
    rng: np.random.Generator,
    palette: list[RGB],
    *,
    fill: float = 0.62,
) -> list[Placed]:
    items = [(s, k) for s in shapes for k in range(s.count)][:12]
    if not items:
        return []
    x0, y0, x1, y1 = band
    bw, bh = x1 - x0, y1 - y0
    n = len(items)
    cols = max(1, min(n, math.ceil(math.sqrt(n * bw / max(bh, 1.0)))))
    rows = math.ceil(n / cols)
    cols = math.ceil(n / rows)
    cw, ch = bw / cols, bh / rows
    placed: list[Placed] = []
    for idx, (shape, _) in enumerate(items):
        r, c = divmod(idx, cols)
        in_row = min(cols, n - r * cols)
        offset = (cols - in_row) * cw / 2.0
        jitter = 0.07 if n > 1 else 0.0
        cx = x0 + offset + (c + 0.5 + float(rng.uniform(-jitter, jitter))) * cw
        cy = y0 + (r + 0.5 + float(rng.uniform(-jitter, jitter))) * ch
        base = min(cw, ch) * (fill if n == 1 else max(fill, 0.72))
        size = int(max(6, min(min(cw, ch) * 0.96, base * shape.scale)))
        color = shape.color or palette[idx % len(palette)]
        placed.append(Placed(shape, color, cx, cy, size))
    return placed


def draw_shapes(img: Image.Image, placed: list[Placed], *, outline: bool = False) -> None:
    """Draw laid-out shapes (soft shadow, gentle shading, optional ink outline) in place."""
    if not placed:
        return
    w, h = img.size
    shadow = Image.new("L", (w, h), 0)
    masks = []
    for p in placed:
        mask = shape_mask(p.shape.kind, p.size)
        left, top = round(p.cx - p.size / 2), round(p.cy - p.size / 2)
        off = max(2, p.size // 30)
        shadow.paste(mask, (left + off, top + off * 2), mask)
        masks.append((mask, left, top))
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(2, min(w, h) // 120)))
    img.paste((0, 0, 0), (0, 0), shadow.point(lambda v: v * 30 // 100))
    for p, (mask, left, top) in zip(placed, masks, strict=True):
        if outline:
            ring = mask.filter(ImageFilter.MaxFilter(_odd(max(3, p.size // 40))))
            img.paste((16, 16, 22), (left, top), ring)
        img.paste(_shaded_tile(p.color, p.size, p.shape.kind), (left, top), mask)


def _odd(n: int) -> int:
    return n if n % 2 else n + 1


# ---------------------------------------------------------------- lettering


def _wrap(text: str) -> list[str]:
    words = text.split()
    if len(text) <= 14 or len(words) < 2:
        return [text]
    lines_wanted = 2 if len(text) <= 34 else 3
    target = len(text) / lines_wanted
    lines: list[str] = []
    current = ""
    for word in words:
        if (
            current
            and len(current) + 1 + len(word) > target * 1.15
            and len(lines) < lines_wanted - 1
        ):
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return lines


def _measure(font: Font, line: str, stroke: int) -> tuple[float, float]:
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox(
        (0, 0), line, font=font, stroke_width=stroke
    )
    return float(right - left), float(bottom - top)


def draw_texts(img: Image.Image, texts: list[Text], box: Box, *, ink: RGB | None = None) -> None:
    """Letter each text large, centred in `box`, readable on whatever is behind it."""
    if not texts:
        return
    x0, y0, x1, y1 = box
    slot_h = (y1 - y0) / len(texts)
    for k, text in enumerate(texts):
        _draw_one(img, text, (x0, y0 + k * slot_h, x1, y0 + (k + 1) * slot_h), ink)


def _draw_one(img: Image.Image, text: Text, box: Box, ink: RGB | None) -> None:
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    lines = _wrap(text.text)
    probe = load_font(100)
    scalable = isinstance(probe, ImageFont.FreeTypeFont)
    widths = [_measure(probe, line, 3)[0] for line in lines]
    line_h = _measure(probe, "Hg", 3)[1] * 1.15
    by_width = bw * 0.9 / max(max(widths), 1.0) * 100.0 if scalable else bw * 0.9 / max(widths)
    by_height = bh * 0.9 / (line_h * len(lines)) * (100.0 if scalable else 1.0)
    size = int(max(8, min(by_width, by_height)))
    behind = np.asarray(img.crop((int(x0), int(y0), int(x1), int(y1))), dtype=np.float32)
    bg = tuple(int(v) for v in behind.reshape(-1, 3).mean(axis=0)) if behind.size else (128,) * 3
    color = text.color or ink or contrasting((bg[0], bg[1], bg[2]))
    edge = contrasting(color)
    if text.color is not None and abs(luminance(color) - luminance((bg[0], bg[1], bg[2]))) < 0.2:
        edge = mix(edge, color, 0.15)
    if not scalable:
        _draw_bitmap_text(img, lines, box, color, edge)
        return
    font = load_font(size)
    bold = max(1, size // 36)
    rim = max(2, size // 22)
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    step = _measure(font, "Hg", bold)[1] * 1.15
    first = cy - step * (len(lines) - 1) / 2.0
    shadow = Image.new("L", img.size, 0)
    sdraw = ImageDraw.Draw(shadow)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        y = first + i * step
        off = max(2, size // 25)
        sdraw.text(
            (cx + off, y + off), line, font=font, fill=255, anchor="mm", stroke_width=bold + rim
        )
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(2, size // 14)))
    img.paste((0, 0, 0), (0, 0), shadow.point(lambda v: v * 40 // 100))
    for i, line in enumerate(lines):
        y = first + i * step
        draw.text(
            (cx, y),
            line,
            font=font,
            fill=edge,
            anchor="mm",
            stroke_width=bold + rim,
            stroke_fill=edge,
        )
        draw.text(
            (cx, y), line, font=font, fill=color, anchor="mm", stroke_width=bold, stroke_fill=color
        )


def _draw_bitmap_text(img: Image.Image, lines: list[str], box: Box, color: RGB, edge: RGB) -> None:
    """Old Pillow without FreeType: draw the bitmap font small and scale its mask up."""
    font = ImageFont.load_default()
    widths = [_measure(font, line, 0) for line in lines]
    tw = int(max(w for w, _ in widths)) + 4
    th = int(sum(h for _, h in widths) * 1.3) + 4
    mask = Image.new("L", (tw, th), 0)
    d = ImageDraw.Draw(mask)
    y = 2.0
    for line, (lw, lh) in zip(lines, widths, strict=True):
        d.text(((tw - lw) / 2, y), line, font=font, fill=255)
        y += lh * 1.3
    x0, y0, x1, y1 = box
    scale = min((x1 - x0) * 0.9 / tw, (y1 - y0) * 0.9 / th)
    big = mask.resize((max(1, int(tw * scale)), max(1, int(th * scale))), Image.Resampling.BICUBIC)
    left = int((x0 + x1 - big.width) / 2)
    top = int((y0 + y1 - big.height) / 2)
    img.paste(edge, (left, top), big.filter(ImageFilter.MaxFilter(_odd(max(3, int(scale))))))
    img.paste(color, (left, top), big)


def object_boxes(
    comp: Composition, box: Box, scene: bool, *, tight: bool = False
) -> tuple[Box, Box]:
    """Where lettering and shapes go inside `box` (the frame, or, `tight`, an edit region
    that the objects should fill)."""
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    if tight and not (comp.texts and comp.shapes):
        return box, box

    def sub(a: float, b: float, c: float, d: float) -> Box:
        return (x0 + a * bw, y0 + b * bh, x0 + c * bw, y0 + d * bh)

    if comp.texts and comp.shapes:
        if scene:
            return sub(0.05, 0.34, 0.95, 0.68), sub(0.08, 0.04, 0.92, 0.32)
        return sub(0.05, 0.1, 0.95, 0.5), sub(0.08, 0.54, 0.92, 0.95)
    if comp.texts:
        return sub(0.05, 0.28, 0.95, 0.72), sub(0, 0, 0, 0)
    if scene:
        return sub(0, 0, 0, 0), sub(0.1, 0.08, 0.9, 0.5)
    return sub(0, 0, 0, 0), sub(0.08, 0.08, 0.92, 0.92)
