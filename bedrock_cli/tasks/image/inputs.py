"""Input images (`--from`, `--mask`, `--condition`): read, checked against the family's rules
with Pillow before any call, and the padded canvas and mask for outpainting to a larger size."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.families.images.base import measure
from bedrock_cli.inputs import read_bytes
from bedrock_cli.tasks.image.checks import fit_input

if TYPE_CHECKING:
    from bedrock_cli.families.images.base import InputLimits

HARD_MAX_BYTES = 50_000_000  # never read more than this into memory


@dataclass
class InputImage:
    path: Path
    data: bytes
    format: str
    width: int
    height: int


def load(path: Path, option: str, inputs: InputLimits, model: str) -> InputImage:
    """Read and check one input image; UsageError (exit 2) names the nearest valid size."""
    if path.exists() and path.stat().st_size > HARD_MAX_BYTES:
        raise UsageError(f"{option} {path} is {path.stat().st_size / 1e6:.0f} MB; far too "
                         "large for Bedrock.", "Downscale or recompress it.")
    data = read_bytes(path, limit=HARD_MAX_BYTES, noun="image file",
                      hint=f"Check the path given to {option}.")
    fmt, width, height = measure(data)
    problem = inputs.problem(fmt, len(data), width, height)
    if problem:
        if fmt is None or fmt not in inputs.formats:
            hint = f"Convert it to {' or '.join(f.upper() for f in inputs.formats)}."
        elif len(data) > inputs.max_bytes:
            hint = "Recompress it (e.g. as JPEG) or downscale it."
        else:
            nw, nh = fit_input(inputs, width, height)
            hint = f"Nearest valid size: {nw}x{nh} (resize the image)."
        raise UsageError(f"{option} {path} cannot be used with {model}: {problem}.", hint)
    return InputImage(path, data, str(fmt), width, height)


def same_size(mask: InputImage, image: InputImage) -> None:
    if (mask.width, mask.height) != (image.width, image.height):
        raise UsageError(f"--mask {mask.path} is {mask.width}x{mask.height} but --from "
                         f"{image.path} is {image.width}x{image.height}.",
                         f"Resize the mask to {image.width}x{image.height}.")


def extend_canvas(image: InputImage, width: int, height: int) -> tuple[bytes, bytes]:
    """(padded image, mask) for outpainting `image` to width×height, centred: the mask is black
    over the original (kept, "inside the mask") and white where new content goes."""
    from PIL import Image

    if width < image.width or height < image.height:
        raise UsageError(f"--outpaint to {width}x{height} would crop the {image.width}x"
                         f"{image.height} input.", "Give a --size at least as large as the input.")
    with Image.open(io.BytesIO(image.data)) as source:
        rgb = source.convert("RGB")
    left, top = (width - image.width) // 2, (height - image.height) // 2
    # new areas start from the input's edge colours, which helps every outpainting model
    canvas = Image.new("RGB", (width, height), _edge_colour(rgb))
    canvas.paste(rgb, (left, top))
    mask = Image.new("L", (width, height), 255)
    mask.paste(0, (left, top, left + image.width, top + image.height))
    return _png(canvas), _png(mask)


def _edge_colour(image: Any) -> tuple[int, int, int]:
    from PIL import Image

    border = image.resize((8, 8), Image.Resampling.BOX)
    pixels = [border.getpixel((x, y)) for x in range(8) for y in range(8)
              if x in (0, 7) or y in (0, 7)]
    channels = list(zip(*pixels, strict=False))
    return (sum(channels[0]) // len(pixels), sum(channels[1]) // len(pixels),
            sum(channels[2]) // len(pixels))


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
