"""Typed answers on the terminal (``voicecoach practice --typed``): lines until an empty one."""

from __future__ import annotations

import sys

from ..interview.typed import TextInput
from .text import repair

__all__ = ["TerminalInput"]

HINT = "(type your answer; an empty line ends it. Alone on a line: skip, repeat, slower, help, end)"


class TerminalInput(TextInput):
    """Reads an answer from standard input: its lines up to an empty one (or the end of the input); a command
    typed alone on the first line acts at once."""

    def __init__(self, stream=None, out=None) -> None:
        self.stream = stream or sys.stdin
        self.out = out or sys.stdout
        self._hinted = False

    def read_answer(self, is_command=None) -> str | None:
        """The lines typed up to an empty line, joined; None when the input has ended with nothing typed.
        A first line that ``is_command`` accepts is returned at once (no empty line needed after "skip")."""
        if not self._hinted:
            print(HINT, file=self.out, flush=True)
            self._hinted = True
        if self.stream.isatty():
            print("> ", end="", file=self.out, flush=True)
        lines: list[str] = []
        while True:
            line = self.stream.readline()
            if not line:  # end of input (Ctrl-D, or the end of a piped file)
                return " ".join(lines) if lines else None
            line = repair(line, "the typed answer").strip()
            if not line:
                if lines:
                    return " ".join(lines)
                continue
            if not lines and is_command is not None and is_command(line):
                return line
            lines.append(line)
