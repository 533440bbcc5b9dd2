"""One continuation of the text engine, produced lazily one token at a time (see
:mod:`.textlm`): sampling from the model, stop sequences held back until they are decided,
and the stop reason and token count once exhausted. :class:`._lmcompose.Composed` extends it.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from bedrock_cli.local.engines._lmdecode import State
from bedrock_cli.local.engines._lmtext import join
from bedrock_cli.text import tokenizer

if TYPE_CHECKING:
    from bedrock_cli.local.engines.textlm import LanguageModel

__all__ = ["Generation", "check_params"]


def check_params(temperature: float, top_p: float | None, top_k: int | None) -> None:
    if not temperature >= 0:
        raise ValueError("temperature must be 0 or more")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError("top_p must be more than 0 and at most 1")
    if top_k is not None and top_k < 1:
        raise ValueError("top_k must be 1 or more")


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
        check_params(temperature, top_p, top_k)
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
