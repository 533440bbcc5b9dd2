"""`bedrock-cli ask`: questions answered from files, folders, stdin or images, with sources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bedrock_cli.cli import render
from bedrock_cli.cli.options import ModelOption, common_command
from bedrock_cli.cli.params import ChunkTokens, NoStream
from bedrock_cli.cli.tuning import CachePrompt, HideReasoning, ReasoningBudget, ReasoningEffort
from bedrock_cli.context import AppContext


@common_command
def ask(
    app: AppContext,
    question: Annotated[str, typer.Argument(help="The question.")],
    context: Annotated[list[str] | None, typer.Option(
        "--context", "-f", help="A file, a folder (walked for text files) or - for stdin "
        "(repeatable). Piped stdin is context too.", show_default=False)] = None,
    image: Annotated[list[Path] | None, typer.Option(
        "--image", "-i", help="An image to ask about (repeatable): PNG, JPEG, GIF, WebP.",
        show_default=False)] = None,
    no_resize: Annotated[bool, typer.Option(
        "--no-resize", help="Refuse images over 3.75 MB or 8000 px instead of downscaling.")]
    = False,
    model: ModelOption = None,
    chunk_tokens: ChunkTokens = None,
    no_stream: NoStream = False,
    reasoning_budget: ReasoningBudget = None,
    reasoning_effort: ReasoningEffort = None,
    hide_reasoning: HideReasoning = False,
    cache_prompt: CachePrompt = False,
) -> None:
    """Answer a question from the given context (citing file and lines) or about images."""
    from bedrock_cli.tasks import tuning
    from bedrock_cli.tasks.ask import question as task
    from bedrock_cli.tasks.documents import read_stdin_document

    prep = task.prepare(app.target, task.AskInput(
        question=question, contexts=list(context or []), images=list(image or []),
        stdin=read_stdin_document(), model=model, resize=not no_resize,
        chunk_tokens=chunk_tokens, cache_prompt=cache_prompt))
    tune = tuning.Tuning(tuning.Reasoning(reasoning_budget, reasoning_effort), cache_prompt)
    notes = tuning.apply(prep.request, prep.tgt.model, model or prep.tgt.name, tune,
                         stream=not no_stream)
    prep.log.params.update(tuning.log_params(tune))
    for note in [*prep.notes, *notes]:
        app.output.notice(note)
    render.answer(app, prep.request, prep.tgt.model, prep.log, stream=not no_stream,
                  hide_reasoning=hide_reasoning,
                  fields=lambda outcome: task.result_fields(prep, outcome.result.text),
                  footer=lambda outcome: task.footer(outcome.result.text, prep.sent))
