"""`bedrock-cli history list|show|search|export|delete|stats`: the local call log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bedrock_cli.cli.options import common_command
from bedrock_cli.context import AppContext
from bedrock_cli.errors import UsageError
from bedrock_cli.tasks.history import view

if TYPE_CHECKING:
    from bedrock_cli.history import History

app = typer.Typer(help="The history of calls: list, show, search, export, delete, stats.",
                  no_args_is_help=True)

Limit = Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many calls.")]
ModelFilter = Annotated[str | None, typer.Option(
    "--model", "-m", help="Only calls to this model (id or alias).", show_default=False)]
Since = Annotated[str | None, typer.Option(
    "--since", help="Only calls since: 2026-05-01, 2026-05-01T14:00, today, 12h, 7d.",
    show_default=False)]
Command = Annotated[str | None, typer.Option("--command", help="Only calls of this command.",
                                             show_default=False)]


def _store(app_ctx: AppContext) -> History | None:
    """The history database (read even under --no-log); None when there is none yet."""
    from bedrock_cli.history import DB_NAME, History

    data_dir = app_ctx.settings.data_dir
    return History(data_dir) if (data_dir / DB_NAME).exists() else None


def _models(app_ctx: AppContext, name: str | None) -> list[str] | None:
    if not name:
        return None
    found = app_ctx.catalog.find(name)
    return [name, found.id] if found else [name]


def _print_rows(app_ctx: AppContext, rows: list[dict[str, Any]], empty: str) -> None:
    out = app_ctx.output
    if out.json_mode:
        out.json([view.record(row) for row in rows])
        return
    if not rows:
        out.notice(empty)
        return
    if not out.stdout_tty:
        out.write("".join(view.tsv(row) + "\n" for row in rows))
        return
    out.renderable(calls_table(rows))


def calls_table(rows: list[dict[str, Any]]) -> Any:
    """The calls as a table fitted to the terminal: ids whole; id and prompt always shown,
    then cost, model, when, status, command and tokens as the width allows."""
    from bedrock_cli.output.tables import Column, FittedTable

    columns = [Column("id"), Column("when", drop=3), Column("command", drop=5),
               Column("model", drop=2), Column("status", drop=4), Column("tokens", drop=6),
               Column("cost", drop=1, justify="right"),
               Column("prompt", wrap=True, min_width=16)]
    return FittedTable(columns, (
        [row["id"], view.local_time(row.get("created_at")), row.get("command") or "",
         row.get("model") or "", row.get("status") or "",
         f"{row.get('input_tokens') or 0}/{row.get('output_tokens') or 0}",
         view.cost(row.get("cost_usd")), view.one_line(row.get("prompt"))] for row in rows),
        title_justify="left")


@app.command("list")
@common_command
def list_calls(app_ctx: AppContext, limit: Limit = 20, model: ModelFilter = None,
               since: Since = None, command: Command = None) -> None:
    """List recent calls, newest first."""
    stamp = view.parse_when(since, "--since") if since else None
    store = _store(app_ctx)
    rows = store.rows(limit=limit, model=_models(app_ctx, model), since=stamp,
                      command=command) if store else []
    _print_rows(app_ctx, rows, "No calls in history" + (" match." if store else " yet."))


def _one(store: History | None, call_id: str) -> dict[str, Any]:
    if store is not None and call_id.lower() == "last":
        row = store.latest()
        if row:
            return row
    rows = store.find(call_id) if store else []
    if not rows:
        raise UsageError(f"No call with id {call_id!r} in history.",
                         "List ids with `bedrock-cli history list`.")
    if len(rows) > 1:  # find returns at most 5
        ids = ", ".join(row["id"] for row in rows[:4]) + (", …" if len(rows) > 4 else "")
        raise UsageError(f"{call_id!r} is ambiguous: it starts several call ids ({ids}).",
                         "Give more of the id; `bedrock-cli history list` shows them.")
    return rows[0]


@app.command("show")
@common_command
def show(app_ctx: AppContext,
         call_id: Annotated[str, typer.Argument(help="A call id (or its start), or `last`.")],
         ) -> None:
    """Show one call in full: prompt, response, usage, cost."""
    row = _one(_store(app_ctx), call_id)
    if app_ctx.output.json_mode:
        app_ctx.output.json(view.record(row, messages=True))
    else:
        app_ctx.output.write(view.show_text(row))


@app.command("search")
@common_command
def search(app_ctx: AppContext,
           text: Annotated[str, typer.Argument(help="Words to find in prompts and responses.")],
           limit: Limit = 20) -> None:
    """Find calls whose prompt or response holds every word (full-text, stemmed)."""
    store = _store(app_ctx)
    rows = store.search(text, limit=limit) if store else []
    _print_rows(app_ctx, rows, f"No calls match {text!r}.")


@app.command("export")
@common_command
def export(
    app_ctx: AppContext,
    output_format: Annotated[str, typer.Option(
        "--format", help="jsonl (one JSON record per call) or markdown.")] = "jsonl",
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write to this file instead of stdout.", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")]
    = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="The newest N calls.",
                                              show_default=False)] = None,
    model: ModelFilter = None,
    since: Since = None,
) -> None:
    """Export calls, oldest first, as JSON lines or markdown."""
    fmt = output_format.lower()
    if fmt not in ("jsonl", "markdown", "md"):
        raise UsageError(f"--format {output_format!r} is not jsonl or markdown.",
                         "Use --format jsonl or --format markdown.")
    if out_file is not None and out_file.exists() and not force:
        raise UsageError(f"{out_file} exists.", "Pass --force to overwrite it, or pick "
                                                "another name.")
    stamp = view.parse_when(since, "--since") if since else None
    store = _store(app_ctx)
    rows = store.rows(limit=limit, model=_models(app_ctx, model), since=stamp) if store else []
    rows.reverse()  # oldest first
    if fmt == "jsonl":
        import json

        text = "".join(json.dumps(view.record(row, messages=True), ensure_ascii=False) + "\n"
                       for row in rows)
    else:
        text = view.markdown(rows)
    if out_file is None:
        app_ctx.output.write(text)
        return
    from bedrock_cli.paths import atomic_write

    atomic_write(out_file, text.encode("utf-8"), mode=0o600)
    app_ctx.output.notice(f"Exported {len(rows)} call(s) to {out_file}.")


@app.command("delete")
@common_command
def delete(
    app_ctx: AppContext,
    call_id: Annotated[str | None, typer.Argument(help="The call to delete.",
                                                  show_default=False)] = None,
    before: Annotated[str | None, typer.Option(
        "--before", help="Delete every call before this date/time (2026-05-01, 30d, …).",
        show_default=False)] = None,
) -> None:
    """Delete one call, or every call before a date."""
    if (call_id is None) == (before is None):
        raise UsageError("Give either a call id or --before DATE.",
                         "E.g. `bedrock-cli history delete --before 30d`.")
    stamp = view.parse_when(before, "--before") if before is not None else ""
    store = _store(app_ctx)
    if before is not None:
        count = store.delete_before(stamp) if store else 0
    else:
        row = _one(store, call_id or "")
        count = store.delete(row["id"]) if store else 0
    if app_ctx.output.json_mode:
        app_ctx.output.json({"deleted": count})
    else:
        app_ctx.output.info(f"Deleted {count} call{'s' if count != 1 else ''}.")


@app.command("stats")
@common_command
def stats(
    app_ctx: AppContext,
    by: Annotated[str, typer.Option(
        "--by", help="Group by model, day (local date) or command.")] = "model",
    since: Since = None,
) -> None:
    """Calls, tokens and estimated cost per model, day or command, with a total.

    Tokens include cache reads and writes; costs are the catalog estimates logged with each
    call (docs/cost.md)."""
    from bedrock_cli.tasks.history import stats as history_stats

    if by not in history_stats.BY:
        raise UsageError(f"--by {by!r} is not one of {', '.join(history_stats.BY)}.",
                         "Use --by model, --by day or --by command.")
    stamp = view.parse_when(since, "--since") if since else None
    data = history_stats.report(_store(app_ctx), by=by, since=stamp)
    out = app_ctx.output
    if out.json_mode:
        out.json(data)
        return
    if not data["groups"]:
        out.notice("No calls in history" + (" since then." if since else " yet."))
        return
    out.write(history_stats.table(data))
    out.notice(history_stats.footnote(data, app_ctx.catalog.prices_as_of))
