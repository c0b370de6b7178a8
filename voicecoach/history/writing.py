"""Writing a file a user named (a report, an export, ``--json-out``, a WAV) whole, and never over something
that is not a file.

A file is written under a short temporary name in its folder and renamed over the old one, so a full disk
or a kill never leaves half a file. That rename would replace whatever the name points at, so it is only
done for a regular file or a new name: a symbolic link is written through (its target gets the file, the
link stays), and a device (``/dev/full``, ``/dev/null``), a named pipe (FIFO) or a socket is refused with
one line: replacing ``/dev/full`` with a plain file, as root, broke the machine's device. Removing the
temporary file after a failure can itself fail (a read-only file system); that never hides the first error.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from ..errors import StorageError
from .storage import cannot_write

__all__ = ["resolve_target", "replace_file", "discard", "kind_of"]


def kind_of(mode: int) -> str | None:
    """What a file that is not a regular file or a folder is, in words (None for those two)."""
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device (" + ("character" if stat.S_ISCHR(mode) else "block") + " special file)"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return None


def resolve_target(path: Path, what: str | None = None, elsewhere: str = "choose another file name") -> Path:
    """The file to write for ``path``: itself, or a symbolic link's final target.

    Raises:
        StorageError: the path is a folder, a device, a FIFO or a socket (or a link to one), its name is too
            long, or its links go round in a circle.
    """
    path = Path(path)
    name = f"{what} {path}" if what else str(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise cannot_write(path, exc, what=what, elsewhere=elsewhere) from None
    if stat.S_ISLNK(st.st_mode):
        target = Path(os.path.realpath(path))
        name = f"{name} (a link to {target})"
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return target  # a link to a file not made yet: it is made there
        except OSError as exc:
            raise cannot_write(path, exc, what=what, elsewhere=elsewhere) from None
        path = target
    if stat.S_ISDIR(st.st_mode):
        raise StorageError(f"{name} is a folder", f"give a file name inside it, or {elsewhere}")
    kind = kind_of(st.st_mode)
    if kind:
        raise StorageError(f"cannot write {name}: it is {kind}, not a file, and voicecoach never writes into or "
                           "replaces one", elsewhere)
    return path


def discard(tmp: Path) -> None:
    """Remove a temporary file; a failure here (a read-only file system, a vanished folder) is ignored so that
    it never hides the error that made the write fail."""
    try:
        os.unlink(tmp)
    except OSError:
        pass


def replace_file(path: Path, data: bytes, what: str | None = None, elsewhere: str = "choose another file name",
                 make_folder: bool = False) -> Path:
    """Write ``data`` to ``path`` whole (see the module docstring); returns the file written (a link's target).

    Args:
        what: how to name the file in an error ("the --json-out file").
        elsewhere: the alternative the error's fix offers.
        make_folder: create missing folders (otherwise a missing folder is an error).

    Raises:
        StorageError: as ``resolve_target``, or the folder is missing or read-only, or the disk is full.
    """
    target = resolve_target(path, what, elsewhere)
    folder = target.parent
    try:
        if make_folder:
            folder.mkdir(parents=True, exist_ok=True)
        mode = stat.S_IMODE(os.stat(target).st_mode) if target.exists() else None
    except OSError as exc:
        raise cannot_write(target, exc, what=what, elsewhere=elsewhere) from None
    # A short name: the user's own name may already be as long as the file system allows.
    tmp = folder / f".voicecoach-{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    except OSError as exc:
        raise cannot_write(target, exc, what=what, elsewhere=elsewhere) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(tmp, mode)  # the umask narrowed it; the file being replaced keeps its permissions
        os.replace(tmp, target)
    except OSError as exc:
        discard(tmp)
        raise cannot_write(target, exc, what=what, elsewhere=elsewhere) from None
    except BaseException:
        discard(tmp)
        raise
    return target

