"""The history store: migration 2 (FTS5), search, filters, deletes, concurrency, file mode."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bedrock_cli import history_schema as schema
from bedrock_cli.history import DB_NAME, CallRecord, History, utc_stamp


def call(prompt: str, response: str = "", **extra: object) -> CallRecord:
    return CallRecord(command=str(extra.pop("command", "generate")), status="complete",
                      model=str(extra.pop("model", "amazon.nova-lite-v1:0")), prompt=prompt,
                      response=response, usage={"input_tokens": 3, "output_tokens": 4},
                      **extra)  # type: ignore[arg-type]


def test_file_is_private_and_schema_is_current(tmp_path: Path) -> None:
    store = History(tmp_path)
    store.record(call("hi"))
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    db = store.connect()
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS) == 2
    assert store.has_fts()


def test_migration_2_indexes_rows_written_under_version_1(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path, isolation_level=None)
    schema._migration_1(db)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO calls (id, created_at, command, status, prompt, response) VALUES "
               "('01OLD', '2025-01-01T00:00:00.000+00:00', 'generate', 'complete', "
               "'the capitals of Europe', 'Paris and Rome')")
    db.close()
    store = History(tmp_path)
    assert [r["id"] for r in store.search("capital")] == ["01OLD"]  # stemmed: capitals
    assert [r["id"] for r in store.search("rome")] == ["01OLD"]


def test_index_follows_updates_and_deletes(tmp_path: Path) -> None:
    store = History(tmp_path)
    first = store.record(call("alpha question", "bravo answer"))
    store.record(call("charlie", "delta"))
    assert [r["id"] for r in store.search("bravo")] == [first]
    store.set_response(first, "echo answer")
    assert store.search("bravo") == []
    assert [r["id"] for r in store.search("echo alpha")] == [first]  # every word, any column
    assert store.delete(first) == 1
    assert store.search("alpha") == []
    count = store.connect().execute("SELECT count(*) FROM calls_fts").fetchone()[0]
    assert count == 1


def test_search_without_fts5_falls_back_to_like(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = History(tmp_path)
    store.record(call("100% sure_thing", "ok"))
    store.record(call("other", "no"))
    monkeypatch.setattr(History, "has_fts", lambda self: False)
    assert [r["prompt"] for r in store.search("sure_thing")] == ["100% sure_thing"]
    assert store.search("sure thing other") == []


def test_search_is_safe_with_fts_syntax(tmp_path: Path) -> None:
    store = History(tmp_path)
    store.record(call('He said "NEAR" AND (x OR y)*', "-"))
    assert len(store.search('"NEAR" AND (x* OR')) == 1
    assert store.search("?!") == []


def test_filters_and_deletes_by_date(tmp_path: Path) -> None:
    store = History(tmp_path)
    ids = [store.record(call(f"p{i}", model="m1" if i % 2 else "m2")) for i in range(5)]
    db = store.connect()
    db.execute("UPDATE calls SET created_at = '2020-01-01T00:00:00.000+00:00' WHERE id = ?",
               (ids[0],))
    assert [r["id"] for r in store.rows(limit=2)] == ids[:-3:-1]
    assert {r["model"] for r in store.rows(model=["m1"])} == {"m1"}
    recent = utc_stamp(datetime.now(timezone.utc) - timedelta(days=1))
    assert ids[0] not in [r["id"] for r in store.rows(since=recent)]
    assert store.delete_before(recent) == 1
    assert len(store.rows(limit=None)) == 4
    assert store.find(ids[1][:-3]) and store.find(ids[1].lower())[0]["id"] == ids[1]
    stats = {r["model"]: r for r in store.stats()}
    assert stats["m1"]["calls"] == 2 and stats["m1"]["input_tokens"] == 6


def test_threads_share_one_store(tmp_path: Path) -> None:
    store = History(tmp_path)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(20):
                store.record(call(f"thread {n} call {i}"))
                store.rows(limit=3)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.rows(limit=None)) == 120


WRITER = """
import sys
from pathlib import Path
from bedrock_cli.history import CallRecord, History
store = History(Path(sys.argv[1]))
for i in range(int(sys.argv[3])):
    store.record(CallRecord(command="generate", status="complete",
                            prompt=f"process {sys.argv[2]} call {i}", response="ok"))
"""


def test_concurrent_processes_lose_no_rows(tmp_path: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(n), "40"],
                              stderr=subprocess.PIPE) for n in range(6)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    store = History(tmp_path)
    rows = store.rows(limit=None)
    assert len(rows) == 240
    assert len({r["id"] for r in rows}) == 240
    assert len(store.search("process call")) == 20  # the limit
    assert store.connect().execute("SELECT count(*) FROM calls_fts").fetchone()[0] == 240
