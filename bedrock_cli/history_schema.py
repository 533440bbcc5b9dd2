"""The history store's schema: its versioned migrations, applied in order by `History`.

`PRAGMA user_version` holds the number of migrations applied; each runs in the transaction
that bumps it, so concurrent first runs apply each exactly once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


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


def fts5_available(db: sqlite3.Connection) -> bool:
    try:
        db.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
        db.execute("DROP TABLE temp.fts5_probe")
        return True
    except sqlite3.OperationalError:
        return False


def _migration_2(db: sqlite3.Connection) -> None:
    """Full-text search over prompts and responses (FTS5), kept in sync by triggers.

    The index keeps its own copy of the text (not an external-content table): `calls` has no
    INTEGER PRIMARY KEY, so its rowids may change on VACUUM. Where this SQLite lacks FTS5 the
    migration creates nothing and `search` falls back to LIKE.
    """
    if not fts5_available(db):
        return
    db.execute("CREATE VIRTUAL TABLE calls_fts USING fts5(call_id UNINDEXED, prompt, response, "
               "tokenize = 'porter unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO calls_fts (call_id, prompt, response) "
               "SELECT id, coalesce(prompt, ''), coalesce(response, '') FROM calls")
    db.execute("""CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN
        INSERT INTO calls_fts (call_id, prompt, response)
        VALUES (new.id, coalesce(new.prompt, ''), coalesce(new.response, ''));
    END""")
    db.execute("""CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
        DELETE FROM calls_fts WHERE call_id = old.id;
    END""")
    db.execute("""CREATE TRIGGER calls_fts_update AFTER UPDATE OF prompt, response ON calls BEGIN
        DELETE FROM calls_fts WHERE call_id = old.id;
        INSERT INTO calls_fts (call_id, prompt, response)
        VALUES (new.id, coalesce(new.prompt, ''), coalesce(new.response, ''));
    END""")


#: Append-only: migration N upgrades schema N-1 to N. Never edit a released one.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migration_1, _migration_2]
