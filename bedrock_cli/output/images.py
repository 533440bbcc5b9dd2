"""Image output on the terminal: a progress bar on stderr while images are made, and a small
half-block preview (each character cell shows two pixels: `▀` with a foreground colour for the
top pixel and a background colour for the bottom one)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bedrock_cli.output.console import Output

UPPER_HALF = "\u2580"  # ▀
_CHECKER = ((200, 200, 200), (150, 150, 150))  # shows transparency, as image viewers do


@contextmanager
def progress(output: Output, total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar over `total` images on a terminal's stderr; silent otherwise (piped,
    --quiet). Yields `advance(done)`: the number of images made so far."""
    if not output.stderr_tty or output.quiet:
        yield lambda _done: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn(),
                   console=output.console(err=True), transient=True)
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def half_blocks(data: bytes, columns: int = 48, *, color: bool = True) -> str:
    """The image as rows of `▀` in 24-bit colour, `columns` wide (an aspect-true thumbnail)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as source:
        image = source.convert("RGBA")
    width = max(1, min(columns, image.width))
    rows = max(1, round(image.height * width / image.width / 2))
    small = image.resize((width, rows * 2), Image.Resampling.BOX)
    lines = []
    for y in range(0, rows * 2, 2):
        cells = []
        for x in range(width):
            top = _flatten(small.getpixel((x, y)), x, y)
            bottom = _flatten(small.getpixel((x, y + 1)), x, y + 1)
            if color:
                cells.append(f"\x1b[38;2;{top[0]};{top[1]};{top[2]}m"
                             f"\x1b[48;2;{bottom[0]};{bottom[1]};{bottom[2]}m{UPPER_HALF}")
            else:
                cells.append(UPPER_HALF)
        lines.append("".join(cells) + ("\x1b[0m" if color else ""))
    return "\n".join(lines) + "\n"


def _flatten(pixel: tuple[int, int, int, int], x: int, y: int) -> tuple[int, int, int]:
    r, g, b, a = pixel
    back = _CHECKER[(x // 2 + y // 2) % 2]
    return (round((r * a + back[0] * (255 - a)) / 255),
            round((g * a + back[1] * (255 - a)) / 255),
            round((b * a + back[2] * (255 - a)) / 255))


def preview(output: Output, data: bytes, columns: int = 48) -> bool:
    """Print the preview on stderr when it is a colour terminal; False when it was skipped."""
    if not output.stderr_tty or not output.color:
        return False
    output.stderr.write(half_blocks(data, columns))
    output.stderr.flush()
    return True
