"""`bedrock-cli embed`: text embeddings (Titan Embeddings v2, Cohere Embed v3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bedrock_cli.cli.options import common_command, complete_embedding_model
from bedrock_cli.context import AppContext
from bedrock_cli.errors import BedrockCliError, ServiceError, UsageError
from bedrock_cli.tasks import embed as task
from bedrock_cli.tasks import textarg
from bedrock_cli.tasks.invoke import AtomicOutput


@common_command
def embed(
    app: AppContext,
    text: Annotated[str | None, typer.Argument(
        metavar="TEXT|FILE|-", help="Text, a text file, or - for standard input.",
        show_default=False)] = None,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Embeddings model [default: the embed_model setting].",
        show_default=False, autocompletion=complete_embedding_model)] = None,
    dimensions: Annotated[int | None, typer.Option(
        "--dimensions", "-d", help="Vector size: 256, 512 or 1024 (Titan Embeddings v2).",
        show_default=False)] = None,
    normalize: Annotated[bool | None, typer.Option(
        "--normalize/--no-normalize", help="Unit-length vectors (Titan v2; on by default).",
        show_default=False)] = None,
    input_type: Annotated[str | None, typer.Option(
        "--input-type", metavar="TYPE",
        help="Cohere: search_document (default), search_query, classification or clustering.",
        show_default=False)] = None,
    many: Annotated[Path | None, typer.Option(
        "--many", metavar="FILE",
        help="Embed every line of FILE (.jsonl: strings or {\"text\", \"id\"} objects; other "
             "files: one text per line; - for stdin) to JSON lines.", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE", help="Write the result to FILE instead of stdout.",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the -o file.")] = False,
) -> None:
    """Turn text into an embedding vector (InvokeModel)."""
    if many is not None and text is not None:
        raise UsageError("Pass either TEXT or --many FILE, not both.", None)
    target = AtomicOutput(out, force=force) if out is not None else None
    emb = task.prepare(app.resolve_model(model, kind="embed_model"),
                       model or app.settings.embed_model,
                       task.EmbedOptions(model, dimensions, normalize, input_type))
    if many is not None:
        _many(app, emb, many, target)
        return
    content = textarg.read(text, files=True)
    one = task.embed(app.runtime, emb, content)
    history_id = _log(app, emb, content, f"[{len(one.vector)}-dimensional embedding]",
                      one.latency_ms)
    if app.output.json_mode:
        line = json.dumps(task.result_json(emb, one, history_id, app.clients.backend),
                          ensure_ascii=False)
    else:
        line = json.dumps(one.vector, separators=(",", ":"))
    _emit(app, target, [line])


def _log(app: AppContext, emb: task.Embedder, prompt: str, response: str, latency_ms: int,
         error: str | None = None) -> str | None:
    return app.recorder.log(task.history_record(emb, prompt, response, latency_ms,
                                                backend=app.recorder.backend, error=error))


def _emit(app: AppContext, target: AtomicOutput | None, lines: Any) -> None:
    if target is None:
        for line in lines:
            app.output.write(line + "\n")
        return
    with target as sink:
        for line in lines:
            sink.write(line.encode("utf-8") + b"\n")
    app.output.notice(f"Wrote {target.path}")


def _many(app: AppContext, emb: task.Embedder, path: Path, target: AtomicOutput | None) -> None:
    counts = {"done": 0, "failed": 0}

    def lines() -> Any:
        for rec in task.many(app.runtime, emb, path):
            counts["failed" if "error" in rec else "done"] += 1
            yield json.dumps(rec, ensure_ascii=False, separators=(",", ":"))

    prompt = f"--many {path}"
    try:
        _emit(app, target, lines())
    except (BedrockCliError, KeyboardInterrupt) as exc:
        message = "Interrupted." if isinstance(exc, KeyboardInterrupt) else exc.message
        _log(app, emb, prompt, f"{counts['done']} embeddings", 0, error=message)
        raise
    _log(app, emb, prompt, f"{counts['done']} embeddings, {counts['failed']} failed", 0)
    app.output.notice(f"{counts['done']} embedded, {counts['failed']} failed "
                      f"({emb.usage.input_tokens} input tokens).")
    if counts["failed"]:
        raise ServiceError(f"{counts['failed']} of {counts['done'] + counts['failed']} inputs "
                           "could not be embedded.", 'Their lines carry an "error" field.')
