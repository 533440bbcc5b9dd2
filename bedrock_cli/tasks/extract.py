"""Information extraction to JSON: Converse with one forced tool whose input schema is the
schema to fill; the tool input is validated, retried once with the validation error, and an
answer that still does not validate is an error (exit 5) that shows the raw answer."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import ServiceError, UsageError
from bedrock_cli.tasks import common, documents, schema
from bedrock_cli.tasks.textcall import CallLog, Outcome

if TYPE_CHECKING:
    from bedrock_cli.recorder import Recorder
    from bedrock_cli.runtime import Runtime
    from bedrock_cli.types import TextRequest

TOOL = "record_extraction"
SYSTEM = ("You extract structured data from documents. Use only values the document states, "
          "converted to the types the schema asks for; use null for anything it does not "
          "state. Answer by calling the tool.")


@dataclass
class ExtractInput:
    source: str | None = None
    stdin: documents.Document | None = None  # what was piped in
    fields: list[str] = field(default_factory=list)
    schema_file: Path | None = None
    many: bool = False
    model: str | None = None
    cache_prompt: bool = False  # the document as its own block, before the instruction


@dataclass
class Prepared:
    tgt: common.Target
    schema: dict[str, Any]  # what the answer must match (an object, or an array with --many)
    wrapped: bool  # the tool input is {"records": [...]}
    request: TextRequest
    log: CallLog
    notes: list[str]
    started: float = field(default_factory=time.perf_counter)


@dataclass
class Extracted:
    data: Any
    outcome: Outcome  # usage and cost of every attempt
    attempts: int


def _schema(inp: ExtractInput) -> dict[str, Any]:
    if inp.fields and inp.schema_file:
        raise UsageError("Give --field or --schema, not both.",
                         "Describe the fields with --field, or put them all in the schema file.")
    if not inp.fields and not inp.schema_file:
        raise UsageError("Nothing to extract: no --field or --schema given.",
                         'Add e.g. --field invoice_number --field total:number --field '
                         'date:date, or --schema schema.json.')
    found = schema.from_fields(inp.fields) if inp.fields else schema.load(
        inp.schema_file or Path())
    if inp.many and not schema.is_array(found):
        found = {"type": "array", "items": found}
    return found


def tool_config(tool_schema: dict[str, Any]) -> dict[str, Any]:
    spec = {"name": TOOL, "description": "Record the values extracted from the document.",
            "inputSchema": {"json": tool_schema}}
    return {"tools": [{"toolSpec": spec}], "toolChoice": {"tool": {"name": TOOL}}}


def prepare(target_for: common.TargetFor, inp: ExtractInput) -> Prepared:
    wanted = _schema(inp)
    wrapped = schema.is_array(wanted)
    tool_schema = ({"type": "object", "properties": {"records": wanted},
                    "required": ["records"]} if wrapped else {"type": "object", **wanted})
    tgt = target_for(inp.model)
    if tgt.model is not None and not tgt.model.tools:
        raise UsageError(f"{tgt.name} does not support tool use, which extract needs.",
                         "Use a model with tool use, e.g. -m nova-lite or -m haiku.")
    doc = documents.text_or_file(inp.source, inp.stdin)
    text = doc.text()
    if not text.strip():
        raise UsageError(f"The input ({doc.name}) is empty.", "Give some text to extract from.")
    limit = common.chunk_tokens(tgt, None) * common.CHARS_PER_TOKEN * 2
    if len(text) > limit:
        raise UsageError(f"The input is too long to extract from in one call (about "
                         f"{common.estimate_tokens(text)} tokens).",
                         "Extract from a smaller part, or split it and run extract per part.")
    what = "a list of records (one per item the document lists)" if wrapped else "the fields"
    instruction = (f"Extract {what} from the document below and call the {TOOL} tool with "
                   "them. Use null where the document does not give a value.")
    content = [{"text": instruction + "\n\n" + common.quote_block("document", text)}]
    if inp.cache_prompt:  # the stable document first, so a cache point can follow it
        content = [{"text": common.quote_block("document", text)}, {"text": instruction}]
    request = common.request(tgt, content, task="extract", system=SYSTEM,
                             tool_config=tool_config(tool_schema), temperature=0)
    if inp.cache_prompt:
        from bedrock_cli.tasks.caching import mark

        notes_cache = mark(request, tgt.model, tgt.name)
    else:
        notes_cache = []
    names = list((wanted.get("items", wanted) if wrapped else wanted).get("properties", {}))
    log = CallLog(command="extract", model_name=tgt.name,
                  prompt=f"Extract {', '.join(names) or 'data'} from {doc.name}",
                  params={"schema": wanted, "many": wrapped, "attempt": 1})
    notes = list(notes_cache)
    skipped = schema.unchecked(wanted)
    if skipped:
        notes.append("Not checked by bedrock-cli's validator (passed to the model as is): "
                     + ", ".join(skipped[:5]) + ".")
    return Prepared(tgt, wanted, wrapped, request, log, notes)


def read_answer(content: list[dict[str, Any]], text: str, wanted: dict[str, Any],
                wrapped: bool = False) -> tuple[Any, str | None, str, str | None]:
    """(data, problem, raw answer, toolUseId) of one answer: the tool's input checked
    against the schema asked for. `extract` and `batch run --task extract` both judge an
    answer by this, so the same data gets the same verdict."""
    for block in content:
        use = block.get("toolUse")
        if use and use.get("name") == TOOL:
            raw_input = use.get("input")
            raw = json.dumps(raw_input, ensure_ascii=False)
            data = raw_input.get("records") if wrapped and isinstance(raw_input, dict) \
                else raw_input
            problems = schema.validate(data, wanted)
            problem = "; ".join(problems[:5]) if problems else None
            return data, problem, raw, use.get("toolUseId")
    return None, f"the model answered without calling the {TOOL} tool", text, None


def shown_raw(raw: str) -> str:
    return raw if len(raw) <= 2000 else raw[:2000] + "…"


def _answer(prep: Prepared, outcome: Outcome) -> tuple[Any, str | None, str, str | None]:
    """(data, problem, raw answer, toolUseId) of one attempt."""
    return read_answer(outcome.result.content, outcome.result.text, prep.schema, prep.wrapped)


def _retry_request(prep: Prepared, outcome: Outcome, problem: str,
                   use_id: str | None) -> TextRequest:
    from dataclasses import replace

    assistant = outcome.result.content or [{"text": outcome.result.text or "(no answer)"}]
    fix = (f"That answer does not match the schema: {problem}. Call the {TOOL} tool again "
           "with corrected values; use null where the document does not give a value.")
    user: list[dict[str, Any]] = [{"text": fix}]
    if use_id:
        user.insert(0, {"toolResult": {"toolUseId": use_id, "status": "error",
                                       "content": [{"text": f"Invalid: {problem}"}]}})
    messages = [*prep.request.messages, {"role": "assistant", "content": assistant},
                {"role": "user", "content": user}]
    return replace(prep.request, messages=messages)


def extract(runtime: Runtime, recorder: Recorder, prep: Prepared,
            on_retry: Callable[[str], None] | None = None) -> Extracted:
    """Call, check the answer against the schema, and ask once more when it does not match
    (``on_retry`` is told why, before the second call)."""
    from dataclasses import replace

    from bedrock_cli.tasks.common import combine

    first = recorder.text(runtime, prep.request, prep.tgt.model, prep.log, stream=False)
    data, problem, raw, use_id = _answer(prep, first)
    recorder.set_response(first.history_id, raw)
    outcomes = [first]
    if problem:
        if on_retry is not None:
            on_retry(f"The answer did not match the schema ({problem}); asking again.")
        log = replace(prep.log, params={**prep.log.params, "attempt": 2},
                      conversation_id=first.history_id)
        second = recorder.text(runtime, _retry_request(prep, first, problem, use_id),
                               prep.tgt.model, log, stream=False)
        data, problem, raw, _ = _answer(prep, second)
        recorder.set_response(second.history_id, raw)
        outcomes.append(second)
        if problem:
            raise ServiceError(f"The model's answer does not match the schema after a retry: "
                               f"{problem}. Raw answer: {shown_raw(raw)}",
                               "Loosen the schema (allow null, fewer fields), or try a "
                               "stronger model (-m sonnet).")
    text = json.dumps(data, ensure_ascii=False)
    elapsed = int((time.perf_counter() - prep.started) * 1000)
    return Extracted(data, combine(outcomes, text, elapsed), len(outcomes))
