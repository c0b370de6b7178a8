"""Helpers shared by the turn-taking benchmarks and tests: busy processes beside a measurement, and audio fed to a
listener as a microphone would feed it."""

from __future__ import annotations

import multiprocessing
from contextlib import contextmanager

import numpy as np

__all__ = ["busy_processes", "feed"]

CHUNK = 512
"""Samples per microphone chunk (32 ms at 16 kHz), as the session reads them."""


def _spin(stop) -> None:  # a core kept at 100%
    x = 0
    while not stop.is_set():
        x = (x * 1103515245 + 12345) % 2 ** 31


@contextmanager
def busy_processes(n: int):
    """``n`` processes that each keep a core busy while the block runs (a user's other work)."""
    stop = multiprocessing.Event()
    hogs = [multiprocessing.Process(target=_spin, args=(stop,), daemon=True) for _ in range(n)]
    for h in hogs:
        h.start()
    try:
        yield
    finally:
        stop.set()
        for h in hogs:
            h.join(timeout=5)


def feed(listener, audio: np.ndarray) -> list:
    """Every event ``listener`` gives for ``audio`` (16 kHz), fed in microphone chunks."""
    events = []
    for i in range(0, len(audio), CHUNK):
        events += listener.feed(audio[i:i + CHUNK])
    return events
