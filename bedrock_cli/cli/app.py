"""The command tree, assembled in one readable place."""

from __future__ import annotations

from typing import Annotated

import typer

from bedrock_cli import __version__
from bedrock_cli.cli import (
    ask,
    batch,
    chat,
    compare,
    config,
    doctor,
    embed,
    extract,
    generate,
    guardrail,
    history,
    image,
    invoke,
    models,
    sample,
    serve,
    summarize,
    templates,
    tokens,
    translate,
)
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
from bedrock_cli.cli.tuning import ParamCommand


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bedrock-cli {__version__}")
        raise typer.Exit()


def build_app() -> typer.Typer:
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

    app.command("generate", cls=ParamCommand)(generate.generate)
    app.command("invoke")(invoke.invoke)
    app.command("embed")(embed.embed)
    app.command("tokens")(tokens.tokens)
    app.add_typer(guardrail.app, name="guardrail")
    app.command("image")(image.image)
    app.command("summarize")(summarize.summarize)
    app.command("ask")(ask.ask)
    app.command("extract")(extract.extract)
    app.command("translate")(translate.translate)
    app.command("chat", cls=ParamCommand)(chat.chat)
    app.command("sample")(sample.sample)
    app.command("compare")(compare.compare)
    app.add_typer(history.app, name="history")
    app.add_typer(templates.app, name="templates")
    app.add_typer(models.app, name="models")
    app.add_typer(config.app, name="config")
    app.add_typer(batch.app, name="batch")
    app.command("serve")(serve.serve)
    app.command("doctor")(doctor.doctor)
    return app
