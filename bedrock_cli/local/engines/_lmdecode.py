"""Exact next-word distributions of the text engine, and sampling from them.

At each step the distribution over the whole vocabulary is kept in two parts: an explicit
list (the corpus successors of the last word, the prompt's words, punctuation, the end
token and any words the policy bans) and an implicit *tail* — every other word, whose
probability is ``tail_scale * uni[w]``.  Sums over the tail come from precomputed running
sums of ``uni ** (1/T)``, so temperature, top-k, top-p and sampling are all exact without
touching every word at every step.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from bedrock_cli.local.engines._lmtext import EOS, PUNCT, TERMINAL, join, surface_tokens

if TYPE_CHECKING:
    import numpy as np

    from bedrock_cli.local.engines._lmcache import Tables

END_TOKEN = "<end>"
# The lower-order weights of interpolated Kneser-Ney are scaled down by these factors
# (keyed by the order backed off from; the seen n-grams' share is scaled up to match), which
# trades a little perplexity for much less word salad when sampling.
BACKOFF = {4: 0.7, 3: 0.6, 2: 0.3}
NO_REPEAT = 4  # no 4-gram (of model tokens) is generated twice, prompt included
PROMPT_WINDOW = 4096  # the request model counts at most this many of the prompt's last words
_PROMPT_CHARS = 16 * PROMPT_WINDOW  # ... found in at most this many of its last characters
PROMPT_WEIGHTS = (0.3, 0.05)  # its weight for a context the prompt has seen often (3-, 2-gram)
PROMPT_TOPIC_BOOST = 3.0  # how much likelier the prompt's own less common words are
COMMON = 200  # the corpus's most frequent words do not count as a prompt's topic
_ROWS = 16384  # contexts whose place in the n-gram arrays a decoder remembers
_UNSEEN = (0, 0, -1.0)  # ... for a context the corpus never saw


def union(a: np.ndarray, b: np.ndarray | list[int]) -> np.ndarray:
    """The sorted distinct ids of ``a`` and ``b`` (``np.union1d`` without its first call
    importing ``numpy.ma``, about 7 ms of every local generation's start)."""
    import numpy as np

    both = np.sort(np.concatenate((np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))))
    return both[np.concatenate(([True], both[1:] != both[:-1]))] if len(both) else both


class PromptModel:
    """What the request's own text says comes next.

    For a context the prompt has seen (its last two words, else its last word), the words
    that followed it there, by maximum likelihood, weighted by how often the prompt has
    seen it.  Its topic words (not among the corpus's :data:`COMMON` most frequent words)
    are :data:`PROMPT_TOPIC_BOOST` times likelier wherever the corpus model allows them.
    """

    def __init__(self, ids: list[int]) -> None:
        import numpy as np

        tail = ids
        self.types = sorted(set(tail))
        self.ids = np.asarray(self.types, dtype=np.int64)
        self.pos = {w: i for i, w in enumerate(self.types)}
        self.topic = np.array([w >= COMMON for w in self.types], dtype=bool)
        self.next: tuple[dict[tuple[int, ...], Counter[int]], ...] = (
            defaultdict(Counter),
            defaultdict(Counter),
        )
        for i, w in enumerate(tail):
            for n, table in zip((2, 1), self.next, strict=True):
                if i >= n:
                    table[tuple(tail[i - n : i])][w] += 1

    def dist(self, ctx: list[int]) -> tuple[float, np.ndarray | None]:
        """(mixture weight, probabilities over ``self.types``) after ``ctx``."""
        import numpy as np

        for n, table, w_max in zip((2, 1), self.next, PROMPT_WEIGHTS, strict=True):
            nxt = table.get(tuple(ctx[-n:]))
            if nxt:
                total = sum(nxt.values())
                q = np.zeros(len(self.types))
                for w, c in nxt.items():
                    q[self.pos[w]] = c / total
                return w_max * total / (total + 2), q
        return 0.0, None


class State:
    """The context of one generation (or of one distribution query)."""

    def __init__(self, dec: Decoder, prompt: str) -> None:

        self.display_ext: dict[int, str] = {}
        ext: dict[str, int] = {}
        ids: list[int] = []
        for w in surface_tokens(prompt[-_PROMPT_CHARS:])[-PROMPT_WINDOW:]:
            i = dec.index.get(w.lower())
            if i is None:  # a word the corpus never saw: the request model still knows it
                i = ext.setdefault(w.lower(), dec.vocab_size + len(ext))
                self.display_ext[i] = w
            ids.append(i)
        pad = [0] * (dec.order - 1)
        new_paragraph = not ids or prompt.rstrip(" \t").endswith("\n")
        self.ctx: list[int] = pad if new_paragraph else (pad + ids)[-(dec.order - 1) :]
        self.prompt = PromptModel(ids)
        self.always = union(self.prompt.ids, dec.always)  # always listed explicitly
        self.seen: dict[tuple[int, ...], set[int]] = defaultdict(set)
        for i in range(NO_REPEAT - 1, len(ids)):
            self.seen[tuple(ids[i - NO_REPEAT + 1 : i])].add(ids[i])
        self.generated = 0  # words generated so far
        self.prev: str | None = None  # the last word written to the output

    def push(self, w: int) -> None:
        self.seen[tuple(self.ctx[-(NO_REPEAT - 1) :])].add(w)
        self.ctx = [*self.ctx[1:], w]
        self.generated += 1


class Decoder:
    """Distributions and sampling over the corpus model's tables."""

    def __init__(self, tables: Tables) -> None:
        import numpy as np

        self.tables = tables
        self.order = tables.order
        self.vocab = tables.vocab
        self.display = tables.display
        self.vocab_size = len(tables.vocab)
        self.index = dict(zip(tables.vocab, range(len(tables.vocab)), strict=True))
        self.eos = self.index[EOS]
        self._base = 1 << tables.bits
        self._uni = tables.uni
        self._by_uni = tables.uni_order
        self._open = tables.open
        self._temp_cache: dict[float, tuple[np.ndarray, np.ndarray, float]] = {}
        self._rows: dict[tuple[int, int], tuple[int, int, float]] = {}
        self._terminal = frozenset(self.index[p] for p in TERMINAL if p in self.index)
        self._punct = frozenset(self.index[p] for p in PUNCT if p in self.index)
        self.always = np.array(sorted({*self._punct, self.eos}), dtype=np.int64)

    def word(self, st: State, w: int) -> str:
        return self.display[w] if w < self.vocab_size else st.display_ext[w]

    def sentence_start(self, st: State) -> bool:
        return st.ctx[-1] == 0 or st.ctx[-1] in self._terminal

    def show(self, st: State, w: int) -> str:
        """A candidate word as it would be written next (no leading space)."""
        return END_TOKEN if w == self.eos else join(None, self.word(st, w), self.sentence_start(st))

    # ------------------------------------------------------------------ distributions

    def _corpus(self, ctx: list[int]) -> tuple[np.ndarray | None, np.ndarray | None, float]:
        """Interpolated Kneser-Ney after ``ctx``: the successors of the last word with their
        probabilities, and ``base`` such that every other word has ``base * uni[w]``."""
        t = self.tables
        found: list[tuple[int, int, int, float]] = []
        key = 0
        for k in range(2, self.order + 1):
            x = ctx[-(k - 1)]
            if x >= self.vocab_size:
                break
            key += x * self._base ** (k - 2)
            row = self._rows.get((k, key)) or self._row(k, key)
            if row is _UNSEEN:
                break
            found.append((k, row[0], row[1], row[2]))
        if not found:
            return None, None, 1.0
        # P_k = m_k * discounted_k + BACKOFF[k] * gamma_k * P_{k-1}; m_k renormalises.
        weight = 1.0
        weights = []
        for k, _, _, gamma in reversed(found):
            scaled = BACKOFF.get(k, 1.0) * gamma
            weights.append(weight * (1.0 - scaled) / max(1.0 - gamma, 1e-12))
            weight *= scaled
        weights.reverse()
        _, lo, hi, _ = found[0]
        ids = t.succ[2][lo:hi]
        probs = t.prob[2][lo:hi] * weights[0] + self._uni[ids] * weight
        for (k, lo, hi, _), w in zip(found[1:], weights[1:], strict=True):
            probs[ids.searchsorted(t.succ[k][lo:hi])] += t.prob[k][lo:hi] * w
        return ids, probs, weight

    def _row(self, k: int, key: int) -> tuple[int, int, float]:
        """Where context ``key``'s successors are in the order-``k`` arrays, and its back-off
        weight; :data:`_UNSEEN` for a context the corpus never saw. Remembered: the arrays
        are read from the cache file, and decoding asks for the same contexts again and
        again."""
        t = self.tables
        keys = t.keys[k]
        i = int(keys.searchsorted(key))
        row = _UNSEEN
        if i < len(keys) and int(keys[i]) == key:
            lo, hi = (int(p) for p in t.ptr[k][i : i + 2])
            row = (lo, hi, float(t.gamma[k][i]))
        if len(self._rows) >= _ROWS:
            self._rows.clear()
        self._rows[(k, key)] = row
        return row

    def temp(self, temperature: float) -> tuple[np.ndarray, np.ndarray, float]:
        """``uni ** (1/T)``, its running sum in unigram order, and its total."""
        cached = self._temp_cache.get(temperature)
        if cached is None:
            import numpy as np

            uni_t = self._uni ** (1.0 / temperature)
            cum = np.cumsum(uni_t[self._by_uni])
            cached = (uni_t, cum, float(cum[-1]))
            if len(self._temp_cache) > 16:
                self._temp_cache.clear()
            self._temp_cache[temperature] = cached
        return cached

    def probs(self, st: State) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
        """The exact next-word probabilities, unnormalised: (ids, p, tail_scale, mask).

        A word outside ``ids`` has ``tail_scale * uni[w]``; ``mask[w]`` is True for the
        corpus words in ``ids``.
        """
        import numpy as np

        ids, probs, base = self._corpus(st.ctx)
        lam, q = st.prompt.dist(st.ctx)
        banned = st.seen.get(tuple(st.ctx[-(NO_REPEAT - 1) :]), set())
        extra = union(st.always, list(banned)) if banned else st.always
        if ids is None or probs is None:
            ids, probs = extra[:0], np.zeros(0)
        at = ids.searchsorted(extra)
        hit = at < len(ids)
        hit[hit] = ids[at[hit]] == extra[hit]
        new = extra[~hit]
        known = new < self.vocab_size
        all_ids = np.concatenate([ids, new])
        p = np.concatenate([probs, np.where(known, self._uni[np.where(known, new, 0)], 0) * base])
        p *= 1.0 - lam
        slot = np.where(hit, at, len(ids) + np.cumsum(~hit) - 1)
        prompt_slots = slot[extra.searchsorted(st.prompt.ids)]
        p[prompt_slots[st.prompt.topic]] *= PROMPT_TOPIC_BOOST
        if q is not None:
            p[prompt_slots] += lam * q
        # The decoding policy: no repeated 4-gram; no end of the turn before a sentence is
        # finished; no punctuation at a sentence start, straight after punctuation, or
        # after a word the corpus never ends a phrase on ("the", "an", "my").
        last = st.ctx[-1]
        zero = list(banned)
        if st.generated == 0 or last not in self._terminal:
            zero.append(self.eos)
        if st.generated == 0:  # an answer opens with a word, never with punctuation
            zero.extend(self._punct)
        if last == 0 or last in self._punct or (last < self.vocab_size and self._open[last]):
            zero.extend(self._punct)
        if zero:
            p[slot[extra.searchsorted(np.array(zero, dtype=np.int64))]] = 0.0
        mask = np.zeros(self.vocab_size, dtype=bool)
        mask[all_ids[all_ids < self.vocab_size]] = True
        return all_ids, p, (1.0 - lam) * base, mask

    def tail_head(self, mask: np.ndarray, n: int) -> list[int]:
        """The ``n`` most probable words outside the explicit list (unigram order)."""
        out: list[int] = []
        start = 0
        while len(out) < n and start < len(self._by_uni):
            block = self._by_uni[start : start + 512]
            out.extend(int(w) for w in block[~mask[block]] if w != 0)
            start += 512
        return out[:n]

    def greedy(self, st: State) -> int:
        ids, p, tail_scale, mask = self.probs(st)
        best = int(p.argmax()) if len(p) else -1
        head = self.tail_head(mask, 1)
        if head and (best < 0 or tail_scale * float(self._uni[head[0]]) > float(p[best])):
            return head[0]
        return int(ids[best])

    def filtered(
        self, st: State, temperature: float, top_p: float | None, top_k: int | None
    ) -> tuple[np.ndarray, np.ndarray, float, float, np.ndarray]:
        """Weights after temperature, then top-k, then top-p: (ids, w, tail, scale, mask).

        ``tail`` is the total weight of the words not in ``ids`` (0 once top-k or top-p has
        cut them off); such a word ``v`` weighs ``scale * uni[v] ** (1/T)``.
        """
        import numpy as np

        ids, p, tail_scale, mask = self.probs(st)
        uni_t, _, total_t = self.temp(temperature)
        head = self.tail_head(mask, 1)
        top = max(
            float(p.max()) if len(p) else 0.0,
            tail_scale * float(self._uni[head[0]]) if head else 0.0,
        )
        top = top if top > 0 else 1.0
        inv_t = 1.0 / temperature
        weights = (p / top) ** inv_t
        scale = (tail_scale / top) ** inv_t
        tail = scale * max(total_t - float(uni_t[ids[ids < self.vocab_size]].sum()), 0.0)
        if top_k is None and (top_p is None or top_p >= 1.0):
            return ids, weights, tail, scale, mask
        n_head = 64 if top_k is None else top_k
        while True:
            extra = self.tail_head(mask, n_head)
            c_ids = np.concatenate([ids, np.array(extra, dtype=np.int64)])
            c_w = np.concatenate([weights, scale * uni_t[extra]])
            rest = max(tail - float(c_w[len(ids) :].sum()), 0.0)  # tail words not listed
            complete = len(extra) < n_head  # every word is listed
            if top_k is not None:
                if top_k < len(c_w):
                    keep = np.argpartition(-c_w, top_k - 1)[:top_k]
                    c_ids, c_w = c_ids[keep], c_w[keep]
                rest, complete = 0.0, True
            if top_p is None or top_p >= 1.0:
                return c_ids, c_w, 0.0, scale, mask
            order = c_w.argsort(kind="stable")[::-1]
            cum = np.cumsum(c_w[order])
            cut = min(int(cum.searchsorted(top_p * (cum[-1] + rest))), len(cum) - 1)
            # Exact once the cut lies above every word not listed.
            if complete or c_w[order[cut]] >= scale * float(uni_t[extra[-1]]):
                keep = order[: cut + 1]
                return c_ids[keep], c_w[keep], 0.0, scale, mask
            n_head *= 8

    def sample(
        self,
        st: State,
        temperature: float,
        top_p: float | None,
        top_k: int | None,
        rng: random.Random,
    ) -> int:
        if temperature == 0:
            return self.greedy(st)
        ids, weights, tail, _, mask = self.filtered(st, temperature, top_p, top_k)
        cum = weights.cumsum()
        explicit = float(cum[-1]) if len(cum) else 0.0
        u = rng.random() * (explicit + tail)
        if u < explicit or tail <= 0:
            return int(ids[min(int(cum.searchsorted(u, side="right")), len(ids) - 1)])
        # A tail word: by unigram to the power 1/T, skipping the words listed explicitly.
        _, cum_t, total_t = self.temp(temperature)
        for _ in range(64):
            j = int(cum_t.searchsorted(rng.random() * total_t, side="right"))
            w = int(self._by_uni[min(j, len(self._by_uni) - 1)])
            if w != 0 and not mask[w]:
                return w
        return self.tail_head(mask, 1)[0]
