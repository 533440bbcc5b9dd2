"""Image parameters checked against the model's limits before any call (exit 2).

Every refusal says what is wrong and names the nearest valid value (1000x1000 on Titan →
1024x1024; seed 900000000 on Nova Canvas → 858993459). Limits come from the catalog's
`ImageLimits`; input-image rules from the family adapter (`families/images`).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from bedrock_cli.errors import UsageError

if TYPE_CHECKING:
    from bedrock_cli.catalog import ImageLimits, ModelInfo
    from bedrock_cli.families.images.base import InputLimits

MAX_COUNT = 10  # images per command; split into requests of at most the model's max_images
_SIZE = re.compile(r"^\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*$")
_ASPECT = re.compile(r"^\s*(\d{1,3})\s*:\s*(\d{1,3})\s*$")
_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")
#: what a CLI option asks for, in the catalog's task names (a family may call it otherwise)
TASK_LABELS = {
    "text-to-image": "text-to-image",
    "image-to-image": "image-to-image (--from)",
    "image-variation": "image-to-image (--from)",
    "inpainting": "inpainting (--mask / --mask-prompt)",
    "outpainting": "outpainting (--outpaint)",
    "color-guided": "colour-guided generation (--colors)",
    "background-removal": "background removal (--remove-background)",
    "conditioning": "conditioning (--condition)",
}
_SAME_JOB = {"image-to-image": ("image-to-image", "image-variation"),
             "image-variation": ("image-to-image", "image-variation")}


def _fmt(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def in_range(option: str, value: float, low: float, high: float, model: str) -> None:
    if not low <= value <= high:
        nearest = min(max(value, low), high)
        plain = str(int(nearest)) if float(nearest).is_integer() else f"{nearest:g}"
        raise UsageError(f"{option} {_fmt(value)} is outside {model}'s range "
                         f"{_fmt(low)} to {_fmt(high)}.",
                         f"Nearest valid value: {option} {plain}.")


def parse_size(text: str) -> tuple[int, int]:
    match = _SIZE.match(text)
    if not match or not int(match.group(1)) or not int(match.group(2)):
        raise UsageError(f"--size {text!r} is not WIDTHxHEIGHT.", "Use e.g. --size 1024x1024.")
    return int(match.group(1)), int(match.group(2))


def parse_aspect(text: str) -> tuple[int, int]:
    match = _ASPECT.match(text)
    if not match or not int(match.group(1)) or not int(match.group(2)):
        raise UsageError(f"--aspect {text!r} is not W:H.", "Use e.g. --aspect 16:9.")
    return int(match.group(1)), int(match.group(2))


def parse_colors(text: str) -> tuple[str, ...]:
    colors = []
    for item in (part.strip() for part in text.split(",")):
        match = _HEX.match(item)
        if not match:
            raise UsageError(f"--colors: {item!r} is not a colour in #RRGGBB form.",
                             "Use e.g. --colors '#FF9800,#1E88E5'.")
        colors.append("#" + match.group(1).upper())
    if not 1 <= len(colors) <= 10:
        raise UsageError(f"--colors has {len(colors)} colours; Bedrock takes 1 to 10.",
                         "Give between one and ten colours.")
    return tuple(colors)


def supporting(task: str, models: list[ModelInfo]) -> list[str]:
    """Aliases of the catalog models that can do `task`, for "use ... instead" hints."""
    wanted = _SAME_JOB.get(task, (task,))
    return [m.aliases[0] if m.aliases else m.id for m in models
            if m.image and any(t in m.image.tasks for t in wanted)]


def check_task(task: str, model: ModelInfo, limits: ImageLimits, models: list[ModelInfo]) -> None:
    if task in limits.tasks:
        return
    others = supporting(task, models)
    hint = ("Use " + (", ".join(others[:-1]) + " or " + others[-1] if len(others) > 1
                      else others[0]) + " (-m NAME).") if others else None
    raise UsageError(f"{model.name} cannot do {TASK_LABELS.get(task, task)}.", hint)


def nearest_ratio(width: float, height: float, ratios: tuple[str, ...]) -> str:
    target = math.log(width / height)

    def distance(ratio: str) -> float:
        w, h = (int(x) for x in ratio.split(":"))
        return abs(math.log(w / h) - target)

    return min(ratios, key=distance)


def size_for_aspect(limits: ImageLimits, w: int, h: int, model: str) -> tuple[int, int]:
    """The accepted size closest to the aspect W:H at about the default size's area."""
    ratio = w / h
    if limits.max_aspect and not limits.min_aspect <= ratio <= limits.max_aspect:
        low, high = round(1 / limits.min_aspect), round(limits.max_aspect)
        nearest = f"1:{low}" if ratio < 1 else f"{high}:1"
        raise UsageError(f"--aspect {w}:{h} is outside {model}'s range 1:{low} to {high}:1.",
                         f"Nearest valid value: --aspect {nearest}.")
    dw, dh = limits.default_size or (1024, 1024)
    area = dw * dh
    return limits.nearest_size(round(math.sqrt(area * ratio)), round(math.sqrt(area / ratio)))


def check_size(limits: ImageLimits, width: int, height: int, model: str) -> None:
    problem = limits.size_error(width, height)
    if problem is None:
        return
    if not limits.takes_size:
        ratio = nearest_ratio(width, height, limits.aspect_ratios)
        raise UsageError(f"{model} takes an aspect ratio, not a size.",
                         f"Nearest valid value: --aspect {ratio} (ratios: "
                         f"{', '.join(limits.aspect_ratios)}).")
    nw, nh = limits.nearest_size(width, height)
    raise UsageError(f"{width}x{height} is not a size {model} accepts: {problem}.",
                     f"Nearest valid size: --size {nw}x{nh}.")


def check_aspect(limits: ImageLimits, w: int, h: int, model: str) -> str:
    ratio = f"{w}:{h}"
    if ratio in limits.aspect_ratios:
        return ratio
    raise UsageError(f"--aspect {ratio} is not one of {model}'s aspect ratios.",
                     f"Nearest valid value: --aspect {nearest_ratio(w, h, limits.aspect_ratios)} "
                     f"(ratios: {', '.join(limits.aspect_ratios)}).")


def check_text(label: str, text: str, cap: int, model: str) -> None:
    if cap and len(text) > cap:
        raise UsageError(f"The {label} is {len(text):,} characters; {model} takes at most "
                         f"{cap:,}.", f"Shorten it by {len(text) - cap:,} characters.")


def fit_input(inputs: InputLimits, width: int, height: int) -> tuple[int, int]:
    """A size close to width×height that the family's input rules accept."""
    if inputs.sizes:
        return min(inputs.sizes, key=lambda s: (abs(math.log(s[0] / s[1] * height / width)),
                                                abs(s[0] * s[1] - width * height)))
    scale = 1.0
    if inputs.max_pixels and width * height > inputs.max_pixels:
        scale = math.sqrt(inputs.max_pixels / (width * height))
    if inputs.max_side and max(width, height) * scale > inputs.max_side:
        scale = inputs.max_side / max(width, height)
    if min(width, height) * scale < inputs.min_side:
        scale = inputs.min_side / min(width, height)
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))
