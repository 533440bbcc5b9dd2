"""Helpers the family modules share for native text bodies: the client side's sampling fields
(under each family's own names) and the emulator side's reading of turns, Converse blocks and
base64, and streaming pieces with the last one marked.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import TextRequest


def with_last(pieces: Iterator[str]) -> Iterator[tuple[str, bool]]:
    """Each piece with whether it is the last; one empty last piece when there are none."""
    previous: str | None = None
    for piece in pieces:
        if previous is not None:
            yield previous, False
        previous = piece
    yield (previous or ""), True


def dig(doc: Mapping[str, Any], dotted: str) -> Any:
    node: Any = doc
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def top_k_of(request: TextRequest, model: ModelInfo | None) -> int | None:
    """The top-k generate put into Converse's additionalModelRequestFields."""
    paths = [model.top_k_field] if model is not None and model.top_k_field else \
        ["top_k", "k", "inferenceConfig.topK"]
    for path in paths:
        value = dig(request.additional_fields, path)
        if isinstance(value, int):
            return value
    return None


def sampling_fields(request: TextRequest, model: ModelInfo | None,
                    names: Mapping[str, str]) -> dict[str, Any]:
    """The sampling settings the request sets, under the family's own field names.

    `names` maps the project's fields (max_tokens, temperature, top_p, top_k, seed, stop) to
    the family's, in the order the family writes them; a field the family has no name for,
    or that the request leaves unset, is left out."""
    values: dict[str, Any] = {
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "top_k": top_k_of(request, model) if "top_k" in names else None,
        "seed": seed_of(request, model) if "seed" in names else None,
        "stop": list(request.stop) if request.stop else None,
    }
    return {native: values[field] for field, native in names.items()
            if values[field] is not None}


def seed_of(request: TextRequest, model: ModelInfo | None) -> int | None:
    if model is not None and model.seed_field:
        value = dig(request.additional_fields, model.seed_field)
        if isinstance(value, int):
            return value
    return None


def model_name(model: ModelInfo | None, request: TextRequest) -> str:
    return model.id if model is not None else request.model_id


def default_max_tokens(request: TextRequest, model: ModelInfo | None) -> int:
    if request.max_tokens is not None:
        return request.max_tokens
    if model is not None and model.default_max_tokens:
        return int(model.default_max_tokens)
    return 4096


def block_text(block: Mapping[str, Any], family: str) -> str | None:
    """A Converse block as text for families that take only text; None for images.

    Text documents are inlined; binary documents cannot travel in these native bodies."""
    if "text" in block:
        return str(block["text"])
    if "document" in block:
        doc = block["document"]
        fmt = str(doc.get("format", ""))
        source = doc.get("source", {})
        if fmt in ("txt", "md", "csv", "html") and isinstance(source.get("bytes"), bytes):
            text = source["bytes"].decode("utf-8", errors="replace")
            return f"[document: {doc.get('name', 'document')}]\n{text}"
        raise UsageError(
            f"The {family} native body cannot carry a {fmt or 'binary'} document.",
            "Use --api converse (the default) for documents, or attach a text file.",
        )
    if "image" in block:
        return None
    kind = next(iter(block), "unknown")
    raise UsageError(f"The {family} native body cannot carry a {kind} block.",
                     "Use --api converse (the default).")


def plain_turns(request: TextRequest, family: str, *,
                images: bool = False) -> list[tuple[str, str, list[tuple[str, bytes]]]]:
    """(role, text, images) per message; images are refused unless the family takes them."""
    out = []
    for message in request.messages:
        texts: list[str] = []
        pictures: list[tuple[str, bytes]] = []
        for block in message.get("content", []):
            text = block_text(block, family)
            if text is not None:
                texts.append(text)
                continue
            if not images:
                raise UsageError(f"The {family} native body cannot carry images.",
                                 "Use --api converse, or a vision model.")
            image = block["image"]
            pictures.append((str(image.get("format", "png")), bytes(image["source"]["bytes"])))
        out.append((str(message.get("role", "user")), "\n".join(texts), pictures))
    return out


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except ValueError:
        return b""


def describe_image(fmt: str, data: bytes) -> str:
    """The same description the Converse emulator puts in the prompt for an image."""
    return f"[image: {fmt or 'unknown'}, {len(data)} bytes]" if data else f"[image: {fmt}]"


__all__ = ["b64", "block_text", "default_max_tokens", "describe_image", "dig", "model_name",
           "plain_turns", "sampling_fields", "seed_of", "top_k_of", "unb64", "with_last"]
