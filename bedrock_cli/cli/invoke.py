"""`bedrock-cli invoke`: raw InvokeModel / InvokeModelWithResponseStream with a JSON body."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bedrock_cli.cli.options import common_command
from bedrock_cli.context import AppContext
from bedrock_cli.errors import BedrockCliError
from bedrock_cli.tasks import invoke as task


@common_command
def invoke(
    app: AppContext,
    model: Annotated[str, typer.Argument(
        metavar="MODEL", help="Model id, alias, inference profile or ARN.",
        show_default=False)],
    body: Annotated[str | None, typer.Option(
        "--body", "-b", metavar="JSON|@FILE|-",
        help="The model's native request body: JSON text, @file, or - for stdin "
             "(stdin is read when it is piped and --body is not given).",
        show_default=False)] = None,
    stream: Annotated[bool, typer.Option(
        "--stream", help="InvokeModelWithResponseStream: print each chunk as one JSON line "
                         "as it arrives.")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE",
        help="Write the raw response body (with --stream: the chunks, one per line) to FILE.",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the -o file.")] = False,
) -> None:
    """Call a model with its native request body (InvokeModel), like `aws bedrock-runtime
    invoke-model` without base64 or an outfile, and with streaming."""
    raw = task.load_body(body)
    target = task.AtomicOutput(out, force=force) if out is not None else None
    call = task.prepare(app.resolve_model(model), model)
    output = app.output
    received: list[bytes] = []
    try:
        if stream:
            with target or _Null() as sink:
                for chunk in task.invoke_stream(app.runtime, call, raw):
                    received.append(chunk)
                    if target is not None:
                        sink.write(chunk.rstrip(b"\n") + b"\n")
                    else:
                        output.write(_line(chunk) + "\n")
        else:
            response = task.invoke(app.runtime, call, raw)
            received.append(response)
            if target is not None:
                with target as sink:
                    sink.write(response)
            else:
                _print_body(app, response)
    except (BedrockCliError, KeyboardInterrupt) as exc:
        error = "Interrupted." if isinstance(exc, KeyboardInterrupt) else exc.message
        _log(app, call, raw, _text(received), error)
        if isinstance(exc, BedrockCliError) and "Malformed input request" in exc.message:
            exc.hint = "Check the body against the model family's format (docs/invoke.md)."
        raise
    _log(app, call, raw, _text(received))
    if target is not None:
        output.notice(f"Wrote {target.path}")


class _Null:
    def __enter__(self) -> _Null:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def write(self, data: bytes) -> None:
        pass


def _text(chunks: list[bytes]) -> str:
    return "\n".join(c.decode("utf-8", errors="replace") for c in chunks)


def _line(chunk: bytes) -> str:
    """One chunk as one compact JSON line (a chunk that is not JSON is printed as it is)."""
    try:
        return json.dumps(json.loads(chunk), ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        return chunk.decode("utf-8", errors="replace").replace("\n", " ")


def _print_body(app: AppContext, response: bytes) -> None:
    """The body as JSON: indented on a terminal, as one line when piped."""
    try:
        doc: Any = json.loads(response)
    except ValueError:
        app.output.write(response.decode("utf-8", errors="replace").rstrip("\n") + "\n")
        return
    app.output.json(doc)


def _log(app: AppContext, call: task.Invocation, raw: bytes, response: str,
         error: str | None = None) -> None:
    recorder = app.recorder
    recorder.log(task.history_record(call, raw, response, backend=recorder.backend,
                                     cost=recorder.price(call.model, call.usage), error=error))
