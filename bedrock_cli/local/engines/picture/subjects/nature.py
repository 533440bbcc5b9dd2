"""Plants and food (unit boxes)."""

from __future__ import annotations

import math

from ..colors import RGB
from .pen import Pen, dark, light
from .registry import subject

LEAF: RGB = (70, 150, 60)
STEM: RGB = (110, 76, 44)
BARK: RGB = (120, 80, 50)


@subject("tree oak", kind="plant", aspect=0.85, size=0.62, color=(60, 140, 60),
         variants=((90, 160, 60), (220, 130, 40)))
def tree(p: Pen, c: RGB) -> None:
    p.poly([(0.42, 1.0), (0.45, 0.5), (0.55, 0.5), (0.58, 1.0)], BARK)
    p.line([(0.5, 0.62), (0.32, 0.45)], BARK, 0.04)
    for x, y, r in ((0.5, 0.3, 0.3), (0.26, 0.42, 0.22), (0.74, 0.42, 0.22), (0.35, 0.2, 0.2),
                    (0.65, 0.2, 0.2), (0.5, 0.5, 0.22)):
        p.circle(x, y, r, c)
    for x, y in ((0.4, 0.22), (0.62, 0.34), (0.3, 0.42)):
        p.circle(x, y, 0.08, light(c, 0.15))


@subject("pine fir spruce", kind="plant", aspect=0.6, size=0.6, color=(30, 100, 60))
def pine(p: Pen, c: RGB) -> None:
    p.rect(0.44, 0.82, 0.56, 1.0, BARK)
    for k, (y0, y1, w) in enumerate(((0.0, 0.4, 0.3), (0.2, 0.62, 0.4), (0.4, 0.86, 0.5))):
        p.poly([(0.5, y0), (0.5 + w, y1), (0.5 - w, y1)], c if k % 2 else dark(c, 0.1))


@subject("flower rose tulip daisy sunflower blossom", kind="plant", aspect=0.6, size=0.46,
         color=(230, 60, 90), variants=((250, 200, 40), (150, 90, 220), (250, 250, 250)))
def flower(p: Pen, c: RGB) -> None:
    p.curve([(0.5, 1.0), (0.46, 0.7), (0.5, 0.35)], (60, 140, 50), 0.04)
    p.ellipse(0.34, 0.72, 0.14, 0.05, LEAF)
    p.ellipse(0.64, 0.62, 0.14, 0.05, LEAF)
    n = 6 + round(p.variant * 3)
    for k in range(n):
        a = 2 * math.pi * k / n
        p.ellipse(0.5 + 0.26 * math.cos(a), 0.3 + 0.15 * math.sin(a), 0.16, 0.1, c)
    p.circle(0.5, 0.3, 0.15, (250, 200, 40) if c[0] < 200 or c[2] > 60 else (120, 70, 30))


@subject("cactus", kind="plant", aspect=0.7, size=0.5, color=(80, 150, 70))
def cactus(p: Pen, c: RGB) -> None:
    p.poly([(0.25, 0.8), (0.75, 0.8), (0.7, 1.0), (0.3, 1.0)], (200, 110, 60))
    p.line([(0.5, 0.78), (0.5, 0.08)], c, 0.22)
    p.line([(0.42, 0.5), (0.18, 0.5), (0.18, 0.25)], c, 0.14)
    p.line([(0.58, 0.4), (0.82, 0.4), (0.82, 0.18)], c, 0.14)


@subject("mushroom toadstool", kind="plant", aspect=1.0, size=0.34, color=(210, 40, 40))
def mushroom(p: Pen, c: RGB) -> None:
    p.rect(0.38, 0.45, 0.62, 1.0, (246, 238, 220), radius=0.05)
    p.poly([(0.02, 0.55), (0.1, 0.2), (0.5, 0.02), (0.9, 0.2), (0.98, 0.55)], c)
    for x, y in ((0.3, 0.3), (0.55, 0.18), (0.72, 0.38), (0.45, 0.4)):
        p.circle(x, y, 0.05, (250, 250, 250))


@subject("apple", kind="food", aspect=1.0, size=0.3, color=(206, 30, 40), setting="indoor",
         variants=((120, 190, 50),))
def apple(p: Pen, c: RGB) -> None:
    p.circle(0.33, 0.55, 0.3, c)
    p.circle(0.67, 0.55, 0.3, c)
    p.ellipse(0.5, 0.66, 0.4, 0.3, c)
    p.ellipse(0.5, 0.3, 0.06, 0.04, dark(c, 0.3))
    p.line([(0.5, 0.3), (0.53, 0.08)], STEM, 0.04)
    p.poly([(0.54, 0.16), (0.72, 0.04), (0.82, 0.1), (0.64, 0.2)], LEAF)
    p.ellipse(0.32, 0.45, 0.06, 0.1, light(c, 0.5))


@subject("orange tangerine", kind="food", aspect=1.0, size=0.3, color=(250, 140, 20),
         setting="indoor")
def orange(p: Pen, c: RGB) -> None:
    p.circle(0.5, 0.52, 0.46, c)
    for x, y in ((0.3, 0.4), (0.6, 0.3), (0.7, 0.6), (0.4, 0.7), (0.55, 0.5), (0.25, 0.6)):
        p.circle(x, y, 0.015, dark(c, 0.12))
    p.circle(0.5, 0.09, 0.04, (90, 120, 40))
    p.ellipse(0.33, 0.35, 0.08, 0.06, light(c, 0.45))


@subject("banana", kind="food", aspect=1.6, size=0.3, color=(250, 220, 60), setting="indoor")
def banana(p: Pen, c: RGB) -> None:
    outer = [(0.04 + 0.92 * t, 0.25 + 0.6 * math.sin(math.pi * t)) for t in
             [k / 16 for k in range(17)]]
    inner = [(0.96 - 0.9 * t, 0.24 + 0.26 * math.sin(math.pi * (1 - t))) for t in
             [k / 16 for k in range(17)]]
    p.poly(outer + inner, c)
    p.poly([(0.02, 0.2), (0.08, 0.18), (0.1, 0.3), (0.04, 0.3)], STEM)
    p.circle(0.96, 0.28, 0.02, (60, 50, 30))


@subject("pear", kind="food", aspect=0.75, size=0.32, color=(180, 200, 60), setting="indoor")
def pear(p: Pen, c: RGB) -> None:
    p.circle(0.5, 0.68, 0.42, c)
    p.ellipse(0.5, 0.35, 0.24, 0.2, c)
    p.line([(0.5, 0.16), (0.55, 0.02)], STEM, 0.04)


@subject("strawberry", kind="food", aspect=0.85, size=0.26, color=(220, 40, 60), setting="indoor")
def strawberry(p: Pen, c: RGB) -> None:
    p.poly([(0.05, 0.25), (0.95, 0.25), (0.8, 0.65), (0.5, 1.0), (0.2, 0.65)], c)
    for x, y in ((0.3, 0.4), (0.5, 0.45), (0.7, 0.4), (0.4, 0.6), (0.6, 0.6), (0.5, 0.78)):
        p.ellipse(x, y, 0.02, 0.025, (250, 230, 120))
    p.poly([(0.2, 0.22), (0.5, 0.05), (0.8, 0.22), (0.5, 0.32)], LEAF)


@subject("cherry", kind="food", aspect=1.0, size=0.26, color=(190, 20, 45), setting="indoor")
def cherry(p: Pen, c: RGB) -> None:
    p.curve([(0.3, 0.62), (0.45, 0.3), (0.55, 0.05)], (80, 120, 40), 0.025)
    p.curve([(0.7, 0.62), (0.62, 0.3), (0.55, 0.05)], (80, 120, 40), 0.025)
    for x in (0.3, 0.7):
        p.circle(x, 0.75, 0.22, c)
        p.circle(x - 0.07, 0.68, 0.05, light(c, 0.5))


@subject("grapes grape", kind="food", aspect=0.8, size=0.32, color=(110, 50, 140), setting="indoor")
def grapes(p: Pen, c: RGB) -> None:
    p.line([(0.5, 0.18), (0.55, 0.0)], STEM, 0.04)
    for row, n in enumerate((4, 3, 3, 2, 1)):
        for k in range(n):
            x = 0.5 + (k - (n - 1) / 2) * 0.22
            p.circle(x, 0.25 + row * 0.16, 0.13, c if (row + k) % 2 else light(c, 0.15))


@subject("carrot", kind="food", aspect=0.5, size=0.36, color=(245, 130, 30), setting="indoor")
def carrot(p: Pen, c: RGB) -> None:
    for dx in (-0.15, 0.0, 0.15):
        p.poly([(0.5, 0.25), (0.5 + dx * 2 - 0.08, 0.0), (0.5 + dx * 2 + 0.08, 0.0)], LEAF)
    p.poly([(0.2, 0.22), (0.8, 0.22), (0.52, 1.0), (0.48, 1.0)], c)


@subject("cake cupcake", kind="food", aspect=1.0, size=0.36, color=(245, 180, 200),
         setting="indoor")
def cake(p: Pen, c: RGB) -> None:
    p.rect(0.08, 0.45, 0.92, 0.95, c, radius=0.03)
    p.rect(0.08, 0.62, 0.92, 0.68, (250, 250, 250))
    p.rect(0.05, 0.92, 0.95, 0.98, (230, 230, 236))
    for x in (0.3, 0.5, 0.7):
        p.rect(x - 0.025, 0.2, x + 0.025, 0.45, (120, 170, 230))
        p.ellipse(x, 0.15, 0.03, 0.05, (255, 190, 40))


@subject("pizza", kind="food", aspect=1.0, size=0.34, color=(246, 200, 90), setting="indoor")
def pizza(p: Pen, c: RGB) -> None:
    p.circle(0.5, 0.5, 0.48, (200, 140, 60))
    p.circle(0.5, 0.5, 0.42, c)
    for x, y in ((0.35, 0.35), (0.62, 0.3), (0.68, 0.6), (0.4, 0.65), (0.52, 0.48)):
        p.circle(x, y, 0.07, (190, 40, 40))


@subject("icecream sundae cone", kind="food", aspect=0.6, size=0.4, color=(250, 200, 210),
         setting="indoor")
def icecream(p: Pen, c: RGB) -> None:
    p.poly([(0.15, 0.42), (0.85, 0.42), (0.5, 1.0)], (220, 170, 100))
    p.circle(0.5, 0.3, 0.34, c)
    p.circle(0.5, 0.05, 0.08, (200, 30, 40))
