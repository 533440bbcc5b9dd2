"""Training the text engine's corpus model: interpolated modified Kneser-Ney n-grams.

Chen & Goodman (1998): three discounts per order (D1, D2, D3+) estimated from the counts
of counts; the lower orders use continuation counts (how many distinct words precede an
n-gram), except — as in KenLM — n-grams that start at a paragraph start, which keep their
raw counts.  Everything is vectorised with numpy; training on the shipped corpus (1.3
million words) takes about two seconds.

The result is a set of flat arrays.  For each order ``k`` (2..N): ``keys{k}``, the sorted
(k-1)-word contexts, each encoded as ``((w1 * B) + w2) * B + ...`` with ``B = 2**bits``;
``gamma{k}``, each context's back-off weight; and in CSR form (``ptr{k}``) each context's
successors ``succ{k}`` (sorted by id) with their discounted probabilities ``prob{k}``.
``uni`` is the interpolated continuation unigram, ``uni_order`` the ids by descending
``uni``, and ``open`` marks the words a phrase never ends on in the corpus (punctuation
other than a dash follows them less than once in 200 times: "the", "an", "my"...).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from bedrock_cli.local.engines._lmtext import BOS, EOS, PUNCT, TERMINAL, surface_tokens

if TYPE_CHECKING:
    import numpy as np


def _discounts(counts: np.ndarray) -> tuple[float, float, float]:
    """Modified Kneser-Ney discounts D1, D2, D3+ from the counts of counts."""
    import numpy as np

    n = np.bincount(np.minimum(counts, 5), minlength=6)[1:5].astype(float)
    n1, n2, n3, n4 = (max(float(x), 1.0) for x in n)
    y = n1 / (n1 + 2 * n2)
    d1 = min(max(1 - 2 * y * n2 / n1, 0.05), 0.95)
    d2 = min(max(2 - 3 * y * n3 / n2, 0.05), 1.95)
    d3 = min(max(3 - 4 * y * n4 / n3, 0.05), 2.95)
    return d1, d2, d3


def _vocabulary(surf: list[str]) -> tuple[list[str], list[str]]:
    """Words by descending frequency, and how each is usually written mid-sentence."""
    by_form = Counter(surf)
    starts = zip([EOS, *surf[:-1]], surf, strict=True)
    initial = Counter(b for a, b in starts if a == EOS or a in TERMINAL)
    low_count: Counter[str] = Counter()
    best_form: dict[str, tuple[int, str]] = {}
    for form, c in by_form.items():
        low = form if form == EOS else form.lower()
        low_count[low] += c
        inner = c - initial.get(form, 0)
        if inner > best_form.get(low, (0, low))[0]:
            best_form[low] = (inner, form)
    words = sorted((w for w in low_count if w != EOS), key=lambda w: (-low_count[w], w))
    vocab = [BOS, EOS, *words]
    return vocab, [best_form.get(w, (0, w))[1] for w in vocab]


def train(text: str, order: int) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Train on ``text`` (one paragraph per line): (metadata, named arrays)."""
    import numpy as np

    surf: list[str] = []
    for line in text.split("\n"):
        toks = surface_tokens(line)
        if toks:
            surf.extend(toks)
            surf.append(EOS)
    vocab, display = _vocabulary(surf)
    index = {w: i for i, w in enumerate(vocab)}
    bits = max(16, (len(vocab) - 1).bit_length())
    if bits * (order - 1) > 62:
        raise ValueError("vocabulary too large for the context key encoding")
    base = 1 << bits
    ids = np.fromiter(
        (index[t] if t == EOS else index[t.lower()] for t in surf), dtype=np.int64, count=len(surf)
    )
    # Every paragraph gets order-1 BOS (id 0) tokens in front of it.
    is_eos = ids == 1
    paragraph = np.cumsum(is_eos) - is_eos
    seq = np.zeros(len(ids) + (order - 1) * (int(is_eos.sum()) + 1), dtype=np.int64)
    seq[np.arange(len(ids)) + (order - 1) * (paragraph + 1)] = ids
    pos = np.flatnonzero(seq != 0)
    word = seq[pos]

    # Raw counts of every k-gram: (context keys, context index, successor, count).
    grams: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    for k in range(2, order + 1):
        key = np.zeros(len(pos), dtype=np.int64)
        for j in range(k - 1, 0, -1):
            key = key * base + seq[pos - j]
        ctx_keys, inv = np.unique(key, return_inverse=True)
        full, cnt = np.unique(inv.astype(np.int64) * base + word, return_counts=True)
        grams[k] = (ctx_keys, full >> bits, full & (base - 1), cnt)

    arrays: dict[str, np.ndarray] = {}
    discounts: dict[str, tuple[float, float, float]] = {}
    for k in range(order, 1, -1):
        ctx_keys, ctx_idx, succ, cnt = grams[k]
        if k < order:  # continuation counts: distinct words seen before the k-gram
            up_keys, up_ctx, up_succ, _ = grams[k + 1]
            suffix = up_keys[up_ctx] % (base ** (k - 1))
            cont_full, cont = np.unique(
                np.searchsorted(ctx_keys, suffix) * base + up_succ, return_counts=True
            )
            if not np.array_equal(cont_full, ctx_idx * base + succ):
                raise AssertionError("continuation counts do not line up with the k-grams")
            starts_at_bos = ctx_keys[ctx_idx] < base ** (k - 2)
            cnt = np.where(starts_at_bos, cnt, cont)
        d = _discounts(cnt)
        discounts[str(k)] = d
        starts = np.flatnonzero(np.r_[True, ctx_idx[1:] != ctx_idx[:-1]])
        total = np.add.reduceat(cnt, starts).astype(np.float64)
        n1 = np.add.reduceat((cnt == 1).astype(np.float64), starts)
        n2 = np.add.reduceat((cnt == 2).astype(np.float64), starts)
        n3 = np.add.reduceat((cnt >= 3).astype(np.float64), starts)
        disc = np.where(cnt == 1, d[0], np.where(cnt == 2, d[1], d[2]))
        arrays[f"keys{k}"] = ctx_keys
        arrays[f"ptr{k}"] = np.r_[starts, len(cnt)].astype(np.int32)
        arrays[f"gamma{k}"] = ((d[0] * n1 + d[1] * n2 + d[2] * n3) / total).astype(np.float32)
        arrays[f"succ{k}"] = succ.astype(np.int32)
        arrays[f"prob{k}"] = ((cnt - disc) / total[ctx_idx]).astype(np.float32)

    # Unigrams: continuation counts, discounted, interpolated with the uniform distribution.
    cont1 = np.bincount(grams[2][2], minlength=len(vocab))
    cont1[0] = 0
    d = _discounts(cont1[1:])
    disc = np.where(cont1 == 1, d[0], np.where(cont1 == 2, d[1], d[2]))
    uni = np.maximum(cont1 - disc, 0) / cont1.sum()
    uni[1:] += (1 - uni.sum()) / (len(vocab) - 1)
    arrays["uni"] = uni
    arrays["uni_order"] = np.argsort(-uni, kind="stable").astype(np.int32)

    # Words a phrase (almost) never ends on.
    keys2, ctx2, succ2, cnt2 = grams[2]
    before = keys2[ctx2]
    closing = np.isin(succ2, [index[p] for p in PUNCT if p in index and p != "—"] + [1])
    seen = np.bincount(before, weights=cnt2, minlength=len(vocab))
    closed = np.bincount(before[closing], weights=cnt2[closing], minlength=len(vocab))
    arrays["open"] = ((seen >= 20) & (closed <= 0.005 * seen)).astype(np.uint8)

    meta = {
        "order": order,
        "bits": bits,
        "vocab": vocab,
        "display": display,
        "tokens": len(pos),
        "paragraphs": int(is_eos.sum()),
        "ngrams": {str(k): len(grams[k][3]) for k in grams},
        "discounts": discounts,
    }
    return meta, arrays
