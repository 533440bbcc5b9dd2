"""What the model calls of one command cost: gathered in one place, reported by `--usage`.

Every call that reports usage lands here: `Runtime` meters Converse, ConverseStream and native
InvokeModel calls that carry token counts (so `generate`, `chat`, `summarize`'s map-reduce,
`batch run`, `sample`, `compare`, `embed`, `invoke` are all covered without their own code),
and the image task adds its images. The command's boundary prints what was gathered once the
command ends (`AppContext.report_usage`); `chat` reports after every turn. Thread-safe: the
batch runner and the map-reduce call from worker threads.

Prices come from the catalog (`estimate_cost`), so a cost is an estimate dated by the
catalog's `prices.as_of`; a model without prices makes the total "unknown" for that part.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from bedrock_cli.types import Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo


@dataclass
class Metered:
    """One call (or one image request) as the meter saw it."""

    model: str  # the catalog id, else the id as called
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = None
    latency_ms: int | None = None
    images: int = 0


def _model_for(model_id: str) -> ModelInfo | None:
    from bedrock_cli.catalog import get_catalog

    return get_catalog().find(model_id)


def token_cost(model: ModelInfo | None, usage: Usage, *, batch: bool = False) -> float | None:
    """The one price of a text or embeddings call (`Recorder.price`): the catalog's rates for
    the tokens (Batch Inference's discount with `batch`); None when a rate is unknown."""
    from bedrock_cli.catalog import estimate_cost

    return estimate_cost(model, {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cache_read_tokens": usage.cache_read_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
    }, batch=batch)


class Meter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reported: list[Sequence[Metered]] = []
        self._fresh: list[Sequence[Metered]] = []  # our own lists, and runs added whole

    def add(self, entry: Metered) -> None:
        with self._lock:
            last = self._fresh[-1] if self._fresh else None
            if isinstance(last, list):
                last.append(entry)
            else:
                self._fresh.append([entry])

    def add_run(self, calls: Sequence[Metered]) -> None:
        """Calls summed elsewhere, as one sequence (`batch/metered.Calls`: a million calls
        without a million entries in memory)."""
        with self._lock:
            self._fresh.append(calls)

    def tokens(self, model_id: str, usage: Usage, latency_ms: int | None = None) -> None:
        """A text or embeddings call: priced from the catalog entry of the id called."""
        model = _model_for(model_id)
        self.add(Metered(model.id if model else model_id, usage, token_cost(model, usage),
                         latency_ms))

    def images(self, model: ModelInfo, count: int, cost_usd: float | None,
               latency_ms: int | None = None) -> None:
        self.add(Metered(model.id, Usage(), cost_usd, latency_ms, images=count))

    def entries(self) -> Sequence[Metered]:
        with self._lock:
            return _joined([*self._reported, *self._fresh])

    def take(self) -> Sequence[Metered]:
        """The calls not reported yet (and mark them reported)."""
        with self._lock:
            fresh, self._fresh = self._fresh, []
            self._reported += fresh
            return _joined(fresh)


class _Joined(Sequence[Metered]):
    """Several sequences read as one (without copying a run's virtual list)."""

    def __init__(self, parts: list[Sequence[Metered]]) -> None:
        self._parts = parts

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts)

    @overload
    def __getitem__(self, index: int) -> Metered: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Metered]: ...

    def __getitem__(self, index: int | slice) -> Metered | Sequence[Metered]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        for part in self._parts:
            if 0 <= index < len(part):
                return part[index]
            index -= len(part)
        raise IndexError(index)


def _joined(parts: list[Sequence[Metered]]) -> Sequence[Metered]:
    parts = [list(p) if isinstance(p, list) else p for p in parts if len(p)]
    if not parts:
        return []
    return parts[0] if len(parts) == 1 else _Joined(parts)


def total(entries: Sequence[Metered]) -> Metered:
    """The entries summed; the cost is None when any entry's cost is unknown."""
    usage = Usage()
    for e in entries:
        usage.input_tokens += e.usage.input_tokens
        usage.output_tokens += e.usage.output_tokens
        usage.total_tokens += e.usage.total_tokens
        usage.cache_read_tokens += e.usage.cache_read_tokens
        usage.cache_write_tokens += e.usage.cache_write_tokens
    costs = [e.cost_usd for e in entries]
    cost = None if any(c is None for c in costs) else sum(c or 0.0 for c in costs)
    models = ", ".join(dict.fromkeys(e.model for e in entries))
    latency = entries[0].latency_ms if len(entries) == 1 else None
    return Metered(models, usage, cost, latency, sum(e.images for e in entries))


def dollars(cost: float | None) -> str:
    """`$0.000574`; a cost under a millionth of a dollar keeps its first digits."""
    if cost is None:
        return "cost unknown"
    if 0 < cost < 1e-6:
        return f"${cost:.12f}".rstrip("0")
    return f"${cost:.6f}"


def line(entries: Sequence[Metered]) -> str:
    """One line: `MODEL: 12 in + 30 out = 42 tokens, $0.000008, 120 ms` for one call, or
    `3 calls (MODEL): ... tokens, $...` for several."""
    t = total(entries)
    parts = []
    u = t.usage
    if u.input_tokens or u.output_tokens or not t.images:
        tokens = f"{u.input_tokens} in + {u.output_tokens} out = {u.total_tokens} tokens"
        if u.cache_read_tokens or u.cache_write_tokens:
            tokens += f", cache read {u.cache_read_tokens} / write {u.cache_write_tokens}"
        parts.append(tokens)
    if t.images:
        parts.append(f"{t.images} image{'s' if t.images != 1 else ''}")
    unpriced = sum(1 for e in entries if e.cost_usd is None)
    if t.cost_usd is None and unpriced < len(entries):
        known = sum(e.cost_usd or 0.0 for e in entries)
        parts.append(f"{dollars(known)} + {unpriced} unpriced call{'s' if unpriced != 1 else ''}")
    else:
        parts.append(dollars(t.cost_usd))
    if t.latency_ms is not None:
        parts.append(f"{t.latency_ms} ms")
    head = t.model if len(entries) == 1 else f"{len(entries)} calls ({t.model})"
    return f"{head}: {', '.join(parts)}"


def as_json(entries: Sequence[Metered]) -> dict[str, Any]:
    """The `--usage` report under `--json` (one JSON object on stderr)."""
    t = total(entries)
    data: dict[str, Any] = {"calls": len(entries), "models": t.model.split(", "),
                            "usage": t.usage.to_dict(), "cost_usd": t.cost_usd}
    if t.images:
        data["images"] = t.images
    if t.latency_ms is not None:
        data["latency_ms"] = t.latency_ms
    return {"usage_report": data}
