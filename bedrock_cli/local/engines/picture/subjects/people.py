"""People: a standing figure, a face (portrait), a snowman."""

from __future__ import annotations

from ..colors import RGB
from .pen import Pen, dark, light
from .registry import subject

SKINS: tuple[RGB, ...] = ((242, 204, 170), (214, 160, 120), (160, 110, 76), (110, 72, 50))
HAIR: tuple[RGB, ...] = ((60, 40, 30), (30, 26, 26), (200, 150, 70), (150, 70, 40))


def _skin(p: Pen) -> RGB:
    return SKINS[int(p.variant * 97) % len(SKINS)]


def _hair(p: Pen) -> RGB:
    return HAIR[int(p.variant * 53) % len(HAIR)]


@subject("person man woman boy girl child kid people human figure", kind="person", aspect=0.45,
         size=0.6, color=(60, 110, 200), variants=((200, 60, 60), (60, 150, 90), (240, 190, 50)))
def person(p: Pen, c: RGB) -> None:
    skin, hair = _skin(p), _hair(p)
    trousers = (50, 56, 80)
    for x in (0.38, 0.62):
        p.rect(x - 0.09, 0.6, x + 0.09, 0.95, trousers)
        p.ellipse(x + 0.04, 0.96, 0.12, 0.035, (40, 30, 30))
    for s in (-1, 1):
        p.poly([(0.5 + s * 0.28, 0.3), (0.5 + s * 0.44, 0.56), (0.5 + s * 0.36, 0.58),
                (0.5 + s * 0.22, 0.38)], c)
        p.circle(0.5 + s * 0.41, 0.6, 0.06, skin)
    p.rect(0.24, 0.26, 0.76, 0.64, c, radius=0.08)
    p.rect(0.44, 0.2, 0.56, 0.27, skin)
    p.ellipse(0.5, 0.12, 0.2, 0.1, skin)
    p.ellipse(0.5, 0.06, 0.21, 0.06, hair)
    for x in (0.43, 0.57):
        p.circle(x, 0.12, 0.022, (40, 30, 30))
    p.curve([(0.44, 0.17), (0.5, 0.19), (0.56, 0.17)], (150, 60, 60), 0.015)


@subject("face portrait selfie", kind="person", aspect=0.8, size=0.7, color=(60, 110, 200),
         setting="indoor")
def face(p: Pen, c: RGB) -> None:
    skin, hair = _skin(p), _hair(p)
    p.ellipse(0.5, 0.45, 0.44, 0.42, hair)
    p.poly([(0.1, 1.0), (0.2, 0.82), (0.8, 0.82), (0.9, 1.0)], c)
    p.rect(0.4, 0.7, 0.6, 0.86, dark(skin, 0.08))
    for x in (0.15, 0.85):
        p.ellipse(x, 0.48, 0.05, 0.08, skin)
    p.ellipse(0.5, 0.47, 0.34, 0.34, skin)
    p.poly([(0.14, 0.35), (0.3, 0.15), (0.6, 0.12), (0.86, 0.35), (0.8, 0.2), (0.5, 0.05),
            (0.2, 0.2)], hair)
    for x in (0.37, 0.63):
        p.ellipse(x, 0.45, 0.06, 0.035, (250, 250, 250))
        p.circle(x, 0.45, 0.03, (70, 90, 60))
        p.circle(x, 0.45, 0.014, (20, 20, 20))
        p.line([(x - 0.07, 0.37), (x + 0.07, 0.36)], dark(hair, 0.2), 0.02)
    p.poly([(0.5, 0.48), (0.46, 0.6), (0.53, 0.6)], dark(skin, 0.15))
    p.curve([(0.38, 0.67), (0.5, 0.73), (0.62, 0.67)], (190, 70, 80), 0.025)
    for x in (0.3, 0.7):
        p.ellipse(x, 0.6, 0.05, 0.03, light((240, 130, 130), 0.3))


@subject("snowman", kind="person", aspect=0.6, size=0.56, color=(248, 250, 255))
def snowman(p: Pen, c: RGB) -> None:
    p.circle(0.5, 0.75, 0.42, c)
    p.circle(0.5, 0.42, 0.3, c)
    p.circle(0.5, 0.17, 0.22, c)
    p.rect(0.3, 0.0, 0.7, 0.07, (30, 30, 36))
    p.rect(0.36, -0.1, 0.64, 0.03, (30, 30, 36))
    for x in (0.42, 0.58):
        p.circle(x, 0.15, 0.025, (30, 30, 36))
    p.poly([(0.5, 0.19), (0.72, 0.22), (0.5, 0.23)], (250, 130, 30))
    p.rect(0.28, 0.28, 0.72, 0.33, (210, 40, 50))
    for y in (0.42, 0.52, 0.66):
        p.circle(0.5, y, 0.025, (30, 30, 36))
