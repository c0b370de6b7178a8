"""The history database's schema: an append-only list of migrations, each a list of statements run in
one transaction, counted in ``PRAGMA user_version``; and marking sessions whose process died."""

from __future__ import annotations

import os
import sqlite3

__all__ = ["MIGRATIONS", "NewerSchema", "migrate", "mark_interrupted"]


class NewerSchema(sqlite3.DatabaseError):
    """The database was written by a newer voicecoach (more migrations than this one knows): reading it may go
    on, writing to it may not (this version would write rows the newer one does not expect)."""

    def __init__(self, version: int, known: int) -> None:
        super().__init__(f"schema version {version}; this voicecoach knows up to {known}")
        self.version, self.known = version, known


MIGRATIONS: list[tuple[str, list[str]]] = [
    ("sessions and their answers", [
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, ended_at TEXT, mode TEXT NOT NULL, round TEXT,
            role TEXT, status TEXT NOT NULL, settings_json TEXT NOT NULL DEFAULT '{}')""",
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL, question_id TEXT NOT NULL, round TEXT NOT NULL, question_text TEXT NOT NULL,
            status TEXT NOT NULL, transcript TEXT NOT NULL DEFAULT '', evaluation_json TEXT, audio_path TEXT,
            created_at TEXT NOT NULL, UNIQUE (session_id, idx))""",
    ]),
    ("word timings, delivery, commands and timings per answer; the owning process; an index", [
        "ALTER TABLE answers ADD COLUMN words_json TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE answers ADD COLUMN delivery_json TEXT",
        "ALTER TABLE answers ADD COLUMN commands_json TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE answers ADD COLUMN timings_json TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE answers ADD COLUMN role TEXT",
        "ALTER TABLE sessions ADD COLUMN pid INTEGER",
        "CREATE INDEX answers_by_question ON answers (question_id, created_at)",
    ]),
    ("follow-up parts and the short utterances heard per answer", [
        "ALTER TABLE answers ADD COLUMN parts_json TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE answers ADD COLUMN short_utterances_json TEXT NOT NULL DEFAULT '[]'",
    ]),
    ("insight into the words of each answer", [
        "ALTER TABLE answers ADD COLUMN insights_json TEXT",
    ]),
]
"""(what it does, its statements). Append only: never edit a migration that has shipped."""


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def migrate(db: sqlite3.Connection, migrations) -> None:
    """Run the migrations ``db`` has not seen, each in its own transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(migrations):
        raise NewerSchema(version, len(migrations))
    for i, (_name, statements) in enumerate(migrations[version:], start=version + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {i}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def mark_interrupted(db: sqlite3.Connection) -> None:
    """Sessions still ``running`` whose process is gone were interrupted (Ctrl-C, a crash, a kill)."""
    for row in db.execute("SELECT id, pid FROM sessions WHERE status = 'running'").fetchall():
        if not _alive(row[1]):
            db.execute("UPDATE sessions SET status = 'interrupted' WHERE id = ?", (row[0],))
