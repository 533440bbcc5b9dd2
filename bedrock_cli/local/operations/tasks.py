"""Task engines behind Converse: the dispatch point for ``requestMetadata["task"]``.

The CLI tags each Converse call with ``requestMetadata={"task": "summarize", ...}`` (AWS accepts
and logs it). ``converse.py`` validates the request like Bedrock, builds a :class:`TaskContext`
and calls ``TASKS.get(task, TASKS["generate"])(ctx)``. A task engine plugs in by registering a
handler from its own module (any module of ``bedrock_cli.local.operations`` is imported when the
emulator starts)::

    from bedrock_cli.local.operations.tasks import TaskContext, fixed_text, task

    @task("summarize")
    def summarize(ctx: TaskContext) -> Generation:
        return fixed_text(my_summarizer(ctx.last_user_text), ctx)

A handler returns a :class:`Generation`: an iterator of text pieces, one per token, that sets
``stop_reason`` (``end_turn``, ``max_tokens``, ``stop_sequence``) and ``output_tokens`` once
exhausted — exactly what ``textlm.LanguageModel.stream`` returns — and may set ``tool_uses``
(``[{"name": ..., "input": {...}}]``, e.g. for ``extract``'s forced tool) and
``stop_sequence`` (the stop sequence that matched). Converse turns that into the response or the
event stream, lazily, and computes usage from it. Raise ``errors.validation(...)`` (or any
``EmulatorError``) before yielding anything to refuse a request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


class Generation(Protocol):
    """Text pieces (one per token); the attributes are final once the iterator is exhausted."""

    stop_reason: str | None
    output_tokens: int

    def __iter__(self) -> Iterator[str]: ...


@dataclass
class Attachment:
    """An image, document, video or audio block of the conversation, decoded."""

    kind: str  # "image" | "document" | "video" | "audio"
    format: str
    data: bytes = b""  # raw bytes (empty for s3 sources and text documents)
    name: str = ""  # document name
    text: str | None = None  # a document's text, when it has one
    role: str = "user"


@dataclass
class TaskContext:
    """Everything a task engine needs, already validated like Bedrock would."""

    model: Any  # catalog ModelInfo
    model_id: str  # as the caller sent it (decoded)
    task: str
    prompt: str  # system + messages as one text: what inputTokens counts
    system: list[str]
    messages: list[dict[str, Any]]  # the Converse messages, as sent
    attachments: list[Attachment]
    max_tokens: int
    temperature: float
    top_p: float
    top_k: int | None
    stop: list[str]
    seed: int
    metadata: dict[str, str]
    tool_config: dict[str, Any] | None = None
    request: dict[str, Any] = field(default_factory=dict)  # the whole Converse body

    @property
    def last_user_text(self) -> str:
        """The text blocks of the last user message."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return "\n".join(
                    b["text"] for b in message.get("content", []) if isinstance(b.get("text"), str)
                )
        return ""

    @property
    def forced_tool(self) -> dict[str, Any] | None:
        """The toolSpec the caller forces with ``toolChoice: {"tool": {"name": ...}}``."""
        config = self.tool_config or {}
        name = (config.get("toolChoice") or {}).get("tool", {}).get("name")
        for tool in config.get("tools", []):
            spec = tool.get("toolSpec") or {}
            if name and spec.get("name") == name:
                return dict(spec)
        return None


TaskHandler = Callable[[TaskContext], Generation]
TASKS: dict[str, TaskHandler] = {}


def task(name: str) -> Callable[[TaskHandler], TaskHandler]:
    """Register the handler for ``requestMetadata["task"] == name``."""

    def register(handler: TaskHandler) -> TaskHandler:
        TASKS[name] = handler
        return handler

    return register


def handler_for(name: str | None) -> TaskHandler:
    """The handler for a task hint; unknown or missing hints get ``generate``."""
    return TASKS.get(name or "generate") or TASKS["generate"]


class FixedText:
    """A Generation over a text decided up front (extractive engines), honouring max tokens
    and stop sequences with the project tokenizer, so usage stays truthful."""

    def __init__(
        self,
        text: str,
        max_tokens: int,
        stop: list[str] | None = None,
        tool_uses: list[dict[str, Any]] | None = None,
    ) -> None:
        self.text, self.max_tokens, self.stop = text, max_tokens, list(stop or [])
        self.stop_reason: str | None = None
        self.stop_sequence: str | None = None
        self.output_tokens = 0
        self.tool_uses = list(tool_uses or [])

    def __iter__(self) -> Iterator[str]:
        from bedrock_cli.text.tokenizer import tokenize

        text, reason = self.text, "tool_use" if self.tool_uses else "end_turn"
        cuts = [(text.find(s), s) for s in self.stop if s and s in text]
        if cuts:
            at, self.stop_sequence = min(cuts)
            text, reason = text[:at], "stop_sequence"
        for piece in tokenize(text):
            if self.output_tokens >= self.max_tokens:
                self.stop_reason = "max_tokens"
                return
            self.output_tokens += 1
            yield piece
        self.stop_reason = reason


def fixed_text(
    text: str, ctx: TaskContext, tool_uses: list[dict[str, Any]] | None = None
) -> FixedText:
    return FixedText(text, ctx.max_tokens, ctx.stop, tool_uses)


@task("generate")
def generate(ctx: TaskContext) -> Generation:
    """Continue the conversation with the statistical language model."""
    from bedrock_cli.local.engines.textlm import get_model

    return get_model().stream(
        ctx.prompt,
        max_tokens=ctx.max_tokens,
        temperature=ctx.temperature,
        top_p=ctx.top_p,
        top_k=ctx.top_k,
        stop=ctx.stop,
        seed=ctx.seed,
    )
