"""Printing a text task's answer: streamed live markdown, plain text or one JSON document,
then what goes under it (sources), and progress bars for long jobs. (The `--usage` line is
printed by the command boundary, from `AppContext.meter`.)"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from bedrock_cli.tasks import textcall

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.context import AppContext
    from bedrock_cli.types import TextRequest


def answer(
    app: AppContext,
    request: TextRequest,
    model: ModelInfo | None,
    log: textcall.CallLog,
    *,
    stream: bool = True,
    hide_reasoning: bool = False,
    earlier: list[textcall.Outcome] | None = None,
    started: float | None = None,
    fields: Callable[[textcall.Outcome], dict[str, Any]] | None = None,
    footer: Callable[[textcall.Outcome], str | None] | None = None,
) -> textcall.Outcome:
    """Run the request and print the answer. ``earlier`` calls (a map step) are added into the
    usage and cost of the JSON result; ``fields`` adds task fields to the JSON result;
    ``footer`` returns text printed under the answer (not in JSON mode)."""
    outcome = call(app, request, model, log, stream=stream, hide_reasoning=hide_reasoning)
    if earlier:
        from bedrock_cli.tasks.common import combine

        elapsed = int((time.perf_counter() - (started or time.perf_counter())) * 1000)
        outcome = combine([*earlier, outcome], outcome.result.text,
                          elapsed or outcome.result.latency_ms)
    finish(app, outcome, fields=fields, footer=footer)
    return outcome


def call(app: AppContext, request: TextRequest, model: ModelInfo | None,
         log: textcall.CallLog, *, stream: bool, hide_reasoning: bool) -> textcall.Outcome:
    """Run one text request with its answer streamed live (or printed whole), the reasoning
    dimmed on stderr unless hidden. In JSON mode nothing is printed here — the caller prints
    the result — except when the call fails part-way: what arrived is then printed as one
    JSON document marked partial, with the error (SPEC §5), before the error goes on."""
    from bedrock_cli.cli import thinking
    from bedrock_cli.errors import BedrockCliError

    out = app.output
    if out.json_mode:
        try:
            return app.recorder.text(app.runtime, request, model, log, stream=stream)
        except BedrockCliError as err:
            if isinstance(err.partial, textcall.Outcome) and err.partial.result.text:
                out.json({**err.partial.to_json(), "error": err.to_dict()["error"]})
            raise
    if stream:
        with thinking.answer_stream(out, show_reasoning=not hide_reasoning) as answer:
            return app.recorder.text(app.runtime, request, model, log, stream=True,
                                     on_text=answer.on_text, on_reasoning=answer.on_reasoning)
    outcome = app.recorder.text(app.runtime, request, model, log, stream=False)
    thinking.show_reasoning(out, outcome.result.reasoning, hidden=hide_reasoning)
    out.text(outcome.result.text)
    return outcome


def tool_calls(app: AppContext, request: TextRequest, model: ModelInfo | None,
               log: textcall.CallLog) -> textcall.Outcome:
    """`generate --tool`: the answer waited for whole; each tool call printed as one JSON line
    on stdout (any text first), or, with --json, in the document's `tool_calls`."""
    from bedrock_cli.tasks import tools

    out = app.output
    outcome = app.recorder.text(app.runtime, request, model, log, stream=False)
    found = tools.calls(outcome.result)
    if out.json_mode:
        out.json({**outcome.to_json(), "tool_calls": found})
        return outcome
    if outcome.result.text.strip():
        out.text(outcome.result.text)
    for found_call in found:
        out.json(found_call, lines=True)
    return outcome


def finish(
    app: AppContext,
    outcome: textcall.Outcome,
    *,
    fields: Callable[[textcall.Outcome], dict[str, Any]] | None = None,
    footer: Callable[[textcall.Outcome], str | None] | None = None,
) -> None:
    out = app.output
    if out.json_mode:
        out.json({**outcome.to_json(), **(fields(outcome) if fields else {})})
    elif footer:
        text = footer(outcome)
        if text:
            out.text(text)


@contextmanager
def progress(app: AppContext, label: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr while a long job runs — on a terminal only, never with
    --quiet. Elsewhere one notice line says what is happening."""
    out = app.output
    if out.quiet:
        yield lambda _done, _total: None
        return
    if not out.stderr_tty:
        out.notice(f"{label}: {total} parts…")
        yield lambda _done, _total: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=out.console(err=True), transient=True) as bar:
        task_id = bar.add_task(label, total=total)

        def update(done: int, new_total: int) -> None:
            bar.update(task_id, completed=done, total=new_total)

        yield update
