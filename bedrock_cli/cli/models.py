"""`bedrock-cli models list|show`: the model catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from bedrock_cli.cli import models_live
from bedrock_cli.cli.options import common_command
from bedrock_cli.context import AppContext
from bedrock_cli.errors import UsageError

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo

app = typer.Typer(help="The model catalog: ids, aliases, capabilities, limits and prices.",
                  no_args_is_help=True)


def model_summary(model: ModelInfo, aliases: list[str]) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(model)
    data["aliases"] = aliases
    return data


def _aliases_by_id(app_ctx: AppContext) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for alias, model_id in sorted(app_ctx.catalog.aliases().items()):
        result.setdefault(model_id, []).append(alias)
    return result


@app.command("list")
@common_command
def list_models(
    app_ctx: AppContext,
    provider: Annotated[str | None, typer.Option("--provider", help="Filter by provider.",
                                                 show_default=False)] = None,
    modality: Annotated[str | None, typer.Option(
        "--modality", help="Filter by output modality: text, image or embedding.",
        show_default=False)] = None,
    available: Annotated[bool, typer.Option(
        "--available", help="Only what this account can call in the region, from the "
        "account's listing (fetched when missing or stale, then cached).")] = False,
    max_age: models_live.MaxAge = None,
) -> None:
    """List the models in the catalog (or, with --available, those this account can call in
    the region)."""
    if available:
        models_live.list_available(app_ctx, provider, modality, max_age)
        return
    models = app_ctx.catalog.models(provider=provider, modality=modality)
    if not models:
        raise UsageError("No model matches those filters.",
                         "Try `bedrock-cli models list` without filters.")
    aliases = _aliases_by_id(app_ctx)
    out = app_ctx.output
    if out.json_mode:
        out.json([model_summary(m, aliases.get(m.id, [])) for m in models])
        return
    if not out.stdout_tty:
        for m in models:
            out.write(f"{m.id}\t{m.provider}\t{m.name}\t{','.join(aliases.get(m.id, []))}\n")
        return
    out.renderable(models_table(models, aliases))


def models_table(models: list[Any], aliases: dict[str, list[str]]) -> Any:
    """The models fitted to the terminal: ids whole (they are copied into commands); then
    prices, alias, name (wrapping) and output as the width allows."""
    from rich import box

    from bedrock_cli.output.tables import Column, FittedTable

    columns = [Column("id"), Column("name", wrap=True, drop=3, min_width=12),
               Column("output", drop=4), Column("alias", drop=2),  # the shortest alias
               Column("$/1K in", justify="right", drop=1),
               Column("$/1K out", justify="right", drop=1)]
    rows = []
    for m in models:
        prices = m.prices
        names = sorted(aliases.get(m.id, []), key=len)
        rows.append([m.id, m.name, ",".join(m.output_modalities).lower(),
                     names[0] if names else "",
                     models_live.per_1k(prices.input if prices else None),
                     models_live.per_1k(prices.output if prices else None)])
    return FittedTable(columns, rows, title=f"{len(models)} models", title_justify="left",
                       box=box.SIMPLE_HEAD, pad_edge=False)


@app.command("show")
@common_command
def show_model(
    app_ctx: AppContext,
    name: Annotated[str, typer.Argument(help="Model id or alias.")],
) -> None:
    """Show one model: capabilities, limits, prices and how it is called in this region."""
    resolution = app_ctx.resolve_model(name)
    model = resolution.model
    if model is None:
        if models_live.show_listed(app_ctx, name):
            return
        raise UsageError(f"{name} is not in the catalog; it would be called as given.",
                         "See `bedrock-cli models list` for the catalog.")
    data = model_summary(model, _aliases_by_id(app_ctx).get(model.id, []))
    data["region"] = app_ctx.clients.region
    data["called_as"] = resolution.model_id
    data["inference_profile"] = resolution.profile
    out = app_ctx.output
    if out.json_mode:
        out.json(data)
        return
    lines = [f"{model.name} ({model.provider})", f"  id: {model.id}",
             models_live.routing_line(data["region"], resolution.model_id, model.id,
                                      resolution.profile)]
    listed = models_live.listed_line(app_ctx, model.id)
    if listed:
        lines.append(listed)
    for key, value in data.items():
        if key in {"name", "provider", "id"} or value in (None, "", [], {}, ()):
            continue
        lines.append(f"  {key}: {_flat(value)}")
    out.write("\n".join(lines) + "\n")


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_flat(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, (list, tuple)):
        return ", ".join(_flat(v) for v in value)
    return str(value)


app.command("refresh")(models_live.refresh)
