"""Words in and words out for the text engine's n-gram model.

The model's tokens are lower-cased words (with internal apostrophes and hyphens), numbers,
and the punctuation marks ``. , ; : ! ?`` and the dash ``—``; quotes, brackets and other
symbols are dropped, so generated text never has unbalanced quotes.  Rendering puts the
spaces, capitals (sentence starts and the corpus's own capitals, "I", "London") and
punctuation back.  This is not the usage tokenizer (see ``bedrock_cli/text/tokenizer.py``).
"""

from __future__ import annotations

import re

BOS = "<s>"  # context padding before a paragraph; never generated
EOS = "</s>"  # end of a paragraph: generating it ends the turn

TERMINAL = frozenset({".", "!", "?"})
PUNCT = frozenset({".", ",", ";", ":", "!", "?", "—"})
_STRENGTH = {".": 4, "!": 4, "?": 4, "—": 3, ";": 2, ":": 2, ",": 1}

_TOKEN = re.compile(
    r"(?P<title>(?:Mr|Mrs|Messrs|Dr|St|Mt|Capt|Col|Gen|Lt|Sgt|Rev|Prof|Hon|Jr|Sr)\.)(?=\s+[A-Z])"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*)"
    r"|(?P<num>\d+(?:[.,:]\d+)*(?:st|nd|rd|th|s)?)"
    r"|(?P<dash>-{2,}|[—–]|(?<=\s)-(?=\s))"
    r"|(?P<punct>[.,;:!?…])"
)


def surface_tokens(text: str) -> list[str]:
    """The model's tokens of ``text``, in their original case.

    Runs of punctuation collapse to their strongest mark (``"?!"`` -> ``"!"``,
    ``",--"`` -> ``"—"``), an ellipsis counts as a full stop.
    """
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        tok = m.group()
        if kind == "dash":
            tok = "—"
        elif kind == "punct" and tok == "…":
            tok = "."
        elif kind == "word" and "’" in tok:
            tok = tok.replace("’", "'")
        if tok in _STRENGTH:
            if out and out[-1] in _STRENGTH:
                if _STRENGTH[tok] >= _STRENGTH[out[-1]]:
                    out[-1] = tok
                continue
            if not out:
                continue  # text starting with punctuation: nothing to attach it to
        out.append(tok)
    return out


def join(prev: str | None, display: str, sentence_start: bool) -> str:
    """The text for one rendered model token after ``prev`` (None at the very start)."""
    if sentence_start and display[:1].islower():
        display = display[0].upper() + display[1:]
    if prev is None or display in PUNCT or prev == "—":
        return display
    return " " + display
