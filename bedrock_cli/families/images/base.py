"""What the image families share: the project-level request and result, and the two sides of
every family's wire format.

A family module (`amazon`, `stability`, `sdxl`) is the one place that knows its native JSON.
It holds both sides, so the CLI and the emulator cannot drift apart:

* client side: `build(ImageRequest) -> body` and `parse(body, requested) -> ImageResult`;
* emulator side: `read(body) -> ImageRequest` (the inverse of `build`, raising `BodyError` for
  schema violations) and `respond(Rendered...) -> body`.

`read(build(request))` gives the request back for every field the family carries; the tests
hold each family to that.

Intermediate steps (`--save-steps`): the CLI tags the call with InvokeModel's own
`requestMetadata` parameter (`{"task": "image", "steps": "gif"}`) — a real Bedrock parameter,
accepted by AWS and only written to invocation logs there. The emulator honours it by adding
one animated GIF per image under `STEPS_FIELD` in its response; `parse` reads that field when it
is present. Bedrock never sends it, so on AWS the result simply has no steps and the CLI says
so. Nothing above `clients.py` asks which backend answered.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any, ClassVar

#: The task tag every image call carries in `requestMetadata` (useful for log filtering on AWS).
METADATA_TASK = {"task": "image"}
#: Added to the tag by `--save-steps`: "send me the denoising steps" (honoured by the emulator).
METADATA_STEPS = {"task": "image", "steps": "gif"}
#: The response field the emulator adds when asked: one base64 animated GIF per image. Not a
#: Bedrock field; a client that does not look for it never sees a difference.
STEPS_FIELD = "emulator_steps_gif"

CONTROL_MODES = {"canny": "CANNY_EDGE", "segmentation": "SEGMENTATION"}


class BodyError(Exception):
    """A native body that does not fit the family's schema (Bedrock: "Malformed input")."""

    def __init__(self, violations: list[str]) -> None:
        super().__init__("; ".join(violations))
        self.violations = violations


@dataclass
class ImageRequest:
    """One image call in the project's terms; task names are the catalog's `IMAGE_TASKS`."""

    task: str
    prompt: str = ""
    negative: str = ""
    width: int | None = None
    height: int | None = None
    aspect_ratio: str | None = None
    count: int = 1
    seed: int = 0
    cfg_scale: float | None = None
    quality: str | None = None
    steps: int | None = None
    #: how far the result may move from the input: 0 keeps it, 1 ignores it (None: default)
    strength: float | None = None
    image: bytes | None = None  # the input image (--from)
    #: the mask image; `mask_source` says which pixels mark the region: "black" (Bedrock's
    #: Nova Canvas / Titan convention, what the CLI sends), "white", or "alpha" (SDXL)
    mask_image: bytes | None = None
    mask_source: str = "black"
    mask_prompt: str | None = None
    colors: tuple[str, ...] = ()
    condition_image: bytes | None = None
    control: str | None = None  # "canny" | "segmentation"
    control_strength: float | None = None
    output_format: str | None = None  # "png" | "jpeg" | "webp" (families that choose)


@dataclass
class ImageResult:
    """A parsed response: the images that came back and what happened to the others."""

    images: list[bytes]
    seeds: list[int | None]
    requested: int
    #: why images are missing: content-filter messages or finish reasons, in Bedrock's words
    blocked: list[str] = field(default_factory=list)
    #: failures that are not filtering (Stability "Inference error", SDXL "ERROR")
    errors: list[str] = field(default_factory=list)
    #: animated GIFs of the denoising steps, one per image (only the emulator sends them)
    steps: list[bytes] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(0, self.requested - len(self.images))


@dataclass
class Rendered:
    """One image the emulator made, for `respond`."""

    data: bytes  # encoded in the requested output format
    seed: int
    steps_gif: bytes | None = None


@dataclass(frozen=True)
class InputLimits:
    """What a family accepts as an input image (`--from`, masks, condition images)."""

    formats: tuple[str, ...] = ("png", "jpeg")
    #: per image, before base64 (UNVERIFIED: chosen to keep the body under InvokeModel's limit)
    max_bytes: int = 10_000_000
    min_side: int = 1
    max_side: int = 0  # 0 = no limit
    max_pixels: int = 0
    min_aspect: float = 0.0
    max_aspect: float = 0.0
    sizes: tuple[tuple[int, int], ...] = ()  # exact sizes only (SDXL)

    def problem(self, fmt: str | None, size: int, width: int, height: int) -> str | None:
        """Why an input image is refused, or None."""
        if fmt not in self.formats:
            return f"it is {fmt or 'not an image'}; the model takes {', '.join(self.formats)}"
        if size > self.max_bytes:
            return f"it is {size / 1e6:.1f} MB; the model takes up to {self.max_bytes / 1e6:g} MB"
        if self.sizes and (width, height) not in self.sizes:
            return f"it is {width}x{height}; the model takes only its own sizes"
        if min(width, height) < self.min_side or (
                self.max_side and max(width, height) > self.max_side):
            return (f"it is {width}x{height}; each side must be {self.min_side} to "
                    f"{self.max_side or 'any'} pixels")
        if self.max_pixels and width * height > self.max_pixels:
            return f"it is {width}x{height}, more than {self.max_pixels:,} pixels"
        if self.max_aspect and not self.min_aspect <= width / height <= self.max_aspect:
            return (f"it is {width}x{height}; the aspect ratio must be between "
                    f"1:{round(1 / self.min_aspect)} and {round(self.max_aspect)}:1")
        return None


def measure(data: bytes) -> tuple[str | None, int, int]:
    """(format, width, height) of encoded image bytes; (None, 0, 0) when unreadable."""
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # the caller checks the size against the limits
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt = (image.format or "").lower() or None
                width, height = image.size
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        return None, 0, 0
    return fmt, width, height


class ImageFamily:
    """A model family's native image format. Subclasses implement both sides."""

    name = ""
    inputs = InputLimits()
    #: the catalog task `--from IMG` means for this family
    variation_task = "image-to-image"
    #: families whose JSON carries no size, only an aspect ratio
    takes_aspect_ratio = False

    # -- client side -------------------------------------------------------------------
    def build(self, request: ImageRequest) -> dict[str, Any]:
        raise NotImplementedError

    def parse(self, body: dict[str, Any], requested: int) -> ImageResult:
        raise NotImplementedError

    # -- emulator side -----------------------------------------------------------------
    def read(self, body: dict[str, Any]) -> ImageRequest:
        raise NotImplementedError

    def respond(self, images: list[Rendered]) -> dict[str, Any]:
        raise NotImplementedError

    #: the native name of each ImageRequest field, for the emulator's error messages
    fields: ClassVar[dict[str, str]] = {}


# -------------------------------------------------------------------------- helpers


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any, where: str) -> bytes:
    """Decode a base64 field; a BodyError names the field when it is not base64."""
    if not isinstance(text, str):
        raise BodyError([f"{where}: expected type: String"])
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BodyError([f"{where}: is not a valid base64 string"]) from None


def steps_from(body: dict[str, Any]) -> list[bytes]:
    """The emulator's step GIFs, when the response carries them."""
    raw = body.get(STEPS_FIELD)
    if not isinstance(raw, list):
        return []
    out = []
    for item in raw:
        try:
            out.append(base64.b64decode(item, validate=True))
        except (binascii.Error, ValueError, TypeError):
            return []
    return out


def with_steps(body: dict[str, Any], images: list[Rendered]) -> dict[str, Any]:
    """Add STEPS_FIELD to a response body when every image has its steps."""
    gifs = [image.steps_gif for image in images]
    if gifs and all(gif is not None for gif in gifs):
        body[STEPS_FIELD] = [b64(gif) for gif in gifs if gif is not None]
    return body


# A tiny everit-style schema checker: (name -> (json types, required)) per object, closed.
Schema = dict[str, tuple[tuple[type, ...], bool]]

STR: tuple[type, ...] = (str,)
INT: tuple[type, ...] = (int,)
NUM: tuple[type, ...] = (int, float)
LIST: tuple[type, ...] = (list,)
OBJ: tuple[type, ...] = (dict,)
_NAMES = {str: "String", int: "Integer", float: "Number", list: "JSONArray", dict: "JSONObject"}


def check(doc: dict[str, Any], schema: Schema, path: str = "#") -> list[str]:
    """Violations of `doc` against `schema`: missing required keys, unknown keys, wrong types
    (worded like Bedrock's everit messages: ``#: required key [text] not found``)."""
    out = [f"{path}: required key [{name}] not found"
           for name, (_types, required) in schema.items() if required and name not in doc]
    for name, value in doc.items():
        spec = schema.get(name)
        if spec is None:
            out.append(f"{path}: extraneous key [{name}] is not permitted")
            continue
        types = spec[0]
        ok = isinstance(value, types) and not isinstance(value, bool)
        if int in types and isinstance(value, float) and value.is_integer():
            ok = True
        if not ok:
            wanted = " or ".join(_NAMES[t] for t in types if t in _NAMES)
            out.append(f"{path}/{name}: expected type: {wanted}, found: {type(value).__name__}")
    return out


def require(violations: list[str]) -> None:
    if violations:
        raise BodyError(violations)
