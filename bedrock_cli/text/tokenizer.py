"""The one tokenizer: the emulator's CountTokens, usage figures and ``max_tokens`` use it, and
``tokens`` counts with it offline for models Bedrock cannot count.

It is a pre-tokenizer in the style of GPT-2/cl100k's regular expression, followed by a
deterministic split of long letter runs, so that counts look like a BPE tokenizer's on
English (about one token per four characters of prose) without shipping a vocabulary:

* a word is one piece together with its leading space (``" streets"``); words longer than
  :data:`WORD_MAX` letters are split into balanced chunks of at most :data:`CHUNK` letters;
* English contractions are their own piece (``"don't"`` -> ``"don"``, ``"'t"``);
* digits come in groups of at most three (``"1814"`` -> ``"181"``, ``"4"``);
* every other symbol is its own piece, with its leading space if it has one;
* a run of newlines (with any spaces before it) is one piece; runs of spaces leave their
  last space to the word that follows, as BPE tokenizers do; long runs are chunked.

The pieces always concatenate back to the text exactly.  Any piece on its own tokenizes to
exactly one token, which is what lets the text engine stream one piece per token.
"""

from __future__ import annotations

import re

__all__ = ["CHUNK", "WORD_MAX", "count_tokens", "tokenize"]

WORD_MAX = 7
"""Longest letter run (not counting a leading space) that stays one token."""

CHUNK = 6
"""Longest chunk a longer letter run is split into."""

_SPACE_MAX = 16  # longest run of whitespace kept as one piece

_PIECE = re.compile(
    r"(?i:'(?:[sdmt]|ll|ve|re))(?![^\W\d_])"  # contractions: 's 't 'd 'm 'll 've 're
    r"|[ ]?[^\W\d_]+"  # a letter run, with its leading space
    r"|[ ]?\d{1,3}"  # up to three digits, with a leading space
    r"|[ ]?(?:[^\s\w]|_)"  # one symbol or punctuation mark, with a leading space
    r"|[^\S\n]*\n+"  # a run of newlines (and the spaces that end a line)
    r"|[^\S\n]+(?!\S)"  # spaces, leaving the last one to a following word
    r"|[^\S\n]+"  # other horizontal whitespace
    r"|(?s:.)"  # anything else (never reached; keeps the cover total)
)


def _split(piece: str) -> list[str]:
    """Split one regex piece that is too long into one-token chunks."""
    if piece[-1].isspace():  # whitespace or newline runs: fixed chunks from the left
        return [piece[i : i + _SPACE_MAX] for i in range(0, len(piece), _SPACE_MAX)]
    lead = 1 if piece[0] == " " else 0
    n = len(piece) - lead
    k = -(-n // CHUNK)  # number of chunks
    size, extra = divmod(n, k)
    out = []
    start = lead
    for i in range(k):
        end = start + size + (1 if i < extra else 0)
        out.append(piece[start:end])
        start = end
    if lead:
        out[0] = " " + out[0]
    return out


def _n_split(piece: str) -> int:
    if piece[-1].isspace():
        return -(-len(piece) // _SPACE_MAX)
    n = len(piece) - (1 if piece[0] == " " else 0)
    return -(-n // CHUNK)


def _long(piece: str) -> bool:
    """True when a regex piece is more than one token."""
    n = len(piece)
    if n <= WORD_MAX:
        return False
    if piece[-1].isspace():
        return n > _SPACE_MAX
    return n - (1 if piece[0] == " " else 0) > WORD_MAX


def tokenize(text: str) -> list[str]:
    """Split ``text`` into token pieces; ``"".join(tokenize(text)) == text`` always."""
    pieces: list[str] = _PIECE.findall(text)
    if not any(len(p) > WORD_MAX for p in pieces):
        return pieces
    out: list[str] = []
    for p in pieces:
        if _long(p):
            out.extend(_split(p))
        else:
            out.append(p)
    return out


def count_tokens(text: str) -> int:
    """The number of tokens in ``text`` (``len(tokenize(text))``, computed faster)."""
    pieces: list[str] = _PIECE.findall(text)
    n = len(pieces)
    for p in pieces:
        if len(p) > WORD_MAX and _long(p):
            n += _n_split(p) - 1
    return n
