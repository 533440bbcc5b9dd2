"""`bedrock-cli generate`: text generation, streamed by default."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bedrock_cli.cli.options import ModelOption, common_command
from bedrock_cli.cli.params import (
    Cid,
    ContinueLast,
    GuardrailOption,
    MaxTokens,
    NoStream,
    Seed,
    Stop,
    System,
    Temperature,
    TopK,
    TopP,
)
from bedrock_cli.cli.tuning import (
    CachePrompt,
    HideReasoning,
    ParamOption,
    ReasoningBudget,
    ReasoningEffort,
    TemplateOption,
    template_values,
)
from bedrock_cli.context import AppContext
from bedrock_cli.errors import BedrockCliError
from bedrock_cli.inputs import read_stdin
from bedrock_cli.tasks import generate as task
from bedrock_cli.tasks import guardrail as guardrail_task
from bedrock_cli.tasks import invoke as invoke_task
from bedrock_cli.tasks import textcall
from bedrock_cli.tasks import tools as tools_task
from bedrock_cli.tasks.params import Sampling
from bedrock_cli.types import TextRequest

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo


@common_command
def generate(
    app: AppContext,
    prompt: Annotated[str | None, typer.Argument(
        help="The prompt. Piped stdin is appended as context.", show_default=False)] = None,
    model: ModelOption = None,
    system: System = None,
    temperature: Temperature = None,
    top_p: TopP = None,
    top_k: TopK = None,
    max_tokens: MaxTokens = None,
    stop: Stop = None,
    seed: Seed = None,
    attach: Annotated[list[Path] | None, typer.Option(
        "--attach", "-a", help="Image or document to include (repeatable).",
        metavar="FILE", show_default=False)] = None,
    no_stream: NoStream = False,
    continue_last: ContinueLast = False,
    cid: Cid = None,
    api: Annotated[str, typer.Option(
        "--api", metavar="converse|invoke",
        help="converse, or invoke: the model family's native InvokeModel body.")] = "converse",
    guardrail: GuardrailOption = None,
    reasoning_budget: ReasoningBudget = None,
    reasoning_effort: ReasoningEffort = None,
    hide_reasoning: HideReasoning = False,
    cache_prompt: CachePrompt = False,
    template: TemplateOption = None,
    param: ParamOption = None,
    tool: Annotated[list[Path] | None, typer.Option(
        "--tool", help="A JSON tool spec the model may call (repeatable); tool calls are "
        "printed as JSON lines.", metavar="FILE", show_default=False)] = None,
    tool_choice: Annotated[str | None, typer.Option(
        "--tool-choice", help="auto (default), any (must call a tool) or a tool's name.",
        metavar="auto|any|NAME", show_default=False)] = None,
) -> None:
    """Generate text from a prompt (Converse / ConverseStream, or the native InvokeModel body
    with --api invoke)."""
    from bedrock_cli.tasks import templating, tuning

    stdin_text = read_stdin()
    sampling = Sampling(max_tokens=max_tokens, temperature=temperature, top_p=top_p,
                        top_k=top_k, stop=list(stop or []), seed=seed)
    pairs = template_values(param)
    saved = templating.load(app.settings.config_path, template, pairs,
                             app.output.notice)
    if saved is not None:  # {input} is the argument and/or stdin
        given = "\n\n".join(p.rstrip("\n") for p in (prompt, stdin_text) if p and p.strip())
        filled = templating.fill(saved, pairs, given or None, system=system, model=model)
        prompt, stdin_text, system, model = filled.prompt, None, filled.system, filled.model
        sampling = templating.sampling(saved, sampling)
    inp = task.GenerateInput(
        prompt=prompt,
        stdin_text=stdin_text,
        model=model,
        system=system,
        sampling=sampling,
        attach=list(attach or []),
        continue_last=continue_last,
        conversation_id=cid,
        cache_prompt=cache_prompt,
    )
    request, model_info, log = task.build(app.resolve_model, app.settings.model,
                                          lambda: app.history, inp)
    request.guardrail = guardrail_task.converse_config(guardrail)
    invoke_task.choose_api(request, model_info, api)
    name = model or app.settings.model
    with_tools = tools_task.apply(request, model_info, name, list(tool or []), tool_choice)
    tune = tuning.Tuning(tuning.Reasoning(reasoning_budget, reasoning_effort), cache_prompt)
    for note in tuning.apply(request, model_info, name, tune,
                             stream=not no_stream and not with_tools):
        app.output.notice(note)
    log.params.update(tuning.log_params(tune))
    if saved is not None:
        log.params["template"] = saved.name
    run_and_render(app, request, model_info, log, stream=not no_stream,
                   hide_reasoning=hide_reasoning, tools=with_tools)


def run_and_render(app: AppContext, request: TextRequest, model_info: ModelInfo | None,
                   log: textcall.CallLog, *, stream: bool,
                   hide_reasoning: bool = False, tools: bool = False) -> textcall.Outcome:
    """Stream (or wait for) the answer and print it the way the output format asks; the
    reasoning, if any, dimmed on stderr first unless hidden. With `tools`, the answer's
    tool calls are printed as JSON (render.tool_calls)."""
    if request.guardrail:
        guardrail_task.check_local_file(app.clients.backend, app.settings)
    try:
        if tools:
            from bedrock_cli.cli import render

            outcome = render.tool_calls(app, request, model_info, log)
        else:
            outcome = _render(app, request, model_info, log, stream=stream,
                              hide_reasoning=hide_reasoning)
    except BedrockCliError as err:
        raise guardrail_task.explain(err, request.guardrail) from None
    guardrail_task.after(outcome.result, request.guardrail, app.output.debug)
    return outcome


def _render(app: AppContext, request: TextRequest, model_info: ModelInfo | None,
            log: textcall.CallLog, *, stream: bool, hide_reasoning: bool) -> textcall.Outcome:
    from bedrock_cli.cli import render

    outcome = render.call(app, request, model_info, log, stream=stream,
                          hide_reasoning=hide_reasoning)
    if app.output.json_mode:
        app.output.json(outcome.to_json())
    return outcome
