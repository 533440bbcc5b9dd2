"""The text engine's on-disk columns answer like the numpy arrays they were written from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bedrock_cli.local.engines import _lmcache
from bedrock_cli.local.engines._lmcolumn import FileColumn


def _column(tmp_path: Path, values: np.ndarray, pad: int = 24) -> tuple[FileColumn, object]:
    path = tmp_path / "col.bin"
    path.write_bytes(b"x" * pad + values.tobytes())
    fh = path.open("rb")
    return FileColumn(fh.fileno(), values.dtype.str, len(values), pad), fh


@pytest.mark.parametrize("size", [0, 1, 7, 511, 512, 513, 5000])
def test_searchsorted_matches_numpy(tmp_path: Path, size: int) -> None:
    rng = np.random.default_rng(size)
    values = np.sort(rng.choice(10 * size + 10, size=size, replace=False)).astype(np.int64)
    column, fh = _column(tmp_path, values)
    probes = [-1, 0, 10 * size + 20, *values[:: max(1, size // 50)].tolist(),
              *(values[:: max(1, size // 50)] + 1).tolist()]
    for probe in probes:
        assert column.searchsorted(probe) == int(values.searchsorted(probe)), probe
    fh.close()  # type: ignore[attr-defined]


def test_elements_and_slices(tmp_path: Path) -> None:
    values = np.arange(1000, dtype=np.float32) / 7
    column, fh = _column(tmp_path, values)
    assert len(column) == 1000
    assert column[0] == values[0] and column[999] == values[999] and column[-1] == values[-1]
    assert np.array_equal(column[10:20], values[10:20])
    assert np.array_equal(column[995:2000], values[995:])
    assert len(column[20:10]) == 0
    assert np.array_equal(np.asarray(column), values)
    with pytest.raises(IndexError):
        column[1000]
    fh.close()  # type: ignore[attr-defined]


def test_a_file_shorter_than_its_header_says_is_an_error(tmp_path: Path) -> None:
    values = np.arange(100, dtype=np.int64)
    path = tmp_path / "col.bin"
    path.write_bytes(values.tobytes()[:400])
    with path.open("rb") as fh:
        column = FileColumn(fh.fileno(), "<i8", 100, 0)
        assert column[49] == 49
        with pytest.raises(OSError, match="shorter"):
            column[50]


def test_cached_tables_read_ngrams_from_the_file_and_equal_the_trained_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lzma

    from bedrock_cli.local.engines._lmtrain import train

    monkeypatch.setenv("BEDROCK_CLI_CACHE", str(tmp_path / "cache"))
    text = "The rain fell on the town. The streets were wet.\n" * 30
    corpus = tmp_path / "c.txt.xz"
    corpus.write_bytes(lzma.compress(text.encode()))
    meta, arrays = train(text, _lmcache.ORDER)
    _lmcache.load(corpus)
    cached = _lmcache.load(corpus)
    assert cached.source == "cache"
    for k in range(2, cached.order + 1):
        for name in ("keys", "ptr", "gamma", "succ", "prob"):
            on_disk = getattr(cached, name)[k]
            assert isinstance(on_disk, FileColumn)  # not mapped, not loaded whole
            assert np.array_equal(np.asarray(on_disk), arrays[f"{name}{k}"])
    for name in ("uni", "uni_order", "open"):
        assert isinstance(getattr(cached, name), np.ndarray)
        assert np.array_equal(getattr(cached, name), arrays[name])
    assert cached.display == meta["display"] and cached.vocab == meta["vocab"]


def test_reads_after_a_search_are_right_inside_and_outside_its_block(tmp_path: Path) -> None:
    values = np.arange(0, 40000, 3, dtype=np.int64)
    column, fh = _column(tmp_path, values)
    for probe in (0, 5999, 6000, 39999, 12345, 1):
        i = column.searchsorted(probe)
        assert i == int(values.searchsorted(probe))
        for j in (i - 600, i - 1, i, i + 1, i + 511, i + 600):
            if 0 <= j < len(values):
                assert column[j] == values[j]
    fh.close()  # type: ignore[attr-defined]
