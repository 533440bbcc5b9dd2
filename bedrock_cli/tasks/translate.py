"""Translation that keeps markdown and line breaks; long inputs go in parts, in order.

The input is split on paragraph, then sentence boundaries (fenced code blocks kept whole) into
parts small enough that each translation fits the model's output limit; the whitespace between
parts is put back exactly as it was, so the layout survives. Each part is one streamed Converse
call tagged ``{"task": "translate"}``. The local backend has no translation model and refuses
such calls with a plain message (exit 5) — it never fakes a translation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import ServiceError, UsageError
from bedrock_cli.tasks import common, documents
from bedrock_cli.tasks.chunking import split_spans
from bedrock_cli.tasks.textcall import CallLog, Outcome

if TYPE_CHECKING:
    from bedrock_cli.recorder import Recorder
    from bedrock_cli.runtime import Runtime

SYSTEM = ("You are a professional translator. Translate faithfully and completely. Keep the "
          "markdown formatting, line breaks, blank lines, lists, tables, code blocks, inline "
          "code, URLs and placeholders exactly as they are. Reply with the translation only.")
OUTPUT_SHARE = 0.4  # a part's input may use this share of the model's output limit


@dataclass
class TranslateInput:
    source: str | None = None
    stdin: documents.Document | None = None  # what was piped in
    to: str = ""
    source_language: str | None = None
    model: str | None = None
    chunk_tokens: int | None = None


@dataclass
class Plan:
    tgt: common.Target
    inp: TranslateInput
    name: str
    text: str
    spans: list[tuple[int, int]]
    conversation_id: str | None
    started: float = field(default_factory=time.perf_counter)


def _language(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > 60 or not any(ch.isalpha() for ch in cleaned):
        raise UsageError(f"{option} {value!r} is not a language.",
                         f"Name it, e.g. {option} French or {option} pt-BR.")
    return cleaned


def prepare(target_for: common.TargetFor, inp: TranslateInput, *, logging: bool) -> Plan:
    """The parts to translate; with `logging` (history on), a long text's calls share a
    conversation id."""
    inp.to = _language(inp.to, "--to") or ""
    inp.source_language = _language(inp.source_language, "--from")
    tgt = target_for(inp.model)
    doc = documents.text_or_file(inp.source, inp.stdin)
    text = doc.text()
    if not text.strip():
        raise UsageError(f"The input ({doc.name}) is empty.", "Give some text to translate.")
    budget = common.chunk_tokens(tgt, inp.chunk_tokens)
    if tgt.model is not None and tgt.model.max_output_tokens:
        budget = min(budget, max(200, int(tgt.model.max_output_tokens * OUTPUT_SHARE)))
    spans = split_spans(text, budget * common.CHARS_PER_TOKEN)
    conversation = None
    if len(spans) > 1 and logging:
        from bedrock_cli.history import new_id

        conversation = new_id()
    return Plan(tgt, inp, doc.name, text, spans, conversation)


def instruction_for(inp: TranslateInput) -> str:
    source = f" from {inp.source_language}" if inp.source_language else ""
    return (f"Translate the document below{source} into {inp.to}. Keep its markdown and line "
            "breaks exactly. Reply with the translation only, without the document tags.")


def translate(runtime: Runtime, recorder: Recorder, plan: Plan,
              on_text: Callable[[str], None] | None = None,
              on_warning: Callable[[str], None] | None = None) -> tuple[Outcome, int]:
    """Translate part after part, streaming each; the whitespace between parts is kept
    (``on_warning`` hears of a part cut off at the output limit). Returns the combined
    outcome and the number of parts."""
    from bedrock_cli.tasks.common import combine

    text, spans, inp = plan.text, plan.spans, plan.inp
    pieces: list[str] = [text[: spans[0][0]]] if spans else []
    if pieces and pieces[0] and on_text:
        on_text(pieces[0])
    outcomes: list[Outcome] = []
    hints = {"to": inp.to, "from": inp.source_language or ""}
    max_tokens = plan.tgt.model.max_output_tokens if plan.tgt.model else None
    for number, (start, end) in enumerate(spans, start=1):
        content = [{"text": instruction_for(inp) + "\n\n" +
                    common.quote_block("document", text[start:end])}]
        request = common.request(plan.tgt, content, task="translate", system=SYSTEM,
                                 hints=hints, max_tokens=max_tokens)
        params: dict[str, Any] = {"to": inp.to, "from": inp.source_language}
        if len(spans) > 1:
            params["part"] = f"{number}/{len(spans)}"
        log = CallLog(command="translate", model_name=plan.tgt.name,
                      prompt=f"Translate {plan.name} into {inp.to}",
                      params={k: v for k, v in params.items() if v},
                      conversation_id=plan.conversation_id)
        trim = _Trim(on_text)
        try:
            outcome = recorder.text(runtime, request, plan.tgt.model, log, stream=True,
                                    on_text=trim.add)
        except ServiceError as exc:
            if "cannot translate" in exc.message:  # the local backend's plain refusal
                exc.hint = "Translate on Amazon Bedrock: --backend aws, with no --endpoint-url " \
                    "pointing at `bedrock-cli serve` (the emulator never fakes a translation)."
            raise
        if outcome.result.stop_reason == "max_tokens" and on_warning is not None:
            on_warning(f"part {number} of the translation was cut off at the model's "
                       "output limit; lower --chunk-tokens.")
        outcomes.append(outcome)
        following = spans[number][0] if number < len(spans) else len(text)
        gap = text[end:following]
        pieces += [outcome.result.text.strip("\n"), gap]
        if gap and on_text:
            on_text(gap)
    elapsed = int((time.perf_counter() - plan.started) * 1000)
    return combine(outcomes, "".join(pieces), elapsed), len(spans)


class _Trim:
    """Passes streamed text on without a part's leading and trailing newlines (the original
    whitespace between parts is what separates them)."""

    def __init__(self, sink: Callable[[str], None] | None) -> None:
        self.sink, self.pending, self.started = sink, "", False

    def add(self, piece: str) -> None:
        if self.sink is None:
            return
        if not self.started:
            piece = piece.lstrip("\n")
            if not piece:
                return
            self.started = True
        piece = self.pending + piece
        kept = piece.rstrip("\n")
        self.pending = piece[len(kept):]
        if kept:
            self.sink(kept)
