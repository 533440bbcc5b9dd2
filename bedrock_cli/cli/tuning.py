"""Options shared by the text commands for reasoning, prompt caching and templates."""

from __future__ import annotations

from typing import Annotated, Any

import typer
import typer.core

REASONING = "Reasoning and caching"

ReasoningBudget = Annotated[int | None, typer.Option(
    "--reasoning-budget", metavar="TOKENS",
    help="Extended thinking with this many tokens to think (Claude; at least 1024; max "
         "tokens are raised to fit it).", rich_help_panel=REASONING, show_default=False)]
ReasoningEffort = Annotated[str | None, typer.Option(
    "--reasoning-effort", metavar="low|medium|high",
    help="Reasoning effort: the model's own setting where it has one (Nova 2), else a "
         "thinking budget of 1024/4096/16384 tokens (Claude).", rich_help_panel=REASONING,
    show_default=False)]
HideReasoning = Annotated[bool, typer.Option(
    "--hide-reasoning", "-R", help="Do not show the reasoning (it is still kept in history "
    "and JSON).", rich_help_panel=REASONING)]
CachePrompt = Annotated[bool, typer.Option(
    "--cache-prompt", help="Prompt caching: cache points after the system prompt, the context "
    "and the tools (models that support it; see docs/cost.md).", rich_help_panel=REASONING)]

TEMPLATES = "Templates"
TemplateOption = Annotated[str | None, typer.Option(
    "--template", metavar="NAME", help="Use a saved template (`bedrock-cli templates list`).",
    rich_help_panel=TEMPLATES, show_default=False)]
ParamOption = Annotated[list[str] | None, typer.Option(
    "--param", "-p", metavar="KEY VALUE", help="A template variable (repeatable).",
    rich_help_panel=TEMPLATES, show_default=False)]


def pair_params(args: list[str]) -> list[str]:
    """`-p KEY VALUE` → `-p KEY=VALUE` (a `-p KEY=VALUE` is left as it is), up to `--`."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out += args[i:]
            break
        if arg in ("-p", "--param") and i + 2 < len(args) and "=" not in args[i + 1]:
            out += [arg, f"{args[i + 1]}={args[i + 2]}"]
            i += 3
            continue
        out.append(arg)
        i += 1
    return out


class ParamCommand(typer.core.TyperCommand):
    """A command whose `-p/--param` takes two values, KEY and VALUE, and repeats (Typer has no
    repeatable two-value option, so the pair is joined before parsing)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, pair_params(args))


def template_values(pairs: list[str] | None) -> list[tuple[str, str]]:
    """The `-p` values as (key, value) pairs."""
    from bedrock_cli.errors import UsageError

    out = []
    for item in pairs or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"-p {item!r} needs a name and a value.",
                             "Use -p NAME VALUE (or -p NAME=VALUE).")
        out.append((key, value))
    return out
