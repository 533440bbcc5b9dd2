"""Whether a text request can fit the model's context window, decided before the call.

Bedrock counts tokens with each model's own tokenizer, which the CLI does not have. What it
can know cheaply is a lower bound that holds for every tokenizer Bedrock's text models use
(and for the emulator's, `text/tokenizer.py`): a token never spans two words — runs
of non-blank characters — and is never longer than 16 characters. An input whose lower bound
is over the window cannot fit, and is refused (exit 2) with the sizes and the way out; nearer
the limit, Bedrock has the last word ("Input is too long for requested model.").

The bound costs one pass over the text: `str.split` up to 1 MB, numpy over the UTF-8 bytes
beyond (10 MB in about 0.1 s; tokenizing it would take seconds).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.clients import Clients
    from bedrock_cli.types import TextRequest

MAX_TOKEN_CHARS = 16
_SPLIT_LIMIT = 1_000_000  # characters: `str.split` below, numpy above
_BLANK = (0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C)


def least_tokens(text: str) -> int:
    """At least this many tokens: one per word, and one per 16 characters."""
    if not text:
        return 0
    words = len(text.split()) if len(text) <= _SPLIT_LIMIT else _words(text)
    return max(words, -(-len(text) // MAX_TOKEN_CHARS))


def _words(text: str) -> int:
    """Runs of bytes that are not ASCII blanks (other blanks only join words: still a lower
    bound)."""
    import numpy as np

    data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    blank = np.isin(data, _BLANK)
    starts = np.count_nonzero(blank[:-1] & ~blank[1:])
    return int(starts + (0 if blank[0] else 1))


def _texts(request: TextRequest) -> Iterator[str]:
    yield from request.system
    for message in request.messages:
        for block in message.get("content", []):
            if isinstance(block.get("text"), str):
                yield block["text"]
            doc: Any = block.get("document")
            if isinstance(doc, dict) and isinstance(doc.get("source", {}).get("text"), str):
                yield doc["source"]["text"]


def check(clients: Clients, request: TextRequest, model: ModelInfo | None, name: str) -> None:
    """Exit 2 before the call when the request's text cannot fit the model's context window
    (models outside the catalog are not checked: their window is not known)."""
    window = int(model.context_window) if model is not None and model.context_window else 0
    if not window:
        return
    texts = list(_texts(request))
    tokens = sum(least_tokens(text) for text in texts)
    if tokens <= window:
        return
    size = sum(len(text.encode("utf-8", "surrogatepass")) for text in texts)
    raise UsageError(
        f"The input is too long for {name}: at least {tokens:,} tokens ({_size(size)} of "
        f"text), and its context window is {window:,} tokens.",
        "Summarize it first (`bedrock-cli summarize FILE`, which works in parts), send a "
        f"part of it, or use a model with a larger context window{_bigger(clients, tokens)}.")


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB"


def _bigger(clients: Clients, tokens: int) -> str:
    """The text model with the smallest window that holds `tokens` and that can be called
    in this region, if the catalog has one."""
    from bedrock_cli.catalog import get_catalog

    region = clients.region or ""
    fits = [m for m in get_catalog().models(modality="text")
            if m.kind == "text" and m.context_window >= tokens and not m.legacy and
            (m.on_demand_in(region) or m.profile_geography_for(region))]
    if not fits:
        return ""
    best = min(fits, key=lambda m: (m.context_window, m.id))
    name = best.aliases[0] if best.aliases else best.id
    return f" (-m {name}: {best.context_window:,} tokens)"
