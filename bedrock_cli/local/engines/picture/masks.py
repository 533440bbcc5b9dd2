"""Masks and fills: background removal, masks from a phrase, filling holes from around them.

Everything runs on a copy shrunk to at most 256 pixels a side, then scales back up, so it
costs a few tens of milliseconds at any size.
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageChops, ImageFilter

from .colors import COLOR_WORDS, RGB
from .noise import Array, resize_plane, resize_rgb, smoothstep

WORK_SIDE = 256
Bool = NDArray[np.bool_]


def _small(image: Image.Image) -> tuple[Array, int, int]:
    """RGB copy with its longer side at most WORK_SIDE, as 0..255 floats."""
    rgb = image.convert("RGB")
    w, h = rgb.size
    scale = min(1.0, WORK_SIDE / max(w, h))
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    if (sw, sh) != (w, h):
        rgb = rgb.resize((sw, sh), Image.Resampling.BOX)
    return np.asarray(rgb, dtype=np.float32), w, h


def _kmeans(points: Array, k: int, iters: int = 8) -> Array:
    order = np.argsort(points @ np.asarray([0.299, 0.587, 0.114], dtype=np.float32), kind="stable")
    centres = points[order[np.linspace(0, len(order) - 1, k).astype(int)]].copy()
    for _ in range(iters):
        lab = ((points[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)
        for j in range(k):
            members = points[lab == j]
            if len(members):
                centres[j] = members.mean(0)
    return centres


def _nearest_distance(img: Array, centres: Array) -> Array:
    d = np.full(img.shape[:2], np.inf, dtype=np.float32)
    for c in centres:
        d = np.minimum(d, np.sqrt(((img - c) ** 2).sum(-1)))
    return d


def _ring(h: int, w: int, width: int) -> Bool:
    ring = np.zeros((h, w), dtype=bool)
    ring[:width, :] = ring[-width:, :] = True
    ring[:, :width] = ring[:, -width:] = True
    return ring


def reconstruct(seeds: Bool, allowed: Bool, max_iter: int = 2000) -> Bool:
    """Flood fill: grow `seeds` through 8-connected `allowed` pixels (geodesic dilation)."""
    allowed_img = Image.fromarray(allowed.astype(np.uint8) * 255, "L")
    cur = Image.fromarray((seeds & allowed).astype(np.uint8) * 255, "L")
    grow = ImageFilter.MaxFilter(3)
    for i in range(max_iter):
        nxt = ImageChops.multiply(cur.filter(grow), allowed_img)
        if i % 4 == 3 and nxt.tobytes() == cur.tobytes():
            break
        cur = nxt
    return np.asarray(cur) > 127


def background_mask(image: Image.Image) -> tuple[Array, int, int]:
    """Soft background likelihood (1 = background) at working size, and the full size."""
    img, w, h = _small(image)
    sh, sw = img.shape[:2]
    band = max(2, round(0.03 * min(sh, sw)))
    ring = _ring(sh, sw, band)
    border = img[ring]
    centres = _kmeans(border, 3)
    dist = _nearest_distance(img, centres)
    tol = float(np.clip(np.percentile(dist[ring], 90) * 1.5 + 18.0, 22.0, 90.0))
    like = dist < tol
    bg = reconstruct(_ring(sh, sw, 1) & like, like)
    frac = float(bg.mean())
    if frac < 0.02 or frac > 0.97:
        # no clear backdrop: fall back to "unlike the border colours" by a global threshold
        thr = _otsu(dist)
        bg = dist < thr
    fg_img = Image.fromarray((~bg).astype(np.uint8) * 255, "L")
    fg_img = fg_img.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.MaxFilter(3))
    fg_img = fg_img.filter(ImageFilter.MaxFilter(3)).filter(ImageFilter.MinFilter(3))
    fg = np.asarray(fg_img, dtype=np.float32) / 255.0
    # soften the boundary by how far each edge pixel's colour is from the backdrop
    ramp = smoothstep(tol * 0.5, tol * 1.3, dist)
    edge = (
        np.asarray(fg_img.filter(ImageFilter.MaxFilter(3)), dtype=np.float32) / 255.0
        - np.asarray(fg_img.filter(ImageFilter.MinFilter(3)), dtype=np.float32) / 255.0
    )
    soft = np.where(edge > 0, np.maximum(fg * 0.5, ramp) * (fg > 0) + ramp * 0.5 * (fg == 0), fg)
    return (1.0 - np.clip(soft, 0, 1)).astype(np.float32), w, h


def _otsu(values: Array) -> float:
    hist, edges = np.histogram(values, bins=64)
    centres = (edges[:-1] + edges[1:]) / 2
    total = hist.sum()
    best, thr = -1.0, float(centres[len(centres) // 2])
    for i in range(1, 64):
        w0, w1 = hist[:i].sum(), hist[i:].sum()
        if w0 == 0 or w1 == 0:
            continue
        m0 = (hist[:i] * centres[:i]).sum() / w0
        m1 = (hist[i:] * centres[i:]).sum() / w1
        between = w0 * w1 * (m0 - m1) ** 2 / total**2
        if between > best:
            best, thr = float(between), float(edges[i])
    return thr


def remove_background(image: Image.Image) -> Image.Image:
    """RGBA: the subject opaque, the backdrop (estimated from the border) transparent.

    The backdrop is the set of pixels, connected to the image border, whose colour is close
    to one of the border's dominant colours (k-means on a border band, tolerance from the
    band's own spread). The alpha edge is feathered over a pixel or two.
    """
    bg, w, h = background_mask(image)
    alpha = resize_plane(1.0 - bg, w, h)
    radius = max(0.8, min(w, h) / 700)
    alpha_img = Image.fromarray((np.clip(alpha, 0, 1) * 255 + 0.5).astype(np.uint8), "L")
    alpha_img = alpha_img.filter(ImageFilter.GaussianBlur(radius))
    a = np.asarray(alpha_img, dtype=np.float32) / 255.0
    a = smoothstep(0.15, 0.85, a)
    out = image.convert("RGB").convert("RGBA")
    out.putalpha(Image.fromarray((a * 255 + 0.5).astype(np.uint8), "L"))
    return out


# ---------------------------------------------------------------- mask prompts

_SKY = {"sky", "skies", "clouds", "cloud", "heavens"}
_WATER = {"water", "sea", "ocean", "lake", "river", "pond", "waves"}
_GROUND = {
    "ground",
    "grass",
    "field",
    "floor",
    "land",
    "earth",
    "road",
    "sand",
    "beach",
    "meadow",
    "lawn",
    "terrain",
}
_BACKGROUND = {"background", "backdrop", "surroundings", "behind", "scenery"}
_PLACES = {"left", "right", "top", "bottom", "upper", "lower", "center", "centre", "middle"}


def describe_mask_prompt(image: Image.Image, mask_prompt: str) -> Image.Image:
    """A mask ("L", white = the region the phrase describes) for e.g. "the sky", "the
    background", "the red circle", "the left half", "the person".

    Heuristics, in order: backdrop words -> background removal's backdrop; sky, water or
    ground words -> the matching colour region connected to the top or bottom edge; a
    colour word -> pixels of that colour; place words -> that part of the frame; anything
    else -> the main subject (the opposite of the backdrop). The mask is grown by a few
    pixels so an edit covers the region's edge.
    """
    words = set(re.findall(r"[a-z]+", mask_prompt.lower()))
    img, w, h = _small(image)
    sh, sw = img.shape[:2]
    region: Array | None = None
    if words & _BACKGROUND:
        region = background_mask(image)[0]
    elif words & _SKY:
        region = _grow(img, _sky_like(img), top=True)
    elif words & _WATER:
        r, g, b = img[..., 0], img[..., 1], img[..., 2]
        region = _grow(img, ~((g > r + 10) & (g > b + 10)), top=False)
    elif words & _GROUND:
        region = _grow(img, None, top=False)
    if region is None or region.mean() < 0.002:
        color = _named_color(mask_prompt.lower())
        if color is not None:
            region = _color_region(img, color)
    if (region is None or region.mean() < 0.002) and words & _PLACES:
        region = _place(words, sh, sw)
    if region is None or region.mean() < 0.002:
        region = 1.0 - background_mask(image)[0]
    grown = Image.fromarray((np.clip(region, 0, 1) * 255).astype(np.uint8), "L")
    grown = grown.filter(ImageFilter.MaxFilter(5))
    full = resize_plane(np.asarray(grown, dtype=np.float32) / 255.0, w, h)
    return Image.fromarray(np.where(full > 0.5, 255, 0).astype(np.uint8), "L")


def _sky_like(img: Array) -> Bool:
    """Anything but foliage green or dark earth: skies come in every colour at dusk."""
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    foliage = (g > r + 10) & (g > b + 10)
    earth = (r > b + 25) & (g > b + 10) & (img.max(-1) < 120)
    return np.asarray(~(foliage | earth), dtype=bool)


def _grow(img: Array, like: Bool | None, *, top: bool) -> Array:
    """Region growing from the top (or bottom) edge through smooth, `like` pixels.

    Sharp colour edges stop the growth (a mountain's outline, the horizon); enclosed holes
    (clouds in the sky) are filled; the result is grown by a pixel to cover the edge itself.
    """
    sh, sw = img.shape[:2]
    soft = np.asarray(
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB").filter(
            ImageFilter.GaussianBlur(1.2)
        ),
        dtype=np.float32,
    )
    dx = np.abs(np.diff(soft, axis=1, append=soft[:, -1:])).max(-1)
    dy = np.abs(np.diff(soft, axis=0, append=soft[-1:, :])).max(-1)
    grad = np.maximum(dx, dy)
    smooth = grad < max(6.0, 3.0 * float(np.median(grad)))
    allowed = smooth if like is None else smooth & like
    seeds = np.zeros((sh, sw), dtype=bool)
    seeds[0 if top else -1, :] = True
    region = reconstruct(seeds, allowed)
    if not region.any():
        return region.astype(np.float32)
    # fill holes: whatever the far edge cannot reach (a cloud in the sky, even one touching
    # the frame's side, is a hole; a mountain standing on the ground is not)
    rest = ~region
    far = np.zeros((sh, sw), dtype=bool)
    far[-1 if top else 0, :] = True
    outside = reconstruct(far & rest, rest)
    region = region | (rest & ~outside)
    grown = Image.fromarray(region.astype(np.uint8) * 255, "L").filter(ImageFilter.MaxFilter(3))
    return (np.asarray(grown) > 127).astype(np.float32)


def _named_color(text: str) -> RGB | None:
    for name in sorted(COLOR_WORDS, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}\b", text):
            return COLOR_WORDS[name]
    return None


def _color_region(img: Array, color: RGB) -> Array:
    target = np.asarray(color, dtype=np.float32)
    d = np.sqrt(((img - target) ** 2).sum(-1))
    # chroma direction matters more than brightness: compare normalised colours too
    norm = img / np.maximum(img.sum(-1, keepdims=True), 1.0)
    tnorm = target / max(float(target.sum()), 1.0)
    dn = np.sqrt(((norm - tnorm) ** 2).sum(-1)) * 255.0
    score = np.minimum(d, dn * 1.5 + 0.35 * d)
    best = float(score.min())
    return (score < max(60.0, best + 45.0)).astype(np.float32)


def _place(words: set[str], sh: int, sw: int) -> Array:
    ys = np.arange(sh)[:, None] / sh + np.zeros((1, sw))
    xs = np.arange(sw)[None, :] / sw + np.zeros((sh, 1))
    out = np.ones((sh, sw), dtype=bool)
    if words & {"left"}:
        out &= xs < 0.5
    if words & {"right"}:
        out &= xs >= 0.5
    if words & {"top", "upper"}:
        out &= ys < 0.5
    if words & {"bottom", "lower"}:
        out &= ys >= 0.5
    if words & {"center", "centre", "middle"}:
        out &= (np.abs(xs - 0.5) < 0.25) & (np.abs(ys - 0.5) < 0.25)
    return out.astype(np.float32)


# ---------------------------------------------------------------- filling


def push_pull_fill(rgb: Array, known: Array, *, clip: bool = True) -> Array:
    """Fill unknown pixels (known == 0) smoothly from the known ones (push-pull pyramid).

    Works at most WORK_SIDE pixels a side; returns a full-size image whose unknown areas
    continue the colours around them (known areas come back blurred; callers keep their own).
    """
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(w, h))
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    k = resize_plane(known.astype(np.float32), sw, sh)
    k = np.clip(k, 0, 1)
    c = resize_rgb(rgb * known[..., None], sw, sh)
    levels: list[tuple[Array, Array]] = []
    while True:
        levels.append((c, k))
        ch, cw = k.shape
        if max(ch, cw) <= 1:
            break
        nw, nh = max(1, (cw + 1) // 2), max(1, (ch + 1) // 2)
        c = np.stack([_box(c[..., i], nw, nh) for i in range(3)], axis=-1)
        k = _box(k, nw, nh)
    colour = levels[-1][0] / np.maximum(levels[-1][1], 1e-6)[..., None]
    for c_l, k_l in reversed(levels[:-1]):
        lh, lw = k_l.shape
        up = resize_rgb(colour, lw, lh)
        avg = c_l / np.maximum(k_l, 1e-6)[..., None]
        a = np.clip(k_l * 2.0, 0, 1)[..., None]
        colour = avg * a + up * (1 - a)
    out = resize_rgb(colour.astype(np.float32), w, h)
    return (np.clip(out, 0, 1) if clip else out).astype(np.float32)


def _box(plane: Array, w: int, h: int) -> Array:
    img = Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32), "F")
    return np.asarray(img.resize((w, h), Image.Resampling.BOX), dtype=np.float32)


def shift_fill(rgb: Array, repaint: Bool) -> Array:
    """Fill the repaint area with the picture beside it (inpainting).

    Copies of the image shifted just past the area's bounding box, left, right, up and down,
    are cross-faded (each weighted toward its own side, sideways copies preferred), so bands
    that run across the hole (a horizon, a shoreline) continue through it. The copies' mismatch
    with the pixels around the hole is then spread smoothly over it (a push-pull membrane, a
    cheap stand-in for Poisson blending), so the fill meets its surroundings without a seam.
    """
    h, w = repaint.shape
    known = ~repaint
    ys, xs = np.nonzero(repaint)
    if len(ys) == 0:
        return rgb
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    bw, bh = x1 - x0, y1 - y0
    gx = np.arange(w, dtype=np.float32)[None, :]
    gy = np.arange(h, dtype=np.float32)[:, None]
    acc = np.zeros_like(rgb)
    total = np.zeros((h, w), dtype=np.float32)
    pad_x, pad_y = max(2, bw // 10), max(2, bh // 10)
    ring = (
        np.asarray(
            Image.fromarray(repaint.astype(np.uint8) * 255, "L").filter(ImageFilter.MaxFilter(9)),
            dtype=np.uint8,
        )
        > 0
    )
    ring &= known
    sides = [
        (-(bw + pad_x), 0, np.clip((x1 - gx) / bw, 0, 1) + np.zeros((h, 1)), 1.0),
        (bw + pad_x, 0, np.clip((gx - x0) / bw, 0, 1) + np.zeros((h, 1)), 1.0),
        (0, -(bh + pad_y), np.clip((y1 - gy) / bh, 0, 1) + np.zeros((1, w)), 0.12),
        (0, bh + pad_y, np.clip((gy - y0) / bh, 0, 1) + np.zeros((1, w)), 0.12),
    ]
    for dx, dy, ramp, bias in sides:
        src_y = np.arange(h) + dy
        src_x = np.arange(w) + dx
        ok_y = (src_y >= 0) & (src_y < h)
        ok_x = (src_x >= 0) & (src_x < w)
        cy, cx = np.clip(src_y, 0, h - 1), np.clip(src_x, 0, w - 1)
        shifted = rgb[cy[:, None], cx[None, :]]
        valid = known[cy[:, None], cx[None, :]] & ok_y[:, None] & ok_x[None, :]
        # trust a copy as much as it agrees with what surrounds the hole
        check = ring & valid
        err = float(np.abs(shifted[check] - rgb[check]).mean()) if check.any() else 0.5
        trust = float(np.exp(-err / 0.04))
        wgt = (valid * (0.02 + ramp**4) * bias * trust).astype(np.float32)
        acc += shifted * wgt[..., None]
        total += wgt
    # the smooth fill is always a (weak) candidate: it wins where no copy deserves trust
    smooth = push_pull_fill(rgb, known.astype(np.float32))
    acc += smooth * 0.01
    total += 0.01
    copy = acc / total[..., None]
    # membrane: the copy's error just outside the hole, interpolated across it
    residual = np.where(ring[..., None], rgb - copy, 0.0).astype(np.float32)
    correction = push_pull_fill(residual, ring.astype(np.float32), clip=False)
    return np.clip(copy + correction, 0, 1).astype(np.float32)


def extend_fill(rgb: Array, known_box: tuple[int, int, int, int]) -> Array:
    """Fill everything outside `known_box` (x0, y0, x1, y1) by mirroring the image across its
    edges, softening with distance (outpainting), so skies, horizons and grounds continue."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = known_box
    inner = rgb[y0:y1, x0:x1]
    ext = np.pad(inner, ((y0, h - y1), (x0, w - x1), (0, 0)), mode="symmetric")
    side = min(h, w)
    gy = np.arange(h, dtype=np.float32)[:, None]
    gx = np.arange(w, dtype=np.float32)[None, :]
    dist = np.maximum(np.maximum(y0 - gy, gy - (y1 - 1)), np.maximum(x0 - gx, gx - (x1 - 1)))
    dist = np.clip(dist, 0, None) / side
    soft = blur_rgb_float(ext, max(2.0, side / 40))
    softer = blur_rgb_float(ext, max(4.0, side / 8))
    a = smoothstep(0.0, 0.06, dist)[..., None]
    b = smoothstep(0.04, 0.25, dist)[..., None]
    out = ext * (1 - a) + soft * a
    return (out * (1 - b) + softer * b).astype(np.float32)


def blur_rgb_float(rgb: Array, radius: float) -> Array:
    img = Image.fromarray((np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB")
    return np.asarray(img.filter(ImageFilter.GaussianBlur(radius)), dtype=np.float32) / 255.0
