"""Things indoors: furniture, instruments, tableware, gadgets (unit boxes, front or side view)."""

from __future__ import annotations

import math

from ..colors import RGB
from .pen import Pen, dark, light
from .registry import subject

SCREEN: RGB = (70, 150, 220)
METAL: RGB = (180, 184, 192)
WOOD: RGB = (150, 100, 60)


@subject("computer laptop pc monitor", kind="object", aspect=1.15, size=0.42,
         color=(60, 64, 74), setting="indoor", variants=((200, 204, 210),))
def computer(p: Pen, c: RGB) -> None:
    p.rect(0.42, 0.66, 0.58, 0.8, dark(c, 0.1))
    p.rect(0.3, 0.78, 0.7, 0.83, c, radius=0.01)
    p.rect(0.05, 0.02, 0.95, 0.7, c, radius=0.03)
    p.rect(0.09, 0.06, 0.91, 0.64, SCREEN)
    p.rect(0.12, 0.1, 0.5, 0.34, light(SCREEN, 0.5))
    for i, y in enumerate((0.42, 0.48, 0.54)):
        p.rect(0.13, y, 0.82 - 0.12 * i, y + 0.025, light(SCREEN, 0.65))
    p.rect(0.55, 0.12, 0.86, 0.16, (250, 200, 60))
    p.poly([(0.0, 0.98), (0.08, 0.87), (0.92, 0.87), (1.0, 0.98)], light(c, 0.2))
    for row in range(3):
        y = 0.89 + row * 0.03
        for k in range(12):
            x = 0.1 + k * 0.068 + row * 0.01
            p.rect(x, y, x + 0.05, y + 0.02, dark(c, 0.2))


@subject("piano keyboard", kind="object", aspect=1.3, size=0.5, color=(30, 28, 32),
         setting="indoor", variants=((110, 60, 36),))
def piano(p: Pen, c: RGB) -> None:
    p.rect(0.05, 0.05, 0.95, 0.62, c, radius=0.02)
    p.rect(0.1, 0.1, 0.9, 0.3, light(c, 0.12))
    p.rect(0.0, 0.58, 1.0, 0.66, c)
    p.rect(0.03, 0.66, 0.97, 0.8, (250, 248, 240))
    for k in range(1, 22):
        x = 0.03 + k * 0.94 / 22
        p.line([(x, 0.66), (x, 0.8)], (150, 150, 150), 0.003)
    for k in range(21):
        if k % 7 in (2, 6):
            continue
        x = 0.03 + (k + 1) * 0.94 / 22
        p.rect(x - 0.012, 0.66, x + 0.012, 0.74, (20, 20, 24))
    p.rect(0.03, 0.8, 0.97, 0.86, c)
    for x in (0.08, 0.92):
        p.rect(x - 0.03, 0.86, x + 0.03, 1.0, c)
    p.rect(0.44, 0.93, 0.56, 0.97, (200, 170, 60))


@subject("cup mug teacup", kind="object", aspect=1.1, size=0.3, color=(236, 90, 70),
         setting="indoor", variants=((250, 250, 246), (70, 130, 200)))
def cup(p: Pen, c: RGB) -> None:
    p.curve([(0.72, 0.38), (0.97, 0.36), (0.97, 0.68), (0.72, 0.72)], c, 0.07)
    p.rect(0.1, 0.25, 0.78, 0.95, c, radius=0.08)
    p.ellipse(0.44, 0.26, 0.34, 0.06, dark(c, 0.35))
    p.ellipse(0.44, 0.27, 0.3, 0.04, (100, 60, 40))
    for x in (0.32, 0.5):
        p.curve([(x, 0.18), (x - 0.04, 0.1), (x + 0.03, 0.04), (x, -0.02)], (230, 230, 236),
                0.02)


@subject("book novel notebook", kind="object", aspect=0.8, size=0.36, color=(40, 90, 170),
         setting="indoor", variants=((180, 40, 50), (40, 120, 70)))
def book(p: Pen, c: RGB) -> None:
    p.rect(0.12, 0.06, 0.95, 0.96, (246, 240, 224), radius=0.02)
    for k in range(5):
        y = 0.1 + k * 0.17
        p.line([(0.9, y), (0.95, y + 0.02)], (200, 190, 170), 0.004)
    p.rect(0.05, 0.02, 0.88, 0.92, c, radius=0.02)
    p.rect(0.05, 0.02, 0.16, 0.92, dark(c, 0.3))
    p.rect(0.28, 0.18, 0.78, 0.32, light(c, 0.6))
    p.rect(0.32, 0.4, 0.74, 0.43, light(c, 0.5))


@subject("clock watch", kind="object", aspect=1.0, size=0.34, color=(200, 60, 50),
         setting="indoor")
def clock(p: Pen, c: RGB) -> None:
    p.circle(0.5, 0.5, 0.48, c)
    p.circle(0.5, 0.5, 0.4, (250, 248, 240))
    for k in range(12):
        a = k * math.pi / 6
        r0, r1 = (0.32, 0.38) if k % 3 else (0.28, 0.38)
        p.line([(0.5 + r0 * math.sin(a), 0.5 - r0 * math.cos(a)),
                (0.5 + r1 * math.sin(a), 0.5 - r1 * math.cos(a))], (40, 40, 44), 0.015)
    p.line([(0.5, 0.5), (0.5, 0.2)], (30, 30, 34), 0.025)
    p.line([(0.5, 0.5), (0.7, 0.58)], (30, 30, 34), 0.035)
    p.circle(0.5, 0.5, 0.03, (30, 30, 34))


@subject("lamp lantern", kind="object", aspect=0.7, size=0.44, color=(240, 200, 100),
         setting="indoor")
def lamp(p: Pen, c: RGB) -> None:
    p.ellipse(0.5, 0.95, 0.3, 0.05, dark(c, 0.5))
    p.rect(0.46, 0.4, 0.54, 0.94, METAL)
    p.poly([(0.25, 0.05), (0.75, 0.05), (0.95, 0.45), (0.05, 0.45)], c)
    p.ellipse(0.5, 0.45, 0.45, 0.03, light(c, 0.6))


@subject("chair stool", kind="object", aspect=0.7, size=0.44, color=WOOD, setting="indoor")
def chair(p: Pen, c: RGB) -> None:
    for x in (0.12, 0.82):
        p.rect(x, 0.0, x + 0.08, 0.98, dark(c, 0.15))
    p.rect(0.12, 0.08, 0.9, 0.2, c)
    p.rect(0.12, 0.3, 0.9, 0.36, c)
    p.rect(0.05, 0.52, 0.95, 0.6, light(c, 0.15))
    for x in (0.08, 0.86):
        p.rect(x, 0.6, x + 0.07, 0.99, c)


@subject("table desk", kind="object", aspect=1.5, size=0.36, color=WOOD, setting="indoor")
def table(p: Pen, c: RGB) -> None:
    p.rect(0.0, 0.0, 1.0, 0.12, light(c, 0.1), radius=0.01)
    p.rect(0.03, 0.12, 0.97, 0.2, dark(c, 0.15))
    for x in (0.06, 0.88):
        p.rect(x, 0.2, x + 0.06, 1.0, c)


@subject("umbrella parasol", kind="object", aspect=1.0, size=0.44, color=(210, 40, 60),
         variants=((40, 110, 200), (250, 200, 40)))
def umbrella(p: Pen, c: RGB) -> None:
    p.curve([(0.5, 0.4), (0.5, 0.85), (0.58, 0.96), (0.64, 0.88)], (60, 50, 50), 0.025)
    pts = [(0.02, 0.45)]
    for k in range(41):
        a = math.pi * (1 - k / 40)
        pts.append((0.5 + 0.48 * math.cos(a), 0.45 - 0.42 * math.sin(a)))
    for k in range(6, -1, -1):
        x = 0.02 + k * 0.96 / 6
        pts.append((x, 0.45))
        if k:
            pts.append((x - 0.08, 0.4))
    p.poly(pts, c)
    for x in (0.25, 0.5, 0.75):
        p.line([(0.5, 0.04), (x, 0.42)], dark(c, 0.25), 0.008)


@subject("guitar violin", kind="object", aspect=0.45, size=0.55, color=(200, 120, 50),
         setting="indoor")
def guitar(p: Pen, c: RGB) -> None:
    p.rect(0.42, 0.02, 0.58, 0.5, (80, 50, 30))
    p.rect(0.38, 0.0, 0.62, 0.08, (60, 40, 26), radius=0.02)
    p.ellipse(0.5, 0.56, 0.32, 0.14, c)
    p.ellipse(0.5, 0.8, 0.44, 0.18, c)
    p.circle(0.5, 0.62, 0.1, (40, 26, 20))
    p.rect(0.36, 0.82, 0.64, 0.85, (60, 40, 26))
    for x in (0.47, 0.5, 0.53):
        p.line([(x, 0.04), (x, 0.84)], (230, 230, 230), 0.006)


@subject("phone smartphone cellphone", kind="object", aspect=0.5, size=0.34, color=(36, 36, 44),
         setting="indoor")
def phone(p: Pen, c: RGB) -> None:
    p.rect(0.02, 0.0, 0.98, 1.0, c, radius=0.15)
    p.rect(0.08, 0.06, 0.92, 0.92, SCREEN)
    for k in range(3):
        for j in range(3):
            p.rect(0.15 + j * 0.26, 0.12 + k * 0.13, 0.33 + j * 0.26, 0.21 + k * 0.13,
                   light(SCREEN, 0.5), radius=0.04)
    p.circle(0.5, 0.96, 0.04, dark(c, 0.4))


@subject("bottle", kind="object", aspect=0.4, size=0.42, color=(60, 150, 90), setting="indoor")
def bottle(p: Pen, c: RGB) -> None:
    p.rect(0.38, 0.0, 0.62, 0.08, (200, 40, 40))
    p.poly([(0.38, 0.08), (0.62, 0.08), (0.62, 0.22), (0.92, 0.38), (0.92, 1.0), (0.08, 1.0),
            (0.08, 0.38), (0.38, 0.22)], c)
    p.rect(0.08, 0.5, 0.92, 0.75, (246, 240, 220))
    p.rect(0.18, 0.3, 0.28, 0.95, light(c, 0.35))


@subject("vase pot", kind="object", aspect=0.6, size=0.4, color=(70, 110, 190), setting="indoor")
def vase(p: Pen, c: RGB) -> None:
    p.poly([(0.3, 0.0), (0.7, 0.0), (0.64, 0.2), (0.95, 0.55), (0.75, 1.0), (0.25, 1.0),
            (0.05, 0.55), (0.36, 0.2)], c)
    p.rect(0.1, 0.5, 0.9, 0.58, light(c, 0.5))
    p.ellipse(0.5, 0.02, 0.2, 0.02, dark(c, 0.5))


@subject("candle", kind="object", aspect=0.4, size=0.36, color=(246, 240, 220), setting="indoor")
def candle(p: Pen, c: RGB) -> None:
    p.ellipse(0.5, 0.12, 0.22, 0.12, (255, 200, 60))
    p.ellipse(0.5, 0.15, 0.1, 0.07, (255, 245, 200))
    p.line([(0.5, 0.22), (0.5, 0.3)], (30, 30, 30), 0.04)
    p.rect(0.2, 0.3, 0.8, 1.0, c, radius=0.05)


@subject("hat cap", kind="object", aspect=1.4, size=0.26, color=(40, 40, 48), setting="indoor")
def hat(p: Pen, c: RGB) -> None:
    p.ellipse(0.5, 0.85, 0.48, 0.13, c)
    p.rect(0.24, 0.05, 0.76, 0.85, c, radius=0.05)
    p.rect(0.24, 0.62, 0.76, 0.75, (200, 40, 50))


@subject("balloon", kind="object", aspect=0.6, size=0.36, color=(230, 50, 60), where="sky",
         variants=((60, 130, 230), (250, 200, 40), (80, 190, 90)))
def balloon(p: Pen, c: RGB) -> None:
    p.curve([(0.5, 0.62), (0.42, 0.78), (0.56, 0.9), (0.48, 1.0)], (90, 90, 90), 0.012)
    p.ellipse(0.5, 0.32, 0.46, 0.3, c)
    p.poly([(0.45, 0.66), (0.55, 0.66), (0.5, 0.61)], dark(c, 0.2))
    p.ellipse(0.35, 0.18, 0.08, 0.06, light(c, 0.6))


@subject("robot android", kind="object", aspect=0.75, size=0.5, color=(160, 170, 186))
def robot(p: Pen, c: RGB) -> None:
    p.line([(0.5, 0.12), (0.5, 0.02)], dark(c, 0.3), 0.02)
    p.circle(0.5, 0.02, 0.035, (230, 60, 60))
    for x in (0.33, 0.67):
        p.rect(x - 0.07, 0.72, x + 0.07, 0.98, dark(c, 0.2))
    for x in (0.06, 0.88):
        p.rect(x, 0.42, x + 0.08, 0.7, dark(c, 0.2), radius=0.03)
    p.rect(0.15, 0.4, 0.85, 0.76, c, radius=0.04)
    p.rect(0.32, 0.48, 0.68, 0.64, dark(c, 0.25))
    for k, col in enumerate(((230, 60, 60), (250, 200, 40), (60, 200, 90))):
        p.circle(0.4 + k * 0.1, 0.56, 0.03, col)
    p.rect(0.22, 0.1, 0.78, 0.38, c, radius=0.05)
    for x in (0.37, 0.63):
        p.circle(x, 0.22, 0.07, (40, 200, 240))
    p.rect(0.38, 0.3, 0.62, 0.33, dark(c, 0.4))
