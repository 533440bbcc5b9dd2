"""Reading a Converse request: Bedrock's validation, and the prompt text the engines see.

Shared by Converse, ConverseStream and CountTokens so that ``usage.inputTokens`` and
CountTokens always agree: both count :func:`prompt_text` of the same system and messages.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass
from typing import Any

from .. import errors
from .tasks import Attachment

DEFAULT_TEMPERATURE = 0.7  # Nova's documented default; Bedrock's defaults vary by family
DEFAULT_TOP_P = 0.9
_IMAGE_FORMATS = ("png", "jpeg", "gif", "webp")
_TEXT_DOCUMENTS = ("txt", "md", "csv", "html")
_MEDIA = ("image", "document", "video", "audio")
IMAGE_MAX_BYTES = 3_750_000  # Converse: 3.75 MB and 8000 pixels a side per image
IMAGE_MAX_SIDE = 8000
DOCUMENT_MAX_BYTES = 4_500_000  # 4.5 MB per document


def _decoded_size(raw: str) -> int:
    """The size of what a base64 string decodes to, without decoding it."""
    return len(raw) * 3 // 4 - len(raw[-2:]) + len(raw[-2:].rstrip("="))


def _check_pixels(image: dict[str, Any]) -> None:
    """Bedrock refuses an image over IMAGE_MAX_SIDE pixels on a side (read from its header)."""
    raw = (image.get("source") or {}).get("bytes")
    if not isinstance(raw, str):
        return
    import io
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(base64.b64decode(raw))) as opened:
                width, height = opened.size
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, binascii.Error):
        return  # unreadable: the engine describes it by its size; nothing to measure
    if max(width, height) > IMAGE_MAX_SIDE:
        raise errors.validation(
            f"The image is {width}x{height} pixels; each side can be at most {IMAGE_MAX_SIDE} "
            "pixels. Reduce its size and try again.")


def _bytes(source: dict[str, Any]) -> bytes:
    raw = source.get("bytes")
    if not isinstance(raw, str):
        return b""
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise errors.validation(
            "Malformed input request: the bytes of a content block are not valid base64."
        ) from None


def _attachment(kind: str, block: dict[str, Any], role: str) -> Attachment:
    source = block.get("source") or {}
    fmt = str(block.get("format", ""))
    att = Attachment(kind, fmt, _bytes(source), str(block.get("name", "")), role=role)
    if kind == "document":
        if isinstance(source.get("text"), str):
            att.text = source["text"]
        elif isinstance(source.get("content"), list):
            att.text = "\n".join(str(c.get("text", "")) for c in source["content"])
        elif fmt in _TEXT_DOCUMENTS and att.data:
            att.text = att.data.decode("utf-8", errors="replace")
    return att


def _describe(att: Attachment) -> str:
    if att.text is not None:
        head = f"[document: {att.name}]" if att.name else "[document]"
        return f"{head}\n{att.text}"
    label = f"{att.kind}: {att.name + ', ' if att.name else ''}{att.format or 'unknown'}"
    return f"[{label}, {len(att.data)} bytes]" if att.data else f"[{label}]"


def _block_text(block: dict[str, Any], role: str, attachments: list[Attachment]) -> str | None:
    if isinstance(block.get("text"), str):
        return str(block["text"])
    for kind in _MEDIA:
        if isinstance(block.get(kind), dict):
            att = _attachment(kind, block[kind], role)
            attachments.append(att)
            return _describe(att)
    if isinstance(block.get("toolUse"), dict):
        return json.dumps(block["toolUse"].get("input", {}), ensure_ascii=False)
    if isinstance(block.get("toolResult"), dict):
        parts = []
        for item in block["toolResult"].get("content", []):
            if "text" in item:
                parts.append(str(item["text"]))
            elif "json" in item:
                parts.append(json.dumps(item["json"], ensure_ascii=False))
        return "\n".join(parts)
    guard = block.get("guardContent")
    if isinstance(guard, dict) and isinstance(guard.get("text"), dict):
        return str(guard["text"].get("text", ""))
    return None  # cachePoint, reasoningContent and the like carry no prompt text


def system_texts(system: Any) -> list[str]:
    texts = []
    for block in system or []:
        if isinstance(block, dict):
            text = _block_text(block, "system", [])
            if text:
                texts.append(text)
    return texts


def prompt_text(system: Any, messages: Any) -> tuple[str, list[Attachment]]:
    """System and message text joined as the engine sees it, and the decoded attachments."""
    attachments: list[Attachment] = []
    parts = system_texts(system)
    for message in messages or []:
        role = str(message.get("role", "user"))
        texts = [_block_text(b, role, attachments) for b in message.get("content") or []]
        joined = "\n".join(t for t in texts if t)
        if joined:
            parts.append(joined)
    return "\n\n".join(parts), attachments


def tool_tokens(tool_config: Any) -> int:
    """Input tokens the tool definitions add (the model reads them as part of its prompt);
    Converse usage and CountTokens both add them, so the two agree."""
    if not isinstance(tool_config, dict) or not tool_config.get("tools"):
        return 0
    from bedrock_cli.text.tokenizer import count_tokens

    return count_tokens(json.dumps(tool_config["tools"], ensure_ascii=False, sort_keys=True))


def check_messages(messages: Any, model: Any) -> list[dict[str, Any]]:
    """Bedrock's conversation rules, and the content the model can take."""
    if not isinstance(messages, list) or not messages or messages[0].get("role") != "user":
        raise errors.validation(errors.FIRST_MESSAGE_USER)
    previous = None
    for message in messages:
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise errors.validation(
                f"The role {role!r} is not valid. A message's role must be user or assistant."
            )
        if role == previous:
            raise errors.validation(errors.ALTERNATE_ROLES)
        previous = role
        content = message.get("content")
        if not isinstance(content, list) or not content:
            raise errors.validation(
                "The content field in the Message object is empty. "
                "Add a ContentBlock object to the content field and try again."
            )
        for block in content:
            _check_block(block, role, model)
    return messages


def _check_block(block: dict[str, Any], role: str, model: Any) -> None:
    modalities = {m.upper() for m in getattr(model, "input_modalities", ())}
    supported = {
        "image": bool(getattr(model, "vision", False)) or "IMAGE" in modalities,
        "document": bool(getattr(model, "documents", False)),
        "video": "VIDEO" in modalities,
        "audio": "AUDIO" in modalities or "SPEECH" in modalities,
    }
    for kind, ok in supported.items():
        if kind in block and not ok:
            raise errors.validation(
                f"This model doesn't support the {kind} field for {role} messages. "
                f"Remove {kind} and try again."
            )
    image = block.get("image")
    if isinstance(image, dict) and image.get("format") not in _IMAGE_FORMATS:
        raise errors.validation(
            f"The format {image.get('format')!r} of the image isn't supported. "
            "Try again with png, jpeg, gif or webp."
        )
    for kind, limit in (("image", IMAGE_MAX_BYTES), ("document", DOCUMENT_MAX_BYTES)):
        media = block.get(kind)
        source = media.get("source") if isinstance(media, dict) else None
        raw = source.get("bytes") if isinstance(source, dict) else None
        if isinstance(raw, str) and _decoded_size(raw) > limit:
            raise errors.validation(
                f"The {kind} is {_decoded_size(raw)} bytes, over the maximum of {limit} bytes "
                f"for a{'n' if kind == 'image' else ''} {kind}. Reduce its size and try again.")
    if isinstance(image, dict):
        _check_pixels(image)
    if ("toolUse" in block or "toolResult" in block) and not getattr(model, "tools", False):
        raise errors.validation("This model doesn't support tool use.")


@dataclass
class Sampling:
    max_tokens: int
    temperature: float
    top_p: float
    top_k: int | None
    stop: list[str]
    seed: int


def _top_k(fields: Any) -> int | None:
    if not isinstance(fields, dict):
        return None
    nested = fields.get("inferenceConfig")
    for value in (
        fields.get("top_k"),
        fields.get("k"),
        nested.get("topK") if isinstance(nested, dict) else None,
    ):
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 500:
            raise errors.out_of_range("top_k", value, 0, 500)
        return value or None
    return None


def seed_of(metadata: dict[str, str]) -> int | None:
    """``requestMetadata["seed"]``: digits are the seed; other text is hashed to one."""
    raw = metadata.get("seed")
    if raw is None:
        return None
    raw = str(raw).strip()
    return int(raw) % 2**32 if raw.isdigit() else zlib.crc32(raw.encode())


def sampling(body: dict[str, Any], model: Any, metadata: dict[str, str]) -> Sampling:
    """The sampling settings. The service model's own constraints (maxTokens >= 1, temperature
    and topP in [0, 1], non-empty stop sequences, the JSON types) were checked by the router
    (``shapes.check_request``); the model's output limit is checked here."""
    config = body.get("inferenceConfig") or {}
    limit = int(getattr(model, "max_output_tokens", 0) or 4096)
    max_tokens = int(config.get("maxTokens", getattr(model, "default_max_tokens", None) or limit))
    if max_tokens > limit:
        raise errors.validation(
            f"The maximum tokens you requested ({max_tokens}) exceeds the model limit of "
            f"{limit}. Try again with inferenceConfig.maxTokens between 1 and {limit}."
        )
    seed = seed_of(metadata)
    if seed is None:
        import secrets

        seed = secrets.randbits(32)
    return Sampling(
        max_tokens=max_tokens,
        temperature=float(config.get("temperature", DEFAULT_TEMPERATURE)),
        top_p=float(config.get("topP", DEFAULT_TOP_P)),
        top_k=_top_k(body.get("additionalModelRequestFields")),
        stop=list(config.get("stopSequences") or []),
        seed=seed,
    )


def request_metadata(body: dict[str, Any]) -> dict[str, str]:
    metadata = body.get("requestMetadata") or {}  # a map of 1-16 strings (shapes.py)
    return {str(k): str(v) for k, v in metadata.items()}
