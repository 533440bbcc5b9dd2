"""The command tree, assembled in one readable place."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

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
#: The first paragraph of each command's help, as `bedrock-cli --help` lists it. A run that
#: only prints the root help or the version lists them from here instead of importing and
#: building twenty command modules; tests/unit/test_app_tree.py checks they match.
SUMMARIES: dict[str, str] = {
    "generate": "Generate text from a prompt (Converse / ConverseStream, or the native "
                "InvokeModel body\nwith --api invoke).",
    "invoke": "Call a model with its native request body (InvokeModel), like `aws "
              "bedrock-runtime\ninvoke-model` without base64 or an outfile, and with streaming.",
    "embed": "Turn text into an embedding vector (InvokeModel).",
    "tokens": "Count a prompt's input tokens with Bedrock's CountTokens; for models it does "
              "not\nsupport, a clearly labelled local estimate.",
    "guardrail": "Bedrock Guardrails: check text against a guardrail (ApplyGuardrail).",
    "image": "Generate or edit images (Nova Canvas, Titan Image, Stability, SDXL).",
    "summarize": "Summarize text, markdown, HTML or PDF of any length (map-reduce when it is "
                 "long).",
    "ask": "Answer a question from the given context (citing file and lines) or about images.",
    "extract": "Extract fields from text into JSON that is validated against a schema.",
    "translate": "Translate text or a file into another language, keeping markdown and line "
                 "breaks.",
    "chat": 'Chat with a model: streamed answers, /commands, multi-line input between """.',
    "sample": "Run a prompt N times (concurrently) and tally the distinct answers: "
              "counts,\nprobabilities, entropy. With --max-tokens 1 this is the next-word "
              "distribution.",
    "compare": "Send the same prompt to several models at once and show the answers side by "
               "side,\neach with its latency, tokens and cost.",
    "history": "The history of calls: list, show, search, export, delete, stats.",
    "templates": "Saved prompts with {variables}: use them with --template NAME -p KEY VALUE "
                 "on generate, chat and batch run.",
    "models": "The model catalog: ids, aliases, capabilities, limits and prices.",
    "config": "Show and change settings.",
    "batch": "Many prompts at once: `run` calls Bedrock from here (concurrent, adaptive, "
             "resumable); `submit`/`wait`/`fetch` use Bedrock Batch Inference over S3 (half "
             "price, for big jobs).",
    "serve": "Serve the offline Bedrock emulator over HTTP (Ctrl-C or SIGTERM to stop).",
    "doctor": "Check the install, config, region, backend, credentials, model access, "
              "endpoint,\nclock and local data; print each check with its fix. Exits 3 when "
              "something blocks use.",
}
#: `build_app(only=ROOT)`: the root alone, listing the commands from SUMMARIES
ROOT = ""
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


def root_only(argv: Sequence[str]) -> bool:
    """True when an argument list names no command at all (`--help`, `--version`, nothing):
    the root's help and version need no command module."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif arg == "--" or not arg.startswith("-"):
            return False
    return True


class _Listing(TyperGroup):
    """The root group of a `build_app(only=ROOT)` run: lists the commands (plain commands
    first, then groups, as Typer orders them) from SUMMARIES, and runs none of them."""

    def list_commands(self, ctx: Any) -> list[str]:
        groups = [name for name, _, attribute, _ in COMMANDS if attribute == "app"]
        return [name for name, *_ in COMMANDS if name not in groups] + groups

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        summary = SUMMARIES.get(cmd_name)
        return None if summary is None else TyperCommand(cmd_name, help=summary)


def build_app(only: str | None = None) -> typer.Typer:
    """The command tree: all of it, only the command named `only`, or (`only=ROOT`) the root
    options with the command list for `--help`."""
    app = typer.Typer(
        cls=_Listing if only == ROOT else TyperGroup,
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
