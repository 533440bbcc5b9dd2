"""InvokeModel for the embedding families: Titan Text Embeddings v2 and Cohere Embed v3.

Field names from the Bedrock User Guide pages "Amazon Titan Embeddings G1 - Text" (V2 request
and response) and "Cohere Embed models". The vectors come from the hashed n-gram engine
(`engines/embeddings.py`): deterministic, unit length (unless Titan's `normalize` is false),
closer for texts that share words. Cohere's `embeddings_by_type` response shape (with
`embedding_types`) follows Cohere's own API; on Bedrock it is UNVERIFIED.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from bedrock_cli.families.body_schema import F, check

from .. import errors
from ..router import Response
from .invoke import InvokeContext, native
from .native_text import malformed_body

TITAN_FIELDS: dict[str, F] = {
    "inputText": F("string", required=True),
    "dimensions": F("integer"),
    "normalize": F("boolean"),
    "embeddingTypes": F("array", items="string"),
}
TITAN_TYPES = ("float", "binary")
COHERE_FIELDS: dict[str, F] = {
    "texts": F("array", required=True, items="string"),
    "input_type": F("string", required=True, enum=("search_document", "search_query",
                                                    "classification", "clustering", "image")),
    "truncate": F("string", enum=("NONE", "START", "END")),
    "embedding_types": F("array", items="string"),
    "images": F("array", items="string"),
}
COHERE_TYPES = ("float", "int8", "uint8", "binary", "ubinary")
COHERE_MAX_TEXTS = 96
COHERE_MAX_CHARS = 2048


def _vector(text: str, dimensions: int, normalize: bool = True) -> list[float]:
    from bedrock_cli.local.engines.embeddings import embed

    return embed(text, dimensions=dimensions, normalize=normalize)


def _tokens(text: str) -> int:
    from bedrock_cli.text.tokenizer import count_tokens

    return count_tokens(text)


def _types(values: Any, allowed: tuple[str, ...], field: str) -> list[str]:
    bad = [v for v in values or [] if v not in allowed]
    if bad:
        raise malformed_body([f"#/{field}: {bad[0]} is not a valid enum value"])
    return list(dict.fromkeys(values or []))


def _bits(vector: list[float], *, signed: bool) -> list[int]:
    """Sign bits packed eight to a byte, as int8 (binary) or uint8 (ubinary)."""
    out = []
    for i in range(0, len(vector), 8):
        byte = 0
        for v in vector[i:i + 8]:
            byte = (byte << 1) | (1 if v > 0 else 0)
        out.append(byte - 256 if signed and byte > 127 else byte)
    return out


def _cast(vector: list[float], kind: str) -> list[Any]:
    if kind == "int8":
        return [max(-128, min(127, round(v * 127))) for v in vector]
    if kind == "uint8":
        return [max(0, min(255, round((v + 1) * 127.5))) for v in vector]
    if kind in ("binary", "ubinary"):
        return _bits(vector, signed=kind == "binary")
    return vector


def _headers(tokens: int, started: float) -> dict[str, str]:
    return {"X-Amzn-Bedrock-Input-Token-Count": str(tokens),
            "X-Amzn-Bedrock-Invocation-Latency":
                str(max(1, round((time.monotonic() - started) * 1000)))}


@native("titan-embed")
def titan_embed(ctx: InvokeContext) -> Response:
    started = time.monotonic()
    body, info = ctx.body, ctx.model.embedding
    violations = check(body, TITAN_FIELDS)
    if not violations and not body["inputText"]:
        violations.append("#/inputText: expected minLength: 1, actual: 0")
    dims = body.get("dimensions", info.default_dimensions)
    if not violations and dims not in info.dimensions:
        violations.append(f"#/dimensions: {dims} is not a valid enum value")
    if violations:
        raise malformed_body(violations)
    kinds = _types(body.get("embeddingTypes"), TITAN_TYPES, "embeddingTypes") or ["float"]
    text = str(body["inputText"])
    if len(text) > (info.max_input_chars or len(text)):
        raise errors.validation(f"Input text is too long: {len(text)} characters; the model "
                                f"takes at most {info.max_input_chars}.")
    tokens = _tokens(text)
    if tokens > info.max_input_tokens:
        raise errors.validation(f"Too many input tokens. Max input tokens: "
                                f"{info.max_input_tokens}, request input token count: {tokens}")
    vector = _vector(text, int(dims), bool(body.get("normalize", True)))
    by_type: dict[str, Any] = {}
    for kind in kinds:
        by_type[kind] = vector if kind == "float" else [1 if v > 0 else 0 for v in vector]
    return Response.json({"embedding": vector, "inputTextTokenCount": tokens,
                          "embeddingsByType": by_type}, headers=_headers(tokens, started))


@native("cohere-embed")
def cohere_embed(ctx: InvokeContext) -> Response:
    started = time.monotonic()
    body, info = ctx.body, ctx.model.embedding
    violations = check(body, COHERE_FIELDS)
    raw_texts = body.get("texts")
    texts: list[str] = raw_texts if isinstance(raw_texts, list) else []
    if not violations:
        if len(texts) > COHERE_MAX_TEXTS:
            violations.append(f"#/texts: expected maximum item count: {COHERE_MAX_TEXTS}, "
                              f"found: {len(texts)}")
        violations += [f"#/texts/{i}: expected maxLength: {COHERE_MAX_CHARS}, actual: {len(t)}"
                       for i, t in enumerate(texts) if len(t) > COHERE_MAX_CHARS]
    if violations:
        raise malformed_body(violations)
    if body.get("images") or body["input_type"] == "image":
        raise errors.validation("The local backend does not embed images; send texts.")
    kinds = _types(body.get("embedding_types"), COHERE_TYPES, "embedding_types")
    truncate = body.get("truncate", "NONE")
    vectors, total = [], 0
    for text in texts:
        text = _truncated(str(text), truncate, info.max_input_tokens)
        total += _tokens(text)
        vectors.append(_vector(text, info.default_dimensions))
    doc: dict[str, Any] = {"id": str(uuid.uuid4()), "texts": texts}
    if kinds:
        doc["embeddings"] = {kind: [_cast(v, kind) for v in vectors] for kind in kinds}
        doc["response_type"] = "embeddings_by_type"
    else:
        doc["embeddings"] = vectors
        doc["response_type"] = "embeddings_floats"
    return Response.json(doc, headers=_headers(total, started))


def _truncated(text: str, truncate: str, limit: int) -> str:
    from bedrock_cli.text.tokenizer import tokenize

    pieces = tokenize(text)
    if len(pieces) <= limit:
        return text
    if truncate == "NONE":
        raise errors.validation(f"Too many input tokens: a text has {len(pieces)} tokens and "
                                f"the model takes {limit}; shorten it or set truncate to START "
                                "or END.")
    return "".join(pieces[-limit:] if truncate == "START" else pieces[:limit])
