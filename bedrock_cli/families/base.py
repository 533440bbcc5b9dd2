"""What every family adapter shares: the types on both sides of the wire and the `Family`
interface. The native-body checks are in `families/body_schema.py`, the helpers for building
and reading bodies in `families/helpers.py`.

A family module is the one place that knows a model family's native JSON. It holds both sides:

* the client side (`build`, `parse`, `read_chunk`) — used by `runtime.Runtime.invoke*` to turn a
  `TextRequest` into a native InvokeModel body and the response or stream chunks back into the
  project's types;
* the emulator side (`read`, `respond`, `chunks`) — used by `local/operations/native_text.py` to
  read a native body into a prompt and parameters, and to write the native response and chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.families.tooling import ToolDef, ToolResult
from bedrock_cli.types import StreamEvent, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import TextRequest

METRICS_KEY = "amazon-bedrock-invocationMetrics"
INPUT_TOKENS_HEADER = "x-amzn-bedrock-input-token-count"
OUTPUT_TOKENS_HEADER = "x-amzn-bedrock-output-token-count"
LATENCY_HEADER = "x-amzn-bedrock-invocation-latency"

# ---------------------------------------------------------------------------- emulator side


@dataclass
class NativeCall:
    """A native body read by the emulator: the conversation as text, and the sampling."""

    system: list[str]
    turns: list[tuple[str, str]]  # (role, text): role is "user" or "assistant"
    max_tokens: int
    temperature: float = 0.7
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (format, bytes)
    extra: dict[str, Any] = field(default_factory=dict)  # family-specific (e.g. chat format)
    input_tokens: int = 0  # set by the emulator once it has counted the prompt
    model_id: str = ""  # the catalog id, set by the emulator
    tools: list[ToolDef] = field(default_factory=list)  # the body's tools, read generically
    tool_choice: tuple[str, str | None] = ("auto", None)  # auto | any | tool | none, and name
    tool_results: list[ToolResult] = field(default_factory=list)  # the last turn's results
    question: str = ""  # the text of the last user turn that has text (tools decide on it)

    @property
    def prompt(self) -> str:
        """Joined like the Converse emulator joins system and messages, so the engine sees
        the same text (and counts the same input tokens) whichever API carried it."""
        return "\n\n".join([*self.system, *(text for _role, text in self.turns if text)])


@dataclass
class Done:
    """What the engine produced, for the native response and the last chunk."""

    text: str
    stop_reason: str  # the engine's: end_turn | max_tokens | stop_sequence
    input_tokens: int
    output_tokens: int
    stop_sequence: str | None = None
    response_id: str = ""
    tool_uses: list[dict[str, Any]] = field(default_factory=list)  # {"id", "name", "input"}


# ---------------------------------------------------------------------------- client side


@dataclass
class Parsed:
    """A native response body read by the client (stop reason in Converse's vocabulary)."""

    text: str
    stop_reason: str
    usage: Usage | None = None
    reasoning: str = ""


@dataclass
class StreamState:
    """What the client has learnt from the chunks so far."""

    stop_reason: str | None = None
    usage: Usage | None = None
    latency_ms: int | None = None
    done: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def metrics(self, chunk: Mapping[str, Any]) -> None:
        """Read `amazon-bedrock-invocationMetrics`, which only the last chunk carries."""
        metrics = chunk.get(METRICS_KEY)
        if not isinstance(metrics, dict):
            return
        inp = int(metrics.get("inputTokenCount") or 0)
        out = int(metrics.get("outputTokenCount") or 0)
        self.usage = Usage(inp, out, inp + out,
                           int(metrics.get("cacheReadInputTokenCount") or 0),
                           int(metrics.get("cacheWriteInputTokenCount") or 0))
        latency = metrics.get("invocationLatency")
        self.latency_ms = int(latency) if latency is not None else None
        self.done = True


def usage_from_headers(headers: Mapping[str, str]) -> Usage | None:
    """Token counts from InvokeModel's `X-Amzn-Bedrock-*-Token-Count` headers."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if INPUT_TOKENS_HEADER not in lowered and OUTPUT_TOKENS_HEADER not in lowered:
        return None
    inp = int(lowered.get(INPUT_TOKENS_HEADER) or 0)
    out = int(lowered.get(OUTPUT_TOKENS_HEADER) or 0)
    return Usage(inp, out, inp + out,
                 int(lowered.get("x-amzn-bedrock-cache-read-input-token-count") or 0),
                 int(lowered.get("x-amzn-bedrock-cache-write-input-token-count") or 0))


class Family:
    """A model family's native format. Subclasses implement both sides."""

    name = ""
    # Converse tool use (Bedrock User Guide "Supported models and model features" and the
    # ToolChoice reference): which toolChoice members the family takes, and whether tool use
    # works on ConverseStream. Whether a model has tools at all is the catalog's `tools` flag.
    tool_choices: tuple[str, ...] = ("auto",)
    stream_tools = False

    # -- client side -------------------------------------------------------------------
    def build(self, request: TextRequest, model: ModelInfo | None) -> dict[str, Any]:
        raise NotImplementedError

    def parse(self, body: Mapping[str, Any]) -> Parsed:
        raise NotImplementedError

    def read_chunk(self, chunk: Mapping[str, Any], state: StreamState) -> list[StreamEvent]:
        raise NotImplementedError

    # -- emulator side -----------------------------------------------------------------
    def read(self, body: Mapping[str, Any], model: ModelInfo) -> NativeCall:
        raise NotImplementedError

    def respond(self, call: NativeCall, done: Done) -> dict[str, Any]:
        raise NotImplementedError

    def chunks(self, call: NativeCall, pieces: Iterator[str],
               done: Callable[[], Done]) -> Iterator[dict[str, Any]]:
        """Native chunks for the pieces as they come; `done()` is valid once they are spent.
        The caller adds `amazon-bedrock-invocationMetrics` to the last chunk."""
        raise NotImplementedError


