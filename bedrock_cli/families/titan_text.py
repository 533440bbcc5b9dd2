"""Amazon Titan Text (Express, Lite, Premier): `inputText` + `textGenerationConfig` (§2.2).

The conversation travels as one string, `User: ...\\nBot: ...\\nUser: ...\\nBot:`, the format
the Titan docs use for chat. Real responses say `completionReason: "FINISH"` (the docs'
"FINISHED" is not what the service sends).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.families.base import Done, Family, NativeCall, Parsed, StreamState
from bedrock_cli.families.body_schema import F, check_max, validate
from bedrock_cli.families.helpers import plain_turns, sampling_fields, with_last
from bedrock_cli.types import StreamEvent, TextDelta, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import TextRequest

CONFIG_FIELDS: dict[str, F] = {
    "temperature": F("number", minimum=0, maximum=1),
    "topP": F("number", minimum=0, maximum=1),
    "maxTokenCount": F("integer", minimum=0),
    "stopSequences": F("array", items="string"),
}
FIELDS: dict[str, F] = {
    "inputText": F("string", required=True),
    "textGenerationConfig": F("object", fields=CONFIG_FIELDS),
}
DEFAULT_MAX_TOKENS = 512
DEFAULT_TEMPERATURE = 0.7
DEFAULT_TOP_P = 0.9

TO_CONVERSE = {"FINISH": "end_turn", "FINISHED": "end_turn", "LENGTH": "max_tokens",
               "STOP_CRITERIA_MET": "stop_sequence", "CONTENT_FILTERED": "content_filtered"}
FROM_ENGINE = {"end_turn": "FINISH", "max_tokens": "LENGTH",
               "stop_sequence": "STOP_CRITERIA_MET"}

_TURN = re.compile(r"^(User|Bot):[ \t]?", re.MULTILINE)


def render(system: list[str], turns: list[tuple[str, str]]) -> str:
    """The Titan chat prompt: each turn as `User:`/`Bot:`, ending with an open `Bot:`."""
    lines = [*system]
    for role, text in turns:
        lines.append(f"{'User' if role == 'user' else 'Bot'}: {text}")
    return "\n".join(lines) + "\nBot:"


def parse_prompt(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Inverse of `render`; text with no `User:` marker is one user turn."""
    marks = list(_TURN.finditer(text))
    if not marks:
        return [], [("user", text.strip())]
    head = text[: marks[0].start()].strip()
    turns = []
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following else len(text)
        body = text[mark.end():end].strip()
        role = "user" if mark.group(1) == "User" else "assistant"
        if body or role == "user":
            turns.append((role, body))
    return ([head] if head else []), turns


class TitanText(Family):
    name = "titan-text"

    def build(self, request: TextRequest, model: ModelInfo | None) -> dict[str, Any]:
        turns = [(role, text) for role, text, _ in plain_turns(request, self.name)]
        body: dict[str, Any] = {"inputText": render(list(request.system), turns)}
        config = sampling_fields(request, model, {
            "temperature": "temperature", "top_p": "topP", "max_tokens": "maxTokenCount",
            "stop": "stopSequences"})
        if config:
            body["textGenerationConfig"] = config
        if request.additional_fields:
            raise UsageError("Titan Text takes no top-k or seed.", "Drop --top-k / --seed.")
        return body

    def parse(self, body: Mapping[str, Any]) -> Parsed:
        results = body.get("results") or [{}]
        first = results[0] if isinstance(results[0], dict) else {}
        reason = str(first.get("completionReason") or "")
        usage = None
        if "inputTextTokenCount" in body:
            inp = int(body.get("inputTextTokenCount") or 0)
            out = int(first.get("tokenCount") or 0)
            usage = Usage(inp, out, inp + out)
        return Parsed(str(first.get("outputText", "")), TO_CONVERSE.get(reason, reason), usage)

    def read_chunk(self, chunk: Mapping[str, Any], state: StreamState) -> list[StreamEvent]:
        if chunk.get("completionReason"):
            reason = str(chunk["completionReason"])
            state.stop_reason = TO_CONVERSE.get(reason, reason)
        text = chunk.get("outputText")
        return [TextDelta(str(text))] if text else []

    # -- emulator side -----------------------------------------------------------------
    def read(self, body: Mapping[str, Any], model: ModelInfo) -> NativeCall:
        validate(body, FIELDS)
        config = body.get("textGenerationConfig") or {}
        system, turns = parse_prompt(str(body["inputText"]))
        max_tokens = int(config.get("maxTokenCount", DEFAULT_MAX_TOKENS))
        return NativeCall(
            system=system, turns=turns,
            max_tokens=check_max("maxTokenCount", max_tokens, model),
            temperature=float(config.get("temperature", DEFAULT_TEMPERATURE)),
            top_p=float(config.get("topP", DEFAULT_TOP_P)),
            stop=[str(s) for s in config.get("stopSequences") or []],
        )

    def respond(self, call: NativeCall, done: Done) -> dict[str, Any]:
        return {"inputTextTokenCount": done.input_tokens,
                "results": [{"tokenCount": done.output_tokens, "outputText": done.text,
                             "completionReason": FROM_ENGINE.get(done.stop_reason, "FINISH")}]}

    def chunks(self, call: NativeCall, pieces: Iterator[str],
               done: Callable[[], Done]) -> Iterator[dict[str, Any]]:
        first = True
        for piece, last in with_last(pieces):
            end = done() if last else None
            yield {"outputText": piece, "index": 0,
                   "totalOutputTextTokenCount": end.output_tokens if end else None,
                   "completionReason": FROM_ENGINE.get(end.stop_reason, "FINISH")
                   if end else None,
                   "inputTextTokenCount": call.input_tokens if first else None}
            first = False
