"""Vehicles and buildings (unit boxes; vehicles face right)."""

from __future__ import annotations

import math

from ..colors import RGB
from .pen import Pen, dark, light
from .registry import subject

GLASS: RGB = (150, 200, 235)
TYRE: RGB = (30, 30, 34)
LIT: RGB = (255, 214, 110)
ROOF: RGB = (170, 60, 50)


def _wheel(p: Pen, x: float, y: float, r: float) -> None:
    p.circle(x, y, r, TYRE)
    p.circle(x, y, r * 0.5, (190, 192, 200))


def _window(p: Pen, x0: float, y0: float, x1: float, y1: float) -> None:
    p.rect(x0, y0, x1, y1, LIT if p.time != "day" else GLASS)


@subject("car automobile", kind="vehicle", aspect=2.1, size=0.3, color=(214, 40, 44),
         variants=((40, 100, 200), (250, 250, 250), (30, 30, 36), (240, 190, 40)))
def car(p: Pen, c: RGB) -> None:
    p.poly([(0.22, 0.42), (0.34, 0.08), (0.7, 0.08), (0.84, 0.42)], c)
    p.poly([(0.28, 0.4), (0.37, 0.14), (0.5, 0.14), (0.5, 0.4)], GLASS)
    p.poly([(0.54, 0.4), (0.54, 0.14), (0.67, 0.14), (0.77, 0.4)], GLASS)
    p.rect(0.02, 0.38, 0.98, 0.78, c, radius=0.06)
    p.rect(0.02, 0.6, 0.98, 0.66, dark(c, 0.25))
    p.rect(0.92, 0.45, 0.98, 0.53, (255, 240, 180))
    p.rect(0.02, 0.45, 0.06, 0.53, (230, 40, 40))
    p.rect(0.5, 0.46, 0.56, 0.49, dark(c, 0.4))
    for x in (0.24, 0.76):
        _wheel(p, x, 0.8, 0.095)


@subject("bus", kind="vehicle", aspect=2.2, size=0.36, color=(246, 190, 30))
def bus(p: Pen, c: RGB) -> None:
    p.rect(0.02, 0.05, 0.98, 0.82, c, radius=0.04)
    for k in range(5):
        x = 0.06 + k * 0.15
        _window(p, x, 0.14, x + 0.12, 0.42)
    _window(p, 0.84, 0.14, 0.95, 0.42)
    p.rect(0.84, 0.45, 0.95, 0.78, dark(c, 0.2))
    p.rect(0.02, 0.55, 0.98, 0.6, dark(c, 0.3))
    for x in (0.2, 0.78):
        _wheel(p, x, 0.84, 0.08)


@subject("truck lorry van", kind="vehicle", aspect=2.0, size=0.36, color=(60, 110, 190))
def truck(p: Pen, c: RGB) -> None:
    p.rect(0.02, 0.05, 0.64, 0.75, (236, 236, 236), radius=0.02)
    p.rect(0.66, 0.28, 0.98, 0.75, c, radius=0.04)
    _window(p, 0.74, 0.34, 0.92, 0.5)
    p.rect(0.02, 0.72, 0.98, 0.78, dark(c, 0.4))
    for x in (0.15, 0.35, 0.82):
        _wheel(p, x, 0.82, 0.075)


@subject("bicycle bike", kind="vehicle", aspect=1.6, size=0.32, color=(40, 140, 200))
def bicycle(p: Pen, c: RGB) -> None:
    for x in (0.2, 0.8):
        p.ring(x, 0.7, 0.18, TYRE, 0.03)
        for k in range(4):
            a = k * math.pi / 4
            dx, dy = 0.16 * math.cos(a), 0.16 * math.sin(a) * p.width / p.height
            p.line([(x - dx, 0.7 - dy), (x + dx, 0.7 + dy)], (150, 150, 156), 0.006)
    p.line([(0.2, 0.7), (0.45, 0.7), (0.38, 0.35), (0.72, 0.35), (0.8, 0.7)], c, 0.025)
    p.line([(0.45, 0.7), (0.72, 0.35)], c, 0.025)
    p.line([(0.72, 0.35), (0.7, 0.18), (0.78, 0.16)], (40, 40, 40), 0.02)
    p.rect(0.32, 0.28, 0.44, 0.32, (40, 40, 40), radius=0.01)


@subject("airplane plane aeroplane jet aircraft", kind="vehicle", aspect=2.0, size=0.3,
         color=(236, 238, 244), where="sky")
def airplane(p: Pen, c: RGB) -> None:
    p.poly([(0.45, 0.5), (0.62, 0.5), (0.4, 0.98), (0.32, 0.98)], dark(c, 0.12))
    p.poly([(0.05, 0.45), (0.0, 0.05), (0.1, 0.05), (0.2, 0.4)], (200, 50, 50))
    p.ellipse(0.5, 0.5, 0.48, 0.12, c)
    p.poly([(0.45, 0.45), (0.58, 0.45), (0.38, 0.02), (0.3, 0.02)], light(c, 0.1))
    for k in range(8):
        p.circle(0.3 + k * 0.07, 0.46, 0.012, (60, 110, 170))
    p.poly([(0.9, 0.44), (0.97, 0.48), (0.9, 0.5)], (60, 110, 170))


@subject("boat ship sailboat yacht", kind="vehicle", aspect=1.1, size=0.42, color=(200, 60, 50),
         where="water", setting="sea", variants=((40, 80, 150), (250, 250, 250)))
def boat(p: Pen, c: RGB) -> None:
    p.line([(0.5, 0.02), (0.5, 0.72)], (100, 70, 50), 0.025)
    p.poly([(0.53, 0.05), (0.53, 0.66), (0.92, 0.66)], (250, 248, 240))
    p.poly([(0.47, 0.12), (0.47, 0.66), (0.12, 0.66)], (236, 232, 220))
    p.poly([(0.5, 0.02), (0.66, 0.06), (0.5, 0.1)], (230, 50, 50))
    p.poly([(0.0, 0.7), (1.0, 0.7), (0.86, 0.95), (0.14, 0.95)], c)
    p.rect(0.05, 0.7, 0.95, 0.76, light(c, 0.6))


@subject("train locomotive", kind="vehicle", aspect=2.0, size=0.34, color=(200, 40, 40))
def train(p: Pen, c: RGB) -> None:
    p.rect(0.15, 0.0, 0.25, 0.3, (40, 40, 44))
    p.rect(0.05, 0.25, 0.6, 0.8, c, radius=0.03)
    p.rect(0.6, 0.05, 0.95, 0.8, dark(c, 0.15), radius=0.03)
    _window(p, 0.68, 0.14, 0.88, 0.38)
    p.rect(0.02, 0.78, 0.98, 0.82, (60, 60, 64))
    for x in (0.15, 0.35, 0.55, 0.8):
        _wheel(p, x, 0.86, 0.07)


@subject("rocket spaceship spacecraft", kind="vehicle", aspect=0.5, size=0.56,
         color=(236, 236, 240))
def rocket(p: Pen, c: RGB) -> None:
    p.poly([(0.3, 0.85), (0.7, 0.85), (0.5, 1.0)], (250, 150, 30))
    for s in (-1, 1):
        p.poly([(0.5 + s * 0.2, 0.6), (0.5 + s * 0.48, 0.9), (0.5 + s * 0.2, 0.85)], (210, 50, 50))
    p.poly([(0.5, 0.0), (0.72, 0.25), (0.72, 0.86), (0.28, 0.86), (0.28, 0.25)], c)
    p.poly([(0.5, 0.0), (0.68, 0.2), (0.32, 0.2)], (210, 50, 50))
    p.circle(0.5, 0.42, 0.12, (60, 110, 170))
    p.circle(0.5, 0.42, 0.08, GLASS)


@subject("house home cottage cabin", kind="building", aspect=1.1, size=0.5, color=(236, 220, 190),
         variants=((230, 200, 160), (200, 120, 90), (240, 240, 236)))
def house(p: Pen, c: RGB) -> None:
    p.rect(0.68, 0.06, 0.8, 0.3, (150, 80, 60))
    p.rect(0.1, 0.42, 0.9, 1.0, c)
    p.poly([(0.0, 0.45), (0.5, 0.04), (1.0, 0.45)], ROOF)
    p.rect(0.42, 0.66, 0.58, 1.0, (120, 70, 40))
    p.circle(0.55, 0.84, 0.012, (240, 200, 60))
    for x in (0.17, 0.68):
        _window(p, x, 0.56, x + 0.16, 0.74)
        p.line([(x + 0.08, 0.56), (x + 0.08, 0.74)], (250, 250, 250), 0.012)
        p.line([(x, 0.65), (x + 0.16, 0.65)], (250, 250, 250), 0.012)


@subject("lighthouse", kind="building", aspect=0.45, size=0.66, color=(236, 236, 236),
         setting="sea")
def lighthouse(p: Pen, c: RGB) -> None:
    red = (206, 44, 44)
    p.poly([(0.22, 0.3), (0.78, 0.3), (0.84, 0.9), (0.16, 0.9)], c)
    for k in range(3):
        y0 = 0.37 + k * 0.19
        y1 = y0 + 0.09
        w0, w1 = 0.28 + 0.06 * (y0 - 0.3) / 0.6, 0.28 + 0.06 * (y1 - 0.3) / 0.6
        p.poly([(0.5 - w0, y0), (0.5 + w0, y0), (0.5 + w1, y1), (0.5 - w1, y1)], red)
    p.rect(0.14, 0.26, 0.86, 0.31, (40, 40, 44))
    p.rect(0.3, 0.1, 0.7, 0.26, LIT if p.time != "day" else (250, 240, 200))
    for x in (0.3, 0.5, 0.7):
        p.line([(x, 0.1), (x, 0.26)], (40, 40, 44), 0.02)
    p.poly([(0.24, 0.11), (0.5, 0.0), (0.76, 0.11)], red)
    p.rect(0.44, 0.76, 0.56, 0.9, (90, 60, 40))
    _window(p, 0.46, 0.5, 0.54, 0.56)
    rock = (96, 88, 84)
    p.poly([(0.0, 1.0), (0.04, 0.9), (0.2, 0.86), (0.5, 0.88), (0.82, 0.85), (0.97, 0.92),
            (1.0, 1.0)], rock)
    p.poly([(0.1, 0.93), (0.3, 0.9), (0.45, 0.95)], dark(rock, 0.25))


@subject("castle fortress palace", kind="building", aspect=1.3, size=0.56, color=(176, 170, 160))
def castle(p: Pen, c: RGB) -> None:
    flag = (210, 40, 50)
    for x0, x1, top in ((0.02, 0.22, 0.22), (0.78, 0.98, 0.22), (0.38, 0.62, 0.05)):
        p.rect(x0, top + 0.12, x1, 1.0, dark(c, 0.08))
        p.poly([(x0 - 0.02, top + 0.13), ((x0 + x1) / 2, top - 0.1), (x1 + 0.02, top + 0.13)],
               (90, 80, 150))
        mid = (x0 + x1) / 2
        p.line([(mid, top - 0.1), (mid, top - 0.18)], (60, 50, 50), 0.006)
        p.poly([(mid, top - 0.18), (mid + 0.06, top - 0.155), (mid, top - 0.13)], flag)
        _window(p, mid - 0.025, top + 0.22, mid + 0.025, top + 0.3)
    p.rect(0.2, 0.42, 0.8, 1.0, c)
    for k in range(7):
        x = 0.2 + k * 0.6 / 6.5
        p.rect(x, 0.36, x + 0.045, 0.43, c)
    p.poly([(0.42, 1.0), (0.42, 0.72), (0.5, 0.64), (0.58, 0.72), (0.58, 1.0)], (70, 50, 40))
    for x in (0.27, 0.68):
        _window(p, x, 0.55, x + 0.05, 0.64)


@subject("tower skyscraper", kind="building", aspect=0.4, size=0.7, color=(120, 140, 170))
def tower(p: Pen, c: RGB) -> None:
    p.rect(0.1, 0.06, 0.9, 1.0, c)
    p.line([(0.5, 0.06), (0.5, 0.0)], dark(c, 0.4), 0.04)
    for row in range(12):
        for col in range(3):
            x = 0.2 + col * 0.22
            y = 0.1 + row * 0.074
            _window(p, x, y, x + 0.14, y + 0.045)


@subject("church chapel", kind="building", aspect=1.0, size=0.56, color=(240, 234, 222))
def church(p: Pen, c: RGB) -> None:
    p.rect(0.05, 0.5, 0.65, 1.0, c)
    p.poly([(0.0, 0.52), (0.35, 0.3), (0.7, 0.52)], ROOF)
    p.rect(0.62, 0.3, 0.92, 1.0, c)
    p.poly([(0.6, 0.32), (0.77, 0.06), (0.94, 0.32)], ROOF)
    p.line([(0.77, 0.06), (0.77, -0.04)], (200, 170, 60), 0.015)
    p.line([(0.74, 0.0), (0.8, 0.0)], (200, 170, 60), 0.015)
    p.poly([(0.7, 1.0), (0.7, 0.78), (0.77, 0.7), (0.84, 0.78), (0.84, 1.0)], (110, 60, 40))
    for x in (0.15, 0.4):
        _window(p, x, 0.62, x + 0.1, 0.8)


@subject("windmill", kind="building", aspect=0.8, size=0.6, color=(240, 230, 210))
def windmill(p: Pen, c: RGB) -> None:
    p.poly([(0.35, 0.4), (0.65, 0.4), (0.75, 1.0), (0.25, 1.0)], c)
    p.poly([(0.32, 0.42), (0.5, 0.26), (0.68, 0.42)], ROOF)
    p.rect(0.44, 0.82, 0.56, 1.0, (110, 70, 40))
    a0 = p.variant * math.pi / 2
    for k in range(4):
        a = a0 + k * math.pi / 2
        ex, ey = 0.5 + 0.48 * math.cos(a), 0.36 + 0.36 * math.sin(a)
        nx, ny = -math.sin(a) * 0.08, math.cos(a) * 0.06
        p.poly([(0.5, 0.36), (ex, ey), (ex + nx, ey + ny), (0.5 + nx * 0.3, 0.36 + ny * 0.3)],
               (120, 90, 60))
    p.circle(0.5, 0.36, 0.04, (60, 50, 40))


@subject("tent", kind="building", aspect=1.4, size=0.34, color=(240, 140, 40))
def tent(p: Pen, c: RGB) -> None:
    p.poly([(0.0, 1.0), (0.5, 0.05), (1.0, 1.0)], c)
    p.poly([(0.38, 1.0), (0.5, 0.4), (0.62, 1.0)], dark(c, 0.45))
    p.line([(0.5, 0.05), (0.5, -0.02)], (90, 70, 50), 0.015)


@subject("barn", kind="building", aspect=1.2, size=0.5, color=(180, 40, 36))
def barn(p: Pen, c: RGB) -> None:
    p.poly([(0.05, 0.4), (0.25, 0.12), (0.75, 0.12), (0.95, 0.4), (0.95, 1.0), (0.05, 1.0)], c)
    p.poly([(0.0, 0.42), (0.25, 0.1), (0.75, 0.1), (1.0, 0.42)], (70, 60, 60))
    p.rect(0.32, 0.55, 0.68, 1.0, (246, 240, 230))
    p.rect(0.36, 0.59, 0.64, 1.0, dark(c, 0.15))
    p.line([(0.36, 0.59), (0.64, 1.0)], (246, 240, 230), 0.02)
    p.line([(0.64, 0.59), (0.36, 1.0)], (246, 240, 230), 0.02)
