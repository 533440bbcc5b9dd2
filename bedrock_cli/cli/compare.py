"""`bedrock-cli compare`: one prompt, several models, answers side by side.

The task module is imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bedrock_cli.cli.options import common_command, complete_model
from bedrock_cli.cli.params import MaxTokensPerAnswer, System, Temperature
from bedrock_cli.context import AppContext
from bedrock_cli.inputs import read_stdin

if TYPE_CHECKING:
    from bedrock_cli.tasks.compare import Column

ModelsOption = Annotated[list[str] | None, typer.Option(
    "--model", "-m", help="A model to compare (repeat: -m A -m B ...).", show_default=False,
    autocompletion=complete_model)]


@common_command
def compare(
    app: AppContext,
    prompt: Annotated[str | None, typer.Argument(
        help="The prompt. Piped stdin is appended as context.", show_default=False)] = None,
    model: ModelsOption = None,
    system: System = None,
    max_tokens: MaxTokensPerAnswer = None,
    temperature: Temperature = None,
) -> None:
    """Send the same prompt to several models at once and show the answers side by side,
    each with its latency, tokens and cost."""
    from bedrock_cli.tasks import compare as task
    from bedrock_cli.tasks.params import Sampling

    inp = task.CompareInput(prompt=prompt, models=list(model or []), stdin_text=read_stdin(),
                            system=system,
                            sampling=Sampling(max_tokens=max_tokens, temperature=temperature))
    with _status(app, len(inp.models)) as update:
        columns = task.run(app.runtime, app.recorder, app.resolve_model, inp, on_done=update)
    render(app, columns)
    code = task.exit_code(columns)
    if code:
        raise typer.Exit(code)


@contextmanager
def _status(app: AppContext, total: int) -> Iterator[Callable[[int], None]]:
    """A transient "waiting for N models" line on a terminal's stderr."""
    out = app.output
    if out.quiet or out.json_mode or not out.stderr_tty:
        yield lambda _done: None
        return
    with out.console(err=True).status(f"waiting for {total} models…") as status:
        yield lambda done: status.update(f"{done} of {total} models answered…")


def stats(column: Column) -> str:
    outcome = column.outcome
    if outcome is None:
        return "failed"
    u = outcome.result.usage
    cost = "cost unknown" if outcome.cost_usd is None else f"${outcome.cost_usd:.6f}"
    return (f"{outcome.result.latency_ms} ms · {u.input_tokens} in + {u.output_tokens} out "
            f"tokens · {cost}")


def _title(column: Column) -> str:
    shown = column.model_id or column.model
    return shown if column.name in (shown, column.model) else f"{column.name} ({shown})"


def _error_lines(column: Column) -> str:
    assert column.error is not None
    hint = f"\nHint: {column.error.hint}" if column.error.hint else ""
    return f"Error: {column.error.message}{hint}"


def render(app: AppContext, columns: list[Column]) -> None:
    out = app.output
    if out.json_mode:
        out.json([c.to_json() for c in columns])
        return
    if not out.stdout_tty:
        sections = []
        for c in columns:
            body = (c.outcome.result.text.strip() if c.outcome is not None
                    else _error_lines(c))
            sections.append(f"== {_title(c)} ==\n{body}\n-- {stats(c)}\n")
        out.write("\n".join(sections))
        return
    out.renderable(_panels(app, columns))


def _panels(app: AppContext, columns: list[Column]) -> Any:
    from rich.columns import Columns
    from rich.panel import Panel
    from rich.text import Text

    width = app.output.console().width
    each = max(32, width // len(columns) - 1)
    panels = []
    for c in columns:
        if c.outcome is not None:
            body: Any = _markdown(c.outcome.result.text) if app.output.markdown \
                else Text(c.outcome.result.text)
            border = "cyan"
        else:
            body, border = Text(_error_lines(c), style="red"), "red"
        panels.append(Panel(body, title=Text(_title(c), style="bold"), title_align="left",
                            subtitle=Text(stats(c), style="dim"), subtitle_align="left",
                            border_style=border, width=each))
    return Columns(panels)


def _markdown(text: str) -> Any:
    from rich.markdown import Markdown

    return Markdown(text)
