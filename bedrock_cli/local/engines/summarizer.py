"""Extractive summarization: sentence splitting, TextRank over sentence similarity.

A pure library: no HTTP, no Bedrock JSON. The emulator calls :func:`summarize` when a
Converse call is tagged ``{"task": "summarize"}``. The summary is made only of sentences
taken from the input, kept in document order — nothing is paraphrased or invented.

Sentence splitting (:func:`split_sentences`) is shared with the QA engine; content words
(:func:`~bedrock_cli.text.terms.terms`) come from :mod:`bedrock_cli.text`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bedrock_cli.text.terms import stem, terms, words

from .structure import layout

if TYPE_CHECKING:  # numpy is imported lazily so importing this module stays cheap
    import numpy as np

__all__ = ["Sentence", "split_sentences", "summarize"]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


LENGTHS = ("short", "medium", "long")
STYLES = ("paragraph", "bullets", "tldr")

# Abbreviations whose trailing period does not end a sentence (lowercase, without dots).
_TITLES = _set("mr mrs ms dr prof sr jr st mt rev gen col capt lt sgt hon pres gov sen rep")
_ABBREVIATIONS = _TITLES | _set(
    "eg ie etc vs al cf approx dept est fig figs inc ltd co corp no nos vol vols pp ch sec "
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun us uk eu un "
    "usa am pm phd ba ma bsc msc av ave blvd rd ft oz lb lbs min max"
)
# Words that usually open a sentence; after "U.S." or "etc." they signal a real boundary.
_STARTERS = _set(
    "the a an this that these those it its he she they we i you there here his her their our "
    "but and so however in on at for if when while after before as then also"
)
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"(?<![A-Za-z.])([A-Za-z](?:[A-Za-z.]*[A-Za-z])?)$")
_NEXT_WORD = re.compile(r"\s*[\"'“‘(\[]*([A-Za-z0-9]+)")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*•+]|\d{1,3}[.)]|#{1,6})[ \t]+", re.M)
# A block of its own: a markdown heading, a line ending with ":", a "Label: value" line.
_HEADING = re.compile(
    r"^[ \t]*#{1,6}[ \t]+[^\n]*|^[^\n]*\S:[ \t]*$|^[ \t]*[A-Z][\w -]{0,30}:[ \t][^\n]*", re.M
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the source: whitespace-normalised ``text`` and its span in the source."""

    text: str
    start: int
    end: int
    paragraph: int


def _is_boundary(text: str, punct: int, stop: int, end: int) -> bool:
    """Decide whether the punctuation run ``text[punct:stop]`` closes a sentence."""
    nxt = _NEXT_WORD.match(text, stop, end)
    if nxt is None:
        return True
    following = nxt.group(1)
    if text[punct] == ".":  # only a period can belong to an abbreviation or an initial
        before = _WORD_BEFORE.search(text, max(0, punct - 30), punct)
        if before is not None:
            word = before.group(1)
            bare = word.replace(".", "").lower()
            glued = before.start() > 0 and not re.match(r"[\s\"'“‘(\[]", text[before.start() - 1])
            if bare in _TITLES or (len(bare) == 1 and not glued):
                return False  # "Mr. Smith", "J. Smith" (but "180°C. Beat" ends)
            if bare in _ABBREVIATIONS or "." in word:
                # "e.g. the", "the U.S. Army" go on; "… in the U.S. The next …" ends.
                return following[0].isupper() and following.lower() in _STARTERS
    return following[0].isupper() or following[0].isdigit()


def _units(text: str) -> Iterable[tuple[int, int, int]]:
    """Yield (start, end, paragraph index) of blocks: paragraphs and list items/headings."""
    pos = 0
    breaks = [*_PARAGRAPH.finditer(text), None]
    for para, match in enumerate(breaks):
        end = match.start() if match else len(text)
        # Each list item or heading line is its own block.
        cuts = [m.start() for m in _LIST_ITEM.finditer(text, pos, end)]
        for m in _HEADING.finditer(text, pos, end):  # a heading is one line
            cuts += [m.start(), m.end()]
        edges = sorted({pos, *cuts, end})
        for a, b in itertools.pairwise(edges):
            if text[a:b].strip():
                yield a, b, para
        pos = match.end() if match else len(text)


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences, respecting abbreviations, initials, decimals, quotes."""
    sentences: list[Sentence] = []
    for a, b, para in _units(text):
        start = a
        for m in _BOUNDARY.finditer(text, a, b):
            if _is_boundary(text, m.start(), m.end(), b):
                sentences.extend(_make(text, start, m.end(), para))
                start = m.end()
        sentences.extend(_make(text, start, b, para))
    return sentences


def _make(text: str, start: int, end: int, para: int) -> list[Sentence]:
    chunk = text[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    marker = _LIST_ITEM.match(chunk, lead)
    if marker:
        lead = marker.end()
    clean = _SPACE.sub(" ", chunk[lead:]).strip()
    if not clean:
        return []
    return [Sentence(clean, start + lead, start + len(chunk.rstrip()), para)]


def _vectors(bags: list[Counter[str]], dims: int = 2048) -> np.ndarray:
    """Row-normalised tf-idf matrix; vocabulary beyond ``dims`` terms is folded (hashed)."""
    import numpy as np

    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    # Frequent terms get their own column; rare terms share columns (approximate similarity).
    vocab = {t: i for i, (t, _) in enumerate(df.most_common())}
    width = max(1, min(dims, len(vocab)))
    rows, cols, vals = [], [], []
    for r, bag in enumerate(bags):
        for t, tf in bag.items():
            rows.append(r)
            cols.append(vocab[t] % width)
            vals.append((1.0 + math.log(tf)) * math.log(1.0 + n / df[t]))
    x = np.zeros((n, width), dtype=np.float32)
    np.add.at(x, (np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)), vals)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def _textrank(x: np.ndarray, prior: np.ndarray, window: int = 400, iters: int = 40) -> np.ndarray:
    """Personalised PageRank over cosine similarity; edges only within ``window`` sentences."""
    import numpy as np

    n = x.shape[0]
    block = max(1, window // 2)
    bands = []  # (row start, col start, similarity block)
    for r0 in range(0, n, block):
        r1 = min(n, r0 + block)
        c0, c1 = max(0, r0 - block), min(n, r1 + block)
        sim = x[r0:r1] @ x[c0:c1].T
        sim[sim < 0.05] = 0.0  # ignore near-orthogonal pairs (mostly hash noise)
        for i in range(r0, r1):
            sim[i - r0, i - c0] = 0.0
        bands.append((r0, c0, sim))
    degree = np.zeros(n, dtype=np.float32)
    for r0, _, sim in bands:
        degree[r0 : r0 + sim.shape[0]] += sim.sum(axis=1)
    inv = np.where(degree > 0, 1.0 / np.maximum(degree, 1e-12), 0.0).astype(np.float32)
    prior = prior / prior.sum()
    score = np.full(n, 1.0 / n, dtype=np.float32)
    damping = 0.85
    for _ in range(iters):
        flow = np.zeros(n, dtype=np.float32)
        spread = score * inv
        for r0, c0, sim in bands:
            flow[c0 : c0 + sim.shape[1]] += spread[r0 : r0 + sim.shape[0]] @ sim
        dangling = float(score[degree == 0].sum())
        new = ((1 - damping) * prior + damping * (flow + dangling * prior)).astype(np.float32)
        if float(np.abs(new - score).sum()) < 1e-6:
            return new
        score = new
    return score


# Words that mark what a reader must not miss: risks, conclusions, decisions, advice.
_CUES = frozenset(
    stem(w)
    for w in re.findall(
        r"\w+",
        "risk risks however must conclude concluded conclusion recommend recommendation "
        "therefore thus key important critical significant decide decided decision agree "
        "agreed result finding findings main overall summary warn warning concern problem "
        "threat danger fail failure crucial essential priority urgent deadline blocker",
    )
)


def _cue_weights(candidates: list[Sentence], bags: list[Counter[str]]) -> np.ndarray:
    """1 + a share for the cue words a sentence carries (at most two) and for the document's
    key terms (its eight most frequent content terms that occur at least twice)."""
    import numpy as np

    counts: Counter[str] = Counter()
    for bag in bags:
        counts.update(bag.keys())
    key = {t for t, c in counts.most_common(8) if c >= 2}
    weights = []
    for s, bag in zip(candidates, bags, strict=True):
        cues = len({stem(w) for w in words(s.text)} & _CUES)
        share = len(key & bag.keys()) / len(key) if key else 0.0
        weights.append((1.0 + 0.75 * min(2, cues)) * (1.0 + 0.5 * share))
    return np.array(weights, dtype=np.float32)


def _count(length: str, n: int) -> int:
    low, high, share = {"short": (1, 2, 0.1), "medium": (3, 5, 0.2), "long": (8, 12, 0.3)}[length]
    return min(n, max(low, min(high, round(n * share))))


def _truncate(sentence: str, max_words: int) -> str:
    words = sentence.split()
    return sentence if len(words) <= max_words else " ".join(words[:max_words]) + " …"


def summarize(
    text: str,
    *,
    length: str = "medium",
    style: str = "paragraph",
    focus: str | None = None,
    max_words: int | None = None,
) -> str:
    """Summarize ``text`` extractively with sentences from the text, in document order.

    ``length``: short (1–2 sentences), medium (3–5), long (8–12), fewer for short texts.
    ``style``: paragraph, bullets ("- " lines) or tldr (one sentence after "TL;DR: ").
    Headings and boilerplate ("Attendees: …", "Subject: …", sign-offs) are left out;
    sentences with the document's key terms and with risks, conclusions, decisions and
    advice ("however", "must", "recommend") weigh more.
    ``focus``: words to favour; sentences mentioning them rank higher.
    ``max_words``: an upper bound on the words of the summary (the best sentence is cut
    with "…" when even it does not fit).
    """
    import numpy as np

    if length not in LENGTHS:
        raise ValueError(f"length must be one of {', '.join(LENGTHS)}, not {length!r}")
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
    sentences = split_sentences(text)
    # Headings, "Attendees: …" lines, sign-offs and fragments are not what a text says.
    lay = layout(text, sentences)
    content = [s for s, b in zip(sentences, lay.boilerplate, strict=True) if not b]
    candidates = [s for s in content if len(s.text.split()) >= 4] or content or sentences
    if not candidates:
        return ""
    bags = [Counter(terms(s.text)) for s in candidates]
    x = _vectors(bags)
    n = len(candidates)
    index = np.arange(n, dtype=np.float32)
    # Position: the opening of a document and of each paragraph carries its gist.
    first_in_para = np.array(
        [i == 0 or s.paragraph != candidates[i - 1].paragraph for i, s in enumerate(candidates)]
    )
    position = 1.0 + 0.5 * (index == 0) + 0.4 * np.exp(-index / max(3.0, n / 20))
    position += 0.25 * first_in_para
    prior = np.ones(n, dtype=np.float32)
    focus_terms = set(terms(focus or ""))
    if focus_terms:
        hits = np.array([len(focus_terms & bag.keys()) / len(focus_terms) for bag in bags])
        prior += 4.0 * hits
        position = position * (1.0 + 3.0 * hits)
    informative = np.array([min(1.0, len(bag) / 5) for bag in bags]) ** 0.5
    cues = _cue_weights(candidates, bags)
    score = _textrank(x, prior.astype(np.float32)) * position * informative * cues

    want = 1 if style == "tldr" else _count(length, n)
    sizes = np.array([len(s.text.split()) for s in candidates])
    chosen: list[int] = []
    overlap = np.zeros(n, dtype=np.float32)  # similarity to the closest sentence picked so far
    budget = max_words if max_words is not None else int(sizes.sum())
    open_ = np.ones(n, dtype=bool)
    while len(chosen) < want:
        open_ &= sizes <= budget
        if not open_.any():
            break
        # Maximal marginal relevance: prefer high scores, avoid repeating what is picked.
        gain = np.where(open_, score * (1.0 - 0.7 * overlap), -np.inf)
        best = int(np.argmax(gain))
        chosen.append(best)
        open_[best] = False
        budget -= int(sizes[best])
        overlap = np.maximum(overlap, x @ x[best])
    if not chosen:  # even the best sentence is longer than max_words
        best = int(np.argmax(score))
        picked = [_truncate(candidates[best].text, max(1, max_words or 1))]
    else:
        picked = [candidates[i].text for i in sorted(chosen)]
    if style == "bullets":
        return "\n".join(f"- {s}" for s in picked)
    if style == "tldr":
        return "TL;DR: " + " ".join(picked)
    return " ".join(picked)
