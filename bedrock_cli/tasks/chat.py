"""The chat REPL's logic, apart from the terminal: the session (turns, model, system prompt,
attachments, persistence), the slash commands, and multi-line input between triple quotes.

`cli/chat.py` owns the terminal (line editing, live rendering, Ctrl-C, Ctrl-D); everything here
can be driven by tests line by line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import BedrockCliError, InterruptedByUser, UsageError
from bedrock_cli.inputs import user_path
from bedrock_cli.tasks import common
from bedrock_cli.tasks.textcall import CallLog, Outcome

if TYPE_CHECKING:
    from bedrock_cli.history import History
    from bedrock_cli.recorder import Recorder
    from bedrock_cli.runtime import Runtime
    from bedrock_cli.tasks.tuning import Tuning

FENCE = '"""'
HELP = """Commands:
  /help              this list
  /model [NAME]      show or switch the model
  /system [TEXT]     show or set the system prompt (/system --clear removes it)
  /attach FILE       attach an image or document to your next message
  /save FILE         save the conversation as markdown (/save FILE --force overwrites)
  /clear             start a new conversation
  /history           show this conversation's turns
  /exit              leave (or Ctrl-D)
Type \"\"\" on a line to start and end a multi-line message. Ctrl-C stops an answer."""


@dataclass
class Reply:
    """What a slash command answers: text to show, and whether to leave."""

    text: str = ""
    leave: bool = False


class MultiLine:
    """Collects a message typed between two lines starting and ending with triple quotes."""

    def __init__(self) -> None:
        self.lines: list[str] | None = None

    @property
    def active(self) -> bool:
        return self.lines is not None

    def reset(self) -> None:
        self.lines = None

    def finish(self) -> str | None:
        """At the end of input: what an unterminated block holds (None outside a block)."""
        if self.lines is None:
            return None
        text = "\n".join(self.lines).strip("\n")
        self.lines = None
        return text

    def feed(self, line: str) -> str | None:
        """The complete message once there is one, else None (more lines wanted)."""
        line = line.rstrip("\r\n")
        if self.lines is None:
            stripped = line.strip()
            if not stripped.startswith(FENCE):
                return line
            rest = stripped[len(FENCE):]
            if len(rest) >= len(FENCE) and rest.endswith(FENCE):
                return rest[: -len(FENCE)]
            self.lines = [rest] if rest else []
            return None
        if line.rstrip().endswith(FENCE):
            self.lines.append(line.rstrip()[: -len(FENCE)])
            text = "\n".join(self.lines).strip("\n")
            self.lines = None
            return text
        self.lines.append(line)
        return None


def _text_of(message: dict[str, Any]) -> str:
    return "\n".join(b["text"] for b in message.get("content", []) if "text" in b)


@dataclass
class ChatCalls:
    """What a session uses: model names to targets, the runtime and recorder for the calls,
    and the history (opened when first needed; None when logging is off)."""

    target_for: common.TargetFor
    runtime: Runtime
    recorder: Recorder
    open_history: Callable[[], History | None]


class ChatSession:
    def __init__(self, calls: ChatCalls, *, model: str | None = None,
                 system: str | None = None, tuning: Tuning | None = None,
                 wrap: Callable[[str], str] | None = None,
                 notice: Callable[[str], None] | None = None) -> None:
        self.calls = calls
        self.notice = notice or (lambda _note: None)  # the command shows the tuning notes
        self.tgt = calls.target_for(model)
        self.system = system
        self.messages: list[dict[str, Any]] = []
        self.answered_by: list[str] = []  # the model of each answer in `messages`, in order
        self.conversation_id: str | None = None
        self.pending: list[dict[str, Any]] = []
        self.pending_names: list[str] = []
        self.tuning = tuning  # reasoning, prompt caching, a template's sampling
        self.wrap = wrap  # a template prompt with {input}: what each message becomes
        self._noted: set[str] = set()

    # -- conversation ------------------------------------------------------------------
    def resume(self, *, continue_last: bool, conversation_id: str | None) -> int:
        """Load an earlier conversation from history; the number of turns loaded."""
        from bedrock_cli.tasks.generate import GenerateInput, previous_messages

        messages, cid = previous_messages(self.calls.open_history, GenerateInput(
            prompt=None, continue_last=continue_last, conversation_id=conversation_id))
        if messages and messages[-1].get("role") == "user":  # an answer that never came
            messages = messages[:-1]
        self.messages, self.conversation_id = messages, cid
        answers = sum(1 for m in messages if m.get("role") == "assistant")
        self.answered_by = self._models_of(cid, answers)
        return sum(1 for m in messages if m.get("role") == "user")

    def _models_of(self, cid: str | None, answers: int) -> list[str]:
        """The models that gave the last `answers` answers of a logged conversation (one
        logged call per answered turn); "assistant" where the log cannot tell."""
        history = self.calls.open_history() if cid else None
        rows = history.conversation(cid) if cid and history is not None else []
        models = [str(row.get("model") or row.get("model_id") or "assistant") for row in rows
                  if row.get("status") != "error"][-answers:] if answers else []
        return ["assistant"] * (answers - len(models)) + models

    def send(self, text: str, on_text: Callable[[str], None] | None = None,
             on_reasoning: Callable[[str], None] | None = None) -> Outcome:
        """One turn: the answer streams to ``on_text`` (its reasoning to ``on_reasoning``);
        the turn is kept (a partial answer too, when Ctrl-C stops it) and logged in history
        under the conversation's id."""
        if self.wrap is not None:
            text = self.wrap(text)
        content: list[dict[str, Any]] = [*self.pending, {"text": text}]
        user: dict[str, Any] = {"role": "user", "content": content}
        request = common.request(self.tgt, content, task="chat", system=self.system,
                                 history=self.messages)
        log = CallLog(command="chat", model_name=self.tgt.name, prompt=text,
                      params={"attachments": self.pending_names} if self.pending_names else {},
                      conversation_id=self.conversation_id)
        if self.tuning is not None:
            from bedrock_cli.tasks import tuning

            for note in tuning.apply(request, self.tgt.model, self.tgt.name, self.tuning):
                if note not in self._noted:
                    self._noted.add(note)
                    self.notice(note)
            log.params.update(tuning.log_params(self.tuning))
        received: list[str] = []

        def collect(piece: str) -> None:
            received.append(piece)
            if on_text:
                on_text(piece)

        try:
            outcome = self.calls.recorder.text(self.calls.runtime, request, self.tgt.model,
                                               log, stream=True, on_text=collect,
                                               on_reasoning=on_reasoning)
        except InterruptedByUser:
            if received:
                self._keep(user, "".join(received))
            raise
        except BedrockCliError:
            self.pending, self.pending_names = [], []
            raise
        self._keep(user, outcome.result.text)
        self.conversation_id = self.conversation_id or outcome.history_id
        return outcome

    def _keep(self, user: dict[str, Any], answer: str) -> None:
        self.messages += [user, {"role": "assistant", "content": [{"text": answer or "…"}]}]
        self.answered_by.append(self.tgt.name)
        self.pending, self.pending_names = [], []

    def turns(self) -> list[tuple[str, str]]:
        users = [m for m in self.messages if m.get("role") == "user"]
        answers = [m for m in self.messages if m.get("role") == "assistant"]
        return [(_text_of(u), _text_of(a)) for u, a in zip(users, answers, strict=False)]

    def answerers(self) -> list[str]:
        """The model that gave each answer of `turns()`."""
        turns = len(self.turns())
        return (["assistant"] * (turns - len(self.answered_by)) + self.answered_by)[-turns:] \
            if turns else []

    # -- slash commands ----------------------------------------------------------------
    def command(self, line: str) -> Reply:
        name, _, arg = line.strip().partition(" ")
        arg = arg.strip()
        handler = {
            "/help": lambda: Reply(HELP), "/?": lambda: Reply(HELP),
            "/exit": lambda: Reply(leave=True), "/quit": lambda: Reply(leave=True),
            "/model": lambda: self._model(arg), "/system": lambda: self._system(arg),
            "/attach": lambda: self._attach(arg), "/save": lambda: self._save(arg),
            "/clear": self._clear, "/history": self._history,
        }.get(name.lower())
        if handler is None:
            return Reply(f"Unknown command {name}. Type /help for the list.")
        try:
            return handler()
        except UsageError as exc:
            return Reply(f"{exc.message}" + (f" {exc.hint}" if exc.hint else ""))

    def _model(self, arg: str) -> Reply:
        if arg:
            self.tgt = self.calls.target_for(arg)
            return Reply(f"Model: {self.tgt.name} (called as {self.tgt.model_id}).")
        return Reply(f"Model: {self.tgt.name} (called as {self.tgt.model_id}).")

    def _system(self, arg: str) -> Reply:
        if arg == "--clear":
            self.system = None
            return Reply("System prompt removed.")
        if arg:
            self.system = arg
            return Reply("System prompt set.")
        return Reply(f"System prompt: {self.system}" if self.system else "No system prompt.")

    def _attach(self, arg: str) -> Reply:
        if not arg:
            return Reply("Usage: /attach FILE")
        from bedrock_cli.tasks.attachments import load

        path = user_path(arg)
        self.pending += load([path], self.tgt.model, self.tgt.name)
        self.pending_names.append(str(path))
        return Reply(f"Attached {path}; it goes with your next message.")

    def _save(self, arg: str) -> Reply:
        force = "--force" in arg.split()
        name = " ".join(w for w in arg.split() if w != "--force")
        if not name:
            return Reply("Usage: /save FILE [--force]")
        path = user_path(name)
        if path.exists() and not force:
            return Reply(f"{path} exists; /save {name} --force overwrites it.")
        lines = [f"# Chat with {self.tgt.name}", ""]
        if self.system:
            lines += [f"System: {self.system}", ""]
        for question, answer in self.turns():
            lines += ["## You", "", question, "", "## Assistant", "", answer, ""]
        try:
            path.write_text("\n".join(lines), encoding="utf-8")
        except OSError as exc:
            return Reply(f"Cannot write {path}: {exc.strerror}.")
        return Reply(f"Saved {len(self.turns())} turn(s) to {path}.")

    def _clear(self) -> Reply:
        self.messages, self.conversation_id, self.answered_by = [], None, []
        self.pending, self.pending_names = [], []
        return Reply("New conversation.")

    def _history(self) -> Reply:
        turns = self.turns()
        if not turns:
            return Reply("No turns yet.")
        out = []
        for number, ((question, answer), model) in enumerate(
                zip(turns, self.answerers(), strict=True), start=1):
            out.append(f"{number}. you: {_short(question)}\n   {model}: {_short(answer)}")
        return Reply("\n".join(out))


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"

