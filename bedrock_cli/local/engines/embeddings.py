"""Deterministic text embeddings: hashed n-gram features (the "hashing trick").

A pure library. Each text becomes word unigrams, word bigrams and character trigrams;
each feature is hashed with BLAKE2b (stable across processes and machines, unlike Python's
salted ``hash()``) to a dimension and a sign, weighted by sublinear term frequency, and the
vector is scaled to unit length. Texts that share words and word pieces have a higher cosine
similarity than texts that do not. It is a lexical embedding: it knows nothing of synonyms.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import re
from collections import Counter

__all__ = ["embed"]

_WORD = re.compile(r"\w+")
# Relative weights of the three kinds of feature.
_UNIGRAM, _BIGRAM, _TRIGRAM = 1.0, 0.6, 0.35


@functools.lru_cache(maxsize=1 << 16)
def _hash(feature: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little"
    )


def _add(weights: dict[str, float], feature: str, weight: float) -> None:
    weights[feature] = weights.get(feature, 0.0) + weight


def _features(text: str) -> dict[str, float]:
    """Weighted feature counts: word unigrams, word bigrams and character trigrams."""
    words = _WORD.findall(text.lower()) or text.lower().split()
    weights: dict[str, float] = {}
    counts = Counter(words)
    for word, tf in counts.items():
        _add(weights, "w:" + word, _UNIGRAM * (1.0 + math.log(tf)))
        padded = f"#{word}#"
        for i in range(len(padded) - 2):
            _add(weights, "c:" + padded[i : i + 3], _TRIGRAM * (1.0 + math.log(tf)))
    for (a, b), tf in Counter(itertools.pairwise(words)).items():
        _add(weights, f"b:{a} {b}", _BIGRAM * (1.0 + math.log(tf)))
    return weights


def embed(
    text: str, *, dimensions: int, normalize: bool = True, input_type: str | None = None
) -> list[float]:
    """Embed ``text`` as a vector of ``dimensions`` floats, identical for identical text.

    With ``normalize`` (the default) the vector has unit length; a text with no characters
    but whitespace gives the zero vector. ``input_type`` (Cohere's ``search_query``,
    ``search_document``, …) is accepted for parity and does not change the vector: queries
    and documents share one space, so they stay comparable.
    """
    import numpy as np

    if dimensions < 1:
        raise ValueError(f"dimensions must be a positive integer, not {dimensions}")
    features = _features(text)
    if not features:
        return [0.0] * dimensions
    hashes = np.fromiter((_hash(f) for f in features), dtype=np.uint64, count=len(features))
    weights = np.fromiter(features.values(), dtype=np.float64, count=len(features))
    index = (hashes % np.uint64(dimensions)).astype(np.intp)
    signs = np.where((hashes >> np.uint64(63)) & np.uint64(1), -1.0, 1.0)
    vector = np.bincount(index, weights=signs * weights, minlength=dimensions).astype(np.float64)
    if normalize:
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:  # every feature cancelled out: fall back to one stable coordinate
            vector[_hash(text) % dimensions] = 1.0
        else:
            vector /= norm
    return [float(v) for v in vector]
