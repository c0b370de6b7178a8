"""How the CLI talks to the terminal: progress lines on stderr, files written with clear errors, and a
standard output that fails in one line.

Standard output can fail like any file: a full disk (``voicecoach export > /full/disk/x``), a device that is
always full, a closed descriptor (``voicecoach history >&-``), a terminal that went away. ``guard_stdout``
wraps it so that such a failure is a ``StorageError`` (exit 7) rather than a traceback; the encoding of a
locale that cannot show every character (``LC_ALL=C`` without UTF-8) replaces what it cannot show.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path

from ..errors import StorageError

__all__ = ["progress", "write_text", "OutputFailed", "guard_stdout", "print_json", "last_words", "unicode_stdout",
           "silence_stdout", "stopped_line", "use_color", "live_terminal"]


def progress(line: str) -> None:
    """One line of progress on stderr (stdout stays clean for --json)."""
    print(line, file=sys.stderr, flush=True)


def last_words(line: str) -> None:
    """A last line on stderr that cannot fail: the terminal may be gone (SIGHUP) or stderr closed."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):
        pass


def stopped_line(exc: BaseException) -> str:
    """How a stop signal is named in the last line: "interrupted" for Ctrl-C, else the signal and why."""
    name, why = getattr(exc, "name", "Ctrl-C"), getattr(exc, "why", "")
    return "interrupted" if name == "Ctrl-C" else f"stopped by {name}" + (f" ({why})" if why else "")


def write_text(path: str | Path, text: str) -> Path:
    """Write a file the user asked for, atomically, or raise ``StorageError`` saying why not."""
    from .files import write_text as _write

    return _write(Path(path), text)


class OutputFailed(StorageError):
    """Standard output cannot be written (full, closed, gone)."""

    def __init__(self, code: int | None) -> None:
        self.errno = code
        why = {errno.ENOSPC: "the disk (or device) it goes to is full", errno.EDQUOT: "the disk quota is used up",
               errno.EBADF: "it is closed", errno.EIO: "the terminal is gone (input/output error)"}
        reason = why.get(code, os.strerror(code) if code else "unknown reason")
        super().__init__(f"cannot write to standard output: {reason}",
                         "send the output somewhere it can go, e.g. `voicecoach history > ~/history.txt` "
                         "(or --out FILE where the command has it)")


class _GuardedStream:
    """``sys.stdout`` whose write and flush raise ``OutputFailed`` (or ``BrokenPipeError``) instead of OSError."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def _call(self, method, *args):
        try:
            return method(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputFailed(exc.errno) from None

    def write(self, text: str) -> int:
        return self._call(self._stream.write, text)

    def flush(self) -> None:
        return self._call(self._stream.flush)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def guard_stdout():
    """Wrap ``sys.stdout`` (see the module docstring); returns what to restore. A closed standard output
    (``>&-``) raises ``OutputFailed`` at once, before any work, with descriptor 1 pointing at /dev/null so
    that no file opened later takes its place."""
    original = sys.stdout
    _fill_closed_descriptors()
    if original is None:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
        raise OutputFailed(errno.EBADF)
    if not isinstance(original, _GuardedStream):
        if hasattr(original, "reconfigure"):
            # A path given with bytes the locale cannot decode is printed back as those bytes; an ASCII
            # locale shows "?" for what it cannot show rather than crashing.
            original.reconfigure(errors="surrogateescape" if unicode_stdout(original) else "replace")
        sys.stdout = _GuardedStream(original)
    return original


def unicode_stdout(stream=None) -> bool:
    """True when standard output can show any character (a UTF-8 locale or a UTF-16/32 stream)."""
    stream = stream or sys.stdout
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    return encoding.startswith("utf")


def _fill_closed_descriptors() -> None:
    """Point closed standard descriptors (0, 1, 2) at /dev/null: otherwise the next file opened (the history
    database) takes the number, and what was printed would be written into it."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    if sys.stdin is None:
        sys.stdin = open(0, closefd=False)  # noqa: SIM115


def silence_stdout() -> None:
    """After standard output failed: send what is still buffered to /dev/null, so that the interpreter's
    last flush does not print a second error."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass


def print_json(obj) -> None:
    """One JSON document on stdout (non-ASCII escaped where the locale cannot show it)."""
    print(json.dumps(obj, ensure_ascii=not unicode_stdout()))


def live_terminal(stream=None) -> bool:
    """True when ``stream`` is a terminal that understands cursor codes (``TERM=dumb`` says it does not)."""
    stream = stream or sys.stdout
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False
    return tty and os.environ.get("TERM", "") != "dumb"


def use_color(stream=None) -> bool:
    """True when colour may be used on ``stream``: a live terminal, and ``NO_COLOR`` unset or empty
    (https://no-color.org)."""
    return live_terminal(stream) and not os.environ.get("NO_COLOR")
