"""`bedrock-cli sample`: run a prompt N times and show how the answers spread.

The task module is imported when the command runs, so `--help` stays fast; the defaults
below are the task's (a test holds them equal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bedrock_cli.cli.options import ModelOption, common_command
from bedrock_cli.cli.params import TopK, TopP
from bedrock_cli.context import AppContext
from bedrock_cli.inputs import read_stdin

if TYPE_CHECKING:
    from bedrock_cli.tasks.sample import SampleResult

BAR_WIDTH = 24
_EIGHTHS = " ▏▎▍▌▋▊▉"


@common_command
def sample(
    app: AppContext,
    prompt: Annotated[str | None, typer.Argument(
        help="The prompt. Piped stdin is appended as context.", show_default=False)] = None,
    n: Annotated[int, typer.Option("-n", "--samples", help="How many times to run the prompt.")]
    = 10,
    max_tokens: Annotated[int, typer.Option(
        "--max-tokens", help="Most tokens per answer; 1 gives the next-word distribution.")]
    = 20,
    temperature: Annotated[float | None, typer.Option(
        "--temperature", "-t", help="0 to 1; 0 collapses to one answer [default: the model's].",
        show_default=False)] = None,
    top_p: TopP = None,
    top_k: TopK = None,
    model: ModelOption = None,
    concurrency: Annotated[int, typer.Option(
        "--concurrency", help="Calls in flight at once.")] = 8,
    exact: Annotated[bool, typer.Option(
        "--exact", help="The model's exact next-token probabilities instead of samples "
        "(local backend only; ignores -n and --max-tokens).")] = False,
    rows: Annotated[int, typer.Option(
        "--rows", help="Rows of the --exact table before the (other) row.")] = 20,
) -> None:
    """Run a prompt N times (concurrently) and tally the distinct answers: counts,
    probabilities, entropy. With --max-tokens 1 this is the next-word distribution."""
    from bedrock_cli.tasks import sample as task
    from bedrock_cli.tasks.params import Sampling

    inp = task.SampleInput(
        prompt=prompt, stdin_text=read_stdin(), model=model, n=n,
        sampling=Sampling(max_tokens=max_tokens, temperature=temperature, top_p=top_p,
                          top_k=top_k),
        concurrency=concurrency, exact=exact, rows=rows)
    task.check(inp)  # the options first, then the model
    tgt = app.target(inp.model)
    with _progress(app, 1 if exact else n) as update:
        result = task.run(app.runtime, app.recorder, tgt, inp, on_progress=update)
    render(app, result)


@contextmanager
def _progress(app: AppContext, total: int) -> Iterator[Callable[[int], None]]:
    """A transient progress bar on a terminal's stderr; nothing otherwise."""
    out = app.output
    if out.quiet or out.json_mode or not out.stderr_tty or total < 2:
        yield lambda _done: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("sampling"), BarColumn(), MofNCompleteColumn(),
                  console=out.console(err=True), transient=True) as bar:
        task_id = bar.add_task("sampling", total=total)
        yield lambda done: bar.update(task_id, completed=done)


def render(app: AppContext, result: SampleResult) -> None:
    out = app.output
    if out.json_mode:
        out.json(result.to_json())
        return
    rows = [(r.text or "(empty)", r.count, r.probability) for r in result.rows]
    if result.exact and result.other_probability > 0:
        rows.append(("(other)", None, result.other_probability))
    if not out.stdout_tty:
        for text, count, prob in rows:
            out.write(f"{prob:.4f}\t{'' if count is None else count}\t{text}\n")
        out.info(_summary(result))
        return
    out.renderable(_table(result, rows))


def _summary(result: SampleResult) -> str:
    bound = "≥ " if result.exact and result.other_probability > 0 else ""
    parts = [f"entropy {bound}{result.entropy:.3f} bits"]
    if result.exact:
        parts.append(f"exact next-word table of {result.model}")
    else:
        parts.append(f"{result.distinct} distinct of {result.n} samples")
    cost = "cost unknown" if result.cost_usd is None else f"${result.cost_usd:.6f}"
    parts += [f"{result.usage.total_tokens} tokens", cost, f"{result.latency_ms} ms"]
    return " · ".join(parts)


def _table(result: SampleResult, rows: list[tuple[str, int | None, float]]) -> Any:
    from rich.console import Group
    from rich.text import Text

    from bedrock_cli.output.tables import Column, FittedTable

    temperature = ("model default" if result.temperature is None
                   else f"{result.temperature:g}")
    what = "exact next-word probabilities" if result.exact else f"{result.n} samples"
    columns = [Column("answer" if not result.exact else "next word", wrap=True, min_width=12)]
    if not result.exact:
        columns.append(Column("count", justify="right"))
    columns += [Column("probability", justify="right"), Column("", drop=1)]  # the bar goes first
    table = FittedTable(columns, (
        [Text(text), *([str(count)] if not result.exact else []), f"{prob:.3f}",
         Text(bar(prob), style="cyan")] for text, count, prob in rows))
    title = Text(f"{result.model} · {what} · temperature {temperature}", style="bold")
    return Group(title, table, Text(_summary(result), style="dim"))


def bar(probability: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a character: ``width`` characters for probability 1."""
    eighths = round(max(0.0, min(1.0, probability)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")
