"""Bedrock batch records' `modelInput` / `modelOutput`, to and from the project's types.

`batch run` calls Converse for every record, so a Bedrock batch record's native `modelInput`
(Anthropic messages, Nova messages-v1, Titan, Llama, Mistral, Cohere) is read into Converse
terms here. `batch submit` writes Converse bodies (`modelInvocationType: "Converse"`) and
`batch fetch` reads Converse or native outputs back.

The family adapters (`bedrock_cli.families`) are the one place that should know native JSON;
`native_family` finds one when they are installed and the readers below are the minimal
fallback for the text families, kept to the fields the reference (§2) documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.types import TextRequest, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo


class InputShapeError(ValueError):
    """A modelInput this module cannot read as a text conversation."""


@dataclass
class Conversation:
    messages: list[dict[str, Any]]
    system: list[str] = field(default_factory=list)
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] = field(default_factory=list)


def _text_blocks(content: Any) -> list[dict[str, Any]]:
    """Converse text blocks from Converse, Nova or Anthropic content (or a plain string)."""
    if isinstance(content, str):
        return [{"text": content}]
    if not isinstance(content, list):
        raise InputShapeError("message content must be a string or a list of blocks")
    blocks = []
    for block in content:
        if isinstance(block, dict) and isinstance(block.get("text"), str):
            blocks.append({"text": block["text"]})
        else:
            kind = next(iter(block), "?") if isinstance(block, dict) else type(block).__name__
            kind = block.get("type", kind) if isinstance(block, dict) else kind
            raise InputShapeError(f"only text blocks can be run client-side, not {kind!r}")
    return blocks


def _system(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item["text"]) for item in value if isinstance(item, dict) and "text" in item]
    raise InputShapeError("system must be a string or a list of text blocks")


def _first(doc: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if doc.get(name) is not None:
            return doc[name]
    return None


def _stops(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def to_conversation(model_input: Any) -> Conversation:
    """Read a Converse body or a text family's native body as a conversation."""
    if not isinstance(model_input, dict):
        raise InputShapeError("modelInput must be a JSON object")
    doc = model_input
    if isinstance(doc.get("messages"), list):  # Converse, Nova messages-v1, Anthropic, Mistral
        messages = [{"role": str(m.get("role", "user")), "content": _text_blocks(m.get("content"))}
                    for m in doc["messages"] if isinstance(m, dict)]
        config = doc.get("inferenceConfig") or {}
        return Conversation(
            messages=messages,
            system=_system(doc.get("system")),
            max_tokens=_first(config, "maxTokens", "max_new_tokens") or _first(doc, "max_tokens"),
            temperature=_first(config, "temperature") if config else doc.get("temperature"),
            top_p=_first(config, "topP", "top_p") if config else doc.get("top_p"),
            top_k=_first(config, "topK", "top_k") if config else doc.get("top_k"),
            stop=_stops(_first(config, "stopSequences") or _first(doc, "stop_sequences", "stop")),
        )
    if isinstance(doc.get("inputText"), str):  # Titan Text
        config = doc.get("textGenerationConfig") or {}
        return Conversation([{"role": "user", "content": [{"text": doc["inputText"]}]}],
                            max_tokens=config.get("maxTokenCount"),
                            temperature=config.get("temperature"), top_p=config.get("topP"),
                            stop=_stops(config.get("stopSequences")))
    text = _first(doc, "prompt", "message")  # Llama / Mistral prompt, Cohere message
    if isinstance(text, str):
        return Conversation([{"role": "user", "content": [{"text": text}]}],
                            system=_system(doc.get("preamble")),
                            max_tokens=_first(doc, "max_gen_len", "max_tokens"),
                            temperature=doc.get("temperature"),
                            top_p=_first(doc, "top_p", "p"), top_k=_first(doc, "top_k", "k"),
                            stop=_stops(_first(doc, "stop", "stop_sequences")))
    raise InputShapeError("modelInput has no messages, inputText, prompt or message")


def converse_body(request: TextRequest) -> dict[str, Any]:
    """A Converse request body for a batch-inference record (`modelInvocationType: Converse`)."""
    body = request.converse_kwargs()
    body.pop("modelId", None)
    return body


def native_family(model: ModelInfo | None) -> Any | None:
    """The family adapter for a model (client side), when the adapters are installed."""
    if model is None:
        return None
    try:
        from bedrock_cli import families
    except ImportError:  # pragma: no cover
        return None
    finder = getattr(families, "family_for", None) or getattr(families, "get_family", None)
    if finder is None:
        return None
    try:
        return finder(model)
    except Exception:  # an unknown family: the caller falls back to Converse
        return None


@dataclass
class ParsedOutput:
    text: str
    stop_reason: str
    usage: Usage
    latency_ms: int | None = None
    data: Any = None  # a forced tool's input (extract)


def from_converse(output: Mapping[str, Any]) -> ParsedOutput:
    content = (output.get("output") or {}).get("message", {}).get("content", []) or []
    text = "".join(str(b["text"]) for b in content if isinstance(b, dict) and "text" in b)
    tools = [b["toolUse"].get("input") for b in content if isinstance(b, dict) and "toolUse" in b]
    latency = (output.get("metrics") or {}).get("latencyMs")
    return ParsedOutput(text, str(output.get("stopReason", "")),
                        Usage.from_converse(output.get("usage")),
                        int(latency) if latency is not None else None,
                        tools[0] if tools else None)


def _native_usage(doc: Mapping[str, Any]) -> Usage:
    usage = doc.get("usage") or {}
    inp = _first(usage, "input_tokens", "inputTokens") or _first(
        doc, "prompt_token_count", "inputTextTokenCount") or 0
    out = _first(usage, "output_tokens", "outputTokens") or doc.get("generation_token_count") or 0
    results = doc.get("results")
    if not out and isinstance(results, list) and results:
        out = results[0].get("tokenCount") or 0
    return Usage(int(inp), int(out), int(inp) + int(out))


def from_native(output: Mapping[str, Any], model: ModelInfo | None = None) -> ParsedOutput:
    """A native InvokeModel response body, through the family adapter when there is one."""
    family = native_family(model)
    if family is not None:
        parsed = family.parse(output)
        return ParsedOutput(parsed.text, parsed.stop_reason,
                            parsed.usage or _native_usage(output))
    if "output" in output and "message" in (output.get("output") or {}):  # Nova
        return from_converse(output)
    usage = _native_usage(output)
    if isinstance(output.get("content"), list):  # Anthropic
        text = "".join(b.get("text", "") for b in output["content"] if isinstance(b, dict))
        return ParsedOutput(text, str(output.get("stop_reason", "")), usage)
    if isinstance(output.get("results"), list) and output["results"]:  # Titan
        first = output["results"][0]
        return ParsedOutput(str(first.get("outputText", "")),
                            str(first.get("completionReason", "")), usage)
    if "generation" in output:  # Llama
        return ParsedOutput(str(output["generation"]), str(output.get("stop_reason", "")), usage)
    if isinstance(output.get("outputs"), list) and output["outputs"]:  # Mistral
        first = output["outputs"][0]
        return ParsedOutput(str(first.get("text", "")), str(first.get("stop_reason", "")), usage)
    if isinstance(output.get("text"), str):  # Cohere
        return ParsedOutput(output["text"], str(output.get("finish_reason", "")), usage)
    raise InputShapeError("modelOutput is not a text response this version can read")
