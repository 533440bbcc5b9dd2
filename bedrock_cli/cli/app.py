"""The command tree, assembled in one readable place."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from bedrock_cli import __version__
from bedrock_cli.cli.options import (
    Backend,
    ConnectTimeout,
    Debug,
    EndpointUrl,
    Format,
    JsonFlag,
    MaxAttempts,
    NoLog,
    Profile,
    Quiet,
    ReadTimeout,
    Region,
    RetryMode,
    UsageFlag,
    store_global_flags,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bedrock-cli {__version__}")
        raise typer.Exit()


#: (name, module in bedrock_cli.cli, attribute: a command function or a Typer group, options
#: for app.command). The order is the order `--help` lists them in.
COMMANDS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("generate", "generate", "generate", {"cls": "tuning.ParamCommand"}),
    ("invoke", "invoke", "invoke", {}),
    ("embed", "embed", "embed", {}),
    ("tokens", "tokens", "tokens", {}),
    ("guardrail", "guardrail", "app", {}),
    ("image", "image", "image", {}),
    ("summarize", "summarize", "summarize", {}),
    ("ask", "ask", "ask", {}),
    ("extract", "extract", "extract", {}),
    ("translate", "translate", "translate", {}),
    ("chat", "chat", "chat", {"cls": "tuning.ParamCommand"}),
    ("sample", "sample", "sample", {}),
    ("compare", "compare", "compare", {}),
    ("history", "history", "app", {}),
    ("templates", "templates", "app", {}),
    ("models", "models", "app", {}),
    ("config", "config", "app", {}),
    ("batch", "batch", "app", {}),
    ("serve", "serve", "serve", {}),
    ("doctor", "doctor", "doctor", {}),
)
_NAMES = {name for name, *_ in COMMANDS}
#: root options that take a value, so `command_named` can skip it
_VALUED = {"--backend", "--profile", "--region", "--endpoint-url", "--format", "--read-timeout",
           "--connect-timeout", "--max-attempts", "--retry-mode"}


def _resolve(options: dict[str, str]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for key, dotted in options.items():
        module, attribute = dotted.rsplit(".", 1)
        resolved[key] = getattr(importlib.import_module(f"bedrock_cli.cli.{module}"), attribute)
    return resolved


def command_named(argv: Sequence[str]) -> str | None:
    """The subcommand an argument list runs, when it names one; None for `--help`, `--version`,
    a typo or anything else that needs the whole tree.

    Building only that command keeps start-up from importing and assembling twenty others."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _VALUED:
            skip = True
            continue
        if arg.startswith("-"):
            if arg in ("--help", "-h", "--version", "-V", "--"):
                return None
            continue
        return arg if arg in _NAMES else None
    return None


def build_app(only: str | None = None) -> typer.Typer:
    app = typer.Typer(
        name="bedrock-cli",
        help="Amazon Bedrock from the terminal: generate, chat, images, embeddings, batches — "
        "with an offline local backend.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # plain help: keeps `--help` from importing rich.markdown
        context_settings={"help_option_names": ["--help", "-h"]},
    )

    @app.callback()
    def main(
        ctx: typer.Context,
        version: Annotated[bool, typer.Option("--version", "-V", callback=_version,
                                              is_eager=True, help="Print the version.")] = False,
        backend: Backend = None,
        profile: Profile = None,
        region: Region = None,
        endpoint_url: EndpointUrl = None,
        json_output: JsonFlag = False,
        output_format: Format = None,
        quiet: Quiet = False,
        debug: Debug = False,
        no_log: NoLog = False,
        read_timeout: ReadTimeout = None,
        connect_timeout: ConnectTimeout = None,
        max_attempts: MaxAttempts = None,
        retry_mode: RetryMode = None,
        usage: UsageFlag = False,
    ) -> None:
        """Common options may come before or after the subcommand."""
        store_global_flags(ctx, {
            "backend": backend, "profile": profile, "region": region,
            "endpoint_url": endpoint_url, "json_output": json_output,
            "output_format": output_format, "quiet": quiet, "debug": debug, "no_log": no_log,
            "read_timeout": read_timeout, "connect_timeout": connect_timeout,
            "max_attempts": max_attempts, "retry_mode": retry_mode, "usage": usage,
        })

    for name, module, attribute, options in COMMANDS:
        if only is not None and name != only:
            continue  # one command's module is all a run needs (see `command_named`)
        target = getattr(importlib.import_module(f"bedrock_cli.cli.{module}"), attribute)
        if isinstance(target, typer.Typer):
            app.add_typer(target, name=name)
        else:
            app.command(name, **_resolve(options))(target)
    return app
