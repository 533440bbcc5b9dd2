"""What every family adapter shares: the types on both sides of the wire and a small schema
checker that reports violations the way Bedrock does.

A family module is the one place that knows a model family's native JSON. It holds both sides:

* the client side (`build`, `parse`, `read_chunk`) — used by `runtime.Runtime.invoke*` to turn a
  `TextRequest` into a native InvokeModel body and the response or stream chunks back into the
  project's types;
* the emulator side (`read`, `respond`, `chunks`) — used by `local/operations/native_text.py` to
  read a native body into a prompt and parameters, and to write the native response and chunks.

Bedrock validates native bodies with a JSON-schema validator (everit); its messages read
``Malformed input request: #: required key [max_tokens] not found, please reformat your input
and try again.`` for one violation and ``... 2 schema violations found ...`` for several
([ref] §4.1, and real captures in public issues). `BodyError` carries the violations;
`RangeError` carries a plain ValidationException message (a value the schema allows but the
model does not).
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.families.tooling import ToolDef, ToolResult
from bedrock_cli.types import StreamEvent, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import TextRequest

METRICS_KEY = "amazon-bedrock-invocationMetrics"
INPUT_TOKENS_HEADER = "x-amzn-bedrock-input-token-count"
OUTPUT_TOKENS_HEADER = "x-amzn-bedrock-output-token-count"
LATENCY_HEADER = "x-amzn-bedrock-invocation-latency"

# ---------------------------------------------------------------------------- errors


class BodyError(Exception):
    """A native body that does not fit the family's schema (Bedrock: "Malformed input")."""

    def __init__(self, violations: list[str]) -> None:
        super().__init__("; ".join(violations))
        self.violations = violations


class RangeError(Exception):
    """A well-formed body with a value the model refuses (a plain ValidationException)."""


# ---------------------------------------------------------------------------- schema

_TYPE_NAMES = {"string": "String", "number": "Number", "integer": "Integer",
               "boolean": "Boolean", "array": "JSONArray", "object": "JSONObject"}


@dataclass(frozen=True)
class F:
    """One field of a native body: its JSON type(s), whether it is required, its range."""

    type: str | tuple[str, ...]
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[Any, ...] | None = None
    items: str | None = None  # the JSON type of an array's items
    fields: Mapping[str, F] | None = None  # an object's fields (others are extraneous)


def _json_type(value: Any) -> str:
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fits(value: Any, wanted: str) -> bool:
    actual = _json_type(value)
    return actual == wanted or (wanted == "number" and actual == "integer") or (
        wanted == "integer" and isinstance(value, float) and value.is_integer())


def check(doc: Mapping[str, Any], fields: Mapping[str, F], path: str = "#") -> list[str]:
    """Everit-style violations of `doc` against `fields` (closed: unknown keys are refused)."""
    out: list[str] = []
    for name, spec in fields.items():
        if spec.required and name not in doc:
            out.append(f"{path}: required key [{name}] not found")
    for name, value in doc.items():
        found = fields.get(name)
        where = f"{path}/{name}"
        if found is None:
            out.append(f"{path}: extraneous key [{name}] is not permitted")
            continue
        spec = found
        types = (spec.type,) if isinstance(spec.type, str) else spec.type
        if not any(_fits(value, t) for t in types):
            wanted = " or ".join(_TYPE_NAMES[t] for t in types)
            actual = _TYPE_NAMES.get(_json_type(value), _json_type(value))
            out.append(f"{where}: expected type: {wanted}, found: {actual}")
            continue
        if spec.enum is not None and value not in spec.enum:
            out.append(f"{where}: {value} is not a valid enum value")
        if isinstance(value, int | float) and not isinstance(value, bool):
            if spec.minimum is not None and value < spec.minimum:
                out.append(f"{where}: {value} is not greater or equal to {spec.minimum:g}")
            if spec.maximum is not None and value > spec.maximum:
                out.append(f"{where}: {value} is not less or equal to {spec.maximum:g}")
        if spec.items and isinstance(value, list):
            for i, item in enumerate(value):
                if not _fits(item, spec.items):
                    actual = _TYPE_NAMES.get(_json_type(item), _json_type(item))
                    out.append(f"{where}/{i}: expected type: {_TYPE_NAMES[spec.items]}, "
                               f"found: {actual}")
        if spec.fields is not None and isinstance(value, dict):
            out.extend(check(value, spec.fields, where))
    return out


def validate(doc: Mapping[str, Any], fields: Mapping[str, F]) -> None:
    violations = check(doc, fields)
    if violations:
        raise BodyError(violations)


def over_limit(name: str, value: int, limit: int, model_id: str) -> RangeError:
    # Wording modelled on Anthropic's "max_tokens: N > M, which is the maximum allowed number of
    # output tokens for <model>" (UNVERIFIED for the other families).
    return RangeError(f"{name}: {value} > {limit}, which is the maximum allowed number of "
                      f"output tokens for {model_id}")


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


# ---------------------------------------------------------------------------- helpers


def with_last(pieces: Iterator[str]) -> Iterator[tuple[str, bool]]:
    """Each piece with whether it is the last; one empty last piece when there are none."""
    previous: str | None = None
    for piece in pieces:
        if previous is not None:
            yield previous, False
        previous = piece
    yield (previous or ""), True


def dig(doc: Mapping[str, Any], dotted: str) -> Any:
    node: Any = doc
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def top_k_of(request: TextRequest, model: ModelInfo | None) -> int | None:
    """The top-k generate put into Converse's additionalModelRequestFields."""
    paths = [model.top_k_field] if model is not None and model.top_k_field else \
        ["top_k", "k", "inferenceConfig.topK"]
    for path in paths:
        value = dig(request.additional_fields, path)
        if isinstance(value, int):
            return value
    return None


def sampling_fields(request: TextRequest, model: ModelInfo | None,
                    names: Mapping[str, str]) -> dict[str, Any]:
    """The sampling settings the request sets, under the family's own field names.

    `names` maps the project's fields (max_tokens, temperature, top_p, top_k, seed, stop) to
    the family's, in the order the family writes them; a field the family has no name for,
    or that the request leaves unset, is left out."""
    values: dict[str, Any] = {
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "top_k": top_k_of(request, model) if "top_k" in names else None,
        "seed": seed_of(request, model) if "seed" in names else None,
        "stop": list(request.stop) if request.stop else None,
    }
    return {native: values[field] for field, native in names.items()
            if values[field] is not None}


def seed_of(request: TextRequest, model: ModelInfo | None) -> int | None:
    if model is not None and model.seed_field:
        value = dig(request.additional_fields, model.seed_field)
        if isinstance(value, int):
            return value
    return None


def model_name(model: ModelInfo | None, request: TextRequest) -> str:
    return model.id if model is not None else request.model_id


def default_max_tokens(request: TextRequest, model: ModelInfo | None) -> int:
    if request.max_tokens is not None:
        return request.max_tokens
    if model is not None and model.default_max_tokens:
        return int(model.default_max_tokens)
    return 4096


def block_text(block: Mapping[str, Any], family: str) -> str | None:
    """A Converse block as text for families that take only text; None for images.

    Text documents are inlined; binary documents cannot travel in these native bodies."""
    if "text" in block:
        return str(block["text"])
    if "document" in block:
        doc = block["document"]
        fmt = str(doc.get("format", ""))
        source = doc.get("source", {})
        if fmt in ("txt", "md", "csv", "html") and isinstance(source.get("bytes"), bytes):
            text = source["bytes"].decode("utf-8", errors="replace")
            return f"[document: {doc.get('name', 'document')}]\n{text}"
        raise UsageError(
            f"The {family} native body cannot carry a {fmt or 'binary'} document.",
            "Use --api converse (the default) for documents, or attach a text file.",
        )
    if "image" in block:
        return None
    kind = next(iter(block), "unknown")
    raise UsageError(f"The {family} native body cannot carry a {kind} block.",
                     "Use --api converse (the default).")


def plain_turns(request: TextRequest, family: str, *,
                images: bool = False) -> list[tuple[str, str, list[tuple[str, bytes]]]]:
    """(role, text, images) per message; images are refused unless the family takes them."""
    out = []
    for message in request.messages:
        texts: list[str] = []
        pictures: list[tuple[str, bytes]] = []
        for block in message.get("content", []):
            text = block_text(block, family)
            if text is not None:
                texts.append(text)
                continue
            if not images:
                raise UsageError(f"The {family} native body cannot carry images.",
                                 "Use --api converse, or a vision model.")
            image = block["image"]
            pictures.append((str(image.get("format", "png")), bytes(image["source"]["bytes"])))
        out.append((str(message.get("role", "user")), "\n".join(texts), pictures))
    return out


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except ValueError:
        return b""


def describe_image(fmt: str, data: bytes) -> str:
    """The same description the Converse emulator puts in the prompt for an image."""
    return f"[image: {fmt or 'unknown'}, {len(data)} bytes]" if data else f"[image: {fmt}]"


def check_turns(turns: list[tuple[str, str]]) -> None:
    """Bedrock's conversation rules, as in Converse."""
    if not turns or turns[0][0] != "user":
        raise RangeError("A conversation must start with a user message. Try again with a "
                         "conversation that starts with a user message.")
    for (a, _), (b, _) in itertools.pairwise(turns):
        if a == b:
            raise RangeError("A conversation must alternate between user and assistant roles. "
                             "Make sure the conversation alternates between user and assistant "
                             "roles and try again.")


def check_max(name: str, value: int, model: ModelInfo) -> int:
    limit = int(model.max_output_tokens or 0)
    if limit and value > limit:
        raise over_limit(name, value, limit, model.id)
    return value
