"""Declared responses: answers a test declares up front, chosen by rules matched in order.

A rule matches on the model id (a glob, tried on the id as sent and on the catalog id), the
last user text and the system text (substring, or regex), and whether the request carries
tools; its answer is a text (or the stream's exact ``chunks``), tool calls, a stop reason,
usage, or a Bedrock error. A rule with ``answers = [...]`` gives them to successive matching
calls; **after the last, the last repeats**. A request no rule matches goes to the engines.

The answer is turned into a :class:`DeclaredGeneration` at the point where Converse and the
native text families choose their engine, so everything after it — the response shapes,
streaming, guardrails, usage — is the code every other answer goes through. The declared text
comes back exactly; usage is counted with the project tokenizer unless declared.

Rules come from a TOML or JSON file (``BEDROCK_CLI_LOCAL_RESPONSES``, ``serve --responses``)::

    [[rule]]
    model = "anthropic.*"            # glob; default "*"
    user = "weather"                 # substring of the last user text (user_regex: a regex)
    text = "Sunny, 21 °C."

    [[rule]]
    tools = true                     # only requests that carry tools
    tool_use = { name = "get_weather", input = { city = "Paris" } }

    [[rule]]
    user = "flaky"
    answers = [{ error = "ThrottlingException" }, { text = "ok" }]

or from Python (``local_bedrock.respond(...)``, ``mock_bedrock().respond(...)``), which takes
the same keys. ``rules.py`` holds what a rule is (:class:`~.rules.Rule`) and reads both; a
mistake is a ``rules.ResponsesError`` naming the rule and its line.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import errors
from .rules import Answer, Call, Rule, load_file

ENV = "BEDROCK_CLI_LOCAL_RESPONSES"


@dataclass
class Declared:
    """The rules of one emulator, in order; thread-safe."""

    rules: list[Rule] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def add(self, rule: Rule) -> Rule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def answer(self, call: Call) -> Answer | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(call):
                    return rule.take()
        return None

    def load(self, path: str | Path) -> list[Rule]:
        rules = load_file(path)
        for rule in rules:
            self.add(rule)
        return rules


# ---------------------------------------------------------------------------- the emulator side


def of(emulator: Any) -> Declared | None:
    found = emulator.options.extra.get("declared")
    return found if isinstance(found, Declared) else None


def install(emulator: Any, path: str | Path | None = None) -> Declared:
    """The emulator's rules (made on first use), with the rules of ``path`` added."""
    declared = of(emulator)
    if declared is None:
        declared = emulator.options.extra["declared"] = Declared()
    if path:
        declared.load(path)
    return declared


class DeclaredGeneration:
    """A Generation over a declared answer: its chunks (or the text split into tokens) as
    they are, then the declared (or counted) usage and stop reason."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.text = ""
        self.stop_reason: str | None = None
        self.stop_sequence: str | None = None
        self.output_tokens = 0
        self.input_tokens = answer.input_tokens
        self.tool_uses = [dict(u) for u in answer.tool_uses]

    def __iter__(self) -> Iterator[str]:
        from bedrock_cli.text.tokenizer import count_tokens, tokenize

        answer = self.answer
        pieces = list(answer.chunks) if answer.chunks is not None else tokenize(answer.text)
        for piece in pieces:
            self.text += piece
            yield piece
        counted = count_tokens(self.text) + sum(
            count_tokens(json.dumps(u["input"], ensure_ascii=False)) for u in self.tool_uses)
        self.output_tokens = answer.output_tokens if answer.output_tokens is not None \
            else counted
        self.stop_reason = answer.stop_reason or ("tool_use" if self.tool_uses else "end_turn")


def _last_user(turns: Sequence[tuple[str, str]]) -> str:
    return next((text for role, text in reversed(turns) if role == "user"), "")


def _generation(emulator: Any, call: Call) -> DeclaredGeneration | None:
    declared = of(emulator)
    answer = declared.answer(call) if declared is not None else None
    if answer is None:
        return None
    if answer.error is not None and answer.error not in modeled_errors(call.operation):
        raise errors.validation(
            f"The declared {answer.error} is not an error {call.operation} can return (Bedrock "
            f"sends it only from other operations); declare one of "
            f"{', '.join(sorted(modeled_errors(call.operation)))}.")
    answer.raise_error()
    return DeclaredGeneration(answer)


def modeled_errors(operation: str) -> frozenset[str]:
    """The errors botocore's model lists for ``operation``."""
    from .shapes import error_codes

    return frozenset(error_codes(operation))


def for_converse(emulator: Any, operation: str, ctx: Any) -> DeclaredGeneration | None:
    """The declared answer to a Converse request (a TaskContext), or None for the engines."""
    tools = bool((ctx.tool_config or {}).get("tools"))
    ids = (ctx.model_id, str(getattr(ctx.model, "id", "") or ""))
    return _generation(emulator, Call(operation, ids, ctx.last_user_text,
                                      "\n".join(ctx.system), tools))


def for_native(emulator: Any, operation: str, model_id: str, model: Any,
               body: Mapping[str, Any], call: Any) -> DeclaredGeneration | None:
    """The declared answer to a native text InvokeModel body (read into a NativeCall)."""
    tools = bool(body.get("tools") or body.get("toolConfig"))
    ids = (model_id, str(getattr(model, "id", "") or ""))
    gen = _generation(emulator, Call(operation, ids, _last_user(call.turns),
                                     "\n".join(call.system), tools))
    for use in gen.tool_uses if gen is not None else []:
        # native tool calls carry their id as "id" (families' Done.tool_uses)
        use["id"] = use.pop("toolUseId", None) or "tooluse_" + uuid.uuid4().hex[:22]
    return gen
