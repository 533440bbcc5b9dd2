"""`bedrock-cli guardrail check` (ApplyGuardrail).

Adding guardrails to a Converse command takes one parameter (`cli.params.GuardrailOption`)
and one line::

    guardrail: GuardrailOption = None
    ...
    request.guardrail = guardrail_task.converse_config(guardrail)

(`generate.run_and_render` then shows the trace under --debug and exits 6 on intervention;
commands that render on their own call
`guardrail_task.after(result, request.guardrail, app.output.debug)`.)
"""

from __future__ import annotations

from typing import Annotated

import typer

from bedrock_cli.cli.options import common_command
from bedrock_cli.context import AppContext
from bedrock_cli.errors import BlockedError, UsageError
from bedrock_cli.tasks import guardrail as task
from bedrock_cli.tasks import textarg

app = typer.Typer(help="Bedrock Guardrails: check text against a guardrail (ApplyGuardrail).",
                  no_args_is_help=True)


@app.command("check")
@common_command
def check(
    app_ctx: AppContext,
    text: Annotated[str | None, typer.Argument(
        metavar="TEXT|-", help="Text to check, or - for standard input.",
        show_default=False)] = None,
    guardrail: Annotated[str, typer.Option(
        "--guardrail", "-g", metavar="ID[:VERSION]",
        help="The guardrail (version defaults to DRAFT).")] = "",
    source: Annotated[str, typer.Option(
        "--source", help="Check the text as model input or as model output.",
        metavar="input|output")] = "input",
) -> None:
    """Check text against a guardrail: prints the output (masked, or the blocked message) on
    stdout and the action and assessments on stderr; an intervention exits 6."""
    if not guardrail:
        raise UsageError("Missing --guardrail ID[:VERSION].",
                         "e.g. bedrock-cli guardrail check 'text' --guardrail abc123xyz")
    result = task.check(app_ctx.runtime, app_ctx.settings, textarg.read(text), guardrail,
                        source.lower())
    out = app_ctx.output
    if out.json_mode:
        out.json(result.to_json())
    else:
        reason = f" ({result.action_reason})" if result.action_reason else ""
        out.info(f"Action: {result.action}{reason}")
        for line in result.findings():
            out.info(f"  {line}")
        out.write(result.output if result.output.endswith("\n") else result.output + "\n")
    if result.intervened:
        what = "blocked" if result.blocked else "masked"
        raise BlockedError(f"Guardrail {result.guardrail} (version {result.version}) {what} "
                           f"the {source.lower()}.", None)
