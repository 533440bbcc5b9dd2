"""Files attached to a prompt, as Converse content blocks, checked against Bedrock's limits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.inputs import read_bytes

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo

IMAGE_MAX_BYTES = 3_750_000  # 3.75 MB
IMAGE_MAX_SIDE = 8000
DOCUMENT_MAX_BYTES = 4_500_000  # 4.5 MB
MAX_IMAGES = 20
MAX_DOCUMENTS = 5
DOCUMENT_FORMATS = {
    ".pdf": "pdf", ".csv": "csv", ".doc": "doc", ".docx": "docx", ".xls": "xls",
    ".xlsx": "xlsx", ".html": "html", ".htm": "html", ".txt": "txt", ".md": "md",
}
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


def image_format(data: bytes) -> str | None:
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def image_block(path: Path, data: bytes, fmt: str) -> dict[str, Any]:
    if len(data) > IMAGE_MAX_BYTES:
        raise UsageError(
            f"{path} is {len(data) / 1e6:.1f} MB; Bedrock takes images up to 3.75 MB.",
            "Resize or recompress it (e.g. to JPEG) and try again.",
        )
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # a huge size is refused below, not warned about
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise UsageError(f"{path} is not a readable {fmt} image: {exc}",
                         "Attach a PNG, JPEG, GIF or WebP file.") from None
    if max(width, height) > IMAGE_MAX_SIDE:
        raise UsageError(
            f"{path} is {width}x{height} pixels; Bedrock takes at most {IMAGE_MAX_SIDE} per side.",
            "Downscale it and try again.",
        )
    return {"image": {"format": fmt, "source": {"bytes": data}}}


def document_name(path: Path, taken: set[str]) -> str:
    """Bedrock allows letters, digits, single spaces, hyphens, parentheses and brackets."""
    name = re.sub(r"[^A-Za-z0-9\s\-()\[\]]", "-", path.stem)
    name = re.sub(r"\s+", " ", name).strip() or "document"
    name = name[:190]
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name} ({n})", n + 1
    taken.add(unique)
    return unique


def load(paths: list[Path], model: ModelInfo | None, model_name: str) -> list[dict[str, Any]]:
    """Content blocks for the given files; refuses before any call what Bedrock would refuse."""
    blocks: list[dict[str, Any]] = []
    names: set[str] = set()
    images = documents = 0
    for path in paths:
        data = read_bytes(path, limit=None)
        fmt = image_format(data)
        if fmt:
            if model is not None and not model.vision:
                raise UsageError(f"{model_name} does not take images.",
                                 "Use a vision model, e.g. -m nova-lite or -m sonnet.")
            blocks.append(image_block(path, data, fmt))
            images += 1
            continue
        doc_format = DOCUMENT_FORMATS.get(path.suffix.lower())
        if doc_format is None:
            raise UsageError(
                f"Cannot attach {path}: not an image (png, jpeg, gif, webp) or a document "
                f"({', '.join(sorted(set(DOCUMENT_FORMATS.values())))}).",
                "Convert it to one of those formats, or pipe text in on stdin.",
            )
        if model is not None and not model.documents:
            raise UsageError(f"{model_name} does not take documents.",
                             "Use a model with document support, e.g. -m nova-lite or -m sonnet.")
        if len(data) > DOCUMENT_MAX_BYTES:
            raise UsageError(
                f"{path} is {len(data) / 1e6:.1f} MB; Bedrock takes documents up to 4.5 MB.",
                "Split it, or summarize it with `bedrock-cli summarize`.",
            )
        if doc_format == "pdf":
            from bedrock_cli.tasks.documents import checked_pdf

            checked_pdf(str(path), data)
        blocks.append({"document": {"format": doc_format, "name": document_name(path, names),
                                    "source": {"bytes": data}}})
        documents += 1
    if images > MAX_IMAGES:
        raise UsageError(f"{images} images attached; Bedrock takes at most {MAX_IMAGES}.",
                         "Attach fewer images.")
    if documents > MAX_DOCUMENTS:
        raise UsageError(f"{documents} documents attached; Bedrock takes at most "
                         f"{MAX_DOCUMENTS}.", "Attach fewer documents.")
    return blocks
