"""voicecoach.audio.dsp against scipy, the library it replaces (to keep a session's memory down)."""

import numpy as np
import pytest

from voicecoach.audio.clip import AudioClip, resample
from voicecoach.audio.dsp import minimum_filter1d, resample_poly, uniform_filter1d
from voicecoach.audio.loudness import limit_peaks

signal = pytest.importorskip("scipy.signal")
ndimage = pytest.importorskip("scipy.ndimage")


@pytest.mark.parametrize("up,down", [(1, 3), (160, 441), (147, 160), (2, 3), (3, 2), (2, 1), (441, 160), (1, 1)])
@pytest.mark.parametrize("n", [1, 7, 1000, 48_001])
def test_resample_poly_equals_scipy(up, down, n):
    x = np.random.default_rng(n + up).standard_normal(n)
    ours, theirs = resample_poly(x, up, down), signal.resample_poly(x, up, down)
    assert ours.shape == theirs.shape
    assert np.max(np.abs(ours - theirs)) < 1e-9


def test_resampled_tone_keeps_its_pitch_and_level():
    """A 440-Hz tone at 44.1 kHz brought to 16 kHz is still 440 Hz at the same level; a 10-kHz tone,
    above the new Nyquist rate, is filtered out rather than folded back as an alias."""
    t = np.arange(44_100) / 44_100
    low = resample(np.sin(2 * np.pi * 440 * t).astype(np.float32), 44_100, 16_000)
    assert len(low) == 16_000
    spectrum = np.abs(np.fft.rfft(low[1000:-1000]))
    assert abs(np.argmax(spectrum) * 16_000 / len(low[1000:-1000]) - 440) < 2
    assert np.sqrt(np.mean(low[1000:-1000] ** 2)) == pytest.approx(np.sqrt(0.5), rel=0.01)
    high = resample(np.sin(2 * np.pi * 10_000 * t).astype(np.float32), 44_100, 16_000)
    assert np.sqrt(np.mean(high[1000:-1000] ** 2)) < 0.01


@pytest.mark.parametrize("n", [1, 2, 240, 241, 12_345])
@pytest.mark.parametrize("size", [1, 3, 241])
def test_running_filters_equal_scipy(n, size):
    x = np.random.default_rng(n).standard_normal(n)
    assert np.allclose(minimum_filter1d(x, size), ndimage.minimum_filter1d(x, size, mode="nearest"))
    assert np.allclose(uniform_filter1d(x, size), ndimage.uniform_filter1d(x, size, mode="nearest"), atol=1e-9)


def test_limiter_keeps_every_sample_under_the_ceiling():
    rng = np.random.default_rng(1)
    x = np.clip(rng.standard_normal(24_000) * 0.05, -0.2, 0.2).astype(np.float32)
    x[5000] = 1.0
    y = limit_peaks(x, 0.5, 24_000)
    assert np.max(np.abs(y)) <= 0.5 + 1e-6
    assert np.allclose(y[:4000], x[:4000])  # far from the peak nothing changes
    assert AudioClip(y, 24_000).duration_s == pytest.approx(1.0)
