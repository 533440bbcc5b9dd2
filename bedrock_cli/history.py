"""The history store: SQLite in the data dir, WAL mode, file mode 0600, versioned migrations.

Every call is one row in `calls`. Concurrent CLI processes write safely: each write is one
short transaction and waits on a busy database instead of failing.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

DB_NAME = "history.db"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, so ids sort by time."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _migration_1(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE calls (
            id TEXT PRIMARY KEY,
            conversation_id TEXT,
            created_at TEXT NOT NULL,
            command TEXT NOT NULL,
            model TEXT,
            model_id TEXT,
            backend TEXT,
            prompt TEXT,
            system TEXT,
            messages TEXT,
            params TEXT,
            response TEXT,
            reasoning TEXT,
            stop_reason TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            cache_read_tokens INTEGER,
            cache_write_tokens INTEGER,
            cost_usd REAL,
            latency_ms INTEGER,
            status TEXT NOT NULL,
            error TEXT
        )"""
    )
    db.execute("CREATE INDEX calls_conversation ON calls(conversation_id, created_at)")
    db.execute("CREATE INDEX calls_created ON calls(created_at)")


#: Append-only: migration N upgrades schema N-1 to N. Never edit a released one.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migration_1]


@dataclass
class CallRecord:
    command: str
    status: str  # complete | partial | error
    model: str | None = None
    model_id: str | None = None
    backend: str | None = None
    prompt: str | None = None
    system: str | None = None
    messages: list[dict[str, Any]] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    response: str | None = None
    reasoning: str | None = None
    stop_reason: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    cost_usd: float | None = None
    latency_ms: int | None = None
    error: str | None = None
    conversation_id: str | None = None


class History:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / DB_NAME
        self._db: sqlite3.Connection | None = None

    def connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                # create it private before SQLite opens it; the -wal/-shm files inherit the mode
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            self._migrate(db)
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version >= len(MIGRATIONS):
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]  # another process won?
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                migration(db)
                db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- writing -----------------------------------------------------------------------
    def record(self, call: CallRecord) -> str:
        call_id = new_id()
        usage = call.usage
        row = {
            "id": call_id,
            "conversation_id": call.conversation_id or call_id,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "command": call.command,
            "model": call.model,
            "model_id": call.model_id,
            "backend": call.backend,
            "prompt": call.prompt,
            "system": call.system,
            "messages": json.dumps(call.messages) if call.messages is not None else None,
            "params": json.dumps(call.params, default=str),
            "response": call.response,
            "reasoning": call.reasoning,
            "stop_reason": call.stop_reason,
            "input_tokens": usage.get("input_tokens"),
            "output_tokens": usage.get("output_tokens"),
            "cache_read_tokens": usage.get("cache_read_tokens"),
            "cache_write_tokens": usage.get("cache_write_tokens"),
            "cost_usd": call.cost_usd,
            "latency_ms": call.latency_ms,
            "status": call.status,
            "error": call.error,
        }
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        with self.transaction() as db:
            db.execute(f"INSERT INTO calls ({columns}) VALUES ({marks})", row)
        return call_id

    # -- reading -----------------------------------------------------------------------
    def get(self, call_id: str) -> dict[str, Any] | None:
        row = self.connect().execute("SELECT * FROM calls WHERE id = ?", (call_id,)).fetchone()
        return dict(row) if row else None

    def latest(self, *, command: str | None = None) -> dict[str, Any] | None:
        sql = "SELECT * FROM calls"
        args: Sequence[Any] = ()
        if command:
            sql += " WHERE command = ?"
            args = (command,)
        row = self.connect().execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return dict(row) if row else None

    def conversation(self, conversation_id: str) -> list[dict[str, Any]]:
        rows = self.connect().execute(
            "SELECT * FROM calls WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        ).fetchall()
        return [dict(row) for row in rows]
