"""Objects in a picture by measurement: colour regions, connected components, shape classes.

No recognition model. The picture (at most 240 pixels a side) gets a colour family per
pixel (hue, saturation and value buckets: red, orange, yellow, green, cyan, blue, purple,
pink, brown, white, gray, black); each family's pixels are split into 8-connected
components (a run-length union-find, no scipy). Large components touching the border are
background (sky, grass, wall, floor); small ones lying on a bigger one (a stem, a leaf, a
highlight, a wheel) are its parts. What is left is measured — area, box, fill (area over
box), aspect, elongation (from second moments), colour — and named by rules:

- apple: round, red or green, with a stem-like top (a brown, green or black part above it;
  a round red thing without one stays a circle: the outline alone cannot tell);
- orange: round and orange; banana: yellow and elongated or crescent-shaped;
- car: wider than tall, with two or more dark round parts (wheels) along its bottom;
- otherwise by shape: circle, square, rectangle, triangle, or a "shape".

Rows of several small, similar-height components are text-like lettering. Everything else
("is that a dog?") is beyond measurement, and the answers say so.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

WORK = 240
FRUIT = {"apple", "orange", "banana"}
# hue bucket edges (degrees) -> family
_HUES = [(15, "red"), (42, "orange"), (70, "yellow"), (165, "green"), (195, "cyan"),
         (255, "blue"), (290, "purple"), (340, "pink"), (361, "red")]  # fmt: skip
FAMILIES = ["white", "gray", "black", "red", "orange", "yellow", "green", "cyan", "blue",
            "purple", "pink", "brown"]  # fmt: skip


@dataclass
class Obj:
    color: str
    area: float  # share of the picture
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 (work pixels, exclusive ends)
    fill: float
    aspect: float  # width / height
    elongation: float  # sqrt of the ratio of the second moments' eigenvalues
    pixels: int = 0
    roundness: float = 0.0  # overlap (IoU) with the ellipse inscribed in its box
    parts: list[Obj] = field(default_factory=list)
    kind: str = "shape"

    @property
    def centre(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2, (y0 + y1) / 2


@dataclass
class Scene:
    width: int
    height: int
    objects: list[Obj]
    text_rows: list[tuple[int, int, int, int]]  # boxes of text-like rows (work pixels)


def families(rgb: NDArray[np.uint8]) -> NDArray[np.int64]:
    """Index into FAMILIES for every pixel."""
    c = rgb.astype(np.float32) / 255.0
    mx, mn = c.max(-1), c.min(-1)
    sat = np.where(mx > 0, (mx - mn) / np.maximum(mx, 1e-6), 0.0)
    r, g, b = c[..., 0], c[..., 1], c[..., 2]
    d = np.maximum(mx - mn, 1e-6)
    hue = np.where(mx == r, ((g - b) / d) % 6, np.where(mx == g, (b - r) / d + 2, (r - g) / d + 4))
    hue = hue * 60.0
    out = np.zeros(rgb.shape[:2], dtype=np.int64)
    edges = np.asarray([e for e, _ in _HUES], dtype=np.float32)
    names = [FAMILIES.index(n) for _, n in _HUES]
    out[:] = np.asarray(names)[np.searchsorted(edges, hue, side="right").clip(0, len(names) - 1)]
    # dark warm colours, and light ones of middling saturation (wood, tan): an orange is
    # saturated (a table top of (174, 127, 88) is not the orange lying on it)
    brown = (hue < 42) & (sat > 0.3) & ((mx < 0.62) | (sat < 0.6))
    out[brown] = FAMILIES.index("brown")
    grey = (sat < 0.22) | (mx < 0.16)
    out[grey & (mx >= 0.8)] = FAMILIES.index("white")
    out[grey & (mx < 0.8) & (mx >= 0.3)] = FAMILIES.index("gray")
    out[grey & (mx < 0.3)] = FAMILIES.index("black")
    return out


def label(mask: NDArray[np.bool_]) -> tuple[NDArray[np.int64], int]:
    """8-connected components: (labels with 0 = none, count). Run-length union-find."""
    h, w = mask.shape
    parent: list[int] = []

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    runs: list[tuple[int, int, int, int]] = []
    prev: list[tuple[int, int, int]] = []
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    for y in range(h):
        starts = np.flatnonzero(steps[y] == 1)
        ends = np.flatnonzero(steps[y] == -1)
        cur: list[tuple[int, int, int]] = []
        j = 0
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            rid = len(parent)
            parent.append(rid)
            while j < len(prev) and prev[j][1] < s:
                j += 1
            k = j
            while k < len(prev) and prev[k][0] <= e:
                ra, rb = find(rid), find(prev[k][2])
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
                k += 1
            cur.append((s, e, rid))
            runs.append((y, s, e, rid))
        prev = cur
    labels = np.zeros((h, w), dtype=np.int64)
    ids: dict[int, int] = {}
    for y, s, e, rid in runs:
        root = find(rid)
        labels[y, s:e] = ids.setdefault(root, len(ids) + 1)
    return labels, len(ids)


def _measure(color: str, ys: NDArray[Any], xs: NDArray[Any], total: int) -> Obj:
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    n = len(xs)
    cov = np.cov(np.stack([xs, ys]).astype(np.float64)) if n > 2 else np.eye(2)
    ev = np.sort(np.linalg.eigvalsh(cov))
    elong = float(np.sqrt(max(ev[1], 1e-6) / max(ev[0], 1e-6)))
    rx, ry = (x1 - x0) / 2, (y1 - y0) / 2
    inside = int(((((xs + 0.5 - x0 - rx) / rx) ** 2 + ((ys + 0.5 - y0 - ry) / ry) ** 2) <= 1).sum())
    roundness = inside / (n + np.pi * rx * ry - inside)
    return Obj(color, n / total, (x0, y0, x1, y1), n / ((x1 - x0) * (y1 - y0)),
               (x1 - x0) / (y1 - y0), elong, n, float(roundness))  # fmt: skip


def segment(image_bytes: bytes) -> Scene:
    from PIL import Image

    img: Image.Image = Image.open(io.BytesIO(image_bytes))
    img.load()
    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        img = Image.new("RGB", rgba.size, (255, 255, 255))
        img.paste(rgba, (0, 0), rgba)
    img = img.convert("RGB")
    width, height = img.size
    img.thumbnail((WORK, WORK))
    rgb = np.asarray(img, dtype=np.uint8)
    fam = families(rgb)
    h, w = fam.shape
    total = h * w
    found: list[Obj] = []
    small: list[Obj] = []
    for index, name in enumerate(FAMILIES):
        labels, n = label(fam == index)
        if n == 0:
            continue
        flat = labels.ravel()
        order = np.argsort(flat, kind="stable")
        counts = np.bincount(flat, minlength=n + 1)
        starts = np.concatenate([[0], np.cumsum(counts)])
        for k in range(1, n + 1):
            if counts[k] < max(4, total // 5000):
                continue
            idx = order[starts[k] : starts[k + 1]]
            ys, xs = np.divmod(idx, w)
            obj = _measure(name, ys, xs, total)
            x0, y0, x1, y1 = obj.box
            touches = x0 == 0 or y0 == 0 or x1 == w or y1 == h
            if (touches and obj.area > 0.03) or obj.area > 0.4:
                continue  # background: sky, ground, wall, floor
            (found if obj.area >= 0.004 else small).append(obj)
    found.sort(key=lambda o: -o.area)
    objects: list[Obj] = []
    for obj in found:
        host = _host(obj, objects) if obj.area < 0.02 else None
        if host is not None:
            host.parts.append(obj)
        else:
            objects.append(obj)
    loose = []
    for obj in small:
        host = _host(obj, objects)
        if host is not None:
            host.parts.append(obj)
        else:
            loose.append(obj)
    objects = [o for o in objects if not _shadow(o, h)]
    for obj in objects:
        obj.kind = classify(obj, h)
    plain = {"shape", "circle", "square", "rectangle", "triangle"}
    rows = _text_rows(loose + [o for o in objects if o.kind in plain and o.area < 0.03])
    objects = [o for o in objects if not any(_inside(o.box, r) for r in rows)]
    objects.sort(key=lambda o: o.centre[0])
    return Scene(width, height, objects, rows)


def _inside(box: tuple[int, int, int, int], row: tuple[int, int, int, int]) -> bool:
    return box[0] >= row[0] and box[1] >= row[1] and box[2] <= row[2] and box[3] <= row[3]


def _host(obj: Obj, objects: list[Obj]) -> Obj | None:
    x, y = obj.centre
    for big in objects:
        x0, y0, x1, y1 = big.box
        mx, my = (x1 - x0) * 0.2 + 2, (y1 - y0) * 0.25 + 2
        if big.area > obj.area * 3 and x0 - mx <= x <= x1 + mx and y0 - my <= y <= y1 + my:
            return big
    return None


def _shadow(obj: Obj, h: int) -> bool:
    return obj.color in {"gray", "black", "brown"} and obj.aspect > 3.5 and not obj.parts


def classify(obj: Obj, h: int) -> str:
    x0, y0, x1, y1 = obj.box
    _bw, bh = x1 - x0, y1 - y0
    round_ = obj.roundness > 0.84 and 0.75 <= obj.aspect <= 1.35 and obj.elongation < 1.45
    wheels = [p for p in obj.parts if p.color in {"black", "gray"} and 0.6 < p.aspect < 1.6
              and p.centre[1] > y0 + bh * 0.55]  # fmt: skip
    if obj.fill < 0.35 and obj.aspect > 1.3 and len(obj.parts) >= 4:
        return "text"  # outlined lettering: one thin component holding the letters
    if obj.aspect > 1.5 and len(wheels) >= 2 and obj.fill > 0.4:
        return "car"
    if obj.color == "yellow" and (obj.elongation > 2.0 or obj.fill < 0.55) and obj.aspect > 1.2:
        return "banana"
    if round_ and obj.color == "orange":
        return "orange"
    if round_ and obj.color in {"red", "green"}:
        stem = any(p.centre[1] < y0 + bh * 0.2 and p.color in {"brown", "green", "black"}
                   for p in obj.parts)  # fmt: skip
        return "apple" if stem else "circle"
    if obj.color in {"white", "gray"} and y1 < h * 0.6 and obj.aspect > 1.1 and obj.fill < 0.8:
        return "cloud"
    if round_:
        return "circle"
    if obj.fill > 0.9:
        return "square" if 0.85 <= obj.aspect <= 1.18 else "rectangle"
    if 0.42 <= obj.fill <= 0.6 and obj.elongation < 2.2:
        return "triangle"
    return "shape"


def _text_rows(items: list[Obj]) -> list[tuple[int, int, int, int]]:
    """Boxes around rows of 3+ similar-height small components close together."""
    rows: list[tuple[int, int, int, int]] = []
    pool = sorted(items, key=lambda o: o.centre[0])
    used: set[int] = set()
    for i, seed in enumerate(pool):
        if i in used:
            continue
        sh = seed.box[3] - seed.box[1]
        row = [i]
        for j in range(i + 1, len(pool)):
            o = pool[j]
            oh = o.box[3] - o.box[1]
            last = pool[row[-1]]
            if (j not in used and abs(o.centre[1] - seed.centre[1]) < sh * 0.6
                    and 0.4 < oh / max(sh, 1) < 2.5 and o.box[0] - last.box[2] < sh * 0.7):
                row.append(j)  # fmt: skip
        if len(row) >= 3:
            used.update(row)
            members = [pool[k] for k in row]
            rows.append((min(m.box[0] for m in members), min(m.box[1] for m in members),
                         max(m.box[2] for m in members), max(m.box[3] for m in members)))
    return rows
