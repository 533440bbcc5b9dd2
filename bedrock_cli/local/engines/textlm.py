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
  streamed one :mod:`bedrock_cli.text.tokenizer` token at a time, so usage counts always
  match the text (:mod:`._lmgeneration`).

numpy is imported only when the model is first used.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from bedrock_cli.local.engines._lmdecode import END_TOKEN, Decoder, State
from bedrock_cli.local.engines._lmgeneration import Generation, check_params

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
        check_params(temperature, top_p, top_k)
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
