"""`bedrock-cli chat`: the REPL — terminal input, live answers, Ctrl-C and Ctrl-D.

On a terminal, lines are edited with readline (history, arrows); answers stream as live
markdown; Ctrl-C stops an answer (or clears the line) and Ctrl-D leaves. When stdin is not a
terminal, each line is one turn and each answer is printed, so chat is scriptable.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bedrock_cli.cli.options import ModelOption, common_command
from bedrock_cli.cli.params import Cid, ContinueLast, System
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
from bedrock_cli.errors import BedrockCliError, InterruptedByUser
from bedrock_cli.inputs import stdin_is_piped
from bedrock_cli.tasks.params import Sampling
from bedrock_cli.tasks.reasoning import Reasoning
from bedrock_cli.tasks.tuning import Tuning

if TYPE_CHECKING:
    from bedrock_cli.tasks.chat import ChatCalls, ChatSession, MultiLine


@common_command
def chat(
    app: AppContext,
    model: ModelOption = None,
    system: System = None,
    continue_last: ContinueLast = False,
    cid: Cid = None,
    reasoning_budget: ReasoningBudget = None,
    reasoning_effort: ReasoningEffort = None,
    hide_reasoning: HideReasoning = False,
    cache_prompt: CachePrompt = False,
    template: TemplateOption = None,
    param: ParamOption = None,
) -> None:
    """Chat with a model: streamed answers, /commands, multi-line input between \"\"\"."""
    from bedrock_cli.tasks.chat import MultiLine

    session, opening = _session(app, model, system, template, param, Tuning(
        Reasoning(reasoning_budget, reasoning_effort), cache_prompt, hide_reasoning))
    interactive = not stdin_is_piped()
    out = app.output
    if continue_last or cid:
        turns = session.resume(continue_last=continue_last, conversation_id=cid)
        out.notice(f"Continuing conversation {session.conversation_id} ({turns} turn(s)).")
    if interactive:
        _enable_line_editing()
        out.notice(f"Chatting with {session.tgt.name} on {app.clients.backend}. /help for "
                   "commands, Ctrl-D to leave.")
    collector = MultiLine()
    failed: BedrockCliError | None = None
    if opening is not None:  # a template prompt without {input} opens the conversation
        _answer(app, session, opening)
    ended = False
    while not ended:
        line = _read(collector, interactive)
        if line is None:  # the end of input: a block left open is still a message
            ended, text = True, collector.finish()
            if text is not None and text.strip():
                out.notice('The input ended inside a """ block: sending it as it is.')
        else:
            text = collector.feed(line)
        if text is None or not text.strip():
            continue
        if text.startswith("/") and not text.startswith("//"):
            reply = session.command(text)
            if reply.text:
                out.info(reply.text)
            if reply.leave:
                break
            continue
        try:
            _answer(app, session, text[1:] if text.startswith("//") else text)
        except InterruptedByUser:
            out.stderr.write("\n")
            out.notice("(answer stopped; what arrived is kept)")
            if not interactive:
                raise
        except BedrockCliError as err:
            if not interactive:
                raise
            out.error(err)
            failed = err
    if interactive and failed is None:
        out.stderr.write("\n")


def _read(collector: MultiLine, interactive: bool) -> str | None:
    """One line of input; None at the end (Ctrl-D, end of stdin)."""
    if not interactive:
        try:
            line = sys.stdin.readline()
        except UnicodeDecodeError:
            from bedrock_cli.errors import UsageError

            raise UsageError("Standard input is not valid UTF-8 text.",
                             "Convert it first, e.g. `iconv -f latin1 -t utf-8`.") from None
        return line if line else None
    while True:
        try:
            return input("... " if collector.active else "> ")
        except EOFError:
            return None
        except KeyboardInterrupt:  # Ctrl-C at the prompt clears the line, keeps the session
            sys.stdout.write("\n")
            collector.reset()


def chat_calls(app: AppContext) -> ChatCalls:
    """What a chat session uses, from the command's context."""

    from bedrock_cli.tasks.chat import ChatCalls

    return ChatCalls(app.target, app.runtime, app.recorder,
                     lambda: app.history)


def _session(app: AppContext, model: str | None, system: str | None, template: str | None,
             param: list[str] | None, tune: Tuning) -> tuple[ChatSession, str | None]:
    """The session, with a template's system, model and sampling; and the opening message
    (a template prompt that does not use {input}), if any."""
    from bedrock_cli.tasks import templating
    from bedrock_cli.tasks.chat import ChatSession
    from bedrock_cli.templates import INPUT, variables

    pairs = template_values(param)
    saved = templating.load(app.settings.config_path, template, pairs,
                             app.output.notice)
    if saved is None:
        return ChatSession(chat_calls(app), model=model, system=system, tuning=tune,
                           notice=app.output.notice), None
    tune.sampling = templating.sampling(saved, Sampling())
    uses_input = INPUT in variables(saved.prompt)
    filled = templating.fill(saved, pairs, "" if uses_input else None, system=system,
                             model=model)  # every variable but {input} checked here
    wrap = (lambda text: templating.fill(saved, pairs, text).prompt) if uses_input else None
    session = ChatSession(chat_calls(app), model=filled.model, system=filled.system, tuning=tune,
                          wrap=wrap, notice=app.output.notice)
    opening = filled.prompt if saved.prompt and not uses_input else None
    return session, opening


def _answer(app: AppContext, session: ChatSession, text: str) -> None:
    from bedrock_cli.cli import thinking

    out = app.output
    hidden = bool(session.tuning and session.tuning.hide_reasoning)
    if out.json_mode:
        outcome = session.send(text)
        out.json(outcome.to_json(), lines=True)
    else:
        try:
            with thinking.answer_stream(out, show_reasoning=not hidden) as answer:
                outcome = session.send(text, on_text=answer.on_text,
                                       on_reasoning=answer.on_reasoning)
        except KeyboardInterrupt:
            raise InterruptedByUser("Interrupted.", None) from None
    app.report_usage()  # with --usage: one line per turn


def _enable_line_editing() -> None:
    import contextlib

    with contextlib.suppress(ImportError):  # Windows without pyreadline: plain input works
        import readline  # noqa: F401  (input() gains editing and history once imported)
