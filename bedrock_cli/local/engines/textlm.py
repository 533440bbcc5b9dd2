"""The emulator's text engine: a word 4-gram language model, honest about what it is.

* **Corpus model** — a 4-gram model with interpolated modified Kneser-Ney smoothing,
  trained on the English corpus shipped in ``data/``, every ``*.txt.xz`` file there
  (public-domain novels, WordNet's usage examples and original modern prose; see
  ``data/README.md``).  Trained once with numpy (about two seconds) and cached as a
  memory-mapped file in the cache directory (:mod:`._lmcache`, :mod:`._lmtrain`).  When
  decoding, the lower orders' interpolation weights are scaled down
  (``_lmdecode.BACKOFF``: x0.7, x0.6 and x0.3 for backing off from 4-, 3- and 2-grams),
  trading some perplexity for text that reads as English, not word salad.
* **Request model** — the prompt's own words: the words that followed the current context
  in the prompt are mixed in, weighted by how often the prompt has seen that context, and
  the prompt's topic words are made likelier wherever the corpus model allows them, so a
  continuation can reuse the prompt's words (:class:`._lmdecode.PromptModel`).
* **Decoding** — the next-word distribution is exact over the whole vocabulary;
  temperature, then top-k, then top-p are applied to it; temperature 0 is greedy
  (:mod:`._lmdecode`).  The decoding policy also never repeats a 4-gram, only ends the
  turn (the corpus's paragraph end) after a full sentence, and keeps punctuation where
  punctuation can go.
* **Output** — words are written with spaces, capitals and punctuation restored and
  streamed one :mod:`.tokenizer` token at a time, so usage counts always match the text.

numpy is imported only when the model is first used.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Iterator, Sequence

from bedrock_cli.local.engines._lmdecode import END_TOKEN, Decoder, State
from bedrock_cli.local.engines._lmtext import join
from bedrock_cli.text import tokenizer

__all__ = ["END_TOKEN", "Generation", "LanguageModel", "get_model"]

_model: LanguageModel | None = None
_model_lock = threading.Lock()


def get_model() -> LanguageModel:
    """The process's language model, loaded (or built and cached) on first use."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                from bedrock_cli.local.engines import _lmcache

                _model = LanguageModel(_lmcache.load())
    return _model


def _check(temperature: float, top_p: float | None, top_k: int | None) -> None:
    if not temperature >= 0:
        raise ValueError("temperature must be 0 or more")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError("top_p must be more than 0 and at most 1")
    if top_k is not None and top_k < 1:
        raise ValueError("top_k must be 1 or more")


class LanguageModel(Decoder):
    """The corpus model.  Thread-safe: every call keeps its own state."""

    def stream(
        self,
        prompt: str,
        *,
        max_tokens: int,
        temperature: float = 0.7,
        top_p: float | None = None,
        top_k: int | None = None,
        stop: Sequence[str] = (),
        seed: int | None = None,
        instructions: bool = True,
    ) -> Generation:
        """Continue ``prompt``; iterate the result for its text, one token per piece.

        With ``instructions``, a prompt that gives one ("Write a haiku about the sea",
        "Name three colours", "Is it raining?") is answered on a new paragraph, in the form
        it asks for (:mod:`._lmforms`, :mod:`._lmcompose`).
        """
        if instructions:
            from bedrock_cli.local.engines._lmforms import parse

            form = parse(prompt)
            if form is not None and form.form != "answer":
                from bedrock_cli.local.engines._lmcompose import Composed

                return Composed(self, form, max_tokens=max_tokens, temperature=temperature,
                                top_p=top_p, top_k=top_k, stop=stop, seed=seed)
            if form is not None:
                prompt = prompt.rstrip() + "\n"  # an answer starts a new paragraph
        return Generation(
            self,
            prompt,
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=top_p,
            top_k=top_k,
            stop=stop,
            seed=seed,
        )

    def next_token_distribution(
        self,
        prompt: str,
        *,
        temperature: float = 1.0,
        top_p: float | None = None,
        top_k: int | None = None,
        limit: int = 20,
    ) -> list[tuple[str, float]]:
        """The most probable next words after ``prompt``, with their probabilities.

        The probabilities are those of the full distribution (which sums to 1) after
        temperature, top-k and top-p, sorted in descending order and cut to ``limit``.
        Words are shown as they would be written next: ``"wet"``, ``","``, ``"The"``
        (at a sentence start), :data:`END_TOKEN` for the end of the turn.
        """
        _check(temperature, top_p, top_k)
        st = State(self, prompt)
        if temperature == 0:
            return [(self.show(st, self.greedy(st)), 1.0)][:limit]
        ids, weights, tail, scale, mask = self.filtered(st, temperature, top_p, top_k)
        total = float(weights.sum()) + tail
        order = weights.argsort(kind="stable")[::-1][:limit]
        rows = [(int(ids[i]), float(weights[i]) / total) for i in order if weights[i] > 0]
        if tail > 0:
            uni_t = self.temp(temperature)[0]
            rows += [(w, scale * float(uni_t[w]) / total) for w in self.tail_head(mask, limit)]
            rows.sort(key=lambda r: -r[1])
        return [(self.show(st, w), p) for w, p in rows[:limit]]


class Generation(Iterator[str]):
    """One continuation, produced lazily: iterate it for its pieces, one token each.

    Once exhausted, :attr:`stop_reason` is ``"end_turn"``, ``"max_tokens"`` or
    ``"stop_sequence"`` (then :attr:`stop_sequence` says which one), :attr:`text` is the
    whole output and :attr:`output_tokens` its number of tokens.  A stop sequence is not
    part of the output, as on Bedrock.
    """

    def __init__(
        self,
        model: LanguageModel,
        prompt: str,
        *,
        max_tokens: int,
        temperature: float = 0.7,
        top_p: float | None = None,
        top_k: int | None = None,
        stop: Sequence[str] = (),
        seed: int | None = None,
    ) -> None:
        _check(temperature, top_p, top_k)
        if max_tokens < 0:
            raise ValueError("max_tokens must be 0 or more")
        self.stop_reason: str | None = None
        self.stop_sequence: str | None = None
        self.output_tokens = 0
        self.text = ""
        self._model = model
        self._max = max_tokens
        self._params = (temperature, top_p, top_k)
        self._stops = [s for s in stop if s]
        self._rng = random.Random(seed)
        self._state = State(model, prompt)
        self._generated = 0  # tokens generated, released or held back
        self._held: list[str] = []  # pieces held back while they may begin a stop sequence
        self._ready: deque[str] = deque()

    def __iter__(self) -> Generation:
        return self

    def __next__(self) -> str:
        while not self._ready:
            if self.stop_reason is not None:
                raise StopIteration
            self._step()
        return self._ready.popleft()

    def _step(self) -> None:
        if self._generated >= self._max:
            self._finish("max_tokens")
            return
        model, st = self._model, self._state
        w = model.sample(st, *self._params, self._rng)
        if w == model.eos:
            self._finish("end_turn")
            return
        word = model.word(st, w)
        pieces = tokenizer.tokenize(join(st.prev, word, model.sentence_start(st)))
        st.push(w)
        st.prev = word
        pieces = pieces[: self._max - self._generated]
        self._generated += len(pieces)
        self._offer(pieces)

    def _offer(self, pieces: list[str]) -> None:
        if not self._stops:
            self._release(pieces)
            return
        self._held.extend(pieces)
        held = "".join(self._held)
        hits = [(i, s) for s in self._stops if (i := held.find(s)) >= 0]
        if hits:
            at, seq = min(hits)
            out: list[str] = []
            used = 0
            for p in self._held:
                if used + len(p) > at:
                    part = p[: at - used]  # a cut piece stays only if it is still one token
                    n = self.output_tokens + len(out) + 1
                    if part and tokenizer.count_tokens(self.text + "".join(out) + part) == n:
                        out.append(part)
                    break
                out.append(p)
                used += len(p)
            self._held = []
            self._release(out)
            self.stop_sequence = seq
            self._finish("stop_sequence")
            return
        # Hold back the longest end of the text that could begin a stop sequence.
        keep = max(
            (k for s in self._stops for k in range(1, len(s)) if held.endswith(s[:k])), default=0
        )
        n = 0
        used = 0
        for p in self._held:
            if used + len(p) > len(held) - keep:
                break
            used += len(p)
            n += 1
        self._release(self._held[:n])
        del self._held[:n]

    def _release(self, pieces: list[str]) -> None:
        self._ready.extend(pieces)
        self.output_tokens += len(pieces)
        self.text += "".join(pieces)

    def _finish(self, reason: str) -> None:
        self._release(self._held)
        self._held = []
        self.stop_reason = reason
