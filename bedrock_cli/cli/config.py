"""`bedrock-cli config show|path|set`: settings and where each value comes from."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bedrock_cli.cli.options import common_command
from bedrock_cli.context import AppContext

app = typer.Typer(help="Show and change settings.", no_args_is_help=True)


@app.command("show")
@common_command
def show(app_ctx: AppContext) -> None:
    """Print every effective setting with its source (flag, env, .env, config, default)."""
    from bedrock_cli.settings import SPECS

    settings = app_ctx.settings
    rows: list[dict[str, Any]] = []
    for spec in SPECS:
        value = settings.values.get(spec.name)
        source = settings.source(spec.name)
        if spec.name == "home" and value is None:
            value, source = str(settings.data_dir), "default"
        rows.append({"key": spec.name, "value": value, "source": source,
                     "description": spec.help})
    out = app_ctx.output
    if out.json_mode:
        out.json({"config_file": str(settings.config_path),
                  "settings": {row["key"]: {"value": row["value"], "source": row["source"]}
                               for row in rows}})
        return
    width = max(len(spec.name) for spec in SPECS)
    for row in rows:
        shown = "(unset)" if row["value"] is None else row["value"]
        out.write(f"{row['key']:<{width}}  {shown}  [{row['source']}]\n")
    out.notice(f"config file: {settings.config_path}")


@app.command("path")
@common_command
def path(app_ctx: AppContext) -> None:
    """Print the config file's path."""
    app_ctx.output.write(f"{app_ctx.settings.config_path}\n")


@app.command("set")
@common_command
def set_value(
    app_ctx: AppContext,
    key: Annotated[str, typer.Argument(help="Setting name, e.g. model, region, backend.")],
    value: Annotated[str, typer.Argument(help="New value.")],
) -> None:
    """Write one setting to the config file."""
    from bedrock_cli.settings import set_config_value

    path = app_ctx.settings.config_path
    parsed = set_config_value(path, key, value)
    app_ctx.output.notice(f"{key.replace('-', '_')} = {parsed!r} written to {path}")
