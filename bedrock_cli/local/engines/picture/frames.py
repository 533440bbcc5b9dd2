"""Intermediate denoising frames: a recorder for `on_step` and an animated GIF writer."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import BinaryIO

from PIL import Image


class FrameRecorder:
    """An `on_step` callback that keeps small copies of the frames for `steps_gif`."""

    def __init__(self, max_side: int = 256) -> None:
        self.max_side = max_side
        self.frames: list[Image.Image] = []

    def __call__(self, step: int, total: int, frame: Image.Image) -> None:
        self.frames.append(_thumb(frame, self.max_side))


def _thumb(frame: Image.Image, max_side: int) -> Image.Image:
    scale = min(1.0, max_side / max(frame.size))
    if scale >= 1.0:
        return frame.copy()
    size = (max(1, round(frame.width * scale)), max(1, round(frame.height * scale)))
    return frame.resize(size, Image.Resampling.BOX)


def steps_gif(
    frames: Sequence[Image.Image],
    dest: str | os.PathLike[str] | BinaryIO | None = None,
    *,
    max_side: int = 256,
    duration_ms: int = 90,
    hold_ms: int = 1500,
) -> bytes:
    """An animated GIF of the denoising steps (the last frame held); returns its bytes and
    also writes them to `dest` (a path or a binary file) when given.

    All frames share one palette, taken from the final image and a half-way frame, and are
    mapped to it without dithering: quick (about 0.3 s for 30 frames) and compact (noise
    frames compress badly; a 30-step GIF at 256 px is about 1 MB).
    """
    if not frames:
        raise ValueError("no frames to write")
    small = [_thumb(f.convert("RGB"), max_side) for f in frames]
    w, h = small[-1].size
    sample = Image.new("RGB", (w * 2, h))
    sample.paste(small[-1], (0, 0))
    sample.paste(small[len(small) // 2].resize((w, h)), (w, 0))
    palette = sample.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    paletted = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in small]
    buf = io.BytesIO()
    durations = [duration_ms] * (len(paletted) - 1) + [hold_ms]
    paletted[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=paletted[1:],
        duration=durations,
        loop=0,
        disposal=1,
    )
    data = buf.getvalue()
    if dest is not None:
        if isinstance(dest, (str, os.PathLike)):
            with open(dest, "wb") as fh:
                fh.write(data)
        else:
            dest.write(data)
    return data
