"""Where generated images go: names derived from the prompt and seed, sanitised and kept
inside the output directory; nothing existing is overwritten without `--force`; every file is
written atomically (readers see the old file or the new one, never a torn one).

- `-o DIR` (an existing directory, or a path ending in `/`), or no `-o` (the current
  directory): names are `<prompt-slug>-<seed>[-<n>].png`, made of `[a-z0-9-]` only and capped
  in length. A name that is taken gets `-2`, `-3`, ... (with `--force`, it is replaced).
- `-o FILE`: that file (`FILE-1.png`, `FILE-2.png`, ... for several images). If it exists the
  command stops before any call (exit 2), unless `--force`.
- `--save-steps`: `out.png` gets `out.steps.gif` beside it, under the same rules.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bedrock_cli.errors import UsageError
from bedrock_cli.paths import atomic_write

SUFFIX_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}
FORMAT_SUFFIX = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}
MAX_SLUG = 60
_PIL = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


@dataclass
class Target:
    path: Path
    steps: Path | None = None


def slug(text: str, limit: int = MAX_SLUG) -> str:
    """ASCII, lower case, `[a-z0-9-]`, at most `limit` characters, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or (words[0][:limit] if words else "image")


def is_directory(out: str) -> bool:
    """`-o` names a directory: an existing one, or any path written with a trailing slash."""
    return out.endswith(("/", os.sep)) or Path(out).is_dir()


def wanted_format(out: str | None) -> str | None:
    """The image format an explicit `-o FILE` asks for by its suffix (None: the default)."""
    if out is None or is_directory(out):
        return None
    suffix = Path(out).suffix.lower()
    if suffix and suffix not in SUFFIX_FORMATS:
        raise UsageError(f"-o {out}: {suffix} is not an image format bedrock-cli writes.",
                         "Use a .png, .jpg or .webp name, or a directory.")
    return SUFFIX_FORMATS.get(suffix)


def steps_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.steps.gif")


def plan(out: str | None, stem: str, keys: list[str], fmt: str, *, force: bool,
         steps: bool) -> list[Target]:
    """One target per expected image; refuses (exit 2) before any call what cannot be written."""
    suffix = FORMAT_SUFFIX[fmt]
    if out is not None and not is_directory(out):
        return _explicit(Path(out), len(keys), suffix, force=force, steps=steps)
    directory = Path(out) if out is not None else Path.cwd()
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"-o {directory} is not a directory.", "Pass a directory or a file name.")
    base = slug(stem)
    root = directory.resolve()
    taken: set[Path] = set()
    targets = []
    for key in keys:
        n = 1
        while True:
            name = f"{base}-{key}" + (f"-{n}" if n > 1 else "")
            path = directory / (name + suffix)
            if path.resolve().parent != root:  # cannot happen with a slug; defence in depth
                raise UsageError(f"Refusing to write outside {directory}: {name}", None)
            gif = steps_path(path) if steps else None
            clash = path in taken or (not force and (path.exists() or (gif and gif.exists())))
            if not clash:
                break
            n += 1
        taken.add(path)
        targets.append(Target(path, gif))
    return targets


def _explicit(out: Path, count: int, suffix: str, *, force: bool, steps: bool) -> list[Target]:
    base = out if out.suffix else out.with_name(out.name + suffix)
    paths = [base] if count == 1 else [
        base.with_name(f"{base.stem}-{i}{base.suffix}") for i in range(1, count + 1)]
    targets = [Target(p, steps_path(p) if steps else None) for p in paths]
    if not force:
        for target in targets:
            for path in (target.path, target.steps):
                if path is not None and path.exists():
                    raise UsageError(f"{path} already exists; nothing was generated.",
                                     "Pass --force to overwrite it, or choose another -o.")
    for target in targets:
        if target.path.is_dir():
            raise UsageError(f"{target.path} is a directory.", "Choose a file name.")
    return targets


def measure(data: bytes) -> tuple[int, int]:
    """An image's width and height, from its header."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size


def save(path: Path, data: bytes, fmt: str) -> tuple[int, int]:
    """Write `data` (any image format) to `path` as `fmt`, atomically; returns its size."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        size = image.size
        if (image.format or "").upper() != _PIL[fmt]:
            converted = image if fmt == "png" or image.mode in ("RGB", "L") else \
                image.convert("RGB")
            buffer = io.BytesIO()
            converted.save(buffer, format=_PIL[fmt])
            data = buffer.getvalue()
    atomic_write(path, data)
    return size
