"""Our data, config and cache directories are created 0700 whatever the umask (issue 13.9):
under `umask 0` another local user could otherwise plant files before the 0600 files exist."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bedrock_cli.history import History
from bedrock_cli.local.batch_exec import JobStore
from bedrock_cli.local.engines._lmcache import write_cache
from bedrock_cli.paths import atomic_write, private_dir
from tests.helpers import cli


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_dir_makes_every_missing_level_0700(tmp_path: Path, open_umask: None) -> None:
    target = private_dir(tmp_path / "a" / "b" / "c")
    assert [mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", target)] == [0o700] * 3
    assert private_dir(target) == target  # already there: fine
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError):
        private_dir(tmp_path / "file" / "below")


def test_existing_directories_are_left_alone(tmp_path: Path, open_umask: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    private_dir(shared / "ours")
    assert (mode(shared), mode(shared / "ours")) == (0o755, 0o700)


def test_history_data_dir_is_private(tmp_path: Path, open_umask: None) -> None:
    History(tmp_path / "store" / "data").connect()
    assert mode(tmp_path / "store") == mode(tmp_path / "store" / "data") == 0o700
    assert mode(tmp_path / "store" / "data" / "history.db") == 0o600


def test_private_files_get_private_directories(tmp_path: Path, open_umask: None) -> None:
    atomic_write(tmp_path / "cfg" / "config.toml", b"x = 1\n", mode=0o600)
    assert mode(tmp_path / "cfg") == 0o700
    atomic_write(tmp_path / "out" / "picture.png", b"png", mode=0o644)  # the user's output
    assert mode(tmp_path / "out") == 0o777


def test_cache_and_emulator_job_dirs_are_private(tmp_path: Path, open_umask: None) -> None:
    write_cache(tmp_path / "cache" / "lm" / "t.bin", {"vocab": ["a"], "display": ["a"]},
                {"uni": np.zeros(2, dtype=np.float32)})
    assert mode(tmp_path / "cache") == mode(tmp_path / "cache" / "lm") == 0o700
    JobStore(tmp_path / "jobs" / "state").save({"jobId": "abc"})
    assert mode(tmp_path / "jobs") == mode(tmp_path / "jobs" / "state") == 0o700


def test_config_set_and_a_local_call_under_umask_0(tmp_path: Path, open_umask: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BEDROCK_CLI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("BEDROCK_CLI_HOME", str(tmp_path / "data" / "bedrock-cli"))
    assert cli(["config", "set", "model", "nova-lite"]).exit_code == 0
    run = cli(["--backend", "local", "-q", "generate", "-t", "0", "--max-tokens", "3", "hi"])
    assert run.exit_code == 0, run.stderr
    for folder in ("config", "config/bedrock-cli", "data", "data/bedrock-cli"):
        assert mode(tmp_path / folder) == 0o700, folder
