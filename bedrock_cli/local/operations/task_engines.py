"""The local engines behind the CLI's task hints: summarize, ask, extract, translate, vision.

Each handler reads what the CLI sends on any backend — the documents between ``<document>``
tags or as document blocks, ``<source id=...>`` blocks and a ``Question:`` line for ``ask``, a
forced tool for ``extract`` — and the hints in ``requestMetadata`` (``length``, ``style``,
``focus``). Images in the last user message are described from measured properties for any
task but ``extract``. Translation is declined plainly: there is no translation model here,
and the emulator never fakes one.
"""

from __future__ import annotations

import base64
import binascii
import re

from .. import errors
from .tasks import TASKS, Generation, TaskContext, TaskHandler, fixed_text, task

_DOCUMENT = re.compile(r"<document\b[^>]*>\n?(.*?)\n?</document>", re.S)
_SOURCE = re.compile(
    r"<source\s+id=\"([^\"]+)\"(?:\s+file=\"([^\"]*)\")?[^>]*>\n?(.*?)\n?</source>", re.S)
_QUESTION = re.compile(r"(?:^|\n)\s*Question:\s*(.+?)\s*$", re.S)
_DESCRIBE = re.compile(
    r"\b(describe|description|caption|what(?:'s| is| do you see)? (?:in|on) (?:this|the)|"
    r"what do you see|what does (?:this|the) (?:image|picture|photo) show)\b", re.I)
NO_ANSWER = "The context does not contain the answer to that question."
NO_CONTEXT = ("The local backend answers only from the context sent with the question, and "
              "this request has none.")
CANNOT_TRANSLATE = (
    "The local backend cannot translate: it has no translation model, and it will not fake a "
    "translation. Translate with a model on Amazon Bedrock."
)


def _hint(ctx: TaskContext, key: str, allowed: tuple[str, ...], default: str) -> str:
    value = ctx.metadata.get(key, "").strip().lower()
    return value if value in allowed else default


def _document_texts(ctx: TaskContext) -> list[str]:
    """Text of the document blocks the user sent (a PDF's text extracted)."""
    texts = []
    for att in ctx.attachments:
        if att.kind != "document" or att.role != "user":
            continue
        if att.text is not None:
            texts.append(att.text)
        elif att.format == "pdf" and att.data:
            from bedrock_cli.inputs.pdf_text import PdfError, extract_text

            try:
                texts.append(extract_text(att.data))
            except PdfError as exc:
                raise errors.validation(
                    f"The local backend could not read the document {att.name!r}: {exc}."
                ) from None
    return texts


def source_text(ctx: TaskContext) -> str:
    """What a task works on: tagged documents, else document blocks, else the user's text."""
    text = "\n\n".join(
        b["text"] for m in ctx.messages if m.get("role") == "user"
        for b in m.get("content", []) if isinstance(b.get("text"), str)
    )
    tagged = _DOCUMENT.findall(text)
    if tagged:
        return "\n\n".join(tagged)
    documents = _document_texts(ctx)
    return "\n\n".join(documents) if documents else ctx.last_user_text


@task("summarize")
def summarize(ctx: TaskContext) -> Generation:
    from bedrock_cli.local.engines.summarizer import LENGTHS, STYLES
    from bedrock_cli.local.engines.summarizer import summarize as run

    length = _hint(ctx, "length", LENGTHS, "medium")
    style = _hint(ctx, "style", STYLES, "paragraph")
    focus = ctx.metadata.get("focus") or None
    summary = run(source_text(ctx), length=length, style=style, focus=focus)
    return fixed_text(summary or "There is no text to summarize.", ctx)


def _question(text: str) -> str:
    match = _QUESTION.search(_SOURCE.sub("", text))
    return (match.group(1) if match else _SOURCE.sub("", text)).strip()


@task("ask")
def ask(ctx: TaskContext) -> Generation:
    """Answer from each file's sources on its own (names in the question must appear near the
    answer, and one file's headings cannot outscore another file's sentence), best first."""
    from bedrock_cli.local.engines.qa import answer

    text = ctx.last_user_text
    question = _question(text)
    sources = [(m.group(1), m.group(2), m.group(3)) for m in _SOURCE.finditer(text)]
    if not sources:
        sources = [(str(i + 1), "", doc) for i, doc in enumerate(_document_texts(ctx))]
    if not sources:
        return fixed_text(NO_CONTEXT, ctx)
    groups: dict[str, list[tuple[str, str]]] = {}
    for ident, file, body in sources:
        groups.setdefault(file or ident, []).append((ident, body))
    best: tuple[float, str] | None = None
    for parts in groups.values():
        context, spans = "", []
        for ident, body in parts:
            if context:
                context += "\n\n"
            spans.append((len(context), len(context) + len(body), ident))
            context += body
        found = answer(question, context)
        if found.text is None or (best is not None and found.score <= best[0]):
            continue
        ident = next((i for start, end, i in spans if start <= found.start < end), spans[0][2])
        sentence = found.sentence or found.text
        if found.text != sentence:
            reply = f"{found.text.rstrip('.')}: “{sentence}” [{ident}]"
        else:
            reply = f"{sentence} [{ident}]"
        best = (found.score, reply)
    return fixed_text(best[1] if best else NO_ANSWER, ctx)




@task("extract")
def extract(ctx: TaskContext) -> Generation:
    spec = ctx.forced_tool
    if spec is None:  # toolChoice auto/any: the first tool the caller offers
        tools = (ctx.tool_config or {}).get("tools") or []
        spec = next((t["toolSpec"] for t in tools if "toolSpec" in t), None)
    if spec is None:
        return fixed_text("Extraction needs a schema: offer a tool whose inputSchema is the "
                          "JSON Schema to fill.", ctx)
    from bedrock_cli.local.engines.schema_fill import instance

    from .tools import ToolAnswer, check_schema

    schema = check_schema((spec.get("inputSchema") or {}).get("json") or {}, "inputSchema.json")
    return ToolAnswer([{"name": spec["name"], "input": instance(schema, source_text(ctx))}])


@task("translate")
def translate(ctx: TaskContext) -> Generation:
    raise errors.validation(CANNOT_TRANSLATE)


# -- images, for any task --------------------------------------------------------------------

def _images(ctx: TaskContext) -> list[bytes]:
    for message in reversed(ctx.messages):
        if message.get("role") != "user":
            continue
        found = []
        for block in message.get("content", []):
            source = (block.get("image") or {}).get("source") or {}
            raw = source.get("bytes")
            if isinstance(raw, str):
                try:
                    found.append(base64.b64decode(raw))
                except (binascii.Error, ValueError):
                    continue
        return found
    return []


def look(images: list[bytes], question: str) -> str:
    """Describe each image, or answer the question about it from its measurements."""
    from bedrock_cli.local.engines import vision

    parts = []
    for number, data in enumerate(images, start=1):
        try:
            if not question.strip() or _DESCRIBE.search(question):
                text = vision.describe(data).text
            else:
                text = vision.answer_about(data, question)
        except vision.ImageError:
            raise errors.validation(
                "Unable to process input image. Try again with a valid image."
            ) from None
        parts.append(text if len(images) == 1 else f"Image {number}: {text}")
    return "\n\n".join(parts)


def with_vision(handler: TaskHandler) -> TaskHandler:
    def handle(ctx: TaskContext) -> Generation:
        images = _images(ctx)
        if not images:
            return handler(ctx)
        return fixed_text(look(images, _question(ctx.last_user_text)), ctx)

    handle.__wrapped__ = handler  # type: ignore[attr-defined]
    handle.__name__ = getattr(handler, "__name__", "handler")
    return handle


for _name, _handler in list(TASKS.items()):
    if _name != "extract" and not hasattr(_handler, "__wrapped__"):
        TASKS[_name] = with_vision(_handler)
