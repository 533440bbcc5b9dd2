"""Summarization of inputs of any length: one call when the input fits, map-reduce otherwise.

What does not fit one call's budget is split on paragraph, then sentence boundaries; the parts
are summarized concurrently (a small thread pool, each part a Converse call), and the part
summaries are summarized again until they fit — then one last call, streamed, writes the
summary the user asked for. Length, style and focus go both into the prompt and into
``requestMetadata`` (where the local backend's engine reads them).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import InterruptedByUser, ServiceError, UsageError
from bedrock_cli.tasks import common, documents
from bedrock_cli.tasks.chunking import split_text
from bedrock_cli.tasks.textcall import CallLog, Outcome
from bedrock_cli.types import TextRequest

if TYPE_CHECKING:
    from bedrock_cli.recorder import Recorder
    from bedrock_cli.runtime import Runtime

LENGTHS = ("short", "medium", "long")
STYLES = ("paragraph", "bullets", "tldr")
WORKERS = 4
SHRINK = 0.8  # a reduce round must leave at most this share of its input, or step down
#: the part summaries asked for, longest first: long ones while a part holds many of them
PART_LENGTHS = ("long", "medium", "short")
_PART_MIN_CHARS = {"long": 6000, "medium": 1500, "short": 0}
SYSTEM = ("You summarize documents faithfully. Use only information stated in the document; "
          "do not add facts, opinions or commentary.")
_LENGTH = {"short": "one or two sentences", "medium": "three to five sentences",
           "long": "eight to twelve sentences"}
_STYLE = {"paragraph": "Write it as one paragraph of prose.",
          "bullets": "Write it as a markdown bullet list, one point per line.",
          "tldr": "Write it as a single line that starts with \"TL;DR:\"."}

Progress = Callable[[int, int], None]


@dataclass
class SummarizeInput:
    paths: list[str]
    stdin: documents.Document | None = None  # what was piped in
    model: str | None = None
    length: str = "medium"
    style: str = "paragraph"
    focus: str | None = None
    chunk_tokens: int | None = None
    cache_prompt: bool = False  # cache points; the document before the instruction


@dataclass
class Plan:
    tgt: common.Target
    inp: SummarizeInput
    docs: list[documents.Document]
    text: str  # the text part of the input (all of it unless PDFs go as document blocks)
    pdf_blocks: list[dict[str, Any]]
    parts: list[str]  # the text split for the map step; one part means one call
    budget_chars: int
    conversation_id: str | None
    started: float = field(default_factory=time.perf_counter)

    @property
    def label(self) -> str:
        return ", ".join(doc.name for doc in self.docs)


def _check(inp: SummarizeInput) -> None:
    if inp.length not in LENGTHS:
        raise UsageError(f"--length {inp.length!r} is not one of {', '.join(LENGTHS)}.",
                         "Use --length short, medium or long.")
    if inp.style not in STYLES:
        raise UsageError(f"--style {inp.style!r} is not one of {', '.join(STYLES)}.",
                         "Use --style paragraph, bullets or tldr.")


def _joined(docs: list[documents.Document]) -> str:
    if len(docs) == 1:
        return docs[0].text()
    return "\n\n".join(f"File: {doc.name}\n\n{doc.text().strip()}" for doc in docs)


def plan(target_for: common.TargetFor, inp: SummarizeInput, *, logging: bool) -> Plan:
    """Read the inputs and decide how they are sent (blocks or text) and split (parts); with
    `logging` (history on), the calls of a long input share a conversation id."""
    _check(inp)
    tgt = target_for(inp.model)
    docs = documents.read_inputs(inp.paths, inp.stdin)
    budget_chars = common.chunk_tokens(tgt, inp.chunk_tokens) * common.CHARS_PER_TOKEN
    pdf_blocks = _pdf_blocks(tgt, docs, budget_chars)
    text_docs = [doc for doc in docs if not (doc.is_pdf and pdf_blocks)]
    text = _joined(text_docs) if text_docs else ""
    if text_docs and not text.strip() and not pdf_blocks:
        raise UsageError("The input is empty: there is nothing to summarize.",
                         "Check the file, or pipe some text in.")
    parts = split_text(text, budget_chars) if text.strip() else []
    if len(parts) > 1 and pdf_blocks:  # too long to send beside PDFs: everything as text
        return plan_as_text(inp, tgt, docs, budget_chars, logging=logging)
    return Plan(tgt, inp, docs, text, pdf_blocks, parts, budget_chars,
                _new_id() if logging and len(parts) > 1 else None)


def plan_as_text(inp: SummarizeInput, tgt: common.Target, docs: list[documents.Document],
                 budget_chars: int, *, logging: bool) -> Plan:
    text = _joined(docs)
    parts = split_text(text, budget_chars)
    return Plan(tgt, inp, docs, text, [], parts, budget_chars,
                _new_id() if logging and len(parts) > 1 else None)


def _new_id() -> str:
    from bedrock_cli.history import new_id

    return new_id()


def _pdf_blocks(tgt: common.Target, docs: list[documents.Document],
                budget_chars: int) -> list[dict[str, Any]]:
    """PDFs as document blocks when the model takes them and they are not too long for one
    call (a PDF whose text is readable and over budget is map-reduced as text instead)."""
    from bedrock_cli.tasks.attachments import DOCUMENT_MAX_BYTES, MAX_DOCUMENTS, document_name

    pdfs = [doc for doc in docs if doc.is_pdf]
    if not pdfs or tgt.model is None or not tgt.model.documents or len(pdfs) > MAX_DOCUMENTS:
        return []
    if any(len(doc.pdf or b"") > DOCUMENT_MAX_BYTES for doc in pdfs):
        return []
    for doc in pdfs:
        try:
            if len(doc.text()) > budget_chars:
                return []
        except UsageError:
            continue  # unreadable here; the model may still read it
    names: set[str] = set()
    from pathlib import Path

    return [{"document": {"format": "pdf", "name": document_name(Path(doc.name), names),
                          "source": {"bytes": doc.pdf}}} for doc in pdfs]


def instruction_for(inp: SummarizeInput, *, part: tuple[int, int] | None = None,
                    combining: bool = False, part_length: str = "long") -> str:
    focus = f" Focus on {inp.focus.strip()}." if inp.focus and inp.focus.strip() else ""
    if part is not None:
        return (f"The document below is part {part[0]} of {part[1]} of a longer document. "
                f"Summarize this part in {_LENGTH[part_length]}, keeping names, numbers and "
                f"conclusions; the part summaries will be combined later.{focus}")
    what = ("Below are summaries of consecutive parts of one long document, in order. Write "
            "one summary of the whole document" if combining else "Summarize the document "
            "below")
    return f"{what} in {_LENGTH[inp.length]}. {_STYLE[inp.style]}{focus}"


def hints_for(inp: SummarizeInput, *, length: str, style: str) -> dict[str, str]:
    return {"length": length, "style": style, "focus": inp.focus or ""}


def _log(p: Plan, prompt: str, **params: Any) -> CallLog:
    settings = {"length": p.inp.length, "style": p.inp.style, "focus": p.inp.focus, **params}
    return CallLog(command="summarize", model_name=p.tgt.name, prompt=prompt,
                   params={k: v for k, v in settings.items() if v is not None},
                   conversation_id=p.conversation_id)


def _part_call(runtime: Runtime, recorder: Recorder, p: Plan, text: str, number: int,
               total: int, level: int, length: str) -> Outcome:
    instruction = instruction_for(p.inp, part=(number, total), part_length=length)
    content = [{"text": instruction + "\n\n" + common.quote_block("document", text)}]
    request = common.request(p.tgt, content, task="summarize", system=SYSTEM,
                             hints=hints_for(p.inp, length=length, style="paragraph"))
    log = _log(p, f"Summarize {p.label}: part {number} of {total}", stage="map",
               level=level, part=f"{number}/{total}")
    if p.inp.cache_prompt:  # the system prompt is the part every call shares
        from bedrock_cli.tasks.caching import mark

        mark(request, p.tgt.model, p.tgt.name)
    return recorder.text(runtime, request, p.tgt.model, log, stream=False)


def part_length(budget_chars: int) -> str:
    """The longest part summary that leaves a part room to shrink: 8–12 sentences only when
    a part holds far more than that."""
    return next(length for length in PART_LENGTHS if budget_chars >= _PART_MIN_CHARS[length])


def _round(runtime: Runtime, recorder: Recorder, p: Plan, parts: list[str], level: int,
           length: str,
           on_done: Callable[[Outcome], None]) -> list[str]:
    """One map round: every part summarized, WORKERS at a time; the summaries in order."""
    from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

    summaries: list[str] = [""] * len(parts)
    pool = ThreadPoolExecutor(max_workers=min(WORKERS, len(parts)),
                              thread_name_prefix="summarize")
    try:
        futures = {pool.submit(_part_call, runtime, recorder, p, part, i + 1, len(parts),
                               level, length): i
                   for i, part in enumerate(parts)}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in finished:
                outcome = future.result()  # raises the first failure
                summaries[futures[future]] = outcome.result.text.strip()
                on_done(outcome)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise InterruptedByUser("Interrupted while summarizing the parts; the calls that "
                                "finished are kept in history.", None) from None
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return summaries


def map_stage(runtime: Runtime, recorder: Recorder, p: Plan,
              on_progress: Progress | None = None,
              notice: Callable[[str], None] | None = None) -> tuple[str, list[Outcome]]:
    """Summarize the parts, round after round, until the summaries fit one call. The calls
    share one client whose pool holds every worker's connection (`fanout.pooled`).

    Each round must shrink its input to at most SHRINK of it; a round that does not makes
    the next one ask for shorter part summaries (long, medium, short). When even short ones
    do not shrink (sentences longer than a part), the rounds stop and the last call takes the
    summaries as they are if the model's context window holds them — with a notice, since
    that call is over --chunk-tokens — else the command fails (exit 5): the calls made are in
    history. Exit 2 is for what is known before any call."""
    outcomes: list[Outcome] = []
    parts, total = p.parts, len(p.parts)
    if len(parts) <= 1:
        return (parts[0] if parts else ""), outcomes
    from bedrock_cli.tasks import fanout

    runtime = fanout.pooled(runtime, WORKERS)

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_progress:
            on_progress(len(outcomes), total)

    length, size, level = part_length(p.budget_chars), len(p.text), 0
    while True:
        level += 1
        summaries = _round(runtime, recorder, p, parts, level, length, done)
        joined = "\n\n".join(s for s in summaries if s)
        if len(joined) <= p.budget_chars:
            return joined, outcomes
        if len(joined) > size * SHRINK:  # this round did not shrink its input enough
            if length == PART_LENGTHS[-1]:
                return _overflow(p, joined, notice), outcomes
            length = PART_LENGTHS[PART_LENGTHS.index(length) + 1]
        size = len(joined)
        parts = split_text(joined, p.budget_chars)
        total += len(parts)
        if on_progress:
            on_progress(len(outcomes), total)


def _overflow(p: Plan, joined: str, notice: Callable[[str], None] | None) -> str:
    """Part summaries that no longer shrink: the last call takes them whole when the context
    window holds them (half of it, the rest kept for instructions and the answer)."""
    tokens = common.estimate_tokens(joined)
    if tokens <= p.tgt.window // 2:
        if notice is not None:
            notice(f"The part summaries no longer get shorter; the last call takes all of "
                   f"them (about {tokens} tokens, over --chunk-tokens "
                   f"{p.budget_chars // common.CHARS_PER_TOKEN}).")
        return joined
    raise ServiceError(
        f"The part summaries no longer get shorter (about {tokens} tokens after the last "
        f"round), and they do not fit {p.tgt.name}'s context window of {p.tgt.window} tokens.",
        f"Use a larger --chunk-tokens (up to {common.max_chunk_tokens(p.tgt)}), or a model "
        "with a larger context window; the calls made are in history.")


def final(p: Plan, text: str, *, combining: bool) -> tuple[TextRequest, CallLog]:
    """The last call: the summary the user asked for, of the text (or the PDF blocks)."""
    instruction = instruction_for(p.inp, combining=combining)
    body = instruction
    if text.strip():
        body += "\n\n" + common.quote_block("document", text)
    content = [*p.pdf_blocks, {"text": body}]
    if p.inp.cache_prompt and text.strip():  # the stable document first, then the instruction
        content = [*p.pdf_blocks, {"text": common.quote_block("document", text)},
                   {"text": instruction}]
    request = common.request(p.tgt, content, task="summarize", system=SYSTEM,
                             hints=hints_for(p.inp, length=p.inp.length, style=p.inp.style))
    stage = {"stage": "reduce", "parts": len(p.parts)} if combining else {}
    return request, _log(p, f"Summarize {p.label}", **stage)


def result_fields(p: Plan, calls: int) -> dict[str, Any]:
    return {"inputs": [doc.name for doc in p.docs], "length": p.inp.length,
            "style": p.inp.style, "focus": p.inp.focus, "parts": max(1, len(p.parts)),
            "calls": calls}
