"""Giving freed memory back to the system between decodes.

Each Whisper decode allocates tens of MB of scratch (the encoder attends over a whole 30-s window) on the
worker thread and frees it; glibc keeps much of what was freed in its per-thread heaps, so a practice
session's resident memory crept up by about 100 MB over a few answers. ``release_free_memory`` asks
glibc to return free pages (``malloc_trim``); the worker calls it when it has nothing left to decode, so
it never delays a piece. Speech synthesized ahead of time waits while a decode runs (``decoding``,
``wait_while_decoding``), so the two largest transients do not coincide when the cores are shared.
Measured in scripts/bench_load.py's peak column; NOTES.md, "A busy machine".
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import threading

__all__ = ["release_free_memory", "decoding", "wait_while_decoding"]

_trim = None
try:
    _trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to do
    pass


def release_free_memory() -> None:
    """Return the C heap's free pages to the system (a no-op where the C library has no ``malloc_trim``)."""
    if _trim is not None:
        _trim(0)


_decodes = 0
_idle = threading.Condition()


@contextlib.contextmanager
def decoding():
    """Mark a Whisper decode in progress (its scratch is the session's largest transient)."""
    global _decodes
    with _idle:
        _decodes += 1
    try:
        yield
    finally:
        with _idle:
            _decodes -= 1
            _idle.notify_all()


def wait_while_decoding(timeout: float = 5.0) -> None:
    """For work that is only a head start (speech synthesized ahead): wait until no decode runs, so the
    two transients do not add up on a busy machine (at most ``timeout`` seconds)."""
    with _idle:
        _idle.wait_for(lambda: _decodes == 0, timeout)
