"""The way forward from a damaged history: move it aside (never delete it), start afresh, and copy back
every row that still reads; or, when it cannot be written, open it for reading only."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

from ..errors import StorageError, VoicecoachWarning
from .storage import cannot_write, recover_hint

__all__ = ["move_aside", "salvage", "open_read_only", "report_damage"]


def move_aside(path: Path) -> Path:
    """Rename a damaged database (and its -wal/-shm companions) to ``NAME.damaged-YYYYmmdd-HHMMSS.db``.

    Raises:
        StorageError: the folder is read-only or full, so it cannot be renamed.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.damaged-{stamp}-{n}{path.suffix}")
    try:
        os.replace(path, target)
    except OSError as exc:
        err = cannot_write(path.parent, exc, what="the folder")
        raise StorageError(f"the history database {path} is damaged and cannot be moved aside ({err.message})",
                           f"copy it elsewhere, then {recover_hint(path)}") from None
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            try:
                os.replace(companion, Path(f"{target}{suffix}"))
            except OSError:
                shutil.copyfile(companion, Path(f"{target}{suffix}"))
    return target


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})").fetchall()]


def _rows(db: sqlite3.Connection, table: str, columns: list[str], max_misses: int = 20000):
    """Every row that still reads, in rowid order. A damaged page stops a scan; then each rowid is
    looked up on its own, so only the rows on damaged pages are skipped."""
    select = f"SELECT rowid, {', '.join(columns)} FROM {table}"
    last = 0
    try:
        for row in db.execute(select + " ORDER BY rowid"):
            last = row[0]
            yield row
        return
    except sqlite3.DatabaseError:
        pass
    misses, rowid = 0, last
    while misses < max_misses:
        rowid += 1
        try:
            row = db.execute(select + " WHERE rowid = ?", (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            row = None
        if row is None:
            misses += 1
            continue
        misses = 0
        yield row


def salvage(old: Path, db: sqlite3.Connection) -> tuple[int, int]:
    """Copy every session and answer row that still reads from the damaged file ``old`` into ``db``
    (a fresh history). Answers whose session row is lost get a stand-in session marked interrupted.

    Returns:
        (sessions, answers) copied.
    """
    src = None
    for uri in (f"file:{quote(str(old))}?mode=ro", f"file:{quote(str(old))}?immutable=1"):
        try:
            src = sqlite3.connect(uri, uri=True)
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            break
        except sqlite3.DatabaseError:
            src = None
    if src is None:
        return 0, 0
    counts = []
    try:
        db.execute("BEGIN IMMEDIATE")
        for table in ("sessions", "answers"):
            try:
                cols = [c for c in _columns(src, table) if c in set(_columns(db, table))]
            except sqlite3.DatabaseError:
                cols = []
            n = 0
            if cols:
                insert = f"INSERT OR IGNORE INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                for row in _rows(src, table, cols):
                    values = dict(zip(cols, row[1:]))
                    if table == "answers" and "session_id" in values:
                        db.execute("INSERT OR IGNORE INTO sessions (id, started_at, mode, status) "
                                   "VALUES (?, ?, 'practice', 'interrupted')",
                                   (values["session_id"], values.get("created_at") or ""))
                    try:
                        n += db.execute(insert, tuple(values.values())).rowcount
                    except sqlite3.DatabaseError:
                        continue  # a row whose contents do not fit any more (damaged values)
            counts.append(n)
        db.execute("COMMIT")
    except sqlite3.DatabaseError:
        db.execute("ROLLBACK") if db.in_transaction else None
        return 0, 0
    finally:
        src.close()
    return counts[0], counts[1]


def open_read_only(path: Path, problem: StorageError, migrations, migrate) -> sqlite3.Connection:
    """The history at ``path`` for reading only (or an empty one when there is no file); ``problem`` is
    why it cannot be written, raised if it cannot even be read."""
    db = None
    if path.is_file():
        # A WAL database in a folder that cannot be written opens only as immutable.
        for uri in (f"file:{quote(str(path))}?mode=ro", f"file:{quote(str(path))}?immutable=1"):
            try:
                db = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None, check_same_thread=False)
                version = db.execute("PRAGMA user_version").fetchone()[0]
                break
            except sqlite3.DatabaseError:
                db = None
        if db is None:
            raise problem
        if version < len(migrations):
            raise StorageError(f"{problem.message}, and it was made by an older voicecoach and needs an "
                               "upgrade, which writes to it", problem.fix)
    else:
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        migrate(db, migrations)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA query_only = 1")
    return db


def report_damage(path: Path, moved_aside: Path, damage: str, fresh: sqlite3.Connection | None) -> None:
    """Warn that the history was damaged and moved aside; copy what still reads into ``fresh`` (if given)."""
    import warnings

    sessions = answers = 0
    if fresh is not None:
        sessions, answers = salvage(moved_aside, fresh)
    copied = (f"{sessions} session(s) and {answers} answer(s) that still read were copied into it"
              if sessions or answers else "nothing in it could be read" if fresh is not None else "nothing copied yet")
    warnings.warn(VoicecoachWarning(
        f"the history database {path} was damaged ({damage}); it is kept as {moved_aside} and a fresh "
        f"one was started ({copied}). Fix: nothing to do to go on; to try for more, {recover_hint(moved_aside)}"),
        stacklevel=4)
