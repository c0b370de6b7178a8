"""Writing the files a user asks for (reports, exports, WAVs) with an error that says what to do.

Each file is written whole to a temporary name beside it and then renamed, so a failure (a full
disk, a kill) never leaves half a file where the user expects one; a symbolic link is written through, and
a device, a named pipe or a socket is refused, never replaced (``voicecoach.history.writing``).
"""

from __future__ import annotations

from pathlib import Path

from ..audio.clip import AudioClip
from ..errors import StorageError
from ..history.storage import cannot_write
from ..history.writing import replace_file, resolve_target

__all__ = ["check_writable", "write_bytes", "write_text", "write_wav"]

_ELSEWHERE = "give --out the name of a file in a folder you can write to, e.g. --out ~/{example}"


def _elsewhere(path: Path, suffix: str | None) -> str:
    return _ELSEWHERE.format(example="out" + (suffix or path.suffix or ".txt"))


def check_writable(path: Path, suffix: str | None = None, elsewhere: str | None = None) -> Path:
    """Fail early, before the work that produces the file, when ``path`` is a folder, a device, a FIFO or a
    socket, or its folder is missing; returns the file that will be written (a link's target).

    Raises:
        StorageError: saying which, with an example of a name that works.
    """
    path = Path(path)
    elsewhere = elsewhere or _elsewhere(path, suffix)
    try:
        if path.is_dir():
            example = path / ("out" + (suffix or path.suffix or ".txt"))
            raise StorageError(f"{path} is a folder", f"give a file name inside it, e.g. {example}")
    except OSError as exc:
        raise cannot_write(path, exc, elsewhere=elsewhere) from None
    target = resolve_target(path, elsewhere=elsewhere)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise StorageError(f"cannot write {path}: the folder {folder} does not exist",
                           f"create it first (mkdir -p {folder}) or choose another location")
    return target


def write_bytes(path: Path, data: bytes, suffix: str | None = None) -> Path:
    """Write ``data`` to ``path`` atomically (``suffix``: the kind of file, for the example in an error);
    returns the file written.

    Raises:
        StorageError: the path is a folder, a device, a FIFO or a socket, its folder is missing or read-only,
            its name is too long, or the disk is full.
    """
    path = Path(path)
    check_writable(path, suffix)
    return replace_file(path, data, elsewhere=_elsewhere(path, suffix))


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see ``write_bytes``)."""
    return write_bytes(path, text.encode("utf-8"))


def write_wav(path: Path, clip: AudioClip) -> Path:
    """Write ``clip`` as a 16-bit mono WAV atomically (see ``write_bytes``)."""
    return write_bytes(path, clip.to_wav_bytes(), ".wav")
