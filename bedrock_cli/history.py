"""The history store: SQLite in the data dir, WAL mode, file mode 0600, versioned migrations.

Every call is one row in `calls`. Concurrent CLI processes write safely: each write is one
short transaction and waits on a busy database instead of failing.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bedrock_cli.errors import ConfigError
from bedrock_cli.history_schema import MIGRATIONS

DB_NAME = "history.db"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


_last_id = [0, 0]  # (milliseconds, random part) of the last id made in this process
_id_lock = threading.Lock()


def new_id() -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, so ids sort by time. Monotonic
    within a process: ids made in the same millisecond count up from the first one's bits."""
    with _id_lock:
        millis, rand = int(time.time() * 1000), secrets.randbits(80)
        if millis <= _last_id[0] and _last_id[1] < 2**80 - 1:
            millis, rand = _last_id[0], _last_id[1] + 1
        _last_id[:] = [millis, rand]
    value = (millis << 80) | rand
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


#: `history stats --by`: the SQL expression each grouping uses (day = the local date).
GROUPINGS = {"model": "coalesce(model, model_id, '?')",
             "day": "date(created_at, 'localtime')",
             "command": "command"}

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


_DAMAGE_CODES = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB


def move_aside(path: Path) -> str:
    """The fix for a damaged store (doctor gives it too)."""
    return f"Move it aside (mv {path} {path}.bak); a new one is made on the next call."


class HistoryDamaged(ConfigError):
    """The store is a file SQLite cannot read (garbage, truncated, corrupt pages): the
    environment's problem, not a bug. `str()` carries the fix too, for the warning of
    commands that only write history and carry on without it."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"The history store {path} is damaged: {detail}.", move_aside(path))
        self.short = f"{path} is damaged: {detail}; `mv {path} {path}.bak` fixes it"

    def __str__(self) -> str:
        return self.short


def is_damage(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF in _DAMAGE_CODES
    return type(exc) is sqlite3.DatabaseError  # what SQLite's CORRUPT and NOTADB map to


class History:
    """The store. One connection per process, shared by threads behind a lock (the
    map-reduce of `summarize` logs its parallel calls from worker threads)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / DB_NAME
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    def connect(self) -> sqlite3.Connection:
        with self._lock, self._guard():
            return self._connect()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """A damaged file becomes `HistoryDamaged` (exit 3 with the fix) wherever it shows:
        on opening, or only when a query reaches a bad page."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            self.close()
            raise HistoryDamaged(self.path, str(exc)) from None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            from bedrock_cli.paths import private_dir

            private_dir(self.path.parent)
            if not self.path.exists():
                # create it private before SQLite opens it; the -wal/-shm files inherit the mode
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                 check_same_thread=False)
            try:
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA busy_timeout = 30000")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                self._migrate(db)
            except BaseException:
                db.close()
                raise
            self._db = db
        return self._db

    def close(self) -> None:
        """Close the connection; a late writer (a worker thread still finishing) reopens it."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._guard():
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
        """Store one call (each text capped at `history_limits.FIELD_LIMIT`); its id."""
        from bedrock_cli.history_limits import capped, capped_json

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
            "prompt": capped(call.prompt),
            "system": capped(call.system),
            "messages": json.dumps(capped_json(call.messages)) if call.messages is not None
            else None,
            "params": json.dumps(call.params, default=str),
            "response": capped(call.response),
            "reasoning": capped(call.reasoning),
            "stop_reason": call.stop_reason,
            "input_tokens": usage.get("input_tokens"),
            "output_tokens": usage.get("output_tokens"),
            "cache_read_tokens": usage.get("cache_read_tokens"),
            "cache_write_tokens": usage.get("cache_write_tokens"),
            "cost_usd": call.cost_usd,
            "latency_ms": call.latency_ms,
            "status": call.status,
            "error": capped(call.error),
        }
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        with self.transaction() as db:
            db.execute(f"INSERT INTO calls ({columns}) VALUES ({marks})", row)
        return call_id

    # -- reading -----------------------------------------------------------------------
    def _all(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock, self._guard():
            return [dict(row) for row in self.connect().execute(sql, args).fetchall()]

    def get(self, call_id: str) -> dict[str, Any] | None:
        rows = self._all("SELECT * FROM calls WHERE id = ?", (call_id,))
        return rows[0] if rows else None

    def find(self, prefix: str) -> list[dict[str, Any]]:
        """Calls whose id is ``prefix`` or starts with it (ids are case-insensitive)."""
        wanted = prefix.strip().upper()
        exact = self.get(wanted)
        if exact:
            return [exact]
        stem = wanted.replace("\\", "").replace("%", "").replace("_", "")
        if not stem:
            return []
        return self._all("SELECT * FROM calls WHERE id LIKE ? ORDER BY id LIMIT 5",
                         (stem + "%",))

    def latest(self, *, command: str | None = None) -> dict[str, Any] | None:
        sql = "SELECT * FROM calls"
        args: Sequence[Any] = ()
        if command:
            sql += " WHERE command = ?"
            args = (command,)
        rows = self._all(sql + " ORDER BY id DESC LIMIT 1", args)
        return rows[0] if rows else None

    def latest_conversation(self) -> dict[str, Any] | None:
        """The newest call that carries a conversation (images, embeddings and the like
        have no messages to continue)."""
        rows = self._all("SELECT * FROM calls WHERE messages IS NOT NULL AND messages != '[]' "
                         "ORDER BY id DESC LIMIT 1", ())
        return rows[0] if rows else None

    def conversation(self, conversation_id: str) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM calls WHERE conversation_id = ? ORDER BY id",
                         (conversation_id,))

    @staticmethod
    def _filters(model: Sequence[str] | None, since: str | None, before: str | None,
                 command: str | None) -> tuple[str, list[Any]]:
        where, args = [], []
        if model:
            marks = ", ".join("?" for _ in model)
            where.append(f"(model IN ({marks}) OR model_id IN ({marks}))")
            args += [*model, *model]
        if since:
            where.append("created_at >= ?")
            args.append(since)
        if before:
            where.append("created_at < ?")
            args.append(before)
        if command:
            where.append("command = ?")
            args.append(command)
        return (" WHERE " + " AND ".join(where)) if where else "", args

    def rows(self, *, limit: int | None = 20, model: Sequence[str] | None = None,
             since: str | None = None, before: str | None = None,
             command: str | None = None, oldest_first: bool = False) -> list[dict[str, Any]]:
        """Calls matching the filters; newest first unless ``oldest_first``.
        ``since``/``before`` are UTC ISO timestamps (see :func:`utc_stamp`)."""
        where, args = self._filters(model, since, before, command)
        order = "ASC" if oldest_first else "DESC"
        sql = f"SELECT * FROM calls{where} ORDER BY id {order}"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return self._all(sql, args)

    def has_fts(self) -> bool:
        return bool(self._all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'calls_fts'"))

    def search(self, text: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Calls whose prompt or response holds every word of ``text``, best match first
        (FTS5 with stemming; a plain LIKE scan, newest first, where FTS5 is missing)."""
        words = [w for w in re.findall(r"\w+", text) if w]
        if not words:
            return []
        if self.has_fts():
            query = " ".join('"' + w.replace('"', '""') + '"' for w in words)
            return self._all(
                "SELECT calls.* FROM calls_fts JOIN calls ON calls.id = calls_fts.call_id "
                "WHERE calls_fts MATCH ? ORDER BY calls_fts.rank LIMIT ?", (query, limit))
        clauses = " AND ".join("(coalesce(prompt, '') || ' ' || coalesce(response, '')) "
                               "LIKE ? ESCAPE '\\'" for _ in words)
        like = ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                for w in words]
        return self._all(f"SELECT * FROM calls WHERE {clauses} ORDER BY id DESC LIMIT ?",
                         [*like, limit])

    def stats(self, *, since: str | None = None) -> list[dict[str, Any]]:
        """Calls, tokens and cost per model (and status counts)."""
        where, args = self._filters(None, since, None, None)
        return self._all(
            "SELECT model, count(*) AS calls, sum(status = 'complete') AS complete, "
            "sum(status = 'partial') AS partial, sum(status = 'error') AS errors, "
            "coalesce(sum(input_tokens), 0) AS input_tokens, "
            "coalesce(sum(output_tokens), 0) AS output_tokens, "
            "sum(cost_usd) AS cost_usd, min(created_at) AS first, max(created_at) AS last "
            f"FROM calls{where} GROUP BY model ORDER BY calls DESC", args)

    def totals(self, *, by: str = "model", since: str | None = None) -> list[dict[str, Any]]:
        """Calls, status counts, tokens (cache tokens too) and cost per group and backend,
        newest day or busiest group first. ``unpriced`` counts calls that used tokens but have
        no cost. Rows logged without a backend count as aws."""
        key = GROUPINGS[by]
        where, args = self._filters(None, since, None, None)
        order = "key DESC" if by == "day" else "calls DESC, key"
        return self._all(
            f"SELECT {key} AS key, coalesce(backend, 'aws') AS backend, count(*) AS calls, "
            "sum(status = 'complete') AS complete, sum(status = 'partial') AS partial, "
            "sum(status = 'error') AS errors, "
            "coalesce(sum(input_tokens), 0) AS input_tokens, "
            "coalesce(sum(output_tokens), 0) AS output_tokens, "
            "coalesce(sum(cache_read_tokens), 0) AS cache_read_tokens, "
            "coalesce(sum(cache_write_tokens), 0) AS cache_write_tokens, "
            "sum(cost_usd) AS cost_usd, "
            "sum(cost_usd IS NULL AND coalesce(input_tokens, 0) + coalesce(output_tokens, 0) "
            "> 0) AS unpriced, min(created_at) AS first, max(created_at) AS last "
            f"FROM calls{where} GROUP BY key, backend ORDER BY {order}, backend", args)

    def set_response(self, call_id: str, response: str) -> None:
        """Replace a call's logged response (a tool-use answer is logged as its JSON)."""
        from bedrock_cli.history_limits import capped

        with self.transaction() as db:
            db.execute("UPDATE calls SET response = ? WHERE id = ?", (capped(response), call_id))

    # -- deleting ----------------------------------------------------------------------
    def delete(self, call_id: str) -> int:
        with self.transaction() as db:
            return db.execute("DELETE FROM calls WHERE id = ?", (call_id,)).rowcount

    def delete_before(self, stamp: str) -> int:
        with self.transaction() as db:
            return db.execute("DELETE FROM calls WHERE created_at < ?", (stamp,)).rowcount


def utc_stamp(moment: datetime) -> str:
    """A timestamp in the form `created_at` is stored in, so strings compare in time order."""
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is local time
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")
