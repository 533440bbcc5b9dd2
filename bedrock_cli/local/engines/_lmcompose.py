"""Generating a form with the n-gram model under constraints: haiku, lists, titles, yes/no,
one sentence.

Every word is drawn from the model's exact next-word distribution (:mod:`._lmdecode`) with
the request's temperature, top-p and top-k — greedy at temperature 0 — restricted to the
words the form allows next: a haiku line only takes words whose syllables still fit
(:mod:`._syllables`) and ends on a word a phrase can end on; a list item starts with a word
no other item started with; a title has three to seven words. The context starts a new
paragraph, and the instruction's topic words are made likelier until they are used. A line
that cannot meet its count is tried again with other draws; the likeliest success is kept.
Nothing here is canned text: remove the model and nothing is left.
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from bedrock_cli.local.engines._lmdecode import State, union
from bedrock_cli.local.engines._lmforms import Instruction
from bedrock_cli.local.engines._lmgeneration import Generation
from bedrock_cli.local.engines._lmtext import PUNCT, TERMINAL, join
from bedrock_cli.local.engines._syllables import syllables
from bedrock_cli.text import tokenizer

if TYPE_CHECKING:
    import numpy as np

    from bedrock_cli.local.engines.textlm import LanguageModel

__all__ = ["Composed", "compose"]

HAIKU = (5, 7, 5)
TOPIC_BOOST = 25.0  # how much likelier a topic word is until the answer has used it
ATTEMPTS = 12  # draws per constrained line or item
CANDIDATES = 400  # the most probable words considered at each step
_SMALL = frozenset(
    re.findall(r"\w+", "a an the and or but of in on at to for by with from as is nor")
)
# Words a line, an item or a title does not end on, whatever the corpus says.
_NO_END = _SMALL | frozenset(re.findall(
    r"\w+", "his her their my your our its than that which whose very when where while if "
    "because although though so had was were been be are have has am he she it they we i you "
    "not no who whom"))
Params = tuple[float, "float | None", "int | None"]


def _variants(word: str) -> list[str]:
    """A topic word and its singular and other spelling ("colours": colour, color)."""
    forms = [word, word.removesuffix("s"), word.removesuffix("es")]
    forms += [f.replace("our", "or") for f in forms if "our" in f]
    return [f for f in dict.fromkeys(forms) if len(f) > 1]


def _clone(st: State) -> State:
    twin = State.__new__(State)
    twin.__dict__.update(st.__dict__)
    twin.ctx = list(st.ctx)
    twin.seen = defaultdict(set, {k: set(v) for k, v in st.seen.items()})
    return twin


class _Writer:
    """The model, the request's sampling settings and the topic words."""

    def __init__(self, model: LanguageModel, form: Instruction, params: Params,
                 rng: random.Random) -> None:
        self.model, self.params, self.rng = model, params, rng
        self.topic = {i for w in form.topic for v in _variants(w.lower())
                      if (i := model.index.get(v)) is not None}
        self.unused = set(self.topic)  # topic words the answer has not used yet
        self.seeding = False  # open with a topic word ("London …", "The sea …")
        self.openers = {i for w in ("the", "my", "our") if (i := model.index.get(w))}

    def choices(self, st: State) -> tuple[np.ndarray, np.ndarray]:
        """The likeliest next words and their weights (after temperature, top-k, top-p)."""
        import numpy as np

        m = self.model
        temperature, top_p, top_k = self.params
        if temperature == 0:
            ids, w, tail_scale, mask = m.probs(st)
            head = m.tail_head(mask, 64)
            extra = tail_scale * m.tables.uni[head]
        else:
            ids, w, tail, scale, mask = m.filtered(st, temperature, top_p, top_k)
            head = m.tail_head(mask, 64) if tail > 0 else []
            extra = scale * m.temp(temperature)[0][head]
        ids = np.concatenate([ids, np.array(head, dtype=np.int64)])
        w = np.concatenate([w, extra])
        topical = np.isin(ids, list(self.unused)) if self.unused else None
        if topical is not None:
            w = w * np.where(topical, TOPIC_BOOST, 1.0)
        if len(w) > CANDIDATES:  # the likeliest words, and the topic words still unused
            keep = np.argpartition(-w, CANDIDATES - 1)[:CANDIDATES]
            if topical is not None:
                keep = union(keep, np.flatnonzero(topical))
            ids, w = ids[keep], w[keep]
        return ids, w

    def pick(self, st: State, allow: Callable[[int, str], bool], n: int = -1
             ) -> tuple[int, float] | None:
        """A next word ``allow(id, word)`` accepts: (id, log of its share), or None.
        ``n``: the word's position in its line or sentence (seeding opens with the topic)."""
        ids, w = self.choices(st)
        seed: set[int] | None = None
        if self.seeding and self.unused and n in (0, 1):
            seed = self.unused | self.openers if n == 0 else (
                self.unused if st.ctx[-1] in self.openers else None)
        ok = [(int(i), float(x)) for i, x in zip(ids, w, strict=True)
              if x > 0 and (seed is None or int(i) in seed)
              and allow(int(i), self.model.word(st, int(i)))]
        if not ok:
            return None
        total = sum(x for _, x in ok)
        if self.params[0] == 0:
            best = max(ok, key=lambda p: p[1])
        else:
            u, acc, best = self.rng.random() * total, 0.0, ok[-1]
            for p in ok:
                acc += p[1]
                if u < acc:
                    best = p
                    break
        return best[0], math.log(best[1] / total)

    def push(self, st: State, w: int) -> None:
        st.push(w)
        st.prev = self.model.word(st, w)
        if w in self.unused:
            self.unused = set()  # on topic now: no more pushing topic words into the text

    def is_word(self, w: int, word: str) -> bool:
        return w not in (0, self.model.eos) and word not in PUNCT and syllables(word) > 0

    def closes(self, w: int) -> bool:
        if w >= self.model.vocab_size:
            return True
        return not self.model.tables.open[w] and self.model.vocab[w] not in _NO_END

    def best_of(self, st: State, make: Callable[[State], tuple[list[int], float, bool]]
                ) -> list[int]:
        """Run ``make`` (words, mean log-share, constraint met) on copies of ``st``: once
        with the request's settings, then — when the constraint is not met or no topic
        word was used — with more draws (seeded, so temperature 0 stays reproducible).
        The best try is kept: constraint met, topic used, likeliest; ``st`` moves on."""
        params, rng, unused = self.params, self.rng, set(self.unused)
        tries = []
        for attempt in range(ATTEMPTS):
            if attempt == 1:
                self.params = (max(params[0], 0.8), params[1], params[2])
                self.rng = random.Random(rng.random() if params[0] else len(st.ctx))
            self.seeding = attempt >= ATTEMPTS // 2
            if self.seeding:  # a topic word is put in, not drawn: top-p/top-k do not cut it
                self.params = (self.params[0], None, None)
            trial = _clone(st)
            self.unused = set(unused)
            words, score, met = make(trial)
            topical = not unused or bool(unused & set(words))
            tries.append(((met, topical, score), words, trial, set(self.unused)))
            if met and topical:
                break
        self.params, self.rng, self.seeding = params, rng, False
        _, words, trial, self.unused = max(tries, key=lambda t: t[0])
        st.__dict__.update(trial.__dict__)
        return words


def _haiku_line(wr: _Writer, st: State, target: int) -> tuple[list[int], float, bool]:
    words: list[int] = []
    used, score = 0, 0.0
    while used < target:
        left = target - used

        def fits(w: int, word: str, left: int = left) -> bool:
            n = syllables(word)
            return wr.is_word(w, word) and 0 < n <= left and (n < left or wr.closes(w))

        got = wr.pick(st, fits, len(words))
        if got is None:
            break
        wr.push(st, got[0])
        words.append(got[0])
        used += syllables(wr.model.word(st, got[0]))
        score += got[1]
    return words, score / max(1, len(words)), used == target


def _phrase(wr: _Writer, st: State, low: int, high: int, starts: set[int], natural: bool = True
            ) -> tuple[list[int], float, bool]:
    """A phrase of ``low``–``high`` words from a new sentence, ending where a phrase can;
    its first word is not one of ``starts``. ``natural``: it must end where the model puts
    punctuation (a list item), not only where it is cut (a title)."""
    st.ctx = [0] * len(st.ctx)  # a new sentence
    words: list[int] = []
    score, ended = 0.0, False
    while len(words) < high:
        first, enough = not words, len(words) >= low

        def ok(w: int, word: str, first: bool = first, enough: bool = enough) -> bool:
            if first and w in starts:
                return False
            return (word in PUNCT and enough) or (wr.is_word(w, word) and word.isalpha())

        got = wr.pick(st, ok, len(words))
        if got is None:
            break
        if wr.model.word(st, got[0]) in PUNCT:
            ended = True
            break
        wr.push(st, got[0])
        words.append(got[0])
        score += got[1]
    while len(words) > low and not wr.closes(words[-1]):
        words.pop()  # "… of the" ends on "of the": drop them
    met = (ended or not natural) and len(words) >= low and wr.closes(words[-1])
    return words, score / max(1, len(words)), met


def _sentence(wr: _Writer, st: State, low: int = 5, high: int = 40
              ) -> tuple[list[int], float, bool]:
    words: list[int] = []
    score = 0.0
    for n in range(high):
        def ok(w: int, word: str, n: int = n) -> bool:
            if word in TERMINAL:
                return n >= low
            return (word in PUNCT and n > 0) or wr.is_word(w, word) or word.isdigit()

        got = wr.pick(st, ok, n)
        if got is None:
            break
        wr.push(st, got[0])
        words.append(got[0])
        score += got[1]
        if wr.model.word(st, got[0]) in TERMINAL:
            return words, score / len(words), True
    return words, score / max(1, len(words)), False


def _render(model: LanguageModel, st: State, words: list[int], start: bool = True) -> str:
    out, prev = "", None
    for i, w in enumerate(words):
        word = model.word(st, w)
        sentence_start = (i == 0 and start) or (prev is not None and prev in TERMINAL)
        out += join(prev, word, sentence_start)
        prev = word
    if prev not in TERMINAL:
        out = out.rstrip(",;:—") + "."
    return out


def _title_case(words: list[str]) -> str:
    return " ".join(w if i and w.lower() in _SMALL else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def compose(model: LanguageModel, form: Instruction, params: Params, seed: int | None) -> str:
    """The whole answer in ``form``, generated by ``model``."""
    wr = _Writer(model, form, params, random.Random(seed))
    st = State(model, " ".join(form.topic) + "\n")  # a new paragraph about the topic
    show = model.word
    if form.form == "haiku":
        lines = []
        for target in HAIKU:
            def line(s: State, t: int = target) -> tuple[list[int], float, bool]:
                return _haiku_line(wr, s, t)

            words = [show(st, w) for w in wr.best_of(st, line)]
            lines.append(_title_case(words[:1]) + "".join(" " + w for w in words[1:]))
        return "\n".join(lines).rstrip() + "."
    if form.form in ("list", "title"):
        count, (low, high) = (form.count, (3, 12)) if form.form == "list" else (1, (3, 7))
        items: list[str] = []
        starts: set[int] = set()
        for _ in range(count):
            wr.unused = set(wr.topic)  # each item on the topic where the corpus allows
            ids = wr.best_of(st, lambda s: _phrase(wr, s, low, high, starts,
                                                   natural=form.form == "list"))
            if not ids:
                break
            starts.add(ids[0])
            text = [show(st, w) for w in ids]
            items.append(_title_case(text) if form.form == "title" else
                         text[0][:1].upper() + " ".join(text)[1:])
        if form.form == "title":
            return items[0] if items else ""
        return "\n".join(f"{i}. {item}" for i, item in enumerate(items, start=1))
    if form.form == "yesno":
        yes, no = model.index.get("yes"), model.index.get("no")
        got = wr.pick(st, lambda w, _word: w in (yes, no))
        comma = model.index.get(",")
        if got is not None and comma is not None:
            wr.push(st, got[0])
            wr.push(st, comma)
            rest = wr.best_of(st, lambda s: _sentence(wr, s, low=3))
            return ("Yes, " if got[0] == yes else "No, ") + _render(model, st, rest, start=False)
    sentences = []  # "sentence": as many as asked for
    for _ in range(max(1, form.count)):
        sentences.append(_render(model, st, wr.best_of(st, lambda s: _sentence(wr, s))))
        wr.unused = set()  # the topic opens the answer; later sentences follow the model
    return " ".join(sentences)


class Composed(Generation):
    """A :class:`~._lmgeneration.Generation` whose text is a composed form, released one token at a
    time with the same max-tokens, stop-sequence and usage accounting."""

    def __init__(self, model: LanguageModel, form: Instruction, **kw: object) -> None:
        super().__init__(model, "", **kw)  # type: ignore[arg-type]
        self._form = form
        self._seed = kw.get("seed")
        self._pieces: list[str] | None = None

    def _step(self) -> None:
        if self._pieces is None:
            text = compose(self._model, self._form, self._params,
                           self._seed if isinstance(self._seed, int) else None)
            self._pieces = tokenizer.tokenize(text)[::-1]
        if self._generated >= self._max:
            self._finish("max_tokens")
            return
        if not self._pieces:
            self._finish("end_turn")
            return
        self._generated += 1
        self._offer([self._pieces.pop()])
