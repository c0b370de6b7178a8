"""What went wrong with a file or the history database, said in words a person can act on.

``store.py`` opens the database, ``salvage.py`` deals with a damaged one; this module only diagnoses.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from ..errors import StorageError

__all__ = ["Damaged", "ReadOnly", "cannot_write", "history_error", "is_damage", "recover_hint"]

# Primary SQLite result codes (https://www.sqlite.org/rescode.html).
_PERM, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 8, 10, 11, 13, 14, 26
_BUSY, _LOCKED, _CONSTRAINT = 5, 6, 19

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


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long, a loop of links
        return False


def _existing_folder(path: Path) -> Path:
    try:
        folder = path if path.is_dir() else path.parent
    except OSError:
        folder = path.parent
    while not _exists(folder) and folder != folder.parent:
        folder = folder.parent
    return folder


def _too_long(path: Path) -> str | None:
    """Why ``path`` is too long for the file system, in words (None when it is not)."""
    try:
        name_max = os.pathconf(_existing_folder(path), "PC_NAME_MAX")
        path_max = os.pathconf(_existing_folder(path), "PC_PATH_MAX")
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    longest = max((len(os.fsencode(part)) for part in path.parts), default=0)
    if longest > name_max:
        return f"a name in it is too long ({longest} bytes; this file system allows {name_max})"
    if len(os.fsencode(str(path))) >= path_max:
        return f"the path is too long ({len(os.fsencode(str(path)))} bytes; at most {path_max - 1})"
    return None


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
    if code == errno.ENAMETOOLONG or (code is None and _too_long(path)):
        why = _too_long(path) or "the name is longer than this file system allows"
        return StorageError(f"cannot write {_shorten(name)}: {why}", f"use a shorter name or folder, or {elsewhere}")
    if code == errno.ELOOP:
        return StorageError(f"cannot write {name}: its symbolic links go round in a circle",
                            f"fix the links (ls -l {path.parent}), or {elsewhere}")
    if code == errno.ENOTDIR:
        return StorageError(f"cannot write {name}: a part of the path that should be a folder is a file",
                            f"check the path, or {elsewhere}")
    full_fix = f"free some space on that disk (df -h {_existing_folder(path)}), or {elsewhere}"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return StorageError(f"cannot write {name}: the disk is full", full_fix)
    if code == errno.EROFS or _read_only_fs(path):
        return StorageError(f"cannot write {name}: it is on a read-only file system", elsewhere)
    if _exists(path) and not os.access(path, os.W_OK):
        return StorageError(f"cannot write {name}: the file is read-only (permission denied)",
                            f"make it writable (chmod u+w {path}), or {elsewhere}")
    folder = _existing_folder(path)
    if not os.access(folder, os.W_OK | os.X_OK):
        return StorageError(f"cannot write {name}: the folder {folder} is read-only (permission denied)",
                            f"make it writable (chmod u+w {folder}), or {elsewhere}")
    if code in (errno.EACCES, errno.EPERM):
        return StorageError(f"cannot write {name}: permission denied", elsewhere)
    if code == errno.ENOENT or (not _exists(path) and not _exists(path.parent)):
        return StorageError(f"cannot write {name}: the folder {path.parent} does not exist",
                            f"create it (mkdir -p {path.parent}), or {elsewhere}")
    if _disk_full(path):
        return StorageError(f"cannot write {name}: the disk is full", full_fix)
    detail = getattr(exc, "strerror", None) or (str(exc) if exc else "unknown reason")
    return StorageError(f"cannot write {name}: {detail}", elsewhere)


def _shorten(text: str, limit: int = 160) -> str:
    """A path too long to print whole, with its middle left out."""
    return text if len(text) <= limit else f"{text[:70]}...{text[-70:]}"


def history_error(exc: sqlite3.DatabaseError, path: Path) -> StorageError:
    """The ``StorageError`` for an SQLite error on the history database at ``path``."""
    from .migrations import NewerSchema

    if isinstance(exc, NewerSchema):
        return StorageError(f"the history database {path} was written by a newer voicecoach (schema version "
                            f"{exc.version}; this one knows up to {exc.known}), so this one only reads it",
                            "upgrade voicecoach to the version that wrote it, or set VOICECOACH_HOME to another "
                            "folder for a separate history")
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code == _CONSTRAINT and "FOREIGN KEY" in str(exc):
        return StorageError(f"this session is no longer in the history {path} (it was deleted while it ran)",
                            "the answers are kept in the file named here; run `voicecoach forget` only while no "
                            "session is running")
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
