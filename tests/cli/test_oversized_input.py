"""Issue 13.5: an input that cannot fit the model's context window exits 2 before any call,
with the sizes and the way out; history keeps at most 256 KiB of each text of a call."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from bedrock_cli.fits import least_tokens
from bedrock_cli.history import CallRecord, History
from bedrock_cli.history_limits import FIELD_LIMIT, capped, capped_json
from bedrock_cli.text.tokenizer import count_tokens
from tests.helpers import cli

PROSE = "After the rain, the streets were wet and quiet; the 1814 council didn't meet. "


def local(*args: str, input: str | None = None) -> object:
    return cli(["--backend", "local", *args], input=input)


def rows(home: Path) -> list[dict[str, object]]:
    return History(home / "data").rows(limit=None, oldest_first=True)


def test_ten_megabytes_on_stdin_exit_2_before_any_call(isolated_env: Path) -> None:
    huge = PROSE * 130_000  # 10 MB
    started = time.perf_counter()
    run = local("generate", "hi", input=huge)
    assert time.perf_counter() - started < 10
    assert run.exit_code == 2, run.stderr  # type: ignore[attr-defined]
    error, hint = run.stderr.splitlines()  # type: ignore[attr-defined]
    assert error.startswith("Error: The input is too long for amazon.nova-lite-v1:0: at least ")
    assert "(10.1 MB of text), and its context window is 300,000 tokens." in error
    assert "bedrock-cli summarize" in hint and "larger context window" in hint
    assert rows(isolated_env) == []  # nothing was sent, nothing logged


def test_the_hint_names_a_model_whose_window_holds_it() -> None:
    run = local("generate", "-m", "llama3-8b", "hi", input=PROSE * 700)  # ~55 KB
    assert run.exit_code == 2, run.stderr  # type: ignore[attr-defined]
    assert "context window is 8,192 tokens" in run.stderr  # type: ignore[attr-defined]
    assert "larger context window (-m " in run.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", [["chat"], ["compare", "-m", "llama3-8b", "-m", "nova-lite",
                                                "hi"], ["sample", "-m", "llama3-8b", "-n", "2"]])
def test_other_text_commands_check_too(isolated_env: Path, command: list[str]) -> None:
    run = local(*command, input=PROSE * 130_000 if command == ["chat"] else PROSE * 700)
    shown = run.stdout + run.stderr  # type: ignore[attr-defined]
    # compare prints a failed column in its place
    assert "The input is too long for" in shown and "context window is" in shown
    assert run.exit_code == 2  # type: ignore[attr-defined]
    assert not any(r["model_id"] == "meta.llama3-8b-instruct-v1:0" for r in rows(isolated_env)
                   if r["status"] == "complete")


@pytest.mark.parametrize("text", [
    PROSE * 3000, "word " * 50_000, "a" * 100_000, " " * 50_000, "\n\n".join(["x"] * 9000),
    "東京は日本の首都です。" * 5000, "1234567890" * 20_000, "a-b_c.d/e:f;" * 10_000,
    PROSE * 30_000,  # 2.3 MB: counted with numpy
])
def test_least_tokens_is_a_lower_bound_of_the_emulators_count(text: str) -> None:
    assert 0 < least_tokens(text) <= count_tokens(text)


def test_least_tokens_is_cheap_on_huge_text() -> None:
    huge = PROSE * 130_000
    started = time.perf_counter()
    assert least_tokens(huge) >= len(huge.split())
    assert time.perf_counter() - started < 2


def test_history_caps_each_text_with_a_marker() -> None:
    assert capped("short") == "short"
    big = "é" * FIELD_LIMIT  # 2 bytes each: 512 KiB
    kept = capped(big)
    assert kept is not None and kept.startswith("é" * 1000)
    assert f"{2 * FIELD_LIMIT:,} bytes in all" in kept
    assert len(kept.encode()) < FIELD_LIMIT + 200
    assert capped("x" * FIELD_LIMIT) == "x" * FIELD_LIMIT  # exactly the limit: whole
    nested = capped_json([{"role": "user", "content": [{"text": "y" * (FIELD_LIMIT + 1)}]}])
    assert nested[0]["content"][0]["text"].endswith("KiB are kept]")


def test_history_stays_small_for_a_large_call(isolated_env: Path) -> None:
    prompt = PROSE * 8000  # 630 KB: fits nova-lite's window
    run = local("generate", "--max-tokens", "5", "Summarize:", input=prompt)
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    [row] = rows(isolated_env)
    assert len(str(row["prompt"]).encode()) < FIELD_LIMIT + 200
    assert "bytes in all" in str(row["prompt"])
    messages = json.loads(str(row["messages"]))
    assert len(json.dumps(messages)) < 2 * FIELD_LIMIT
    db = isolated_env / "data" / "history.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert db.stat().st_size < 2_000_000
    again = local("generate", "-c", "--max-tokens", "5", "And?")
    assert again.exit_code == 0, again.stderr  # type: ignore[attr-defined]


def test_the_store_caps_what_any_command_records(tmp_path: Path) -> None:
    store = History(tmp_path)
    call_id = store.record(CallRecord(command="generate", status="error",
                                      prompt="p" * (FIELD_LIMIT * 4), error="e" * FIELD_LIMIT * 2,
                                      response="r" * (FIELD_LIMIT + 10)))
    row = store.get(call_id)
    assert row is not None
    for key in ("prompt", "error", "response"):
        assert len(row[key]) < FIELD_LIMIT + 200 and "bytes in all" in row[key]
    store.set_response(call_id, "z" * (FIELD_LIMIT * 3))
    assert len(store.get(call_id)["response"]) < FIELD_LIMIT + 200  # type: ignore[index]
    store.close()
