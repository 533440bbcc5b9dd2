"""Meta Llama 3.x Instruct: one `prompt` string in the Llama 3 chat template (§2.4).

The native body has no stop sequences and no top-k. Llama 3.2 vision models take
`"images": [<base64>, ...]`, with an `<|image|>` marker in the user turn (marker UNVERIFIED).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.families.base import Done, Family, NativeCall, Parsed, StreamState
from bedrock_cli.families.body_schema import F, RangeError, check_max, validate
from bedrock_cli.families.helpers import (
    b64,
    describe_image,
    plain_turns,
    sampling_fields,
    unb64,
    with_last,
)
from bedrock_cli.types import StreamEvent, TextDelta, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.types import TextRequest

BEGIN = "<|begin_of_text|>"
IMAGE = "<|image|>"
FIELDS: dict[str, F] = {
    "prompt": F("string", required=True),
    "temperature": F("number", minimum=0, maximum=1),
    "top_p": F("number", minimum=0, maximum=1),
    "max_gen_len": F("integer", minimum=1),
    "images": F("array", items="string"),
}
DEFAULT_MAX_TOKENS = 512
DEFAULT_TEMPERATURE = 0.5
DEFAULT_TOP_P = 0.9
TO_CONVERSE = {"stop": "end_turn", "length": "max_tokens"}
FROM_ENGINE = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length"}

_HEADER = re.compile(
    r"<\|start_header_id\|>(\w+)<\|end_header_id\|>\n\n(.*?)(?:<\|eot_id\|>|\Z)", re.DOTALL)


def header(role: str, text: str | None = None) -> str:
    head = f"<|start_header_id|>{role}<|end_header_id|>\n\n"
    return head if text is None else f"{head}{text}<|eot_id|>"


def render(system: list[str], turns: list[tuple[str, str]]) -> str:
    parts = [BEGIN]
    if system:
        parts.append(header("system", "\n\n".join(system)))
    parts += [header(role, text) for role, text in turns]
    parts.append(header("assistant"))
    return "".join(parts)


def parse_prompt(prompt: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Inverse of `render`; a prompt without the template is one user turn."""
    found = [(m.group(1), m.group(2).replace(IMAGE, "").strip())
             for m in _HEADER.finditer(prompt)]
    if not found:
        return [], [("user", prompt.replace(BEGIN, "").replace(IMAGE, "").strip())]
    if found[-1][0] == "assistant" and not found[-1][1]:
        found.pop()  # the open assistant header the model writes into
    system = [text for role, text in found if role == "system" and text]
    turns = [("user" if role == "user" else "assistant", text)
             for role, text in found if role != "system"]
    return system, turns


class Llama(Family):
    name = "llama"

    def build(self, request: TextRequest, model: ModelInfo | None) -> dict[str, Any]:
        if request.stop:
            raise UsageError("Llama's native body takes no stop sequences.",
                             "Drop --stop, or use --api converse.")
        vision = model is None or model.vision
        turns, images = [], []
        for role, text, pictures in plain_turns(request, self.name, images=vision):
            turns.append((role, IMAGE * len(pictures) + text))
            images += [b64(data) for _fmt, data in pictures]
        body: dict[str, Any] = {"prompt": render(list(request.system), turns)}
        body.update(sampling_fields(request, model, {
            "temperature": "temperature", "top_p": "top_p", "max_tokens": "max_gen_len"}))
        if images:
            body["images"] = images
        return body

    def parse(self, body: Mapping[str, Any]) -> Parsed:
        reason = str(body.get("stop_reason") or "")
        usage = None
        if "prompt_token_count" in body or "generation_token_count" in body:
            inp = int(body.get("prompt_token_count") or 0)
            out = int(body.get("generation_token_count") or 0)
            usage = Usage(inp, out, inp + out)
        return Parsed(str(body.get("generation", "")), TO_CONVERSE.get(reason, reason), usage)

    def read_chunk(self, chunk: Mapping[str, Any], state: StreamState) -> list[StreamEvent]:
        if chunk.get("stop_reason"):
            reason = str(chunk["stop_reason"])
            state.stop_reason = TO_CONVERSE.get(reason, reason)
        text = chunk.get("generation")
        return [TextDelta(str(text))] if text else []

    # -- emulator side -----------------------------------------------------------------
    def read(self, body: Mapping[str, Any], model: ModelInfo) -> NativeCall:
        validate(body, FIELDS)
        raw_images = body.get("images") or []
        if raw_images and not model.vision:
            raise RangeError("This model doesn't support images. Remove images and try again.")
        system, turns = parse_prompt(str(body["prompt"]))
        images = [("image", unb64(item)) for item in raw_images]
        if images and turns:
            described = "\n".join(describe_image(f, d) for f, d in images)
            role, text = turns[-1]
            turns[-1] = (role, f"{described}\n{text}" if text else described)
        return NativeCall(
            system=system, turns=turns,
            max_tokens=check_max("max_gen_len", int(body.get("max_gen_len",
                                                             DEFAULT_MAX_TOKENS)), model),
            temperature=float(body.get("temperature", DEFAULT_TEMPERATURE)),
            top_p=float(body.get("top_p", DEFAULT_TOP_P)), images=images,
        )

    def respond(self, call: NativeCall, done: Done) -> dict[str, Any]:
        return {"generation": done.text, "prompt_token_count": done.input_tokens,
                "generation_token_count": done.output_tokens,
                "stop_reason": FROM_ENGINE.get(done.stop_reason, "stop")}

    def chunks(self, call: NativeCall, pieces: Iterator[str],
               done: Callable[[], Done]) -> Iterator[dict[str, Any]]:
        count = 0
        for piece, last in with_last(pieces):
            count += 1 if piece else 0
            end = done() if last else None
            yield {"generation": piece,
                   "prompt_token_count": call.input_tokens if count <= 1 else None,
                   "generation_token_count": end.output_tokens if end else count,
                   "stop_reason": FROM_ENGINE.get(end.stop_reason, "stop") if end else None}
