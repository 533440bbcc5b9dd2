"""A damaged `history.db` (issue 13.8) is the environment's problem: commands that read history
exit 3 with the fix doctor gives (move it aside); commands that only write it keep working and
warn. Two kinds of damage: a file of garbage bytes, and a real store cut in half."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import cli

LOCAL = ["--backend", "local"]


def _garbage(db: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(os.urandom(8192))


def _truncated(db: Path) -> None:
    for prompt in ("The weather today was", "After the rain, the streets were",
                   "Once upon a time"):
        run = cli([*LOCAL, "-q", "generate", "-t", "0", "--max-tokens", "60", prompt])
        assert run.exit_code == 0, run.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = db.stat().st_size
    assert size >= 8 * 4096
    with open(db, "r+b") as handle:
        handle.truncate(size // 2)


@pytest.fixture(params=["garbage", "truncated"])
def damaged(request: pytest.FixtureRequest, isolated_env: Path) -> Path:
    db = isolated_env / "data" / "history.db"
    {"garbage": _garbage, "truncated": _truncated}[request.param](db)
    return db


def _says_how_to_fix(stderr: str, db: Path) -> None:
    assert f"The history store {db} is damaged" in stderr
    assert f"mv {db} {db}.bak" in stderr
    assert "Internal error" not in stderr and "bug" not in stderr


@pytest.mark.parametrize("args", [
    ["history", "list"], ["history", "show", "last"], ["history", "search", "rain"],
    ["history", "stats"], ["history", "export", "-o", "out.jsonl"],
    ["generate", "-c", "--max-tokens", "5", "and then?"],
])
def test_commands_that_read_history_exit_3_with_the_fix(damaged: Path, args: list[str]) -> None:
    run = cli([*LOCAL, *args])
    assert run.exception is None, run.exception
    assert run.exit_code == 3, run.stderr
    _says_how_to_fix(run.stderr, damaged)
    assert run.stdout == ""


def test_chat_continue_exits_3_and_json_errors_carry_the_fix(damaged: Path) -> None:
    chat = cli([*LOCAL, "chat", "-c"], input="hello\n")
    assert chat.exit_code == 3 and chat.exception is None
    _says_how_to_fix(chat.stderr, damaged)
    listed = cli([*LOCAL, "history", "list", "--json"])
    assert listed.exit_code == 3
    error = json.loads(listed.stderr)["error"]
    assert error["exit_code"] == 3 and error["hint"].startswith(f"Move it aside (mv {damaged}")


def test_commands_that_only_write_history_answer_and_warn(damaged: Path) -> None:
    run = cli([*LOCAL, "generate", "-t", "0", "--max-tokens", "5", "Hello there"])
    assert run.exit_code == 0 and run.exception is None
    assert run.stdout.strip()
    assert "could not write history" in run.stderr and f"mv {damaged} {damaged}.bak" in \
        run.stderr
    chat = cli([*LOCAL, "chat"], input="hello\n")
    assert chat.exit_code == 0 and chat.stdout.strip()
    assert "could not write history" in chat.stderr


def test_moving_it_aside_as_told_fixes_it(damaged: Path) -> None:
    damaged.rename(damaged.with_name("history.db.bak"))  # the hint's mv, nothing more
    assert cli([*LOCAL, "-q", "generate", "--max-tokens", "5", "hi"]).exit_code == 0
    listed = cli([*LOCAL, "history", "list", "--json"])
    assert listed.exit_code == 0 and len(listed.json()) == 1
