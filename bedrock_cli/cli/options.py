"""The common options (SPEC §3), declared once, accepted before and after the subcommand.

`common_command` adds them to a command's signature, merges them over the values given before
the subcommand, resolves settings and runs the command inside the error boundary with an
`AppContext` as its first argument.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

import typer

from bedrock_cli.cli.boundary import run_guarded
from bedrock_cli.context import AppContext
from bedrock_cli.output import Output

PANEL = "Common options"
GLOBAL_FLAGS_KEY = "bedrock_cli_global_flags"

Backend = Annotated[str | None, typer.Option(
    "--backend", help="aws, local (offline emulator) or auto.", rich_help_panel=PANEL,
    show_default=False)]
Profile = Annotated[str | None, typer.Option(
    "--profile", help="AWS profile to use.", rich_help_panel=PANEL, show_default=False)]
Region = Annotated[str | None, typer.Option(
    "--region", help="AWS region.", rich_help_panel=PANEL, show_default=False)]
EndpointUrl = Annotated[str | None, typer.Option(
    "--endpoint-url", help="Bedrock endpoint URL (e.g. a `bedrock-cli serve` address).",
    rich_help_panel=PANEL, show_default=False)]
JsonFlag = Annotated[bool, typer.Option(
    "--json", help="Print one JSON document per result.", rich_help_panel=PANEL)]
Format = Annotated[str | None, typer.Option(
    "--format", help="auto, text, markdown or json.", rich_help_panel=PANEL, show_default=False)]
Quiet = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No notices or progress on stderr.", rich_help_panel=PANEL)]
Debug = Annotated[bool, typer.Option(
    "--debug", help="Log requests to stderr; show tracebacks.", rich_help_panel=PANEL)]
NoLog = Annotated[bool, typer.Option(
    "--no-log", help="Do not record this call in history.", rich_help_panel=PANEL)]
ReadTimeout = Annotated[float | None, typer.Option(
    "--read-timeout", help="Socket read timeout in seconds [default: 300].",
    rich_help_panel=PANEL, show_default=False)]
ConnectTimeout = Annotated[float | None, typer.Option(
    "--connect-timeout", help="Connect timeout in seconds [default: 10].",
    rich_help_panel=PANEL, show_default=False)]
MaxAttempts = Annotated[int | None, typer.Option(
    "--max-attempts", help="Total attempts per call, retries included [default: 3].",
    rich_help_panel=PANEL, show_default=False)]
RetryMode = Annotated[str | None, typer.Option(
    "--retry-mode", help="standard or adaptive [default: standard].", rich_help_panel=PANEL,
    show_default=False)]
UsageFlag = Annotated[bool, typer.Option(
    "--usage", "-u", help="Print the tokens and estimated cost of the model calls on stderr.",
    rich_help_panel=PANEL)]


def complete_model(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for -m/--model: text models' aliases and ids (and `us.`-style profile
    ids when the word starts with a geography) that start with what was typed."""
    from bedrock_cli.cli.completion import model_completions

    return model_completions(incomplete, "text")


def complete_image_model(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for an image command's -m/--model."""
    from bedrock_cli.cli.completion import model_completions

    return model_completions(incomplete, "image")


def complete_embedding_model(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for an embeddings command's -m/--model."""
    from bedrock_cli.cli.completion import model_completions

    return model_completions(incomplete, "embedding")


#: The one -m/--model option for commands that take a text model (with shell completion).
ModelOption = Annotated[str | None, typer.Option(
    "--model", "-m", help="Model id, alias, inference profile or ARN.", show_default=False,
    autocompletion=complete_model)]


#: (parameter name, annotation, default, setting it feeds)
COMMON: tuple[tuple[str, Any, Any, str], ...] = (
    ("backend", Backend, None, "backend"),
    ("profile", Profile, None, "profile"),
    ("region", Region, None, "region"),
    ("endpoint_url", EndpointUrl, None, "endpoint_url"),
    ("json_output", JsonFlag, False, "format"),
    ("output_format", Format, None, "format"),
    ("quiet", Quiet, False, "quiet"),
    ("debug", Debug, False, "debug"),
    ("no_log", NoLog, False, "log"),
    ("read_timeout", ReadTimeout, None, "read_timeout"),
    ("connect_timeout", ConnectTimeout, None, "connect_timeout"),
    ("max_attempts", MaxAttempts, None, "max_attempts"),
    ("retry_mode", RetryMode, None, "retry_mode"),
    ("usage", UsageFlag, False, "usage"),
)
_COMMON_NAMES = {name for name, *_ in COMMON}


def flags_to_settings(given: dict[str, Any]) -> dict[str, Any]:
    """Map option values (None/False = not given) to setting overrides."""
    flags: dict[str, Any] = {}
    for name, _ann, _default, setting in COMMON:
        value = given.get(name)
        if value is None or value is False:
            continue
        if name == "json_output":
            flags["format"] = "json"
        elif name == "no_log":
            flags["log"] = False
        elif setting == "format" and "format" in flags:
            continue  # --json wins over --format
        else:
            flags[setting] = value
    return flags


def store_global_flags(ctx: typer.Context, given: dict[str, Any]) -> None:
    ctx.ensure_object(dict)
    # identity, not equality: `--max-attempts 0` is a value to check, not "not given"
    ctx.obj[GLOBAL_FLAGS_KEY] = {k: v for k, v in given.items()
                                 if v is not None and v is not False}


def make_context(flags: dict[str, Any]) -> AppContext:
    from bedrock_cli import settings as settings_module

    settings = settings_module.resolve(flags)
    output = Output(fmt=settings.format, quiet=settings.quiet, debug=settings.debug)
    notice = settings_module.dotenv_notice(settings)
    if notice:
        output.notice(notice)
    return AppContext(settings, output)


def common_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command `func(app: AppContext, ...)` for Typer (see the module docstring)."""
    hints = typing.get_type_hints(func, include_extras=True)
    own = [
        param.replace(annotation=hints.get(param.name, param.annotation))
        for param in list(inspect.signature(func).parameters.values())[1:]  # drop `app`
    ]
    own_names = {param.name for param in own}
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=ann)
        for name, ann, default, _setting in COMMON
        if name not in own_names
    ]
    ctx_param = inspect.Parameter("typer_ctx", inspect.Parameter.KEYWORD_ONLY,
                                  annotation=typer.Context)
    # Typer passes every parameter by keyword, so all can be keyword-only, in order.
    keyword = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]
    parameters = [*keyword, *added, ctx_param]

    def wrapper(**kwargs: Any) -> Any:
        ctx: typer.Context = kwargs.pop("typer_ctx")
        given = dict((ctx.obj or {}).get(GLOBAL_FLAGS_KEY, {})) if isinstance(ctx.obj, dict) \
            else {}
        for name in _COMMON_NAMES - own_names:
            value = kwargs.pop(name, None)
            if value is not None and value is not False:
                given[name] = value
        fallback = Output(debug=bool(given.get("debug")))

        def action() -> Any:
            app = make_context(flags_to_settings(given))
            try:
                return run_guarded(app.output, app.settings.debug,
                                   lambda: func(app, **kwargs))
            finally:
                app.report_usage()  # also after a failure: what was spent is still spent
                app.close()

        return run_guarded(fallback, bool(given.get("debug")), action)

    wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    wrapper.__name__ = func.__name__
    wrapper.__qualname__ = func.__qualname__
    wrapper.__doc__ = func.__doc__
    wrapper.__module__ = func.__module__
    return wrapper
