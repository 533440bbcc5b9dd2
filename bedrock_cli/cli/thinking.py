"""Showing a model's reasoning: streamed dimmed to stderr before the answer, hidden with
`--hide-reasoning` (it stays in history and in JSON either way).

The answer's live markdown display starts with the first piece of the answer, after the
reasoning has ended, so the two never fight over the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bedrock_cli.output import Output


class AnswerStream:
    """Callbacks for `Recorder.text`: `on_reasoning` (None when hidden) and `on_text`."""

    def __init__(self, out: Output, stack: ExitStack, show_reasoning: bool,
                 on_text: Callable[[str], None] | None = None) -> None:
        self.out = out
        self.stack = stack
        self.sink: Any = None
        self.reasoned = False
        self.extra = on_text
        self.on_reasoning: Callable[[str], None] | None = self._reasoning if show_reasoning \
            else None

    def _reasoning(self, piece: str) -> None:
        if piece:
            self.reasoned = True
            self.out.reasoning(piece)

    def start(self) -> Any:
        if self.sink is None:
            if self.reasoned:
                self.out.reasoning("\n\n")  # the answer starts on a line of its own
            self.sink = self.stack.enter_context(self.out.live_markdown())
        return self.sink

    def on_text(self, piece: str) -> None:
        self.start().add(piece)
        if self.extra is not None:
            self.extra(piece)


@contextmanager
def answer_stream(out: Output, *, show_reasoning: bool = True,
                  on_text: Callable[[str], None] | None = None) -> Iterator[AnswerStream]:
    """Stream an answer: reasoning dimmed on stderr, then the answer (live markdown on a
    terminal). The sink is always finished, so stdout ends with a newline."""
    with ExitStack() as stack:
        stream = AnswerStream(out, stack, show_reasoning, on_text)
        try:
            yield stream
        finally:
            stream.start()  # an empty answer still ends its line


def show_reasoning(out: Output, reasoning: str, *, hidden: bool) -> None:
    """A reasoning that arrived whole (`--no-stream`): dimmed on stderr before the answer."""
    if reasoning and not hidden and not out.json_mode:
        out.reasoning(reasoning.rstrip("\n") + "\n\n")
