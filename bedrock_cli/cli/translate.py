"""`bedrock-cli translate`: translation that keeps markdown and line breaks."""

from __future__ import annotations

from typing import Annotated

import typer

from bedrock_cli.cli import render
from bedrock_cli.cli.options import ModelOption, common_command
from bedrock_cli.cli.params import ChunkTokens
from bedrock_cli.context import AppContext


@common_command
def translate(
    app: AppContext,
    source: Annotated[str | None, typer.Argument(
        help="The text, a file (.txt, .md, .html, .pdf) or - for stdin; stdin when omitted.",
        show_default=False)] = None,
    to: Annotated[str, typer.Option("--to", "-t", help="The language to translate into.",
                                    show_default=False)] = "",
    source_language: Annotated[str | None, typer.Option(
        "--from", help="The source language [default: detected by the model].",
        show_default=False)] = None,
    model: ModelOption = None,
    chunk_tokens: ChunkTokens = None,
) -> None:
    """Translate text or a file into another language, keeping markdown and line breaks.

    The local backend cannot translate: it says so and exits 5 rather than fake it.
    """
    from bedrock_cli.tasks import translate as task
    from bedrock_cli.tasks.documents import read_stdin_document

    if not to.strip():
        from bedrock_cli.errors import UsageError

        raise UsageError("Missing --to LANGUAGE.", "E.g. bedrock-cli translate notes.md --to "
                                                   "French")
    plan = task.prepare(app.target, task.TranslateInput(
        source=source, stdin=read_stdin_document() if source in (None, "-") else None, to=to,
        source_language=source_language, model=model, chunk_tokens=chunk_tokens),
        logging=bool(app.settings.log))
    out = app.output
    if out.json_mode:
        outcome, parts = task.translate(app.runtime, app.recorder, plan, on_warning=app.output.warn)
    else:
        with out.live_markdown() as sink:
            outcome, parts = task.translate(app.runtime, app.recorder, plan, on_text=sink.add,
                                            on_warning=app.output.warn)
    render.finish(app, outcome,
                  fields=lambda _o: {"to": plan.inp.to, "from": plan.inp.source_language,
                                     "parts": parts})
