"""Text generation: build the Converse request from a prompt, stdin, attachments and history."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.tasks import attachments, params
from bedrock_cli.tasks.textcall import CallLog
from bedrock_cli.types import TextRequest

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo, Resolution
    from bedrock_cli.history import History


@dataclass
class GenerateInput:
    prompt: str | None
    stdin_text: str | None = None
    model: str | None = None
    system: str | None = None
    sampling: params.Sampling = field(default_factory=params.Sampling)
    attach: list[Path] = field(default_factory=list)
    continue_last: bool = False
    conversation_id: str | None = None
    task: str = "generate"
    cache_prompt: bool = False  # piped context first, as its own block, then the prompt


def prompt_text(prompt: str | None, stdin_text: str | None) -> str:
    """The argument, stdin, or both: stdin is appended as context after the instruction."""
    parts = [part for part in (prompt, stdin_text) if part and part.strip()]
    if not parts:
        raise UsageError("No prompt given.",
                         'Pass one as an argument (bedrock-cli generate "...") or pipe it in.')
    return "\n\n".join(part.rstrip("\n") for part in parts)


def previous_messages(open_history: Callable[[], History | None], inp: GenerateInput
                      ) -> tuple[list[dict[str, Any]], str | None]:
    """The conversation to continue (`-c` or `--cid`), as Converse messages; history is
    opened only then (`open_history`: None when logging is off)."""
    if not (inp.continue_last or inp.conversation_id):
        return [], None
    history = open_history()
    if history is None:
        raise UsageError("Cannot continue a conversation with history turned off.",
                         "Drop --no-log / BEDROCK_CLI_LOG=0, or start a new conversation.")
    if inp.conversation_id:
        rows = history.conversation(inp.conversation_id)
        if not rows:
            raise UsageError(f"No conversation with id {inp.conversation_id!r}.",
                             "List them with `bedrock-cli history list`.")
        last: dict[str, Any] | None = rows[-1]
    else:
        last = history.latest_conversation()
    if last is None:
        raise UsageError("There is no previous conversation to continue.",
                         "Run a prompt first, or drop -c.")
    messages = json.loads(last["messages"] or "[]")
    cleaned = []
    for message in messages:
        content = [block if "text" in block else
                   {"text": f"[{next(iter(block))} omitted from history]"}
                   for block in message.get("content", [])]
        if content:
            cleaned.append({"role": message["role"], "content": content})
    return cleaned, str(last["conversation_id"])


def build(resolve: Callable[[str | None], Resolution], default_model: str,
          open_history: Callable[[], History | None], inp: GenerateInput
          ) -> tuple[TextRequest, ModelInfo | None, CallLog]:
    """The request for the prompt: `resolve` turns the model name (None: `default_model`)
    into what to call; `open_history` is asked only to continue a conversation."""
    name = inp.model or default_model
    # ranges that need no model first: a bad flag is reported before the backend is chosen
    params.validate(inp.sampling, None, name)
    resolution = resolve(inp.model)
    model = resolution.model
    params.validate(inp.sampling, model, name)
    text = prompt_text(inp.prompt, inp.stdin_text)
    if inp.system and model is not None and not model.system_prompt:
        raise UsageError(f"{name} does not take a system prompt.",
                         "Put the instruction in the prompt instead, or use another model.")
    blocks = attachments.load(inp.attach, model, name)
    history, conversation_id = previous_messages(open_history, inp)
    content: list[dict[str, Any]] = [*blocks, {"text": text}]
    if inp.cache_prompt and inp.prompt and inp.prompt.strip() and inp.stdin_text and \
            inp.stdin_text.strip():  # the stable context before the cache point, prompt after
        content = [*blocks, {"text": inp.stdin_text.rstrip("\n")},
                   {"text": inp.prompt.rstrip("\n")}]
    metadata = {"task": inp.task}
    if inp.sampling.seed is not None:
        metadata["seed"] = str(inp.sampling.seed)
    request = TextRequest(
        model_id=resolution.model_id,
        messages=[*history, {"role": "user", "content": content}],
        system=[inp.system] if inp.system else [],
        max_tokens=inp.sampling.max_tokens,
        temperature=inp.sampling.temperature,
        top_p=inp.sampling.top_p,
        stop=list(inp.sampling.stop),
        additional_fields=params.additional_fields(inp.sampling, model),
        metadata=metadata,
    )
    log = CallLog(command=inp.task, model_name=model.id if model else name, prompt=text,
                  params=inp.sampling.as_dict(), conversation_id=conversation_id)
    return request, model, log
