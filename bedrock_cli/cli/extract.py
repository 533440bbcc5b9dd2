"""`bedrock-cli extract`: structured data out of text, as JSON that matches a schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bedrock_cli.cli import render
from bedrock_cli.cli.options import ModelOption, common_command
from bedrock_cli.cli.tuning import CachePrompt
from bedrock_cli.context import AppContext


@common_command
def extract(
    app: AppContext,
    source: Annotated[str | None, typer.Argument(
        help="The text, a file (.txt, .md, .html, .pdf) or - for stdin; stdin when omitted.",
        show_default=False)] = None,
    field: Annotated[list[str] | None, typer.Option(
        "--field", "-F", help="NAME[:TYPE][=DESCRIPTION], repeatable. Types: string (default), "
        "number, integer, boolean, date, list, list[TYPE].", show_default=False)] = None,
    schema: Annotated[Path | None, typer.Option(
        "--schema", help="A JSON Schema file to fill instead of --field.",
        show_default=False)] = None,
    many: Annotated[bool, typer.Option(
        "--many", help="Extract a list of records (one per item in the text).")] = False,
    model: ModelOption = None,
    cache_prompt: CachePrompt = False,
) -> None:
    """Extract fields from text into JSON that is validated against a schema."""

    from bedrock_cli.tasks import extract as task
    from bedrock_cli.tasks.documents import read_stdin_document

    prep = task.prepare(app.target, task.ExtractInput(
        source=source, stdin=read_stdin_document() if source in (None, "-") else None,
        fields=list(field or []), schema_file=schema, many=many, model=model,
        cache_prompt=cache_prompt))
    for note in prep.notes:
        app.output.notice(note)
    result = task.extract(app.runtime, app.recorder, prep, on_retry=app.output.notice)
    if not app.output.json_mode:
        app.output.json(result.data)
    render.finish(app, result.outcome,
                  fields=lambda _o: {"data": result.data, "attempts": result.attempts})
