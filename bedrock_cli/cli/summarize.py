"""`bedrock-cli summarize`: summaries of files or stdin of any length.

Task modules are imported when a command runs, so `--help` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bedrock_cli.cli import render
from bedrock_cli.cli.options import ModelOption, common_command
from bedrock_cli.cli.params import ChunkTokens, NoStream
from bedrock_cli.cli.tuning import CachePrompt
from bedrock_cli.context import AppContext


@common_command
def summarize(
    app: AppContext,
    files: Annotated[list[str] | None, typer.Argument(
        help="Files (.txt, .md, .html, .pdf) or - for stdin; stdin when none.",
        show_default=False)] = None,
    model: ModelOption = None,
    length: Annotated[str, typer.Option("--length", "-l",
                                        help="short, medium or long.")] = "medium",
    style: Annotated[str, typer.Option("--style",
                                       help="paragraph, bullets or tldr.")] = "paragraph",
    focus: Annotated[str | None, typer.Option(
        "--focus", help="What the summary should concentrate on.", show_default=False)] = None,
    chunk_tokens: ChunkTokens = None,
    no_stream: NoStream = False,
    cache_prompt: CachePrompt = False,
) -> None:
    """Summarize text, markdown, HTML or PDF of any length (map-reduce when it is long)."""

    from bedrock_cli.tasks import summarize as task
    from bedrock_cli.tasks.documents import read_stdin_document

    paths = list(files or [])
    stdin = read_stdin_document() if not paths or "-" in paths else None
    plan = task.plan(app.target, task.SummarizeInput(
        paths=paths, stdin=stdin, model=model, length=length, style=style,
        focus=focus, chunk_tokens=chunk_tokens, cache_prompt=cache_prompt),
        logging=bool(app.settings.log))
    earlier: list[task.Outcome] = []
    text = plan.text
    if len(plan.parts) > 1:
        with render.progress(app, "Summarizing", len(plan.parts)) as update:
            text, earlier = task.map_stage(app.runtime, app.recorder, plan, update,
                                           notice=app.output.notice)
    request, log = task.final(plan, text, combining=bool(earlier))
    if cache_prompt:
        from bedrock_cli.tasks.caching import mark

        for note in mark(request, plan.tgt.model, model or plan.tgt.name):
            app.output.notice(note)
        log.params["cache_prompt"] = True
    render.answer(app, request, plan.tgt.model, log, stream=not no_stream,
                  earlier=earlier, started=plan.started,
                  fields=lambda outcome: task.result_fields(plan, len(earlier) + 1))
