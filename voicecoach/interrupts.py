"""Stopping on a signal the way Ctrl-C stops: SIGTERM (a shutdown, ``kill``) and SIGHUP (the terminal was
closed, a logout) raise ``Interrupted``, a ``KeyboardInterrupt``, so every path that keeps a partial answer
and closes the session on Ctrl-C does the same for them.

The front end installs the handlers (``stop_on_signals``); code that must not be cut in half (closing a
session: its status and the ``--json-out`` file) runs ``shielded()``, which holds a signal until it is
done. After the first signal, later ones are ignored while the session closes (a second Ctrl-C would
otherwise leave the history saying "running").
"""

from __future__ import annotations

import contextlib
import signal
import threading

__all__ = ["Interrupted", "STOP_SIGNALS", "stop_on_signals", "shielded", "exit_code"]

STOP_SIGNALS = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}
"""The signals that stop voicecoach cleanly, and how to name each."""

_WHY = {signal.SIGINT: "", signal.SIGTERM: "the system or another program asked voicecoach to stop",
        signal.SIGHUP: "the terminal was closed"}


class Interrupted(KeyboardInterrupt):
    """A stop signal arrived (SIGINT, SIGTERM or SIGHUP)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(STOP_SIGNALS.get(signum, f"signal {signum}"))
        self.signum = signum

    @property
    def name(self) -> str:
        """``Ctrl-C``, ``SIGTERM`` or ``SIGHUP``."""
        return STOP_SIGNALS.get(self.signum, f"signal {self.signum}")

    @property
    def why(self) -> str:
        """What the signal usually means, in words ("" for Ctrl-C)."""
        return _WHY.get(self.signum, "")


def exit_code(exc: BaseException) -> int:
    """128 + the signal's number, as a shell reports a process its signal ended: 130 for Ctrl-C (and a
    plain ``KeyboardInterrupt``), 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + getattr(exc, "signum", signal.SIGINT)


class _State:
    def __init__(self) -> None:
        self.raised = False
        """A stop was raised: later signals are ignored while the session closes."""
        self.shield = 0
        self.pending: int | None = None


_state = _State()


def _handler(signum, frame) -> None:
    if _state.raised:
        return
    if _state.shield:
        _state.pending = _state.pending or signum
        return
    _state.raised = True
    raise Interrupted(signum)


def stop_on_signals() -> None:
    """Make SIGINT, SIGTERM and SIGHUP raise ``Interrupted`` in the main thread (a no-op elsewhere, where
    Python cannot install handlers)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _state.raised, _state.shield, _state.pending = False, 0, None
    for signum in STOP_SIGNALS:
        signal.signal(signum, _handler)


@contextlib.contextmanager
def shielded():
    """Hold stop signals while the block runs, then raise the first one that arrived (if none was raised
    before). Safe to nest; a no-op for signals nobody installed ``stop_on_signals`` for."""
    _state.shield += 1
    try:
        yield
    finally:
        _state.shield -= 1
    if not _state.shield and _state.pending is not None and not _state.raised:
        signum, _state.pending = _state.pending, None
        _state.raised = True
        raise Interrupted(signum)
