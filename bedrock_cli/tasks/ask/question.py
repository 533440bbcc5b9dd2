"""Question answering over text, files and folders, and about images.

The context is read into passages with line ranges; when it is larger than the budget, the
passages most relevant to the question are retrieved (BM25). Each passage is sent as a numbered
``<source>`` the model is asked to cite as ``[n]``; the citations in the answer are mapped back
to files and line ranges and shown under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.tasks import common, retrieval
from bedrock_cli.tasks.ask import images as ask_images
from bedrock_cli.tasks.documents import Document
from bedrock_cli.tasks.textcall import CallLog

if TYPE_CHECKING:
    from bedrock_cli.types import TextRequest

SYSTEM = ("Answer the question using only the sources provided. Cite the sources you use by "
          "their numbers in square brackets, like [1]. If the sources do not contain the answer, "
          "say plainly that they do not; do not guess.")
SYSTEM_IMAGES = "Answer the question about the image(s) accurately and concisely."
SYSTEM_PLAIN = "Answer the question accurately and concisely. If you do not know, say so."
_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


@dataclass
class AskInput:
    question: str
    contexts: list[str] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    stdin: Document | None = None  # what was piped in
    model: str | None = None
    resize: bool = True
    chunk_tokens: int | None = None
    cache_prompt: bool = False  # the sources as their own block, before the question


@dataclass
class Prepared:
    request: TextRequest
    log: CallLog
    tgt: common.Target
    sent: list[retrieval.Passage]
    total_passages: int
    files: int
    notes: list[str]


def prepare(target_for: common.TargetFor, inp: AskInput) -> Prepared:
    question = " ".join(inp.question.split())
    if not question:
        raise UsageError("The question is empty.", 'Ask something: bedrock-cli ask "..."')
    tgt = target_for(inp.model)
    pictures = ask_images.load_all(inp.images, resize=inp.resize, model=tgt.model,
                               model_name=tgt.name)
    context = retrieval.gather(inp.contexts, inp.stdin.text() if inp.stdin else None)
    passages = context.passages()
    budget = common.chunk_tokens(tgt, inp.chunk_tokens) * common.CHARS_PER_TOKEN
    sent = retrieval.select(question, passages, budget)
    notes = [p.note for p in pictures if p.note]
    if context.skipped:
        notes.append(f"Skipped {len(context.skipped)} file(s) that are not text "
                     f"(e.g. {context.skipped[0]}).")
    if len(sent) < len(passages):
        notes.append(f"The context is larger than one call takes: sending the {len(sent)} most "
                     f"relevant of {len(passages)} passages.")
    body = "\n".join(common.quote_block("source", p.text, id=str(i), file=p.source,
                                        lines=p.lines) for i, p in enumerate(sent, start=1))
    text = (f"<sources>\n{body}\n</sources>\n\n" if sent else "") + f"Question: {question}"
    content: list[dict[str, Any]] = [*(p.block for p in pictures), {"text": text}]
    if inp.cache_prompt and sent:  # the stable sources first, so a cache point can follow
        content = [*(p.block for p in pictures), {"text": f"<sources>\n{body}\n</sources>"},
                   {"text": f"Question: {question}"}]
    system = SYSTEM if sent else SYSTEM_IMAGES if pictures else SYSTEM_PLAIN
    request = common.request(tgt, content, task="ask", system=system)
    log = CallLog(command="ask", model_name=tgt.name, prompt=question,
                  params={"context": inp.contexts, "images": [str(p) for p in inp.images],
                          "passages": len(sent)})
    return Prepared(request, log, tgt, sent, len(passages), len(context.texts), notes)


def cited(answer: str, sent: list[retrieval.Passage]) -> list[tuple[int, retrieval.Passage]]:
    """The passages the answer cites as [n] (or [n, m]), in order of first citation."""
    numbers: list[int] = []
    for match in _CITATION.finditer(answer):
        for part in match.group(1).split(","):
            n = int(part)
            if 1 <= n <= len(sent) and n not in numbers:
                numbers.append(n)
    return [(n, sent[n - 1]) for n in numbers]


def _quoted_lines(answer: str, passage: retrieval.Passage) -> tuple[int, int]:
    """The lines of the passage an answer quotes (a sentence of 4+ words found verbatim),
    else the whole passage's lines."""
    plain = _CITATION.sub(" ", answer)
    for sentence in re.split(r"(?<=[.!?])\s+|[“”\"]", plain):
        words = sentence.split()
        if len(words) < 4:
            continue
        found = re.search(r"\s+".join(map(re.escape, words)), passage.text)
        if found:
            first = passage.first_line + passage.text.count("\n", 0, found.start())
            return first, first + found.group().count("\n")
    return passage.first_line, passage.last_line


def sources(answer: str, sent: list[retrieval.Passage]) -> list[dict[str, Any]]:
    return [{"id": n, "file": p.source, "lines": list(_quoted_lines(answer, p))}
            for n, p in cited(answer, sent)]


def footer(answer: str, sent: list[retrieval.Passage]) -> str | None:
    """What is printed under the answer: the cited sources, else the files searched."""
    refs = sources(answer, sent)
    if refs:
        lines = [f"- [{r['id']}] {r['file']}:{_span(*r['lines'])}" for r in refs]
        return "Sources:\n" + "\n".join(lines)
    if not sent:
        return None
    ranges: dict[str, list[str]] = {}
    for p in sent:
        ranges.setdefault(p.source, []).append(p.lines)
    lines = [f"- {name}:{', '.join(_merge(spans))}" for name, spans in ranges.items()]
    return "Sources searched (none cited):\n" + "\n".join(lines)


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _merge(spans: list[str]) -> list[str]:
    merged: list[list[int]] = []
    for span in spans:
        first, _, last = span.partition("-")
        a, b = int(first), int(last or first)
        if merged and a <= merged[-1][1] + 2:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [f"{a}-{b}" if a != b else str(a) for a, b in merged]


def result_fields(prep: Prepared, answer: str) -> dict[str, Any]:
    return {"question": prep.log.prompt, "sources": sources(answer, prep.sent),
            "passages_sent": len(prep.sent), "passages_total": prep.total_passages,
            "files": prep.files}
