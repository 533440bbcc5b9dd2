"""`models refresh` and `models list --available`: the account's listing for the region.

The listing code is imported when a command runs, so `--help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from bedrock_cli.cli.options import common_command
from bedrock_cli.context import AppContext
from bedrock_cli.errors import UsageError

if TYPE_CHECKING:
    from bedrock_cli.catalog.live import LiveModel

MaxAge = Annotated[str | None, typer.Option(
    "--max-age", help="Reuse a cached list younger than this (e.g. 30m, 24h, 7d).",
    show_default=False)]


@common_command
def refresh(app_ctx: AppContext, max_age: MaxAge = None) -> None:
    """Fetch the models this account can call in the region (ListFoundationModels and
    ListInferenceProfiles) and cache them, merged with the shipped catalog."""
    from bedrock_cli.tasks import live_catalog as task

    age = task.parse_age(max_age) if max_age is not None else None
    lst = task.listing(app_ctx.runtime, app_ctx.catalog, app_ctx.settings.data_dir,
                       max_age=age)
    for warning in lst.warnings:
        app_ctx.output.warn(warning)
    summary = lst.summary()
    out = app_ctx.output
    if out.json_mode:
        out.json(summary)
        return
    how = "Fetched" if lst.fetched else \
        f"Reused (fetched {task.describe_age(lst.snapshot.age())} ago)"
    lines = [f"{how} the model list for {lst.region} ({lst.snapshot.source}): "
             f"{summary['foundation_models']} foundation models, "
             f"{summary['inference_profiles']} inference profiles; "
             f"{summary['callable']} models callable here."]
    if summary["new_models"]:
        lines.append("Not in the shipped catalog (no prices or limits known): "
                     + ", ".join(summary["new_models"]))
    if summary["not_listed"]:
        lines.append(f"Shipped models not offered here ({len(summary['not_listed'])}): "
                     + ", ".join(summary["not_listed"]))
    lines.append(f"Cached at {lst.path}.")
    lines += [f"Note: {note}" for note in summary["notes"]]
    out.write("\n".join(lines) + "\n")


def list_available(app_ctx: AppContext, provider: str | None, modality: str | None,
                   max_age: str | None) -> None:
    """`models list --available`: the cached listing (refreshed when missing or stale)."""
    from bedrock_cli.tasks import live_catalog as task

    age = task.parse_age(max_age) if max_age is not None else task.live.DEFAULT_MAX_AGE
    lst = task.listing(app_ctx.runtime, app_ctx.catalog, app_ctx.settings.data_dir,
                       max_age=age)
    for warning in lst.warnings:
        app_ctx.output.warn(warning)
    out = app_ctx.output
    if lst.fetched:
        out.notice(f"Fetched the model list for {lst.region}; cached for "
                   f"{task.describe_age(age)}.")
    else:
        out.notice(f"Model list for {lst.region} from {task.describe_age(lst.snapshot.age())} "
                   "ago (`bedrock-cli models refresh` updates it).")
    models = task.available(lst, provider, modality)
    if not models:
        raise UsageError(f"No callable model in {lst.region} matches those filters.",
                         "Try `bedrock-cli models list --available` without filters.")
    region = lst.region
    if out.json_mode:
        out.json([_json(m, region) for m in models])
        return
    if not out.stdout_tty:
        for m in models:
            aliases = ",".join(m.shipped.aliases) if m.shipped else ""
            out.write(f"{m.id}\t{m.provider}\t{m.name}\t{m.called_as(region)}\t{aliases}\n")
        return
    out.renderable(_table(models, region))


def _json(model: LiveModel, region: str) -> dict[str, Any]:
    data = model.to_json(region)
    prices = model.shipped.prices if model.shipped else None
    data["prices"] = None if prices is None or not prices.known else {
        "input": prices.input, "output": prices.output, "as_of": prices.as_of}
    return data


def _table(models: list[LiveModel], region: str) -> Any:
    """Fitted to the terminal: the id always, whole; then "called as", prices, aliases,
    name, output and provider as the width allows."""
    from bedrock_cli.output.tables import Column, FittedTable

    new = any(m.shipped is None for m in models)
    columns = [Column("id"), Column("provider", drop=6),
               Column("name", wrap=True, drop=4, min_width=10), Column("output", drop=5),
               Column("called as", drop=1), Column("aliases", wrap=True, drop=3, min_width=10),
               Column("$/1K in", justify="right", drop=2),
               Column("$/1K out", justify="right", drop=2)]
    rows = []
    for m in models:
        prices = m.shipped.prices if m.shipped else None
        called = m.called_as(region)
        rows.append([
            m.id + ("" if m.shipped else " *"), m.provider, m.name,
            ",".join(m.output_modalities).lower(),
            "its id" if called == m.id else called,
            ", ".join(m.shipped.aliases) if m.shipped else "",
            per_1k(prices.input if prices else None), per_1k(prices.output if prices else None)])
    return FittedTable(columns, rows, title=f"{len(models)} models callable in {region}",
                       title_justify="left", caption="* not in the shipped catalog: no prices "
                       "or limits known" if new else None, caption_justify="left")


def per_1k(value: float | None) -> str:
    """A catalog price per 1K tokens in plain decimals (0.000035, never 3.5e-05)."""
    if value is None:
        return ""
    text = f"{value:.8f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def routing_line(region: str, called_as: str, model_id: str, profile: str | None) -> str:
    """How `models show` says a model is called in the region."""
    if profile:
        return (f"  in {region}: needs an inference profile — called as {called_as} "
                "(chosen automatically)")
    return f"  in {region}: on demand — called by its id {model_id}"


def listed_line(app_ctx: AppContext, model_id: str) -> str | None:
    """What the cached account listing says about the model, if there is a cached listing."""
    from bedrock_cli.tasks import live_catalog as task

    lst = task.cached(app_ctx.clients, app_ctx.catalog, app_ctx.settings.data_dir)
    if lst is None:
        return None
    when = task.describe_age(lst.snapshot.age())
    found = next((m for m in lst.models if m.id == model_id), None)
    if found is None or not found.callable:
        return (f"  account listing ({when} old): not callable in {lst.region} — see "
                "`bedrock-cli models list --available`")
    profiles = f"; profiles: {', '.join(found.profiles)}" if found.profiles else ""
    return f"  account listing ({when} old): callable in {lst.region}{profiles}"


def show_listed(app_ctx: AppContext, name: str) -> bool:
    """`models show` for a model only the cached account listing knows: the API's fields."""
    from bedrock_cli.tasks import live_catalog as task

    lst = task.cached(app_ctx.clients, app_ctx.catalog, app_ctx.settings.data_dir)
    found = task.live.find(lst.models, name) if lst is not None else None
    if lst is None or found is None:
        return False
    data = found.to_json(lst.region)
    data["region"] = lst.region
    data["listed"] = f"{task.describe_age(lst.snapshot.age())} ago"
    out = app_ctx.output
    if out.json_mode:
        out.json(data)
        return True
    called = data["called_as"]
    lines = [f"{found.name} ({found.provider})", f"  id: {found.id}",
             routing_line(lst.region, called, found.id, called if called != found.id else None),
             "  not in the shipped catalog: no prices, limits or aliases known "
             f"(from the account listing, {data['listed']})"]
    for key in ("input_modalities", "output_modalities", "streaming", "lifecycle",
                "inference_types", "inference_profiles"):
        value = data[key]
        if value not in (None, "", []):
            lines.append(f"  {key}: {', '.join(value) if isinstance(value, list) else value}")
    out.write("\n".join(lines) + "\n")
    return True
