"""Signal processing in plain numpy: polyphase resampling and running minimum / mean filters.

These are the few pieces of scipy voicecoach used (``scipy.signal.resample_poly``,
``scipy.ndimage.minimum_filter1d`` and ``uniform_filter1d``), rewritten because importing scipy.signal
costs a practice session about 75 MB of memory and scipy.ndimage another 25 MB, a sixth of its budget
(NOTES.md, "Memory"). The results match scipy's to float rounding (tests/test_dsp.py compares them).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["resample_poly", "minimum_filter1d", "uniform_filter1d"]

_CHUNK = 8192
"""Output samples computed at once (bounds the gather matrix to a few MB)."""


@lru_cache(maxsize=16)
def _phases(up: int, down: int) -> tuple[np.ndarray, int]:
    """The anti-aliasing filter of ``scipy.signal.resample_poly`` split into its ``up`` phases.

    The filter is scipy's default: a Kaiser-windowed sinc (beta 5) with ``20 * max(up, down) + 1`` taps,
    cut off at the lower Nyquist rate, gain ``up``. Row ``p`` holds taps ``p, p + up, p + 2 up, ...``.
    Returns the phase table and the output delay (the filter's half length in output samples).
    """
    max_rate = max(up, down)
    half_len = 10 * max_rate
    n = 2 * half_len + 1
    t = np.arange(n) - half_len
    h = np.sinc(t / max_rate) / max_rate * np.kaiser(n, 5.0)
    h = h / h.sum() * up
    # scipy pads the filter in front so that the delay is a whole number of output samples.
    pre = down - half_len % down
    h = np.concatenate([np.zeros(pre), h])
    taps = -(-len(h) // up)
    table = np.zeros((up, taps))
    padded = np.concatenate([h, np.zeros(taps * up - len(h))])
    for p in range(up):
        table[p] = padded[p::up]
    return table, (half_len + pre) // down


def resample_poly(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """``x`` resampled by ``up / down`` (float64 out), as ``scipy.signal.resample_poly(x, up, down)``.

    Output sample ``m`` is the filtered, zero-stuffed input at position ``(m + delay) * down``; only the
    taps that meet a real input sample are gathered, ``len(filter) / up`` per output sample.
    """
    x = np.asarray(x, dtype=np.float64)
    n_in = len(x)
    n_out = -(-(n_in * up) // down)
    table, delay = _phases(up, down)
    taps = table.shape[1]
    # Input zero-padded so that every gathered index is valid: ``taps`` zeros in front, enough after.
    xp = np.concatenate([np.zeros(taps), x, np.zeros(taps + 1)])
    out = np.empty(n_out)
    offsets = np.arange(taps)
    for start in range(0, n_out, _CHUNK):
        m = np.arange(start, min(n_out, start + _CHUNK))
        pos = (m + delay) * down
        phase, newest = pos % up, pos // up
        idx = np.minimum(newest, n_in + taps)[:, None] - offsets[None, :] + taps
        np.clip(idx, 0, len(xp) - 1, out=idx)
        out[m] = np.einsum("ij,ij->i", xp[idx], table[phase])
    return out


def _edge_padded(x: np.ndarray, radius: int) -> np.ndarray:
    return np.concatenate([np.full(radius, x[0]), x, np.full(radius, x[-1])])


def minimum_filter1d(x: np.ndarray, size: int) -> np.ndarray:
    """The running minimum over ``size`` samples (odd), centred, edges repeated (scipy's ``mode="nearest"``).

    van Herk / Gil-Werman: block-wise prefix and suffix minima, so the cost does not grow with ``size``.
    """
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0 or size <= 1:
        return x.copy()
    r = size // 2
    p = _edge_padded(x, r)
    n = len(p)
    blocks = -(-n // size)
    q = np.concatenate([p, np.full(blocks * size - n, np.inf)]).reshape(blocks, size)
    prefix = np.minimum.accumulate(q, axis=1).ravel()
    suffix = np.minimum.accumulate(q[:, ::-1], axis=1)[:, ::-1].ravel()
    i = np.arange(len(x))
    return np.minimum(suffix[i], prefix[i + size - 1])


def uniform_filter1d(x: np.ndarray, size: int) -> np.ndarray:
    """The running mean over ``size`` samples (odd), centred, edges repeated (scipy's ``mode="nearest"``)."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0 or size <= 1:
        return x.copy()
    r = size // 2
    c = np.concatenate([[0.0], np.cumsum(_edge_padded(x, r))])
    return (c[size:size + len(x)] - c[:len(x)]) / size
