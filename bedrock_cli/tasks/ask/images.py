"""Images for visual question answering: checked against Bedrock's limits before the call,
and downscaled with Pillow when they are too large in bytes or pixels (unless told not to)."""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bedrock_cli.errors import UsageError
from bedrock_cli.inputs import read_bytes
from bedrock_cli.tasks.attachments import IMAGE_MAX_BYTES, IMAGE_MAX_SIDE, MAX_IMAGES, image_format


@dataclass
class Image:
    block: dict[str, Any]  # the Converse image block
    note: str | None = None  # what was done to it (downscaled), for a notice


def load(path: Path, *, resize: bool = True) -> Image:
    data = read_bytes(path, limit=None, noun="image")
    fmt = image_format(data)
    if fmt is None:
        raise UsageError(f"{path} is not an image Bedrock takes (PNG, JPEG, GIF or WebP).",
                         "Pass a PNG, JPEG, GIF or WebP file with --image.")
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            PILImage.DecompressionBombError) as exc:
        raise UsageError(f"{path} is not a readable {fmt} image: {exc}",
                         "Check the file; re-save it as PNG or JPEG.") from None
    too_heavy = len(data) > IMAGE_MAX_BYTES
    too_wide = max(width, height) > IMAGE_MAX_SIDE
    if not (too_heavy or too_wide):
        return Image({"image": {"format": fmt, "source": {"bytes": data}}})
    what = (f"{len(data) / 1e6:.1f} MB" if too_heavy else "") + \
        (" and " if too_heavy and too_wide else "") + \
        (f"{width}x{height} pixels" if too_wide else "")
    if not resize:
        raise UsageError(
            f"{path} is {what}; Bedrock takes images up to 3.75 MB and {IMAGE_MAX_SIDE} pixels "
            "per side.", "Drop --no-resize to downscale it automatically, or resize it yourself.")
    try:
        new, new_fmt, size = downscale(data)
    except (OSError, SyntaxError, ValueError, PILImage.DecompressionBombError) as exc:
        # the header reads, the pixels do not (a truncated file claiming a large size)
        raise UsageError(f"{path} is not a readable {fmt} image: {exc}",
                         "Check the file; re-save it as PNG or JPEG.") from None
    return Image({"image": {"format": new_fmt, "source": {"bytes": new}}},
                 f"{path} is {what}: sent downscaled to {size[0]}x{size[1]} "
                 f"({len(new) / 1e6:.2f} MB, {new_fmt}).")


def downscale(data: bytes) -> tuple[bytes, str, tuple[int, int]]:
    """Re-encode smaller until it fits both limits: JPEG, or PNG when it has transparency."""
    from PIL import Image as PILImage

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
        opened = PILImage.open(io.BytesIO(data))
        opened.seek(0)  # the first frame of an animation
        opened.load()
    alpha = opened.mode in ("RGBA", "LA", "PA") or "transparency" in opened.info
    image = opened.convert("RGBA" if alpha else "RGB")
    fmt = "png" if alpha else "jpeg"
    scale = min(1.0, IMAGE_MAX_SIDE / max(image.size))
    for _ in range(12):
        size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
        small = image.resize(size, PILImage.Resampling.LANCZOS) if scale < 1 else image
        buffer = io.BytesIO()
        if fmt == "png":
            small.save(buffer, "PNG", optimize=True)
        else:
            small.save(buffer, "JPEG", quality=88, optimize=True)
        encoded = buffer.getvalue()
        if len(encoded) <= IMAGE_MAX_BYTES:
            return encoded, fmt, size
        scale *= math.sqrt(IMAGE_MAX_BYTES / len(encoded)) * 0.9
    raise UsageError("The image could not be made small enough for Bedrock.",
                     "Resize it yourself and try again.")


def load_all(paths: list[Path], *, resize: bool, model: Any, model_name: str) -> list[Image]:
    if not paths:
        return []
    if model is not None and not model.vision:
        raise UsageError(f"{model_name} does not take images.",
                         "Use a vision model, e.g. -m nova-lite or -m sonnet.")
    if len(paths) > MAX_IMAGES:
        raise UsageError(f"{len(paths)} images given; Bedrock takes at most {MAX_IMAGES}.",
                         "Pass fewer images.")
    return [load(path, resize=resize) for path in paths]
