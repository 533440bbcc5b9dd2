"""`bedrock-cli tokens`: how many input tokens a prompt is (CountTokens)."""

from __future__ import annotations

from typing import Annotated

import typer

from bedrock_cli.cli.options import ModelOption, common_command
from bedrock_cli.context import AppContext
from bedrock_cli.tasks import textarg
from bedrock_cli.tasks import tokens as task


@common_command
def tokens(
    app: AppContext,
    text: Annotated[str | None, typer.Argument(
        metavar="TEXT|-", help="The prompt, or - for standard input.",
        show_default=False)] = None,
    model: ModelOption = None,
    system: Annotated[str | None, typer.Option(
        "--system", "-s", help="System prompt to count with it.", show_default=False)] = None,
) -> None:
    """Count a prompt's input tokens with Bedrock's CountTokens; for models it does not
    support, a clearly labelled local estimate."""
    prompt = textarg.read(text)
    result = task.count(app.runtime, app.resolve_model(model), model or app.settings.model,
                        prompt, system)
    if app.output.json_mode:
        app.output.json(result.to_json())
    else:
        app.output.write(result.describe() + "\n")
