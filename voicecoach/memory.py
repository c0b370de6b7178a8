"""Giving freed memory back to the system between decodes.

Each Whisper decode allocates tens of MB of scratch (the encoder attends over a whole 30-s window) on the
worker thread and frees it; glibc keeps much of what was freed in its per-thread heaps, so a practice
session's resident memory crept up by about 100 MB over a few answers. ``release_free_memory`` asks
glibc to return free pages (``malloc_trim``); the worker calls it when it has nothing left to decode, so
it never delays a piece. Measured in scripts/bench_load.py's peak column; NOTES.md, "Memory".
"""

from __future__ import annotations

import ctypes
import ctypes.util

__all__ = ["release_free_memory"]

_trim = None
try:
    _trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to do
    pass


def release_free_memory() -> None:
    """Return the C heap's free pages to the system (a no-op where the C library has no ``malloc_trim``)."""
    if _trim is not None:
        _trim(0)
