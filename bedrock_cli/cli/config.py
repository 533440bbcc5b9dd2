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
    setting = key.replace("-", "_")
    if setting in _MODEL_KINDS:
        _check_model(app_ctx, setting, value)
    parsed = set_config_value(path, key, value)
    app_ctx.output.notice(f"{key.replace('-', '_')} = {parsed!r} written to {path}")


_MODEL_KINDS = {"model": "text", "image_model": "image", "embed_model": "embedding"}


def _check_model(app_ctx: AppContext, setting: str, name: str) -> None:
    """A model setting is checked as `-m` is: a catalog model of the right kind, or a
    Bedrock-shaped id or ARN the catalog does not know (kept, with a notice); else exit 2."""
    from bedrock_cli.catalog import UnknownModelError
    from bedrock_cli.context import unknown_model
    from bedrock_cli.errors import UsageError

    try:
        resolution = app_ctx.catalog.resolve(name, None)
    except UnknownModelError as exc:
        raise unknown_model(name, exc.suggestions) from None
    model, kind = resolution.model, _MODEL_KINDS[setting]
    if model is None:
        app_ctx.output.notice(f"{name} is not in bedrock-cli's catalog: it will be sent to "
                              "Bedrock as given (no prices or limits known).")
    elif model.kind != kind:
        raise UsageError(f"{name} is {'an' if model.kind[0] in 'ie' else 'a'} {model.kind} "
                         f"model; {setting} takes {'an' if kind[0] in 'ie' else 'a'} {kind} "
                         "model.",
                         f"See `bedrock-cli models list --modality {kind}`.")
