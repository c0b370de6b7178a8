"""Practice history: a SQLite database (and kept answer audio) in the user's data directory.

The directory is ``$VOICECOACH_HOME`` or platformdirs' user data directory. Schema changes are an
append-only list of named migrations, each a list of statements run in one transaction;
``PRAGMA user_version`` records how many have run. Every answer is committed the moment it is
evaluated, so a crash or a kill loses nothing already answered; a session whose process died while
running is marked ``interrupted`` the next time the store opens. Rows are read and written as the
records of ``voicecoach.records``.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .errors import VoicecoachError
from .records import Answer, SessionRecord

__all__ = ["Store", "data_dir", "MIGRATIONS", "open_store", "now_iso"]


def data_dir() -> Path:
    """``$VOICECOACH_HOME`` or the user data directory."""
    env = os.environ.get("VOICECOACH_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("voicecoach"))


def now_iso() -> str:
    """The time now, UTC, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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


class Store:
    """The history database. Safe to use from the interview thread and the audio worker."""

    def __init__(self, root: Path | None = None, migrations=None) -> None:
        self.root = Path(root) if root else data_dir()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            (self.root / "audio").mkdir(exist_ok=True)
        except OSError as exc:
            raise VoicecoachError(f"cannot create the data directory {self.root}: {exc.strerror}",
                                  "set VOICECOACH_HOME to a writable folder") from exc
        self.path = self.root / "voicecoach.db"
        self._lock = threading.RLock()
        self.db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
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
        for i, (_name, statements) in enumerate(migrations[self.version:], start=self.version + 1):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    self.db.execute(statement)
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

    def _exec(self, sql: str, args=()) -> sqlite3.Cursor:
        with self._lock:
            return self.db.execute(sql, args)

    # -- writing --------------------------------------------------------------------------------
    def start_session(self, record: SessionRecord) -> int:
        """A new session row, status ``running``; returns its id."""
        s = record.settings
        cur = self._exec(
            "INSERT INTO sessions (started_at, mode, round, role, status, settings_json, pid) VALUES (?,?,?,?,?,?,?)",
            (record.started_at, record.mode, s.get("round"), s.get("role"), "running", json.dumps(s), os.getpid()))
        return cur.lastrowid

    def save_answer(self, session_id: int, a: Answer) -> None:
        """Insert or update one question of a session (committed at once)."""
        j = a.to_json()
        self._exec(
            """INSERT INTO answers (session_id, idx, question_id, round, role, question_text, status, transcript,
                   words_json, evaluation_json, delivery_json, commands_json, timings_json, parts_json,
                   short_utterances_json, audio_path, created_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT (session_id, idx) DO UPDATE SET status=excluded.status, transcript=excluded.transcript,
                   words_json=excluded.words_json, evaluation_json=excluded.evaluation_json,
                   delivery_json=excluded.delivery_json, commands_json=excluded.commands_json,
                   timings_json=excluded.timings_json, parts_json=excluded.parts_json,
                   short_utterances_json=excluded.short_utterances_json,
                   audio_path=COALESCE(excluded.audio_path, answers.audio_path)""",
            (session_id, a.index, a.question_id, a.round, a.role, a.question, a.status, a.transcript,
             json.dumps(j["words"]), json.dumps(j["evaluation"]) if a.evaluation else None,
             json.dumps(j["delivery"]) if j["delivery"] else None, json.dumps(j["commands"]),
             json.dumps(j["timings"]), json.dumps(j["parts"]), json.dumps(j["short_utterances"]),
             self._relative(a.audio_path), a.created_at or now_iso()))

    def _relative(self, path: str | None) -> str | None:
        if not path:
            return None
        p = Path(path)
        return str(p.relative_to(self.root)) if p.is_absolute() and p.is_relative_to(self.root) else str(p)

    def write_audio(self, session_id: int, index: int, samples: np.ndarray, rate_hz: int = 16000) -> Path:
        """Save an answer's audio at once as 16-bit WAV (fast: a few milliseconds); returns the path.
        ``compress_audio`` turns it into OGG later."""
        import soundfile

        folder = self.root / "audio" / f"session-{session_id}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"q{index}.wav"
        tmp = path.with_suffix(".wav.tmp")
        soundfile.write(tmp, np.clip(samples, -1, 1), rate_hz, format="WAV", subtype="PCM_16")
        os.replace(tmp, path)
        return path

    def compress_audio(self, session_id: int, index: int, wav: Path) -> Path:
        """Re-encode a kept WAV as OGG Vorbis (about a tenth of the size) and point the row at it."""
        import soundfile

        data, rate = soundfile.read(wav, dtype="float32")
        ogg = wav.with_suffix(".ogg")
        tmp = wav.with_suffix(".ogg.tmp")
        soundfile.write(tmp, data, rate, format="OGG", subtype="VORBIS")
        os.replace(tmp, ogg)
        self._exec("UPDATE answers SET audio_path = ? WHERE session_id = ? AND idx = ?",
                   (self._relative(str(ogg)), session_id, index))
        wav.unlink(missing_ok=True)
        return ogg

    def end_session(self, session_id: int, status: str) -> None:
        """Record how the session ended."""
        self._exec("UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?", (status, now_iso(), session_id))

    def forget(self, session_id: int | None = None) -> int:
        """Delete one session (or all with None), its answers and its audio, for good. Returns how many."""
        with self._lock:
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
    def sessions(self) -> list[SessionRecord]:
        """Every session with its answers, oldest first."""
        rows = self._exec("SELECT * FROM sessions ORDER BY id").fetchall()
        answers: dict[int, list[Answer]] = {}
        for a in self.answers():
            answers.setdefault(a.session_id, []).append(a)
        return [self._session(r, answers.get(r["id"], [])) for r in rows]

    def session(self, session_id: int) -> SessionRecord:
        """One session with its answers."""
        row = self._exec("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise VoicecoachError(f"there is no session {session_id}", "see the list with `voicecoach history`")
        return self._session(row, self.answers(session_id))

    def answers(self, session_id: int | None = None, question_id: str | None = None) -> list[Answer]:
        """Answers of a session, or every attempt at a question, or all, in order."""
        sql, args = "SELECT * FROM answers", []
        if session_id is not None:
            sql, args = sql + " WHERE session_id = ?", [session_id]
        elif question_id is not None:
            sql, args = sql + " WHERE question_id = ?", [question_id]
        rows = self._exec(sql + " ORDER BY session_id, idx", args).fetchall()
        return [self._answer(r) for r in rows]

    def _answer(self, r: sqlite3.Row) -> Answer:
        return Answer.from_row(r, self.root)

    @staticmethod
    def _session(r: sqlite3.Row, answers: list[Answer]) -> SessionRecord:
        return SessionRecord.from_row(r, answers)

    def weakest_questions(self, n: int) -> list[str]:
        """Question ids whose latest answer scored lowest for its own round."""
        latest: dict[str, Answer] = {}
        for a in self.answers():
            if a.answered:
                latest[a.question_id] = a
        ranked = sorted(latest.values(), key=lambda a: a.evaluation.scores[a.round])
        return [a.question_id for a in ranked[:n]]


def open_store() -> Store:
    """The store in the data directory."""
    return Store()
