"""Loudness: every voice played at one level (speech level measured with a gate, peaks limited)."""

from __future__ import annotations

import numpy as np

from .clip import AudioClip
from .dsp import minimum_filter1d, uniform_filter1d

__all__ = ["MAX_GAIN_DB", "speech_level_dbfs", "peak_level_dbfs", "limit_peaks", "normalize_loudness"]


MAX_GAIN_DB = 30.0
"""The most ``normalize_loudness`` amplifies, in dB."""

_LEVEL_BLOCK_S = 0.05
_ABSOLUTE_GATE_DBFS = -60.0
_RELATIVE_GATE_DB = 20.0


def speech_level_dbfs(clip: AudioClip) -> float:
    """RMS level of the clip's speech in dBFS (a full-scale sine is -3 dBFS), pauses left out.

    A plain RMS over a whole utterance depends on how much silence it holds (espeak-ng ends every
    sentence with a pause; a one-word reply is mostly edges), so the level is measured the way
    broadcast loudness meters gate programme material: the RMS of 50 ms blocks above -60 dBFS, then
    only of those no more than 20 dB below their mean. Returns ``-inf`` for silence.
    """
    x = np.asarray(clip.samples, dtype=np.float64)
    block = max(1, round(_LEVEL_BLOCK_S * clip.sample_rate_hz))
    n = len(x) // block
    if n == 0:
        power = np.array([np.mean(np.square(x))]) if len(x) else np.zeros(0)
    else:
        power = np.mean(np.square(x[: n * block].reshape(n, block)), axis=1)
    power = power[power > 10 ** (_ABSOLUTE_GATE_DBFS / 10)]
    if len(power) == 0:
        return float("-inf")
    power = power[power >= np.mean(power) * 10 ** (-_RELATIVE_GATE_DB / 10)]
    return float(10 * np.log10(np.mean(power)))


def peak_level_dbfs(clip: AudioClip) -> float:
    """The largest absolute sample in dBFS (``-inf`` for silence)."""
    peak = float(np.max(np.abs(clip.samples))) if len(clip.samples) else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def limit_peaks(samples: np.ndarray, ceiling: float, sample_rate_hz: int, window_s: float = 0.005) -> np.ndarray:
    """Scale down only the neighbourhood of peaks above ``ceiling`` (linear), smoothly; float32 out.

    The gain curve is the per-sample gain each peak needs, spread by a running minimum of +-``window_s``
    and then averaged over the same span. Every averaged value comes from minima that include the
    sample itself, so the gain never exceeds what that sample needs: no output sample is above the
    ceiling, and the gain moves over ~10 ms instead of clipping the waveform.
    """
    x = np.asarray(samples, dtype=np.float32)
    mag = np.abs(x)
    if len(x) == 0 or float(mag.max()) <= ceiling:
        return x
    need = np.minimum(1.0, ceiling / np.maximum(mag, 1e-12)).astype(np.float64)
    radius = max(1, int(window_s * sample_rate_hz))
    gain = minimum_filter1d(need, 2 * radius + 1)
    gain = uniform_filter1d(gain, 2 * radius + 1)
    gain = np.minimum(gain, need)  # rounding in the running mean must not let a peak through
    return (x * gain).astype(np.float32)


def normalize_loudness(clip: AudioClip, target_rms_dbfs: float = -20.0, peak_dbfs: float = -1.0) -> AudioClip:
    """The clip with its speech at ``target_rms_dbfs`` (see ``speech_level_dbfs``) and no sample above ``peak_dbfs``.

    Different speech engines come out at different levels (hibari's neural voice is about 6 dB quieter
    than espeak-ng); everything voicecoach says goes through here so every voice plays at one level.
    Peaks that the gain would push over the ceiling are limited (``limit_peaks``), and the small level
    that costs is made up again. Silence is returned unchanged, and the gain never exceeds
    ``MAX_GAIN_DB`` (a clip of near-silence is not blown up into loud noise).

    Args:
        clip: speech audio.
        target_rms_dbfs: the speech level wanted, in dBFS.
        peak_dbfs: the ceiling no sample may exceed, in dBFS.

    Returns:
        A new clip at the same sample rate.
    """
    level = speech_level_dbfs(clip)
    if not np.isfinite(level):
        return clip
    ceiling = 10 ** (peak_dbfs / 20)
    x = np.asarray(clip.samples, dtype=np.float32)
    out = x
    gain_db = min(target_rms_dbfs - level, MAX_GAIN_DB)
    for _ in range(4):
        out = limit_peaks(x * np.float32(10 ** (gain_db / 20)), ceiling, clip.sample_rate_hz)
        error_db = target_rms_dbfs - speech_level_dbfs(AudioClip(out, clip.sample_rate_hz))
        if abs(error_db) < 0.05 or gain_db + error_db > MAX_GAIN_DB:
            break
        gain_db += error_db
    return AudioClip(np.clip(out, -ceiling, ceiling).astype(np.float32), clip.sample_rate_hz)
