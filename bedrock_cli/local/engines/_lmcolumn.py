"""One array of the text engine's cache file, read on demand with ``os.pread``.

A decoding step looks up a handful of contexts in arrays of up to a million entries: a
binary search, then one row's successors.  Memory-mapping the file made every probe of a
binary search fault in (and count towards the process's resident memory) the 64-140 KB the
kernel maps around a touched page, about 17 MB for a short generation.  Reading exactly the
bytes a lookup needs costs a few microseconds per probe from the page cache and leaves the
process's memory alone.

:class:`FileColumn` answers the subset of the ``numpy.ndarray`` interface the decoder uses
on the large arrays: ``len``, an element, a contiguous slice and ``searchsorted`` for one
value.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    import numpy as np

#: below this many entries a binary search reads the rest of its range in one go
_BLOCK = 512


class FileColumn:
    """``count`` values of ``dtype`` at byte ``offset`` of the open file ``fd``."""

    def __init__(self, fd: int, dtype: str, count: int, offset: int) -> None:
        import numpy as np

        self._np = np
        self._fd = fd
        self.dtype = np.dtype(dtype)
        self._size = self.dtype.itemsize
        self._count = count
        self._offset = offset
        # searchsorted's probes above the last block: the same few thousand positions for
        # every search, so each is read from the file once (at most 2 * count / _BLOCK)
        self._probes: dict[int, Any] = {}
        # the block a search ended in: the caller's next read is usually the entry it found
        self._last: tuple[int, np.ndarray] = (0, self._np.zeros(0, dtype=self.dtype))

    def __len__(self) -> int:
        return self._count

    def _read(self, start: int, stop: int) -> np.ndarray:
        want = (stop - start) * self._size
        data = os.pread(self._fd, want, self._offset + start * self._size) if want else b""
        if len(data) != want:
            raise OSError(f"the text engine's cache file is shorter than its header says "
                          f"({len(data)} of {want} bytes)")
        return self._np.frombuffer(data, dtype=self.dtype)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> np.ndarray: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                raise ValueError("a FileColumn slice must be contiguous")
            return self._read(start, max(start, stop))
        i = int(index)
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError(f"index {index} out of range for {self._count} entries")
        start, block = self._last
        if start <= i < start + len(block):
            return block[i - start]
        return self._read(i, i + 1)[0]

    def searchsorted(self, value: Any) -> int:
        """Where ``value`` goes in this (sorted) column: numpy's ``side="left"``."""
        lo, hi = 0, self._count
        probes = self._probes
        while hi - lo > _BLOCK:
            mid = (lo + hi) // 2
            probe = probes.get(mid)
            if probe is None:
                probe = probes[mid] = self[mid].item()
            if probe < value:
                lo = mid + 1
            else:
                hi = mid
        block = self._read(lo, hi)
        self._last = (lo, block)
        return lo + int(block.searchsorted(value))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """The whole column (for tests and tools; the decoder never needs it)."""
        whole = self._read(0, self._count)
        return whole if dtype is None else whole.astype(dtype)
