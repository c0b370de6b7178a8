"""Practice history: a SQLite database (and kept answer audio) in the user's data directory.

The directory is ``$VOICECOACH_HOME`` or platformdirs' user data directory. Schema changes are an
append-only list of named migrations, each a list of statements run in one transaction;
``PRAGMA user_version`` records how many have run. Every answer is committed the moment it is
evaluated, so a crash or a kill loses nothing already answered; a session whose process died while
running is marked ``interrupted`` the next time the store opens. Rows are read and written as the
records of ``voicecoach.history.records``.
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

from ..errors import StorageError, VoicecoachError, VoicecoachWarning
from . import salvage, storage
from .migrations import MIGRATIONS, NewerSchema, mark_interrupted, migrate
from .records import Answer, SessionRecord
from .takes import encode_ogg, write_wav_file

__all__ = ["MIGRATIONS", "Store", "data_dir", "now_iso", "open_store", "write_wav_file"]


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


class Store:
    """The history database. Safe to use from the interview thread and the audio worker."""

    def __init__(self, root: Path | None = None, migrations=None, read_only_ok: bool = False) -> None:
        """Open (or create) the history in ``root`` (default: ``data_dir()``).

        A damaged database is moved aside (``voicecoach.damaged-STAMP.db``, never deleted), a fresh one
        is started, every row that still reads is copied into it, and a ``VoicecoachWarning`` says so.

        Args:
            read_only_ok: open a history that cannot be written (read-only file, folder or file system,
                full disk) for reading; its writes then raise the ``StorageError`` in ``read_only``.

        Raises:
            StorageError: the history cannot be created, read, or (without ``read_only_ok``) written.
        """
        self.root = Path(root) if root else data_dir()
        self.path = self.root / "voicecoach.db"
        self._lock = threading.RLock()
        self.read_only: StorageError | None = None
        """Why this history cannot be written (None when it can); reading still works."""
        self.moved_aside: Path | None = None
        """Where a damaged database was moved when this store opened."""
        migrations = MIGRATIONS if migrations is None else migrations
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage.cannot_write(self.root, exc, what="the data folder") from None
        damage = ""
        while True:
            try:
                self.db = self._open(migrations)
                break
            except sqlite3.DatabaseError as exc:
                if storage.is_damage(exc) and self.moved_aside is None:
                    damage = str(exc)
                    self.moved_aside = salvage.move_aside(self.path)
                    continue
                problem = storage.history_error(exc, self.path)
                if not read_only_ok or storage.is_damage(exc):
                    if self.moved_aside is not None:
                        self._report_damage(damage, copy_back=False)
                    raise problem from None
                self.db = self._open_read_only(problem, migrations)
                if isinstance(exc, NewerSchema):
                    import warnings

                    warnings.warn(VoicecoachWarning(f"{problem.message}; it is shown as this version reads it. "
                                                    f"Fix: {problem.fix}"), stacklevel=2)
                break
        if self.moved_aside is not None:
            self._report_damage(damage)

    def _open(self, migrations) -> sqlite3.Connection:
        """Connect, check for damage, migrate, mark dead sessions, and make sure it can be written."""
        self.db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        try:
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            # A few overwritten KB may sit in pages that opening never reads; quick_check reads them
            # all (milliseconds for a history of years) so damage is found now, not mid-session.
            problems = [r[0] for r in self.db.execute("PRAGMA quick_check(3)").fetchall()]
            if problems != ["ok"]:
                found = " ".join(problems).replace("*** in database main ***", "").strip().splitlines()
                raise storage.Damaged(f"quick_check: {found[0][:80] if found else 'damaged'}")
            self.migrate(migrations)
            self._recover()
            # A read-only file opens without complaint (SQLite falls back to reading it), and in WAL mode
            # even a write lock is granted; so ask the file system, then take the lock.
            if not os.access(self.path, os.W_OK):
                raise storage.ReadOnly(f"{self.path} is read-only")
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("ROLLBACK")
        except BaseException:
            self.db.close()
            raise
        return self.db

    def _open_read_only(self, problem: StorageError, migrations) -> sqlite3.Connection:
        """The history for reading only, or an empty one when there is no file to read."""
        self.db = salvage.open_read_only(self.path, problem, migrations, migrate)
        self.read_only = problem
        return self.db

    def _report_damage(self, damage: str, copy_back: bool = True) -> None:
        salvage.report_damage(self.path, self.moved_aside, damage,
                              self.db if copy_back and self.read_only is None else None)

    # -- schema ---------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """How many migrations have run."""
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, migrations) -> None:
        """Run the migrations this database has not seen, each in its own transaction."""
        migrate(self.db, migrations)

    def _recover(self) -> None:
        if self.version >= 2:
            mark_interrupted(self.db)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def _exec(self, sql: str, args=()) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self.db.execute(sql, args)
            except sqlite3.DatabaseError as exc:
                raise self._storage_error(exc) from None

    def _storage_error(self, exc: sqlite3.DatabaseError) -> StorageError:
        if self.read_only is not None:
            return self.read_only
        return storage.history_error(exc, self.path)

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
                   short_utterances_json, insights_json, audio_path, created_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT (session_id, idx) DO UPDATE SET status=excluded.status, transcript=excluded.transcript,
                   words_json=excluded.words_json, evaluation_json=excluded.evaluation_json,
                   delivery_json=excluded.delivery_json, commands_json=excluded.commands_json,
                   timings_json=excluded.timings_json, parts_json=excluded.parts_json,
                   short_utterances_json=excluded.short_utterances_json, insights_json=excluded.insights_json,
                   audio_path=COALESCE(excluded.audio_path, answers.audio_path)""",
            (session_id, a.index, a.question_id, a.round, a.role, a.question, a.status, a.transcript,
             json.dumps(j["words"]), json.dumps(j["evaluation"]) if a.evaluation else None,
             json.dumps(j["delivery"]) if j["delivery"] else None, json.dumps(j["commands"]),
             json.dumps(j["timings"]), json.dumps(j["parts"]), json.dumps(j["short_utterances"]),
             json.dumps(j["insights"]) if j["insights"] else None, self._relative(a.audio_path),
             a.created_at or now_iso()))

    def _relative(self, path: str | None) -> str | None:
        if not path:
            return None
        p = Path(path)
        return str(p.relative_to(self.root)) if p.is_absolute() and p.is_relative_to(self.root) else str(p)

    def write_audio(self, session_id: int, index: int, samples: np.ndarray, rate_hz: int = 16000) -> Path:
        """Save an answer's audio at once as 16-bit WAV (fast: a few milliseconds); returns the path.
        ``compress_audio`` turns it into OGG later."""
        if self.read_only is not None:
            raise self.read_only
        folder = self.root / "audio" / f"session-{session_id}"
        path = folder / f"q{index}.wav"
        write_wav_file(path, samples, rate_hz)
        return path

    def compress_audio(self, session_id: int, index: int, wav: Path) -> Path:
        """Re-encode a kept WAV as OGG Vorbis (about a tenth of the size) and point the row at it."""
        ogg = encode_ogg(wav)
        self.use_audio(session_id, index, ogg)
        wav.unlink(missing_ok=True)
        return ogg

    def use_audio(self, session_id: int, index: int, path: Path) -> None:
        """Point an answer's row at another file of its take (the OGG made from its WAV)."""
        self._exec("UPDATE answers SET audio_path = ? WHERE session_id = ? AND idx = ?",
                   (self._relative(str(path)), session_id, index))

    def end_session(self, session_id: int, status: str) -> None:
        """Record how the session ended."""
        self._exec("UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?", (status, now_iso(), session_id))

    def forget(self, session_id: int | None = None) -> int:
        """Delete one session (or all with None), its answers and its audio, for good. Returns how many."""
        if self.read_only is not None:
            raise self.read_only
        try:
            return self._forget(session_id)
        except sqlite3.DatabaseError as exc:
            raise self._storage_error(exc) from None

    def _forget(self, session_id: int | None) -> int:
        with self._lock:
            # One write transaction: a session starting meanwhile waits for it, so it can neither be deleted
            # half-way nor have its audio folder swept away as a leftover.
            self.db.execute("BEGIN IMMEDIATE")
            try:
                mark_interrupted(self.db)
                where = " AND id = ?" if session_id else ""
                args = (session_id,) if session_id else ()
                running = [(r[0], r[1]) for r in self.db.execute(
                    f"SELECT id, pid FROM sessions WHERE status = 'running'{where}", args).fetchall()]
                if running:
                    raise _running(running)
                ids = [r[0] for r in self.db.execute(
                    "SELECT id FROM sessions" + (" WHERE id = ?" if session_id else ""), args).fetchall()]
                for sid in ids:
                    self.db.execute("DELETE FROM answers WHERE session_id = ?", (sid,))
                    self.db.execute("DELETE FROM sessions WHERE id = ?", (sid,))
                    shutil.rmtree(self.root / "audio" / f"session-{sid}", ignore_errors=True)
                if session_id is None:
                    for leftover in (self.root / "audio").glob("*"):
                        shutil.rmtree(leftover, ignore_errors=True)
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
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


def _running(sessions: list[tuple[int, int | None]]) -> VoicecoachError:
    which = ", ".join(f"session {sid}" + (f" (process {pid})" if pid else "") for sid, pid in sessions)
    return VoicecoachError(f"{which} {'is' if len(sessions) == 1 else 'are'} still running, so nothing was forgotten: "
                           "deleting a session while it runs would lose its answers",
                           "end the session first (say \"end the interview\", or press Ctrl-C in it), then run "
                           "forget again")


def open_store(read_only_ok: bool = False) -> Store:
    """The store in the data directory (see ``Store``; ``read_only_ok`` for commands that only read)."""
    return Store(read_only_ok=read_only_ok)
