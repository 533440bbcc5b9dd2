"""Animals, each drawn from a few shapes in its own unit box (facing right)."""

from __future__ import annotations

from ..colors import RGB
from .pen import Pen, dark, light
from .registry import subject

PINK: RGB = (236, 150, 160)
BLACK: RGB = (28, 26, 30)
WHITE: RGB = (246, 244, 240)
BEAK: RGB = (245, 160, 30)


def _legs(p: Pen, xs: list[float], top: float, bottom: float, width: float, col: RGB) -> None:
    for x in xs:
        p.rect(x - width / 2, top, x + width / 2, bottom, col, radius=width / 3)


@subject("cat kitten kitty", kind="animal", aspect=0.78, size=0.46, color=(222, 140, 64),
         variants=((120, 120, 128), (40, 38, 44), (236, 228, 214), (170, 120, 80)))
def cat(p: Pen, c: RGB) -> None:
    up = p.variant > 0.5
    tail = [(0.7, 0.9), (0.92, 0.8), (0.95, 0.55), (0.86, 0.4 if up else 0.62)]
    p.curve(tail, c, 0.07)
    p.ellipse(0.5, 0.7, 0.3, 0.27, c)
    p.ellipse(0.5, 0.72, 0.15, 0.18, light(c, 0.4))
    for x in (0.38, 0.62):
        p.ellipse(x, 0.93, 0.09, 0.05, light(c, 0.25))
    for s in (-1, 1):
        x = 0.5 + s * 0.16
        p.poly([(x - s * 0.11, 0.26), (x + s * 0.04, 0.03), (x + s * 0.1, 0.24)], c)
        p.poly([(x - s * 0.06, 0.22), (x + s * 0.03, 0.09), (x + s * 0.06, 0.22)], PINK)
    p.ellipse(0.5, 0.33, 0.25, 0.19, c)
    p.ellipse(0.5, 0.4, 0.12, 0.08, light(c, 0.45))
    for x in (0.41, 0.59):
        p.ellipse(x, 0.31, 0.045, 0.035, (120, 200, 90))
        p.ellipse(x, 0.31, 0.012, 0.03, BLACK)
    p.poly([(0.47, 0.38), (0.53, 0.38), (0.5, 0.41)], PINK)
    p.line([(0.44, 0.425), (0.47, 0.445), (0.5, 0.415), (0.53, 0.445), (0.56, 0.425)], BLACK,
           0.008)
    for s in (-1, 1):
        for dy in (-0.02, 0.015):
            p.line([(0.5 + s * 0.08, 0.41), (0.5 + s * 0.32, 0.4 + dy * 2)], (60, 56, 60), 0.006)


@subject("dog puppy doggy hound", kind="animal", aspect=0.82, size=0.46, color=(176, 120, 70),
         variants=((230, 200, 150), (60, 50, 46), (236, 232, 224), (200, 150, 90)))
def dog(p: Pen, c: RGB) -> None:
    p.curve([(0.74, 0.8), (0.92, 0.7), (0.95, 0.48)], c, 0.06)
    p.ellipse(0.5, 0.7, 0.3, 0.26, c)
    p.ellipse(0.5, 0.7, 0.14, 0.17, light(c, 0.35))
    _legs(p, [0.37, 0.63], 0.74, 0.97, 0.11, c)
    for x in (0.37, 0.63):
        p.ellipse(x, 0.96, 0.075, 0.035, light(c, 0.3))
    p.rect(0.32, 0.5, 0.68, 0.55, (210, 40, 50), radius=0.02)
    p.circle(0.5, 0.57, 0.03, (250, 200, 40))
    p.ellipse(0.5, 0.31, 0.23, 0.2, c)
    for s in (-1, 1):
        x = 0.5 + s * 0.22
        p.poly([(x - s * 0.04, 0.16), (x + s * 0.08, 0.2), (x + s * 0.07, 0.48),
                (x - s * 0.02, 0.5), (x - s * 0.05, 0.3)], dark(c, 0.35))
    p.ellipse(0.5, 0.42, 0.12, 0.09, light(c, 0.45))
    p.ellipse(0.5, 0.37, 0.05, 0.035, BLACK)
    p.line([(0.5, 0.4), (0.5, 0.45)], BLACK, 0.008)
    p.ellipse(0.53, 0.48, 0.035, 0.04, (230, 90, 110))
    p.line([(0.43, 0.45), (0.5, 0.46), (0.57, 0.45)], BLACK, 0.01)
    for x in (0.41, 0.59):
        p.eye(x, 0.29, 0.035, (60, 36, 20))


@subject("bird sparrow robin songbird", kind="animal", aspect=1.25, size=0.2, color=(60, 120, 210),
         where="sky", variants=((220, 60, 50), (240, 200, 40), (90, 80, 70)))
def bird(p: Pen, c: RGB) -> None:
    p.poly([(0.25, 0.5), (0.02, 0.35), (0.05, 0.62)], dark(c, 0.2))
    p.ellipse(0.45, 0.55, 0.3, 0.22, c)
    p.ellipse(0.5, 0.65, 0.2, 0.12, light(c, 0.5))
    p.circle(0.72, 0.38, 0.14, c)
    p.poly([(0.83, 0.33), (0.98, 0.4), (0.83, 0.44)], BEAK)
    p.eye(0.76, 0.35, 0.03)
    up = p.variant > 0.5
    wing = [(0.3, 0.5), (0.55, 0.48), (0.42, 0.05 if up else 0.7), (0.25, 0.2 if up else 0.62)]
    p.poly(wing, dark(c, 0.25))
    for x in (0.42, 0.52):
        p.line([(x, 0.75), (x - 0.02, 0.92)], BEAK, 0.015)


@subject("fish goldfish", kind="animal", aspect=1.6, size=0.26, color=(250, 140, 40),
         where="underwater", setting="underwater",
         variants=((60, 150, 220), (240, 200, 40), (230, 80, 90)))
def fish(p: Pen, c: RGB) -> None:
    p.poly([(0.3, 0.5), (0.03, 0.15), (0.1, 0.5), (0.03, 0.85)], dark(c, 0.15))
    p.poly([(0.45, 0.22), (0.6, 0.05), (0.7, 0.22)], dark(c, 0.2))
    p.ellipse(0.55, 0.5, 0.33, 0.3, c)
    for x in (0.5, 0.62):
        p.line([(x, 0.25), (x - 0.03, 0.5), (x, 0.75)], light(c, 0.5), 0.03)
    p.poly([(0.55, 0.62), (0.45, 0.85), (0.62, 0.72)], dark(c, 0.2))
    p.eye(0.76, 0.42, 0.04)
    p.line([(0.84, 0.58), (0.88, 0.56)], BLACK, 0.01)


@subject("horse pony stallion", kind="animal", aspect=1.25, size=0.5, color=(150, 90, 50),
         variants=((240, 236, 228), (50, 40, 36), (200, 150, 100)))
def horse(p: Pen, c: RGB) -> None:
    mane = dark(c, 0.55)
    p.curve([(0.2, 0.38), (0.06, 0.5), (0.08, 0.72)], mane, 0.05)
    _legs(p, [0.26, 0.34, 0.62, 0.7], 0.5, 0.95, 0.055, dark(c, 0.1))
    for x in (0.26, 0.34, 0.62, 0.7):
        p.rect(x - 0.032, 0.93, x + 0.032, 0.98, BLACK)
    p.ellipse(0.47, 0.47, 0.28, 0.16, c)
    p.poly([(0.62, 0.42), (0.72, 0.12), (0.82, 0.1), (0.78, 0.45)], c)
    p.poly([(0.72, 0.1), (0.95, 0.24), (0.96, 0.3), (0.88, 0.33), (0.74, 0.24)], c)
    p.poly([(0.72, 0.14), (0.68, 0.4), (0.63, 0.42), (0.7, 0.12)], mane)
    p.poly([(0.74, 0.1), (0.77, 0.02), (0.8, 0.1)], c)
    p.eye(0.8, 0.17, 0.018)
    p.circle(0.93, 0.27, 0.008, BLACK)


@subject("cow cattle calf bull", kind="animal", aspect=1.35, size=0.44, color=(244, 242, 236))
def cow(p: Pen, c: RGB) -> None:
    _legs(p, [0.22, 0.32, 0.62, 0.72], 0.55, 0.95, 0.07, c)
    for x in (0.22, 0.32, 0.62, 0.72):
        p.rect(x - 0.037, 0.92, x + 0.037, 0.98, BLACK)
    p.rect(0.12, 0.28, 0.8, 0.66, c, radius=0.1)
    p.ellipse(0.35, 0.4, 0.1, 0.09, BLACK)
    p.ellipse(0.6, 0.55, 0.08, 0.07, BLACK)
    p.ellipse(0.2, 0.55, 0.05, 0.05, BLACK)
    p.ellipse(0.5, 0.67, 0.06, 0.04, PINK)
    p.curve([(0.13, 0.32), (0.06, 0.5), (0.08, 0.65)], c, 0.02)
    p.poly([(0.78, 0.22), (0.74, 0.1), (0.8, 0.18)], (230, 220, 190))
    p.poly([(0.9, 0.22), (0.95, 0.1), (0.92, 0.2)], (230, 220, 190))
    p.ellipse(0.86, 0.32, 0.1, 0.15, c)
    p.ellipse(0.87, 0.43, 0.08, 0.06, PINK)
    p.eye(0.84, 0.28, 0.02)
    p.ellipse(0.76, 0.26, 0.05, 0.03, dark(c, 0.1))


@subject("rabbit bunny hare", kind="animal", aspect=0.9, size=0.36, color=(220, 214, 206),
         variants=((150, 120, 90), (120, 120, 126), (250, 250, 250)))
def rabbit(p: Pen, c: RGB) -> None:
    p.circle(0.16, 0.68, 0.1, WHITE)
    p.ellipse(0.42, 0.7, 0.3, 0.25, c)
    p.ellipse(0.6, 0.92, 0.14, 0.05, c)
    for x, lean in ((0.62, 0.0), (0.75, 0.06)):
        p.poly([(x - 0.05, 0.35), (x - 0.05 + lean, 0.02), (x + 0.04 + lean, 0.02),
                (x + 0.05, 0.35)], c)
        p.poly([(x - 0.02, 0.32), (x - 0.02 + lean, 0.07), (x + 0.02 + lean, 0.07),
                (x + 0.02, 0.32)], PINK)
    p.ellipse(0.7, 0.45, 0.17, 0.15, c)
    p.eye(0.75, 0.41, 0.025)
    p.circle(0.86, 0.48, 0.018, PINK)


@subject("pig piglet hog", kind="animal", aspect=1.25, size=0.36, color=(242, 170, 180))
def pig(p: Pen, c: RGB) -> None:
    _legs(p, [0.28, 0.4, 0.62, 0.72], 0.6, 0.95, 0.08, c)
    p.curve([(0.12, 0.45), (0.04, 0.38), (0.08, 0.3), (0.12, 0.36)], c, 0.02)
    p.ellipse(0.48, 0.5, 0.36, 0.26, c)
    p.poly([(0.7, 0.25), (0.74, 0.08), (0.82, 0.24)], dark(c, 0.1))
    p.ellipse(0.8, 0.42, 0.16, 0.18, c)
    p.ellipse(0.93, 0.47, 0.06, 0.08, dark(c, 0.12))
    for y in (0.44, 0.5):
        p.circle(0.94, y, 0.012, dark(c, 0.5))
    p.eye(0.8, 0.36, 0.022)


@subject("sheep lamb", kind="animal", aspect=1.25, size=0.36, color=(246, 244, 236))
def sheep(p: Pen, c: RGB) -> None:
    _legs(p, [0.28, 0.38, 0.6, 0.7], 0.6, 0.96, 0.05, BLACK)
    for x, y in ((0.25, 0.45), (0.4, 0.35), (0.55, 0.35), (0.68, 0.45), (0.3, 0.6),
                 (0.48, 0.62), (0.64, 0.6), (0.48, 0.48)):
        p.circle(x, y, 0.13, c)
    p.ellipse(0.82, 0.42, 0.09, 0.13, (50, 46, 50))
    p.ellipse(0.76, 0.34, 0.06, 0.03, (50, 46, 50))
    p.eye(0.85, 0.38, 0.02, (250, 250, 250))


@subject("duck duckling goose", kind="animal", aspect=1.2, size=0.3, color=(250, 214, 60),
         where="ground", variants=((246, 246, 240),))
def duck(p: Pen, c: RGB) -> None:
    p.poly([(0.15, 0.55), (0.03, 0.4), (0.2, 0.48)], c)
    p.ellipse(0.42, 0.65, 0.32, 0.22, c)
    p.poly([(0.28, 0.58), (0.55, 0.55), (0.45, 0.72), (0.25, 0.68)], dark(c, 0.12))
    p.circle(0.72, 0.32, 0.15, c)
    p.ellipse(0.9, 0.38, 0.09, 0.04, BEAK)
    p.eye(0.76, 0.28, 0.025)
    p.poly([(0.38, 0.86), (0.36, 0.98), (0.46, 0.98)], BEAK)


@subject("owl", kind="animal", aspect=0.8, size=0.36, color=(150, 110, 70))
def owl(p: Pen, c: RGB) -> None:
    p.ellipse(0.5, 0.55, 0.38, 0.42, c)
    p.ellipse(0.5, 0.68, 0.24, 0.26, light(c, 0.4))
    for s in (-1, 1):
        p.poly([(0.5 + s * 0.2, 0.2), (0.5 + s * 0.34, 0.02), (0.5 + s * 0.36, 0.25)], c)
        p.circle(0.5 + s * 0.15, 0.35, 0.14, (250, 246, 230))
        p.circle(0.5 + s * 0.15, 0.35, 0.07, (250, 180, 30))
        p.circle(0.5 + s * 0.15, 0.35, 0.04, BLACK)
    p.poly([(0.46, 0.45), (0.54, 0.45), (0.5, 0.55)], BEAK)
    for x in (0.4, 0.6):
        p.line([(x, 0.95), (x, 0.99)], BEAK, 0.04)


@subject("elephant", kind="animal", aspect=1.25, size=0.5, color=(150, 150, 160))
def elephant(p: Pen, c: RGB) -> None:
    _legs(p, [0.25, 0.37, 0.58, 0.7], 0.55, 0.97, 0.1, c)
    p.ellipse(0.45, 0.45, 0.36, 0.28, c)
    p.curve([(0.1, 0.4), (0.04, 0.55), (0.06, 0.62)], c, 0.02)
    p.curve([(0.85, 0.45), (0.95, 0.65), (0.92, 0.88), (0.86, 0.9)], c, 0.08)
    p.ellipse(0.78, 0.35, 0.15, 0.18, c)
    p.ellipse(0.66, 0.38, 0.12, 0.2, dark(c, 0.12))
    p.poly([(0.86, 0.5), (0.96, 0.56), (0.86, 0.54)], (250, 246, 230))
    p.eye(0.84, 0.3, 0.02)


@subject("lion", kind="animal", aspect=1.2, size=0.46, color=(226, 170, 80))
def lion(p: Pen, c: RGB) -> None:
    _legs(p, [0.22, 0.32, 0.6, 0.7], 0.55, 0.96, 0.07, c)
    p.ellipse(0.44, 0.5, 0.32, 0.2, c)
    p.curve([(0.14, 0.45), (0.04, 0.55), (0.05, 0.72)], c, 0.025)
    p.circle(0.05, 0.74, 0.03, dark(c, 0.5))
    p.circle(0.72, 0.32, 0.24, dark(c, 0.35))
    p.circle(0.74, 0.34, 0.15, c)
    p.ellipse(0.78, 0.42, 0.07, 0.05, light(c, 0.4))
    p.ellipse(0.78, 0.38, 0.03, 0.02, BLACK)
    for x in (0.69, 0.8):
        p.eye(x, 0.3, 0.02)


@subject("bear teddy", kind="animal", aspect=0.9, size=0.48, color=(130, 86, 52),
         variants=((246, 246, 246), (40, 36, 36)))
def bear(p: Pen, c: RGB) -> None:
    p.ellipse(0.5, 0.68, 0.34, 0.3, c)
    p.ellipse(0.5, 0.7, 0.18, 0.2, light(c, 0.3))
    for x in (0.3, 0.7):
        p.ellipse(x, 0.92, 0.1, 0.07, c)
        p.circle(0.5 + (x - 0.5) * 1.35, 0.17, 0.08, c)
        p.circle(0.5 + (x - 0.5) * 1.35, 0.17, 0.04, light(c, 0.35))
    p.circle(0.5, 0.33, 0.24, c)
    p.ellipse(0.5, 0.41, 0.1, 0.07, light(c, 0.4))
    p.ellipse(0.5, 0.38, 0.04, 0.025, BLACK)
    for x in (0.42, 0.58):
        p.eye(x, 0.3, 0.025)


@subject("mouse mice rat hamster", kind="animal", aspect=1.3, size=0.22, color=(150, 150, 156))
def mouse(p: Pen, c: RGB) -> None:
    p.curve([(0.2, 0.8), (0.05, 0.85), (0.02, 0.6), (0.08, 0.5)], PINK, 0.015)
    p.ellipse(0.45, 0.68, 0.28, 0.25, c)
    p.circle(0.62, 0.3, 0.12, c)
    p.circle(0.62, 0.3, 0.07, PINK)
    p.poly([(0.6, 0.5), (0.95, 0.7), (0.62, 0.85)], c)
    p.circle(0.95, 0.7, 0.02, PINK)
    p.eye(0.78, 0.62, 0.022)


@subject("frog toad", kind="animal", aspect=1.2, size=0.28, color=(90, 180, 70))
def frog(p: Pen, c: RGB) -> None:
    p.ellipse(0.5, 0.65, 0.38, 0.3, c)
    p.ellipse(0.5, 0.72, 0.24, 0.18, light(c, 0.4))
    for x in (0.3, 0.7):
        p.circle(x, 0.32, 0.1, c)
        p.eye(x, 0.32, 0.05)
        p.ellipse(x + (x - 0.5) * 0.6, 0.92, 0.12, 0.06, dark(c, 0.1))
    p.curve([(0.32, 0.55), (0.5, 0.62), (0.68, 0.55)], dark(c, 0.5), 0.015)


@subject("butterfly", kind="animal", aspect=1.2, size=0.24, color=(240, 130, 40), where="sky",
         variants=((80, 140, 230), (220, 80, 170), (250, 210, 50)))
def butterfly(p: Pen, c: RGB) -> None:
    for s in (-1, 1):
        p.ellipse(0.5 + s * 0.24, 0.3, 0.22, 0.25, c)
        p.ellipse(0.5 + s * 0.18, 0.7, 0.15, 0.18, dark(c, 0.15))
        p.circle(0.5 + s * 0.28, 0.28, 0.06, (250, 250, 250))
        p.line([(0.5, 0.15), (0.5 + s * 0.1, 0.02)], BLACK, 0.01)
    p.ellipse(0.5, 0.5, 0.035, 0.32, BLACK)


@subject("turtle tortoise", kind="animal", aspect=1.45, size=0.28, color=(90, 140, 70))
def turtle(p: Pen, c: RGB) -> None:
    skin = (150, 170, 90)
    for x in (0.25, 0.65):
        p.ellipse(x, 0.85, 0.07, 0.12, skin)
    p.ellipse(0.86, 0.6, 0.12, 0.13, skin)
    p.eye(0.9, 0.56, 0.02)
    p.poly([(0.1, 0.72), (0.02, 0.78), (0.12, 0.8)], skin)
    p.ellipse(0.45, 0.58, 0.38, 0.42, c)
    p.rect(0.08, 0.7, 0.82, 0.76, dark(c, 0.2), radius=0.02)
    for x, y in ((0.3, 0.42), (0.45, 0.32), (0.6, 0.42), (0.45, 0.52)):
        p.circle(x, y, 0.06, light(c, 0.25))


@subject("penguin", kind="animal", aspect=0.7, size=0.42, color=(30, 32, 40))
def penguin(p: Pen, c: RGB) -> None:
    for x in (0.38, 0.62):
        p.ellipse(x, 0.95, 0.12, 0.04, BEAK)
    p.ellipse(0.5, 0.58, 0.36, 0.4, c)
    p.ellipse(0.5, 0.65, 0.24, 0.3, WHITE)
    p.circle(0.5, 0.22, 0.26, c)
    for x in (0.4, 0.6):
        p.eye(x, 0.2, 0.05)
    p.poly([(0.42, 0.28), (0.58, 0.28), (0.5, 0.36)], BEAK)
    for s in (-1, 1):
        p.poly([(0.5 + s * 0.33, 0.45), (0.5 + s * 0.48, 0.7), (0.5 + s * 0.32, 0.68)], c)


@subject("fox", kind="animal", aspect=1.3, size=0.36, color=(226, 110, 40))
def fox(p: Pen, c: RGB) -> None:
    p.poly([(0.25, 0.5), (0.02, 0.35), (0.0, 0.55), (0.12, 0.7)], c)
    p.poly([(0.02, 0.35), (0.0, 0.42), (0.08, 0.4)], WHITE)
    _legs(p, [0.28, 0.36, 0.58, 0.66], 0.55, 0.96, 0.045, dark(c, 0.6))
    p.ellipse(0.46, 0.52, 0.25, 0.14, c)
    p.poly([(0.62, 0.4), (0.7, 0.08), (0.76, 0.26), (0.84, 0.08), (0.88, 0.3), (0.99, 0.42),
            (0.8, 0.5)], c)
    p.poly([(0.86, 0.4), (0.99, 0.42), (0.84, 0.48)], WHITE)
    p.circle(0.99, 0.42, 0.015, BLACK)
    p.eye(0.82, 0.32, 0.018)


@subject("giraffe", kind="animal", aspect=0.75, size=0.64, color=(236, 186, 90))
def giraffe(p: Pen, c: RGB) -> None:
    _legs(p, [0.2, 0.3, 0.56, 0.66], 0.6, 0.98, 0.05, c)
    p.ellipse(0.43, 0.58, 0.3, 0.12, c)
    p.poly([(0.56, 0.55), (0.7, 0.12), (0.78, 0.14), (0.7, 0.58)], c)
    p.ellipse(0.8, 0.12, 0.12, 0.06, c)
    p.line([(0.74, 0.07), (0.74, 0.01)], dark(c, 0.5), 0.02)
    p.eye(0.8, 0.1, 0.015)
    spot = dark(c, 0.4)
    for x, y in ((0.3, 0.55), (0.45, 0.6), (0.58, 0.53), (0.64, 0.4), (0.68, 0.27), (0.38, 0.5)):
        p.circle(x, y, 0.03, spot)


@subject("snake serpent", kind="animal", aspect=1.6, size=0.24, color=(90, 160, 60))
def snake(p: Pen, c: RGB) -> None:
    p.curve([(0.05, 0.8), (0.25, 0.55), (0.45, 0.9), (0.65, 0.55), (0.8, 0.7), (0.85, 0.45)],
            c, 0.07)
    p.ellipse(0.87, 0.38, 0.08, 0.09, c)
    p.eye(0.89, 0.34, 0.015)
    p.line([(0.94, 0.42), (0.99, 0.44)], (220, 40, 40), 0.008)


@subject("chicken hen rooster", kind="animal", aspect=0.95, size=0.32, color=(246, 240, 228))
def chicken(p: Pen, c: RGB) -> None:
    for x in (0.42, 0.56):
        p.line([(x, 0.78), (x, 0.97)], BEAK, 0.025)
    p.poly([(0.25, 0.5), (0.05, 0.2), (0.1, 0.55)], c)
    p.ellipse(0.45, 0.6, 0.3, 0.22, c)
    p.circle(0.72, 0.3, 0.13, c)
    p.poly([(0.65, 0.18), (0.7, 0.08), (0.75, 0.15), (0.8, 0.1), (0.78, 0.2)], (220, 40, 40))
    p.poly([(0.83, 0.28), (0.97, 0.32), (0.83, 0.36)], BEAK)
    p.ellipse(0.8, 0.42, 0.03, 0.05, (220, 40, 40))
    p.eye(0.75, 0.27, 0.02)
