"""`Thing`s -> boxes in the frame, and the drawings composited there.

Where things go: a position word puts a group in that part of the frame; the others share
what is left, in the order the prompt names them (or the reverse, as the seed decides).
Things on the ground stand on a ground line below the horizon (or on the floor of an indoor
backdrop), flying things are up in the sky, boats float on the water, fish swim mid-frame; a
thing "on" another sits on its top. Several of a kind stand side by side without touching.
The seed moves, scales and mirrors them and may pick another natural colour, so different
seeds give different compositions. Drawn things take the scene's light (dusk, night).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ..colors import RGB, mix
from ..noise import Array, to_float, to_uint8
from ..prompt import Composition
from .pen import Pen
from .phrases import Thing
from .registry import SUBJECTS, Subject

SKY_ONLY = {"sky", "clouds", "sun", "moon", "stars", "night", "sunset", "sunrise", "rainbow",
            "space", "background"}  # fmt: skip
REGIONS = {"left": (0.03, 0.5), "right": (0.5, 0.97), "center": (0.22, 0.78)}


@dataclass
class Box:
    thing: Thing
    subject: Subject
    x: float  # centre, pixels
    bottom: float
    width: float
    height: float
    flip: bool
    color: RGB
    variant: float


def plan_scene(comp: Composition, rng: np.random.Generator) -> Composition:
    """The composition with a setting for its things when the prompt names none."""
    if not comp.things or comp.background is not None:
        return comp
    settings = {SUBJECTS[t.name].setting for t in comp.things}
    land = comp.elements - SKY_ONLY
    if land:
        return comp
    elements = set(comp.elements)
    colors = dict(comp.colors)
    if settings == {"underwater"} and not elements:
        colors["background"] = (34, 110, 168)
        return replace(comp, colors=colors)
    if "indoor" in settings and not elements:
        return comp
    elif "sea" in settings:
        elements.add("sea")
    else:
        elements.add("field" if rng.random() < 0.5 else "hills")
    if not elements & {"clouds", "night", "space"} and comp.time == "day" and rng.random() < 0.6:
        elements.add("clouds")
    return replace(comp, elements=elements, colors=colors)


def layout(
    comp: Composition, width: int, height: int, rng: np.random.Generator, horizon: float | None
) -> tuple[list[Box], float | None]:
    """Boxes for every instance of every thing, in drawing order, and the floor line (px)
    of an indoor backdrop (None outdoors)."""
    things = comp.things
    floor = None if horizon is not None else height * float(rng.uniform(0.76, 0.84))
    ground_top = height * horizon if horizon is not None else floor or height * 0.8
    bases = [k for k, t in enumerate(things) if t.on is None or t.on >= len(things)]
    order = list(bases)
    if len(order) > 1 and rng.random() < 0.5:
        order.reverse()
    claimed = {things[k].place for k in order if things[k].place in REGIONS}
    free = (0.03, 0.97)
    if claimed == {"left"}:
        free = (0.5, 0.97)
    elif claimed == {"right"}:
        free = (0.03, 0.5)
    elif claimed:
        free = (0.03, 0.97)
    regions: dict[tuple[float, float], list[int]] = {}
    for k in order:
        region = REGIONS.get(things[k].place or "", free)
        regions.setdefault(region, []).append(k)
    boxes: dict[int, list[Box]] = {}
    for (a, b), members in regions.items():
        span = (b - a) * width
        natural = [_natural(things[k], height) for k in members]
        total = sum(w * things[k].count * 1.12 for k, (w, _) in zip(members, natural, strict=True))
        fit = min(1.0, span / max(total, 1.0))
        x = a * width + max(0.0, span - total * fit) * float(rng.uniform(0.2, 0.8))
        for k, (w, h) in zip(members, natural, strict=True):
            t = things[k]
            subj = SUBJECTS[t.name]
            flip = bool(rng.random() < 0.5)
            color = t.color or _pick_color(subj, rng)
            group: list[Box] = []
            for _ in range(t.count):
                jitter = float(rng.uniform(0.88, 1.08)) if t.count > 1 else 1.0
                bw, bh = w * fit * jitter, h * fit * jitter
                cx = x + w * fit * 0.56
                x += w * fit * 1.12
                bottom = _bottom(t, subj, bh, height, horizon, ground_top, rng)
                variant = float(rng.random())
                group.append(Box(t, subj, cx, bottom, bw, bh, flip, color, variant))
            boxes[k] = group
    for k, t in enumerate(things):  # things that sit on another
        if k in boxes:
            continue
        base = boxes.get(t.on or 0, [None])[0]
        subj = SUBJECTS[t.name]
        w, h = _natural(t, height)
        if base is not None:
            shrink = min(1.0, base.height * 0.8 / h, base.width * 0.9 / w)
            top = base.bottom - base.height
            cx = base.x + float(rng.uniform(-0.15, 0.15)) * base.width
            boxes[k] = [Box(t, subj, cx, top + base.height * 0.03, w * shrink, h * shrink,
                            bool(rng.random() < 0.5), t.color or _pick_color(subj, rng),
                            float(rng.random()))]
    flat = [b for k in sorted(boxes) for b in boxes[k]]
    flat.sort(key=lambda b: (b.subject.where != "sky", b.thing.on is not None, b.bottom))
    return flat, floor


def _natural(t: Thing, height: int) -> tuple[float, float]:
    subj = SUBJECTS[t.name]
    h = height * subj.size * t.scale * (1.0 if t.count == 1 else max(0.55, 1.2 / t.count**0.5))
    return h * subj.aspect, h


def _pick_color(subj: Subject, rng: np.random.Generator) -> RGB:
    if subj.variants and rng.random() < 0.5:
        return subj.variants[int(rng.integers(0, len(subj.variants)))]
    return subj.color


def _bottom(t: Thing, subj: Subject, bh: float, height: int, horizon: float | None,
            ground_top: float, rng: np.random.Generator) -> float:
    if t.place == "top" or subj.where == "sky":
        return bh + height * float(rng.uniform(0.06, 0.24))
    if subj.where == "underwater":
        return height * float(rng.uniform(0.45, 0.6)) + bh / 2
    if t.place == "bottom":
        return height * 0.97
    if subj.where == "water" and horizon is not None:
        return ground_top + (height - ground_top) * float(rng.uniform(0.35, 0.55))
    low = ground_top + (height - ground_top) * float(rng.uniform(0.5, 0.8))
    return min(max(low, bh + height * 0.04), height * 0.98)


def _tone(layer: Image.Image, time: str) -> Image.Image:
    if time == "day":
        return layer
    arr = np.asarray(layer, dtype=np.float32)
    rgb = arr[..., :3]
    if time == "night":
        tint, keep, light = (30.0, 40.0, 80.0), 0.6, 0.7
    else:
        tint, keep, light = (170.0, 80.0, 60.0), 0.78, 0.78
    arr[..., :3] = np.clip((rgb * keep + np.asarray(tint) * (1 - keep)) * light, 0, 255)
    return Image.fromarray(arr.astype(np.uint8), "RGBA")


def draw_things(
    rgb: Array, comp: Composition, rng: np.random.Generator, horizon: float | None
) -> Array:
    """Composite every thing the prompt names onto `rgb` (HxWx3 in [0, 1])."""
    if not comp.things:
        return rgb
    h, w = rgb.shape[:2]
    boxes, floor = layout(comp, w, h, rng, horizon)
    img = Image.fromarray(to_uint8(rgb), "RGB").convert("RGBA")
    if floor is not None and any(b.subject.where in {"ground", "water"} for b in boxes):
        _draw_floor(img, floor)
    shadows = Image.new("L", (w, h), 0)
    sd = ImageDraw.Draw(shadows)
    for b in boxes:
        if b.subject.where in {"ground"} and b.thing.on is None:
            sd.ellipse((b.x - b.width * 0.46, b.bottom - b.height * 0.05,
                        b.x + b.width * 0.46, b.bottom + b.height * 0.04), fill=90)
    shadows = shadows.filter(ImageFilter.GaussianBlur(max(2, min(w, h) // 150)))
    img.paste((0, 0, 0, 255), (0, 0), shadows)
    for b in boxes:
        pen = Pen(round(b.width), round(b.height), style=comp.style, flip=b.flip,
                  time=comp.time, variant=b.variant)
        b.subject.draw(pen, b.color)
        layer = _tone(pen.finish(), comp.time)
        left, top = round(b.x - b.width / 2), round(b.bottom - b.height)
        img.alpha_composite(layer, (max(0, left), max(0, top)),
                            (max(0, -left), max(0, -top)))
    return to_float(img.convert("RGB"))


def _draw_floor(img: Image.Image, floor: float) -> None:
    h = img.size[1]
    top = int(floor - h * 0.04)
    rgb = np.asarray(img.convert("RGB"), dtype=np.float32)
    wall = rgb[: max(1, top)].reshape(-1, 3).mean(0)
    base = mix((int(wall[0]), int(wall[1]), int(wall[2])), (150, 110, 80), 0.45)
    band = np.linspace(1.0, 0.8, h - top, dtype=np.float32)[:, None, None]
    rgb[top:] = np.asarray(base, dtype=np.float32) * band
    rgb[top : top + max(2, h // 200)] = np.asarray(mix(base, (0, 0, 0), 0.3), dtype=np.float32)
    img.paste(Image.fromarray(rgb.astype(np.uint8), "RGB"), (0, 0))
