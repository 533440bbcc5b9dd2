"""Embeddings: Titan Text Embeddings v2 and Cohere Embed v3 through InvokeModel.

Options are checked against the catalog before any call; `many` streams its input, one call
per record, so memory stays flat however long the file is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import BedrockCliError, UsageError
from bedrock_cli.types import Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo, Resolution
    from bedrock_cli.history import CallRecord
    from bedrock_cli.runtime import Runtime

TITAN, COHERE = "titan-embed", "cohere-embed"


@dataclass
class EmbedOptions:
    model: str | None = None
    dimensions: int | None = None
    normalize: bool | None = None
    input_type: str | None = None


@dataclass
class Embedder:
    """A resolved embeddings model and the options checked against it."""

    model: ModelInfo | None
    model_name: str
    model_id: str
    family: str
    dimensions: int | None
    normalize: bool | None
    input_type: str | None
    usage: Usage = field(default_factory=Usage)
    calls: int = 0

    def body(self, text: str) -> dict[str, Any]:
        if self.family == TITAN:
            body: dict[str, Any] = {"inputText": text}
            if self.dimensions is not None:
                body["dimensions"] = self.dimensions
            if self.normalize is not None:
                body["normalize"] = self.normalize
            return body
        return {"texts": [text], "input_type": self.input_type or "search_document"}

    def read(self, doc: Any) -> tuple[list[float], int | None]:
        """The answer's vector, and its input token count when the body gives it."""
        if self.family == TITAN:
            return doc["embedding"], doc.get("inputTextTokenCount")
        found = doc["embeddings"]
        return (found["float"] if isinstance(found, dict) else found)[0], None

    def check_text(self, text: str) -> None:
        if not text.strip():
            raise UsageError("Nothing to embed: the text is empty.", "Pass some text.")
        limit = self.model.embedding.max_input_chars if self.model and \
            self.model.embedding else 0
        if limit and len(text) > limit:
            raise UsageError(f"The text is {len(text):,} characters; {self.model_name} embeds at "
                             f"most {limit:,}.", "Shorten or split it (e.g. --many with one "
                                                 "chunk per line).")


def _family(model: ModelInfo | None, model_id: str) -> str:
    if model is not None:
        if model.family not in (TITAN, COHERE):
            raise UsageError(f"{model.id} is not an embeddings model.",
                             "Use -m titan-embed or -m cohere-embed "
                             "(`bedrock-cli models list --modality EMBEDDING`).")
        return model.family
    bare = model_id.rsplit("/", 1)[-1]
    if "amazon.titan-embed" in bare:
        return TITAN
    if "cohere.embed" in bare:
        return COHERE
    raise UsageError(f"{model_id} is not an embeddings model the CLI knows.",
                     "Use -m titan-embed or -m cohere-embed, or `bedrock-cli invoke`.")


def prepare(resolution: Resolution, wanted: str, opts: EmbedOptions) -> Embedder:
    """The embeddings model as resolved (`wanted` is the name asked for) with the options
    checked against it."""
    model = resolution.model
    name = model.id if model is not None else wanted
    family = _family(model, resolution.model_id)
    info = model.embedding if model is not None else None
    if opts.dimensions is not None:
        allowed = info.dimensions if info is not None else ()
        if allowed and opts.dimensions not in allowed:
            choices = ", ".join(str(d) for d in allowed)
            raise UsageError(f"--dimensions {opts.dimensions} is not one {name} offers.",
                             f"Use one of: {choices}.")
        if family == COHERE:
            raise UsageError(f"{name} has a fixed dimension; --dimensions is for Titan "
                             "Embeddings v2.", "Drop --dimensions.")
    if opts.normalize is not None and family == COHERE:
        raise UsageError("--normalize/--no-normalize is for Titan Embeddings v2.",
                         "Drop it; Cohere Embed returns its own vectors.")
    input_type = opts.input_type
    if input_type is not None:
        if family == TITAN:
            raise UsageError("--input-type is for Cohere Embed.", "Drop it for Titan models.")
        allowed_types = info.input_types if info is not None else ()
        if allowed_types and input_type not in allowed_types:
            raise UsageError(f"--input-type {input_type!r} is not one {name} takes.",
                             f"Use one of: {', '.join(allowed_types)}.")
    elif family == COHERE:
        input_type = (info.default_input_type if info is not None else "") or "search_document"
    return Embedder(model, name, resolution.model_id, family, opts.dimensions, opts.normalize,
                    input_type)


@dataclass
class Embedding:
    vector: list[float]
    input_tokens: int
    latency_ms: int


def embed(runtime: Runtime, emb: Embedder, text: str) -> Embedding:
    """One text's vector (the runtime meters the call)."""
    from bedrock_cli.calls import EmbedCall

    emb.check_text(text)
    answer = runtime.embed(EmbedCall(emb.model_id, emb.body(text), emb.read))
    emb.calls += 1
    emb.usage = Usage(emb.usage.input_tokens + answer.input_tokens, 0,
                      emb.usage.input_tokens + answer.input_tokens)
    return Embedding(answer.vector, answer.input_tokens, answer.latency_ms)


def result_json(emb: Embedder, one: Embedding, history_id: str | None,
                backend: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "embedding": one.vector, "dimensions": len(one.vector), "model": emb.model_name,
        "model_id": emb.model_id, "backend": backend,
        "input_tokens": one.input_tokens, "cost_usd": cost(emb), "latency_ms": one.latency_ms,
        "history_id": history_id,
    }
    if emb.normalize is not None:
        data["normalize"] = emb.normalize
    if emb.input_type is not None:
        data["input_type"] = emb.input_type
    return data


def cost(emb: Embedder) -> float | None:
    from bedrock_cli.recorder import Recorder

    return Recorder.price(emb.model, emb.usage)


# ---------------------------------------------------------------------------- --many


def _parse(line: str, number: int, path: Path, jsonl: bool) -> tuple[Any, str]:
    if not jsonl:
        return None, line.rstrip("\r\n")
    try:
        doc = json.loads(line)
    except ValueError:
        raise UsageError(f"{path}:{number} is not valid JSON.", None) from None
    if isinstance(doc, str):
        return None, doc
    if isinstance(doc, dict) and isinstance(doc.get("text"), str):
        return doc.get("id"), doc["text"]
    raise UsageError(f'{path}:{number} is neither a JSON string nor an object with "text".',
                     None)


def records(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) per non-blank input line, read lazily (`-` is stdin)."""
    import sys

    try:
        handle = path.open(encoding="utf-8-sig") if str(path) != "-" else None
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror}.", "Check the path.") from None
    lines: Iterable[str] = handle if handle is not None else sys.stdin
    try:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield number, line
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text.", "Convert it first.") from None
    finally:
        if handle is not None:
            handle.close()


def many(runtime: Runtime, emb: Embedder, path: Path) -> Iterator[dict[str, Any]]:
    """One output record per input record, in order: the embedding, or the error. A `.jsonl`
    file holds JSON strings or objects with "text" (and an optional "id"); any other file is
    one text per line. Blank lines are skipped."""
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson")
    for number, line in records(path):
        out: dict[str, Any] = {"line": number}
        try:
            record_id, text = _parse(line, number, path, jsonl)
            if record_id is not None:
                out["id"] = record_id
            one = embed(runtime, emb, text)
        except UsageError as err:
            yield {**out, "error": {"type": err.kind, "message": err.message}}
            continue
        except BedrockCliError as err:
            if err.exit_code in (3, 4):  # credentials or throttling: every record would fail
                raise
            yield {**out, "error": {"type": err.kind, "code": err.code, "message": err.message}}
            continue
        yield {**out, "embedding": one.vector, "dimensions": len(one.vector),
               "input_tokens": one.input_tokens}


def history_record(emb: Embedder, prompt: str, response: str, latency_ms: int, *,
                   backend: str, error: str | None = None) -> CallRecord:
    """What history keeps of an embeddings run (the vectors are not kept)."""
    from bedrock_cli.history import CallRecord

    return CallRecord(
        command="embed", status="error" if error else "complete", model=emb.model_name,
        model_id=emb.model_id, backend=backend, prompt=prompt,
        params={k: v for k, v in (("dimensions", emb.dimensions),
                                  ("normalize", emb.normalize),
                                  ("input_type", emb.input_type)) if v is not None},
        response=response, usage=emb.usage.to_dict(), cost_usd=cost(emb),
        latency_ms=latency_ms, error=error)
