"""The parsed catalog is cached on disk: the same data as a fresh parse, rebuilt when the
file changes, never fatal when the cache cannot be read or written."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from bedrock_cli.catalog import CATALOG_PATH, _cache, load_catalog
from bedrock_cli.catalog.catalog import get_catalog, toml_loads

TOML = 'prices_as_of = 2026-05-01\nwhen = 2026-05-01T10:00:00Z\nname = "a"\n[[model]]\nid = "x"\n'


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BEDROCK_CLI_CACHE", str(tmp_path / "cache" / "bedrock-cli"))
    return tmp_path / "cache" / "bedrock-cli"


def _parse_counting(calls: list[str]) -> object:
    def parse(text: str) -> dict[str, object]:
        calls.append(text)
        return toml_loads(text)

    return parse


def test_second_read_comes_from_the_cache_and_equals_a_fresh_parse(
    tmp_path: Path, cache: Path
) -> None:
    source = tmp_path / "c.toml"
    source.write_text(TOML)
    calls: list[str] = []
    first = _cache.parsed(str(source), _parse_counting(calls))
    second = _cache.parsed(str(source), _parse_counting(calls))
    assert len(calls) == 1
    assert first == second == toml_loads(TOML)
    assert isinstance(second["prices_as_of"], dt.date)
    assert isinstance(second["when"], dt.datetime) and second["when"].tzinfo is not None
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(_cache.cache_file(str(source)).stat().st_mode) == 0o600


def test_a_changed_file_is_parsed_again(tmp_path: Path, cache: Path) -> None:
    source = tmp_path / "c.toml"
    source.write_text(TOML)
    calls: list[str] = []
    _cache.parsed(str(source), _parse_counting(calls))
    source.write_text('extra = "yes"\n' + TOML)
    assert _cache.parsed(str(source), _parse_counting(calls))["extra"] == "yes"
    assert len(calls) == 2


def test_a_corrupt_or_unwritable_cache_is_not_an_error(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "c.toml"
    source.write_text(TOML)
    calls: list[str] = []
    _cache.parsed(str(source), _parse_counting(calls))
    _cache.cache_file(str(source)).write_bytes(b"\x00garbage")
    assert _cache.parsed(str(source), _parse_counting(calls)) == toml_loads(TOML)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("BEDROCK_CLI_CACHE", str(blocker / "cache"))
    assert _cache.parsed(str(source), _parse_counting(calls)) == toml_loads(TOML)
    assert len(calls) == 3


def test_the_shipped_catalog_from_the_cache_equals_a_fresh_load(cache: Path) -> None:
    get_catalog.cache_clear()
    try:
        get_catalog()  # writes the cache
        get_catalog.cache_clear()
        cached = get_catalog()
        assert _cache.cache_file(CATALOG_PATH).exists()
        fresh = load_catalog()
        assert list(cached) == list(fresh) and len(list(fresh)) > 10
        assert cached.prices_as_of == fresh.prices_as_of
    finally:
        get_catalog.cache_clear()
    assert os.path.isfile(CATALOG_PATH)
