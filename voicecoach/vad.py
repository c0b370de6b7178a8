"""Voice activity detection: Silero VAD (the ONNX model that ships inside faster-whisper) on onnxruntime.

No torch. Used to decide whether a clip holds speech at all (Whisper invents "Thank you." on silence),
to cut silence out before decoding, and, streamed, to find the start and end of a spoken answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import EngineMissing

__all__ = ["VadOptions", "SpeechSpan", "SileroVad", "VadStream", "speech_spans"]

RATE_HZ = 16000
WINDOW_SAMPLES = 512
"""Silero scores 32 ms windows at 16 kHz."""
CONTEXT_SAMPLES = 64
WINDOW_S = WINDOW_SAMPLES / RATE_HZ


@dataclass(frozen=True)
class VadOptions:
    """How speech probabilities become spans."""

    threshold: float = 0.5
    """A window at or above this probability is speech."""
    neg_threshold: float = 0.35
    """Once in speech, only windows below this count towards silence."""
    min_speech_s: float = 0.25
    """Shorter bursts are dropped (clicks, breaths)."""
    min_silence_s: float = 0.5
    """Silence that splits two spans."""
    pad_s: float = 0.2
    """Kept either side of each span so word edges are not clipped."""


@dataclass(frozen=True)
class SpeechSpan:
    """One stretch of speech."""

    start_s: float
    """Seconds from the start of the clip."""
    end_s: float
    """Seconds from the start of the clip."""

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.end_s - self.start_s


def _model_path() -> Path:
    try:
        import faster_whisper
    except ImportError as exc:  # pragma: no cover - install problem
        raise EngineMissing(
            "voice activity detection needs the Silero model shipped in faster-whisper",
            "pip install faster-whisper",
        ) from exc
    assets = Path(faster_whisper.__file__).parent / "assets"
    found = sorted(assets.glob("silero_vad*.onnx"))
    if not found:  # pragma: no cover - install problem
        raise EngineMissing(f"no silero_vad*.onnx in {assets}", "pip install --force-reinstall faster-whisper")
    return found[-1]


class SileroVad:
    """Speech probability per 32 ms window."""

    def __init__(self, model_path: str | Path | None = None) -> None:
        import onnxruntime

        opts = onnxruntime.SessionOptions()
        opts.inter_op_num_threads = 1
        opts.intra_op_num_threads = 1
        opts.log_severity_level = 4
        self._session = onnxruntime.InferenceSession(
            str(model_path or _model_path()), providers=["CPUExecutionProvider"], sess_options=opts
        )

    def _run(self, windows: np.ndarray, h: np.ndarray, c: np.ndarray):
        out, h, c = self._session.run(None, {"input": windows, "h": h, "c": c})
        return out.reshape(-1), h, c

    @staticmethod
    def _initial_state():
        return np.zeros((1, 1, 128), np.float32), np.zeros((1, 1, 128), np.float32)

    def probabilities(self, samples: np.ndarray) -> np.ndarray:
        """Speech probability of each whole 512-sample window of 16 kHz audio (tail zero-padded)."""
        samples = np.asarray(samples, dtype=np.float32)
        pad = (-len(samples)) % WINDOW_SAMPLES
        if pad:
            samples = np.concatenate([samples, np.zeros(pad, np.float32)])
        if len(samples) == 0:
            return np.zeros(0, np.float32)
        windows = samples.reshape(-1, WINDOW_SAMPLES)
        # The model wants each window prefixed with the last 64 samples of the one before it.
        context = np.roll(windows[:, -CONTEXT_SAMPLES:], 1, axis=0)
        context[0] = 0
        h, c = self._initial_state()
        probs, _, _ = self._run(np.concatenate([context, windows], axis=1), h, c)
        return probs

    def stream(self) -> "VadStream":
        """A stateful scorer for audio that arrives in chunks."""
        return VadStream(self)


class VadStream:
    """Scores audio as it arrives; keeps the model state and the partial window between calls."""

    def __init__(self, vad: SileroVad) -> None:
        self._vad = vad
        self._h, self._c = vad._initial_state()
        self._pending = np.zeros(0, np.float32)
        self._context = np.zeros(CONTEXT_SAMPLES, np.float32)

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """Add 16 kHz samples; returns the probabilities of the windows they completed."""
        self._pending = np.concatenate([self._pending, np.asarray(samples, np.float32)])
        n = len(self._pending) // WINDOW_SAMPLES
        if n == 0:
            return np.zeros(0, np.float32)
        windows = self._pending[: n * WINDOW_SAMPLES].reshape(n, WINDOW_SAMPLES)
        self._pending = self._pending[n * WINDOW_SAMPLES :]
        context = np.empty((n, CONTEXT_SAMPLES), np.float32)
        context[0] = self._context
        context[1:] = windows[:-1, -CONTEXT_SAMPLES:]
        self._context = windows[-1, -CONTEXT_SAMPLES:].copy()
        probs, self._h, self._c = self._vad._run(np.concatenate([context, windows], 1), self._h, self._c)
        return probs


def spans_from_probabilities(probs: np.ndarray, duration_s: float, options: VadOptions = VadOptions()) -> list[SpeechSpan]:
    """Hysteresis over window probabilities: speech starts above ``threshold`` and ends after
    ``min_silence_s`` below ``neg_threshold``; short bursts are dropped, spans padded and merged."""
    raw: list[tuple[float, float]] = []
    start = None
    silence_since = None
    for i, p in enumerate(probs):
        t = i * WINDOW_S
        if start is None:
            if p >= options.threshold:
                start, silence_since = t, None
            continue
        if p >= options.threshold:
            silence_since = None
        elif p < options.neg_threshold:
            if silence_since is None:
                silence_since = t
            elif t + WINDOW_S - silence_since >= options.min_silence_s:
                raw.append((start, silence_since))
                start, silence_since = None, None
    if start is not None:
        raw.append((start, silence_since if silence_since is not None else len(probs) * WINDOW_S))
    spans: list[SpeechSpan] = []
    for s, e in raw:
        if e - s < options.min_speech_s:
            continue
        s, e = max(0.0, s - options.pad_s), min(duration_s, e + options.pad_s)
        if spans and s <= spans[-1].end_s:
            spans[-1] = SpeechSpan(spans[-1].start_s, e)
        else:
            spans.append(SpeechSpan(s, e))
    return spans


def speech_spans(samples: np.ndarray, vad: SileroVad, options: VadOptions = VadOptions()) -> list[SpeechSpan]:
    """Where the speech is in 16 kHz audio."""
    return spans_from_probabilities(vad.probabilities(samples), len(samples) / RATE_HZ, options)
