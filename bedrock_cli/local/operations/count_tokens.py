"""CountTokens: how many input tokens a Converse or native InvokeModel request would use.

For ``input.converse`` the count is the one Converse reports as ``usage.inputTokens`` for the
same system and messages. For ``input.invokeModel.body`` (a native body, base64 on the wire) the
text fields are found generically, in document order, and joined the same way.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .. import errors, modelref
from ..router import Emulator, Request, Response, route
from . import conversation

COUNT_UNSUPPORTED = "The provided model doesn't support counting tokens."  # wording UNVERIFIED

# Keys whose string values (or lists of strings) are prompt text in the native bodies.
_TEXT_KEYS = frozenset(
    {
        "text",
        "prompt",
        "inputText",
        "system",
        "message",
        "preamble",
        "content",
        "texts",
        "query",
        "input",
        "inputs",
    }
)


def _texts(node: Any, key: str | None = None) -> list[str]:
    if isinstance(node, str):
        return [node] if key in _TEXT_KEYS and node else []
    if isinstance(node, list):
        return [t for item in node for t in _texts(item, key)]
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _texts(v, k)]
    return []


def native_text(body: bytes) -> str:
    """The prompt text of a native InvokeModel body."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise errors.validation(
            "Malformed input request: the invokeModel body is not valid JSON."
        ) from None
    return "\n\n".join(_texts(doc))


@route("POST", "/model/{modelId}/count-tokens", name="CountTokens")
def count_tokens(request: Request, emulator: Emulator) -> Response:
    ref = modelref.resolve(request.params["modelId"], emulator.region(request), invoke=False)
    if not modelref.is_text_model(ref.model):
        raise errors.unsupported_model()
    if not ref.model.count_tokens:
        raise errors.validation(COUNT_UNSUPPORTED)
    payload = request.json().get("input")
    if not isinstance(payload, dict) or len(payload) != 1:
        raise errors.validation(
            "The input field must contain exactly one of converse or invokeModel."
        )
    if isinstance(payload.get("converse"), dict):
        conv = payload["converse"]
        conversation.check_messages(conv.get("messages"), ref.model)
        text, _ = conversation.prompt_text(conv.get("system"), conv.get("messages"))
        extra = conversation.tool_tokens(conv.get("toolConfig"))
    elif isinstance(payload.get("invokeModel"), dict):
        raw = payload["invokeModel"].get("body")
        try:
            body = base64.b64decode(raw if isinstance(raw, str) else "", validate=True)
        except (binascii.Error, ValueError):
            raise errors.validation("The invokeModel body must be base64-encoded.") from None
        text, extra = native_text(body), 0
    else:
        raise errors.validation(
            "The input field must contain exactly one of converse or invokeModel."
        )
    from bedrock_cli.text.tokenizer import count_tokens as count

    return Response.json({"inputTokens": count(text) + extra})
