"""Tables that fit the terminal: a value people copy (an id, a price) is never cut; free text
wraps; when the table is still too wide, columns are dropped, least important first.

`FittedTable` chooses its columns when it is rendered, from the width it is given, so the same
table prints whole on a wide terminal and keeps its essential columns on an 80-column one.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text


@dataclass(frozen=True)
class Column:
    header: str
    drop: int = 0  # 0: always shown; otherwise dropped when narrow, the highest first
    wrap: bool = False  # free text that may wrap; any other column stays whole on one line
    justify: str = "left"
    min_width: int | None = None  # a wrapping column narrower than this drops another one


class FittedTable:
    """A rich renderable: `rows` under `columns`, fitted to the width it is rendered at."""

    def __init__(self, columns: Sequence[Column], rows: Iterable[Sequence[Any]],
                 **table_options: Any) -> None:
        self.columns = list(columns)
        self.rows = [list(row) for row in rows]
        self.options = table_options

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.fit(options.max_width)

    def fit(self, width: int) -> Table:
        """The table with as many columns as fit `width` without cutting a one-line value."""
        levels = sorted({c.drop for c in self.columns if c.drop}, reverse=True)
        kept = list(range(len(self.columns)))
        for level in [None, *levels]:
            if level is not None:
                kept = [i for i in kept if self.columns[i].drop != level]
            table = self._build(kept, fold=False)
            if self._whole(table, width):
                return table
        return self._build(kept, fold=True)  # too narrow even so: fold, never cut

    def _build(self, kept: list[int], *, fold: bool) -> Table:
        table = Table(**self.options)
        for i in kept:
            column = self.columns[i]
            # a one-line column is as wide as its widest value: rich's measure would take the
            # longest word, and the table would then be cropped instead of losing a column
            whole = column.min_width if column.wrap else max(
                cell_len(_plain(v)) for v in [column.header, *(row[i] for row in self.rows)])
            table.add_column(column.header, justify=column.justify,  # type: ignore[arg-type]
                             no_wrap=not column.wrap and not fold, overflow="fold",
                             min_width=None if fold else whole)
        for row in self.rows:
            table.add_row(*(row[i] for i in kept))
        return table

    @staticmethod
    def _whole(table: Table, width: int) -> bool:
        """Whether `table` fits `width` with every one-line value whole: its minimum width
        (one-line columns at their widest value, wrapping ones at their minimum) is no more."""
        console = Console(width=width, file=io.StringIO(), legacy_windows=False)
        wide = console.options.update(max_width=1_000_000)
        return Measurement.get(console, wide, table).minimum <= width


def _plain(cell: Any) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)
