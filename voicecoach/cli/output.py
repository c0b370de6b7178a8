"""How the CLI talks to the terminal: progress lines on stderr, files written with clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["progress", "write_text"]


def progress(line: str) -> None:
    """One line of progress on stderr (stdout stays clean for --json)."""
    print(line, file=sys.stderr, flush=True)


def write_text(path: str | Path, text: str) -> Path:
    """Write a file the user asked for, atomically, or raise ``StorageError`` saying why not."""
    from .files import write_text as _write

    return _write(Path(path), text)
