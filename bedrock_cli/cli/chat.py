"""`bedrock-cli chat`: the REPL — terminal input, live answers, Ctrl-C and Ctrl-D.

On a terminal, lines are edited with readline (history, arrows); answers stream as live
markdown; Ctrl-C stops an answer (or clears the line) and Ctrl-D leaves. When stdin is not a
terminal, each line is one turn and each answer is printed, so chat is scriptable.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from bedrock_cli.cli.generate import ModelOption
from bedrock_cli.cli.options import common_command
from bedrock_cli.context import AppContext
from bedrock_cli.errors import BedrockCliError, InterruptedByUser
from bedrock_cli.inputs import stdin_is_piped

if TYPE_CHECKING:
    from bedrock_cli.tasks.chat import ChatSession, MultiLine


@common_command
def chat(
    app: AppContext,
    model: ModelOption = None,
    system: Annotated[str | None, typer.Option("--system", "-s", help="System prompt.",
                                               show_default=False)] = None,
    continue_last: Annotated[bool, typer.Option(
        "--continue", "-c", help="Continue the most recent conversation.")] = False,
    cid: Annotated[str | None, typer.Option("--cid", help="Continue this conversation id.",
                                            show_default=False)] = None,
) -> None:
    """Chat with a model: streamed answers, /commands, multi-line input between \"\"\"."""
    from bedrock_cli.tasks.chat import ChatSession, MultiLine

    session = ChatSession(app, model=model, system=system)
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
    while True:
        line = _read(collector, interactive)
        if line is None:
            break
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


def _answer(app: AppContext, session: ChatSession, text: str) -> None:
    out = app.output
    if out.json_mode:
        outcome = session.send(text)
        out.json(outcome.to_json(), lines=True)
    else:
        try:
            with out.live_markdown() as sink:
                outcome = session.send(text, on_text=sink.add)
        except KeyboardInterrupt:
            raise InterruptedByUser("Interrupted.", None) from None
    app.report_usage()  # with --usage: one line per turn


def _enable_line_editing() -> None:
    import contextlib

    with contextlib.suppress(ImportError):  # Windows without pyreadline: plain input works
        import readline  # noqa: F401  (input() gains editing and history once imported)
