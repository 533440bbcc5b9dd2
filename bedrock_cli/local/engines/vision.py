"""Image description from measured properties: size, format, colours, brightness, layout.

A pure library. Nothing here recognises people or faces: :func:`describe` measures
the pixels (with Pillow and numpy) and says so plainly; :func:`answer_about` answers the
questions those measurements can answer — counting and naming simple objects by colour and
shape through `objects` / `object_answers` — and says what it cannot see otherwise.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Pillow and numpy are imported lazily so importing this module is cheap
    import numpy as np

__all__ = ["Description", "ImageError", "answer_about", "describe"]

# Named colours (name, hex). The last word of a name is its family: "navy blue" is blue.
COLOURS = [
    ("black", "000000"), ("dark gray", "404040"), ("gray", "808080"), ("light gray", "c0c0c0"),
    ("white", "ffffff"), ("red", "ff0000"), ("red", "d32f2f"), ("dark red", "8b0000"),
    ("maroon", "800000"), ("pink", "ffc0cb"), ("hot pink", "ff69b4"), ("salmon", "fa8072"),
    ("coral", "ff7f50"), ("orange", "ff8c00"), ("peach", "ffcba4"), ("brown", "8b5a2b"),
    ("dark brown", "4b3621"), ("tan", "d2b48c"), ("beige", "f0e6d2"), ("cream", "fffdd0"),
    ("yellow", "ffff00"), ("yellow", "f5d90a"), ("gold", "d4af37"), ("khaki", "c3b091"),
    ("olive", "808000"), ("olive green", "6b8e23"), ("green", "008000"), ("green", "2e9e3e"),
    ("bright green", "00ff00"), ("light green", "90ee90"), ("dark green", "1b5e20"),
    ("teal", "008080"), ("turquoise", "40e0d0"), ("cyan", "00ffff"), ("sky blue", "87ceeb"),
    ("light blue", "add8e6"), ("steel blue", "4682b4"), ("blue", "0000ff"), ("blue", "1f4fd1"),
    ("royal blue", "4169e1"), ("navy blue", "000080"), ("dark blue", "1a237e"),
    ("lavender", "c8b4e6"), ("violet", "8f5fd0"), ("purple", "800080"), ("magenta", "ff00ff"),
]  # fmt: skip
_HINTS = {  # (band, colour family) -> what such a band often is
    ("top", "blue"): "possibly sky", ("top", "cyan"): "possibly sky",
    ("bottom", "green"): "possibly grass or foliage", ("bottom", "blue"): "possibly water",
    ("bottom", "tan"): "possibly sand", ("bottom", "beige"): "possibly sand",
}  # fmt: skip


class ImageError(ValueError):
    """The bytes are not an image Pillow can read."""


@dataclass(frozen=True)
class Description:
    """Measured properties of an image, and ``text``: a plain-English paragraph about them."""

    width: int
    height: int
    format: str
    mode: str
    brightness: float  # mean perceptual lightness (CIE L*), 0 = black, 1 = white
    dominant_colors: list[tuple[str, str, float]]  # (name, measured hex, share of pixels)
    text: str
    contrast: float = 0.0  # standard deviation of lightness, 0–1
    colorfulness: float = 0.0  # mean chroma (CIE a*b*), roughly 0–1
    transparent_share: float = 0.0
    frames: int = 1
    layout: list[str] = field(default_factory=list)


def _lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (0–255, shape (..., 3)) to CIE Lab (D65)."""
    import numpy as np

    c = rgb.astype(np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ np.array(
        [[0.4124, 0.2126, 0.0193], [0.3576, 0.7152, 0.1192], [0.1805, 0.0722, 0.9505]]
    )
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )


def _palette() -> tuple[list[str], np.ndarray]:
    import numpy as np

    rgb = np.array([[int(h[i : i + 2], 16) for i in (0, 2, 4)] for _, h in COLOURS])
    return [name for name, _ in COLOURS], _lab(rgb)


def _open(image_bytes: bytes) -> tuple[Any, str, str, int, tuple[int, int]]:
    """Open the image: (RGBA thumbnail, format, original mode, frame count, size)."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        img: Any = Image.open(io.BytesIO(image_bytes))
        fmt, mode, frames = img.format or "unknown", img.mode, getattr(img, "n_frames", 1)
        size = img.size
        if fmt == "JPEG":
            img.draft("RGB", (256, 256))  # decode at reduced scale: much faster for photos
        img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise ImageError(f"not a readable image: {exc}") from exc
    if mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # high-bit-depth grayscale: scale to 8 bits
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") else max(float(arr.max()), 1.0)
        img = Image.fromarray(np.clip(arr / top * 255, 0, 255).astype(np.uint8), "L")
    img = img.convert("RGBA")
    img.thumbnail((128, 128))
    return img, fmt, mode, frames, size


def _family(name: str) -> str:
    return name.split()[-1]


def describe(image_bytes: bytes) -> Description:
    """Measure an image and describe what was measured. Raises :class:`ImageError`."""
    import numpy as np

    img, fmt, mode, frames, (width, height) = _open(image_bytes)
    pixels = np.asarray(img, dtype=np.uint8)
    opaque = pixels[..., 3] >= 128
    transparent = 1.0 - float(opaque.mean())
    names, palette = _palette()
    lab = _lab(pixels[..., :3])
    nearest = np.argmin(((lab[..., None, :] - palette) ** 2).sum(axis=-1), axis=-1)
    colours: list[tuple[str, str, float]] = []
    brightness = contrast = colourful = 0.0
    if opaque.any():
        light = lab[..., 0][opaque] / 100.0
        brightness, contrast = float(light.mean()), float(light.std())
        colourful = float(np.hypot(lab[..., 1], lab[..., 2])[opaque].mean()) / 100.0
        picked = np.array(names)[nearest[opaque]]
        rgb = pixels[..., :3][opaque]
        # ties broken by name: set order depends on the per-process string hash seed
        for name in sorted(set(picked), key=lambda n: (-int((picked == n).sum()), str(n))):
            share = float((picked == name).mean())
            if share >= 0.03 and len(colours) < 5:
                mean = rgb[picked == name].mean(axis=0).round().astype(int)
                hex_ = "#" + "".join(f"{v:02x}" for v in mean)
                colours.append((str(name), hex_, round(share, 3)))
    flat = contrast < 0.02 and len(colours) == 1
    layout = [] if flat or transparent > 0.5 else _layout(np.array(names)[nearest], opaque, lab)
    text = _paragraph(width, height, fmt, frames, brightness, contrast, colourful, transparent,
                      colours, layout, mode)  # fmt: skip
    return Description(
        width, height, fmt, mode, round(brightness, 3), colours, text, round(contrast, 3),
        round(colourful, 3), round(transparent, 3), frames, layout,
    )  # fmt: skip


def _layout(named: np.ndarray, opaque: np.ndarray, lab: np.ndarray) -> list[str]:
    """Rough layout: the main colour of the top and bottom thirds, and a distinct centre."""
    import numpy as np

    h, w = named.shape
    notes = []
    if h >= 3:
        for band, rows in (("top", slice(0, h // 3)), ("bottom", slice(h - h // 3, h))):
            region = named[rows][opaque[rows]]
            if region.size == 0:
                continue
            values, counts = np.unique(region, return_counts=True)
            share = counts.max() / region.size
            if share >= 0.5:
                name = str(values[counts.argmax()])
                hint = _HINTS.get((band, _family(name)), "")
                mostly = "mostly" if share < 0.9 else "almost entirely"
                notes.append(f"the {band} is {mostly} {name}" + (f" — {hint}" if hint else ""))
    if h >= 6 and w >= 6 and opaque.all():
        centre = lab[h // 3 : h - h // 3, w // 3 : w - w // 3].reshape(-1, 3).mean(axis=0)
        border = np.concatenate([lab[: h // 6].reshape(-1, 3), lab[h - h // 6 :].reshape(-1, 3)])
        if float(np.linalg.norm(centre - border.mean(axis=0))) > 25:
            notes.append("the centre differs clearly from the edges — perhaps a central subject")
    return notes


def _words(brightness: float, contrast: float, colourful: float) -> tuple[str, str, str]:
    light = ("very dark", "dark", "medium-bright", "bright", "very bright")[
        sum(brightness >= t for t in (0.25, 0.4, 0.6, 0.8))
    ]
    spread = "low" if contrast < 0.08 else "moderate" if contrast < 0.22 else "high"
    colour = (
        "no colour (grayscale)" if colourful < 0.04
        else "muted colours" if colourful < 0.2
        else "strong colours"
    )  # fmt: skip
    return light, spread, colour


def _paragraph(
    width: int, height: int, fmt: str, frames: int, brightness: float, contrast: float,
    colourful: float, transparent: float, colours: list[tuple[str, str, float]],
    layout: list[str], mode: str,
) -> str:  # fmt: skip
    shape = "square" if width == height else "landscape" if width > height else "portrait"
    details = [shape, f"mode {mode}"]
    if width * height >= 100_000:
        details.insert(1, f"{width * height / 1e6:.1f} megapixels")
    if frames > 1:
        details.append(f"{frames} frames")
    parts = [
        "These are measured properties of the image, not recognised content.",
        f"The image is {width}×{height} {fmt} ({', '.join(details)}).",
    ]
    if transparent >= 0.995:
        parts.append("It is fully transparent.")
        return " ".join(parts)
    if transparent > 0.01:
        amount = "mostly" if transparent > 0.5 else "partly"
        parts.append(f"It is {amount} transparent ({transparent:.0%} of pixels).")
    light, spread, colour = _words(brightness, contrast, colourful)
    parts.append(
        f"It is {light} overall (brightness {brightness:.2f}), with {spread} contrast and {colour}."
    )
    if colours:
        listed = [f"{name} ({share:.0%})" for name, _, share in colours]
        joined = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
        parts.append(f"Main colours: {joined}.")
    if len(colours) == 1 and colours[0][2] > 0.97 and contrast < 0.02:
        parts.append(
            f"{'Its visible pixels are' if transparent > 0.01 else 'It is'} one flat colour."
        )
    elif layout:
        text = "; ".join(layout)
        parts.append(text[0].upper() + text[1:] + ".")
    parts.append("Objects, people and text in it cannot be recognised offline.")
    return " ".join(parts)


_TOPICS = {
    "colour": r"colou?rs?|hue|shade|tint",
    "size": r"size|big|large|small|dimensions?|resolution|wide|width|tall|height|(?:mega)?pixels?",
    "brightness": r"dark|bright|light|brightness|lighting|exposed|exposure|dim",
    "format": r"format|file ?type|type of file|png|jpe?g|gif|webp",
    "transparency": r"transparen\w*|alpha|see-through",
    "contrast": r"contrast",
    "layout": r"sky|grass|water|sea|sand|landscape|outdoors?|top|bottom|centre|center|layout",
    "frames": r"animat\w*|frames?|moving",
}  # fmt: skip


def answer_about(image_bytes: bytes, question: str) -> str:
    """Answer a simple question from the measurements, or say what can be measured."""
    d = describe(image_bytes)
    from .object_answers import answer_objects

    measured = answer_objects(image_bytes, question)
    if measured is not None:
        return measured
    q = question.lower()
    families = {_family(n) for n, _ in COLOURS} | {n for n, _ in COLOURS}
    asked_colours = [
        c for c in sorted(families, key=len, reverse=True) if re.search(rf"\b{c}\b", q)
    ]
    answers = []
    if asked_colours:
        colour = asked_colours[0]
        share = sum(s for n, _, s in d.dominant_colors if colour in (n, _family(n)))
        answers.append(
            f"Yes — {colour} covers about {share:.0%} of the image." if share >= 0.2
            else f"Some — {colour} covers about {share:.0%} of the image." if share > 0
            else f"No {colour} stands out; the main colours are {_colour_list(d)}."
        )  # fmt: skip
    topics = [t for t, pattern in _TOPICS.items() if re.search(rf"\b(?:{pattern})\b", q)]
    light, spread, _ = _words(d.brightness, d.contrast, d.colorfulness)
    for topic in topics:
        if topic == "colour" and not asked_colours:
            answers.append(f"The main colours are {_colour_list(d)}.")
        elif topic == "size":
            answers.append(
                f"It is {d.width}×{d.height} pixels ({d.width * d.height / 1e6:.1f} MP)."
            )
        elif topic == "brightness":
            answers.append(f"It is {light} (mean brightness {d.brightness:.2f} on a 0–1 scale).")
        elif topic == "format":
            answers.append(f"It is a {d.format} image (mode {d.mode}).")
        elif topic == "transparency":
            answers.append(f"{d.transparent_share:.0%} of its pixels are transparent.")
        elif topic == "contrast":
            answers.append(f"It has {spread} contrast ({d.contrast:.2f}).")
        elif topic == "layout":
            answers.append(("; ".join(d.layout) or "No clear top/bottom layout stands out") + ".")
        elif topic == "frames":
            answers.append(f"It has {d.frames} frame{'s' if d.frames != 1 else ''}.")
    if answers:
        return " ".join(a[0].upper() + a[1:] for a in answers)
    return (
        "That cannot be told from measurements alone: offline, the image's size, format, "
        "colours, brightness, contrast, transparency and rough layout can be measured, but "
        "objects, people and text cannot be recognised. " + d.text
    )


def _colour_list(d: Description) -> str:
    items = [f"{n} ({s:.0%})" for n, _, s in d.dominant_colors]
    return ", ".join(items) if items else "none (the image is transparent)"
