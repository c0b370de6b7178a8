"""Practice history: a SQLite database (and kept answer audio) in the user's data directory.

The directory is ``$VOICECOACH_HOME`` or platformdirs' user data directory. Schema changes are an
append-only list of named migrations; ``PRAGMA user_version`` records how many have run. Every
answer is committed the moment it is evaluated, so a crash or a kill loses nothing already answered;
a session whose process died while running is marked ``interrupted`` the next time the store opens.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .errors import VoicecoachError

__all__ = ["Store", "data_dir", "MIGRATIONS", "open_store"]


def data_dir() -> Path:
    """``$VOICECOACH_HOME`` or the user data directory."""
    env = os.environ.get("VOICECOACH_HOME")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("voicecoach"))


def _sql(db: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits first, which would break each migration's own transaction.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def m001_sessions_and_answers(db: sqlite3.Connection) -> None:
    """Sessions and their answers."""
    _sql(db, """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            mode TEXT NOT NULL,
            round TEXT,
            role TEXT,
            status TEXT NOT NULL,
            settings_json TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            question_id TEXT NOT NULL,
            round TEXT NOT NULL,
            question_text TEXT NOT NULL,
            status TEXT NOT NULL,
            transcript TEXT NOT NULL DEFAULT '',
            evaluation_json TEXT,
            audio_path TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (session_id, idx)
        );
    """)


def m002_timings_delivery_commands(db: sqlite3.Connection) -> None:
    """Word timings, delivery figures, commands and timings per answer; the owning process; indexes."""
    _sql(db, """
        ALTER TABLE answers ADD COLUMN words_json TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE answers ADD COLUMN delivery_json TEXT;
        ALTER TABLE answers ADD COLUMN commands_json TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE answers ADD COLUMN timings_json TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE answers ADD COLUMN role TEXT;
        ALTER TABLE sessions ADD COLUMN pid INTEGER;
        CREATE INDEX answers_by_question ON answers (question_id, created_at);
    """)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_sessions_and_answers,
    m002_timings_delivery_commands,
]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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


class Store:
    """The history database."""

    def __init__(self, root: Path | None = None, migrations=None) -> None:
        self.root = Path(root) if root else data_dir()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            (self.root / "audio").mkdir(exist_ok=True)
        except OSError as exc:
            raise VoicecoachError(f"cannot create the data directory {self.root}: {exc.strerror}",
                                  "set VOICECOACH_HOME to a writable folder") from exc
        self.path = self.root / "voicecoach.db"
        self.db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.migrate(MIGRATIONS if migrations is None else migrations)
        self._recover()

    # -- schema ---------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """How many migrations have run."""
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, migrations) -> None:
        """Run the migrations this database has not seen, each in its own transaction."""
        for i, step in enumerate(migrations[self.version:], start=self.version + 1):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                step(self.db)
                self.db.execute(f"PRAGMA user_version = {i}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _recover(self) -> None:
        if self.version < 2:
            return
        for row in self.db.execute("SELECT id, pid FROM sessions WHERE status = 'running'").fetchall():
            if not _alive(row["pid"]):
                self.db.execute("UPDATE sessions SET status = 'interrupted' WHERE id = ?", (row["id"],))

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    # -- writing --------------------------------------------------------------------------------
    def start_session(self, mode: str, settings: dict) -> int:
        """A new session row, status ``running``; returns its id."""
        cur = self.db.execute(
            "INSERT INTO sessions (started_at, mode, round, role, status, settings_json, pid) VALUES (?,?,?,?,?,?,?)",
            (_now(), mode, settings.get("round"), settings.get("role"), "running", json.dumps(settings), os.getpid()))
        return cur.lastrowid

    def save_answer(self, session_id: int, q: dict, audio: np.ndarray | None = None, rate_hz: int = 16000) -> None:
        """Insert or update one question of a session (committed at once)."""
        audio_path = None
        if audio is not None and len(audio):
            import soundfile

            folder = self.root / "audio" / f"session-{session_id}"
            folder.mkdir(parents=True, exist_ok=True)
            p = folder / f"q{q['index']}.ogg"
            soundfile.write(p, np.clip(audio, -1, 1), rate_hz, format="OGG", subtype="VORBIS")
            audio_path = str(p.relative_to(self.root))
        ev = q.get("evaluation")
        self.db.execute(
            """INSERT INTO answers (session_id, idx, question_id, round, role, question_text, status, transcript,
                   words_json, evaluation_json, delivery_json, commands_json, timings_json, audio_path, created_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT (session_id, idx) DO UPDATE SET status=excluded.status, transcript=excluded.transcript,
                   words_json=excluded.words_json, evaluation_json=excluded.evaluation_json,
                   delivery_json=excluded.delivery_json, commands_json=excluded.commands_json,
                   timings_json=excluded.timings_json, audio_path=COALESCE(excluded.audio_path, answers.audio_path)""",
            (session_id, q["index"], q["id"], q["round"], q.get("role"), q["text"], q["status"] or "asked",
             q.get("transcript", ""), json.dumps(q.get("words", [])), json.dumps(ev) if ev else None,
             json.dumps(q.get("delivery")) if q.get("delivery") else None, json.dumps(q.get("commands", [])),
             json.dumps(q.get("timings", {})), audio_path, _now()))

    def end_session(self, session_id: int, status: str) -> None:
        """Record how the session ended."""
        self.db.execute("UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?", (status, _now(), session_id))

    def forget(self, session_id: int | None = None) -> int:
        """Delete one session (or all with None), its answers and its audio, for good. Returns how many."""
        ids = [r[0] for r in self.db.execute("SELECT id FROM sessions" + (" WHERE id = ?" if session_id else ""),
                                             (session_id,) if session_id else ()).fetchall()]
        for sid in ids:
            self.db.execute("DELETE FROM answers WHERE session_id = ?", (sid,))
            self.db.execute("DELETE FROM sessions WHERE id = ?", (sid,))
            shutil.rmtree(self.root / "audio" / f"session-{sid}", ignore_errors=True)
        if session_id is None:
            for leftover in (self.root / "audio").glob("*"):
                shutil.rmtree(leftover, ignore_errors=True)
        # Deleted text must not linger in free pages or in the write-ahead log.
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(ids)

    # -- reading --------------------------------------------------------------------------------
    def sessions(self) -> list[dict]:
        """Every session with counts and averages, oldest first."""
        rows = self.db.execute("SELECT * FROM sessions ORDER BY id").fetchall()
        return [self._session_summary(r) for r in rows]

    def session(self, session_id: int) -> dict:
        """One session with its answers."""
        row = self.db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise VoicecoachError(f"there is no session {session_id}", "see the list with `voicecoach history`")
        s = self._session_summary(row)
        s["answers"] = self.answers(session_id)
        return s

    def answers(self, session_id: int | None = None, question_id: str | None = None) -> list[dict]:
        """Answers of a session, or every attempt at a question, in order."""
        sql, args = "SELECT * FROM answers", []
        if session_id is not None:
            sql, args = sql + " WHERE session_id = ?", [session_id]
        elif question_id is not None:
            sql, args = sql + " WHERE question_id = ?", [question_id]
        rows = self.db.execute(sql + " ORDER BY session_id, idx", args).fetchall()
        return [self._answer(r) for r in rows]

    def _answer(self, r: sqlite3.Row) -> dict:
        ev = json.loads(r["evaluation_json"]) if r["evaluation_json"] else None
        return {"session_id": r["session_id"], "index": r["idx"], "question_id": r["question_id"], "round": r["round"],
                "role": r["role"], "question": r["question_text"], "status": r["status"], "transcript": r["transcript"],
                "words": json.loads(r["words_json"]), "evaluation": ev,
                "delivery": json.loads(r["delivery_json"]) if r["delivery_json"] else None,
                "commands": json.loads(r["commands_json"]), "timings": json.loads(r["timings_json"]),
                "audio_path": str(self.root / r["audio_path"]) if r["audio_path"] else None,
                "created_at": r["created_at"]}

    def _session_summary(self, r: sqlite3.Row) -> dict:
        answers = [a for a in self.answers(r["id"]) if a["status"] == "answered" and a["evaluation"]]
        avg = {k: (round(sum(a["evaluation"]["scores"][k] for a in answers) / len(answers)) if answers else None)
               for k in ("hr", "hiring_manager")}
        deliveries = [a["delivery"] for a in answers if a["delivery"]]
        flags: dict[str, int] = {}
        for a in answers:
            for f in a["evaluation"]["flags"]:
                flags[f["id"]] = flags.get(f["id"], 0) + 1
        mean = lambda xs: round(sum(xs) / len(xs), 1) if xs else None  # noqa: E731
        return {"id": r["id"], "started_at": r["started_at"], "ended_at": r["ended_at"], "mode": r["mode"],
                "round": r["round"], "role": r["role"], "status": r["status"],
                "settings": json.loads(r["settings_json"]), "answered": len(answers),
                "average_scores": avg, "flags": flags,
                "words_per_minute": mean([d["words_per_minute"] for d in deliveries]),
                "fillers_per_minute": mean([d["fillers_per_minute"] for d in deliveries])}

    def weakest_questions(self, n: int) -> list[str]:
        """Question ids whose latest answer scored lowest for its own round."""
        latest: dict[str, dict] = {}
        for a in self.answers():
            if a["status"] == "answered" and a["evaluation"]:
                latest[a["question_id"]] = a
        ranked = sorted(latest.values(), key=lambda a: a["evaluation"]["scores"][a["round"]])
        return [a["question_id"] for a in ranked[:n]]


def open_store() -> Store:
    """The store in the data directory."""
    return Store()
