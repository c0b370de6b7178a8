"""Commands given without speaking: a front end's buttons or keys, obeyed like the spoken ones.

A front end presses a command by name (``press("skip")``) from any thread; the turn takes presses at the
next microphone chunk (every 32 ms) and obeys them through the same effects as a spoken command, in the
phases where the command counts (``prompts/commands.toml``). The interview never knows which front end
pressed.
"""

from __future__ import annotations

import queue
import time

__all__ = ["PressedCommands"]


class PressedCommands:
    """A queue of command names pressed by the candidate (thread-safe)."""

    def __init__(self) -> None:
        self._q: queue.SimpleQueue[tuple[str, float]] = queue.SimpleQueue()

    def press(self, name: str) -> None:
        """Queue the command called ``name`` (a ``name`` of ``prompts/commands.toml``)."""
        self._q.put((name, time.monotonic()))

    def take(self) -> list[tuple[str, float]]:
        """Every command pressed since the last call, in order, with when it was pressed (monotonic)."""
        out = []
        while True:
            try:
                out.append(self._q.get_nowait())
            except queue.Empty:
                return out
