"""Writing the files a user asks for (reports, exports, WAVs) with an error that says what to do.

Each file is written whole to a temporary name beside it and then renamed, so a failure (a full
disk, a kill) never leaves half a file where the user expects one.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..audio.clip import AudioClip
from ..errors import StorageError

__all__ = ["check_writable", "write_bytes", "write_text", "write_wav"]


def check_writable(path: Path, suffix: str | None = None) -> None:
    """Fail early, before the work that produces the file, when ``path`` is a folder or its folder is missing.

    Raises:
        StorageError: saying which, with an example of a name that works.
    """
    path = Path(path)
    if path.is_dir():
        example = path / ("out" + (suffix or path.suffix or ".txt"))
        raise StorageError(f"{path} is a folder", f"give a file name inside it, e.g. {example}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StorageError(f"cannot write {path}: the folder {folder} does not exist",
                           f"create it first (mkdir -p {folder}) or choose another location")


def write_bytes(path: Path, data: bytes, suffix: str | None = None) -> Path:
    """Write ``data`` to ``path`` atomically (``suffix``: the kind of file, for the example in an error).

    Raises:
        StorageError: the path is a folder, its folder is missing or read-only, or the disk is full.
    """
    path = Path(path)
    check_writable(path, suffix)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise StorageError(f"cannot write {path}: permission denied",
                               "choose a folder you can write to (e.g. --out ~/report.html)") from None
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageError(f"cannot write {path}: the disk is full", "free some space, or write elsewhere") from None
        raise StorageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see ``write_bytes``)."""
    return write_bytes(path, text.encode("utf-8"))


def write_wav(path: Path, clip: AudioClip) -> Path:
    """Write ``clip`` as a 16-bit mono WAV atomically (see ``write_bytes``)."""
    return write_bytes(path, clip.to_wav_bytes(), ".wav")
