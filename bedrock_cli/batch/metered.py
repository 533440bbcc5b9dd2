"""`--usage` for a batch run without one object per call in memory.

`metering.Meter` keeps a `Metered` entry per call and `metering.line`/`as_json` read them as a
list (`N calls (MODEL): …`). Over a million records that list alone would take ~250 MB, so
`batch run` sums tokens and cost itself and, at the end, adds `Calls` to the command's meter
(`Meter.add_run`): a virtual list of the same length — one entry carrying the totals,
one cost-less entry per unpriced call, and a shared zero entry for the rest — so the report
reads exactly as if every call had been metered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, overload

from bedrock_cli.metering import Metered
from bedrock_cli.types import Usage

if TYPE_CHECKING:
    from bedrock_cli.batch.progress import Stats


class Calls(Sequence[Metered]):
    def __init__(self, stats: Stats, model: str) -> None:
        self._n = stats.ok
        self._unpriced = stats.cost_unknown
        self._first = Metered(model, Usage(stats.input_tokens, stats.output_tokens,
                                           stats.tokens),
                              None if stats.cost_unknown == stats.ok else stats.cost_usd)
        self._no_price = Metered(model, Usage(), None)
        self._zero = Metered(model, Usage(), 0.0)

    def __len__(self) -> int:
        return self._n

    def _item(self, index: int) -> Metered:
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError(index)
        if index == 0:
            return self._first
        # the first entry is unpriced itself when every call is; otherwise count them after it
        unpriced_after = self._unpriced - (1 if self._first.cost_usd is None else 0)
        return self._no_price if index <= unpriced_after else self._zero

    @overload
    def __getitem__(self, index: int) -> Metered: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Metered]: ...

    def __getitem__(self, index: int | slice) -> Metered | Sequence[Metered]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(self._n))]
        return self._item(index)
