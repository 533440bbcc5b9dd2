"""Okapi BM25 ranking over :func:`~bedrock_cli.text.terms.terms`.

One implementation for both sides: the client ranks `ask --context` passages with it
(`retrieval.select`) and the emulator's QA engine ranks sentences with it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from bedrock_cli.text.terms import terms

__all__ = ["BM25", "bm25_rank"]


class BM25:
    """An Okapi BM25 index over ``passages`` (k1=1.5, b=0.75, non-negative idf)."""

    def __init__(self, passages: Sequence[str], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.bags = [Counter(terms(p)) for p in passages]
        self.lengths = [sum(bag.values()) for bag in self.bags]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, bag in enumerate(self.bags):
            for term, tf in bag.items():
                self.postings.setdefault(term, []).append((i, tf))

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        n = len(self.bags)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> dict[int, float]:
        """BM25 score of every passage that shares a term with ``query``."""
        out: dict[int, float] = {}
        avg = self.avg or 1.0
        for term in set(terms(query)):
            idf = self.idf(term)
            for i, tf in self.postings.get(term, ()):
                norm = 1.0 - self.b + self.b * self.lengths[i] / avg
                out[i] = out.get(i, 0.0) + idf * tf * (self.k1 + 1.0) / (tf + self.k1 * norm)
        return out

    def rank(self, query: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` best (passage index, score) pairs, best first; zero scores left out."""
        scored = sorted(self.scores(query).items(), key=lambda item: (-item[1], item[0]))
        return scored[: max(0, k)]


def bm25_rank(query: str, passages: Sequence[str], k: int) -> list[tuple[int, float]]:
    """Rank ``passages`` against ``query`` with Okapi BM25; the ``k`` best, best first."""
    return BM25(passages).rank(query, k)
