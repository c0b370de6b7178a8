"""What went wrong with a file or the history database, said in words a person can act on, and the way
forward from a damaged history: move it aside (never delete it), start afresh, copy back what still reads.

``store.py`` opens the database; this module only diagnoses and salvages, so the store stays about the
schema and the records.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np

from .errors import StorageError, VoicecoachWarning

__all__ = ["Damaged", "ReadOnly", "cannot_write", "history_error", "is_damage", "move_aside", "recover_hint", "salvage"]

# Primary SQLite result codes (https://www.sqlite.org/rescode.html).
_PERM, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 8, 10, 11, 13, 14, 26
_BUSY, _LOCKED = 5, 6

_FULL_BELOW_BYTES = 64 * 1024
"""Less free space than this counts as a full disk (SQLite needs a few pages per transaction)."""


class Damaged(sqlite3.DatabaseError):
    """``PRAGMA quick_check`` found damage that opening the database did not trip over."""


class ReadOnly(sqlite3.DatabaseError):
    """The database file opened, but the file system says it cannot be written."""

    sqlite_errorcode = _READONLY


def is_damage(exc: BaseException) -> bool:
    """True when SQLite says the file is damaged or is not a database at all."""
    if isinstance(exc, Damaged):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_CORRUPT, _NOTADB)


def _existing_folder(path: Path) -> Path:
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _disk_full(path: Path) -> bool:
    try:
        st = os.statvfs(_existing_folder(path))
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < _FULL_BELOW_BYTES or (st.f_files > 0 and st.f_favail == 0)


def _read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(_existing_folder(path)).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def cannot_write(path: Path, exc: BaseException | None = None, what: str | None = None,
                 elsewhere: str = "set VOICECOACH_HOME to a writable folder") -> StorageError:
    """A ``StorageError`` saying why ``path`` cannot be written: a missing or read-only folder, a
    read-only file or file system, a full disk, or what the system said.

    Args:
        path: the file (or folder) that could not be written.
        exc: the error that said so, if any (its errno decides when it is clear).
        what: how to name the path ("the history database ..."); default: the path itself.
        elsewhere: the alternative offered in the fix.
    """
    path = Path(path)
    name = f"{what} {path}" if what else str(path)
    code = getattr(exc, "errno", None)
    full_fix = f"free some space on that disk (df -h {_existing_folder(path)}), or {elsewhere}"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return StorageError(f"cannot write {name}: the disk is full", full_fix)
    if code == errno.EROFS or _read_only_fs(path):
        return StorageError(f"cannot write {name}: it is on a read-only file system", elsewhere)
    if path.exists() and not os.access(path, os.W_OK):
        return StorageError(f"cannot write {name}: the file is read-only (permission denied)",
                            f"make it writable (chmod u+w {path}), or {elsewhere}")
    folder = _existing_folder(path)
    if not os.access(folder, os.W_OK | os.X_OK):
        return StorageError(f"cannot write {name}: the folder {folder} is read-only (permission denied)",
                            f"make it writable (chmod u+w {folder}), or {elsewhere}")
    if code in (errno.EACCES, errno.EPERM):
        return StorageError(f"cannot write {name}: permission denied", elsewhere)
    if code == errno.ENOENT or (not path.is_dir() and not path.parent.is_dir()):
        return StorageError(f"cannot write {name}: the folder {path.parent} does not exist",
                            f"create it (mkdir -p {path.parent}), or {elsewhere}")
    if _disk_full(path):
        return StorageError(f"cannot write {name}: the disk is full", full_fix)
    detail = getattr(exc, "strerror", None) or (str(exc) if exc else "unknown reason")
    return StorageError(f"cannot write {name}: {detail}", elsewhere)


def history_error(exc: sqlite3.DatabaseError, path: Path) -> StorageError:
    """The ``StorageError`` for an SQLite error on the history database at ``path``."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (_BUSY, _LOCKED):
        return StorageError(f"the history database {path} is busy (another voicecoach is using it)",
                            "wait for the other session to finish, then run the command again")
    if is_damage(exc):
        return StorageError(f"the history database {path} is damaged ({exc})",
                            f"move it aside and run the command again; {recover_hint(path)}")
    if code in (_FULL, _READONLY, _CANTOPEN, _PERM, _IOERR) or code == 0:
        err = cannot_write(path, what="the history database")
        if code == _FULL and "disk is full" not in err.message:
            err = StorageError(f"cannot write the history database {path}: the disk is full", err.fix)
        return err
    return StorageError(f"cannot use the history database {path}: {exc}",
                        "run `voicecoach doctor`; set VOICECOACH_HOME to another folder to start a fresh history")


def recover_hint(old: Path) -> str:
    """How to get back more than voicecoach could, with SQLite's own tool."""
    return (f"sqlite3 {old} .recover | sqlite3 recovered.db gets back what SQLite can (this needs an sqlite3 "
            "built with SQLITE_ENABLE_DBPAGE_VTAB; Debian 12's is not)")


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
    from urllib.parse import quote

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


def write_wav_file(path: Path, samples: np.ndarray, rate_hz: int) -> None:
    """Write 16-bit mono WAV atomically (under a temporary name, then renamed), creating the folder.

    Raises:
        StorageError: the folder cannot be made or the file written (read-only, full disk); nothing
            half-written is left behind.
    """
    from .audio import AudioClip

    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(AudioClip(np.asarray(samples, np.float32), rate_hz).to_wav_bytes())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise cannot_write(path, exc, what="the answer's audio") from None
