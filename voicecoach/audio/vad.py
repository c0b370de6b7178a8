"""Voice activity detection: Silero VAD (the ONNX model that ships inside faster-whisper) on onnxruntime.

No torch. Used to decide whether a clip holds speech at all (Whisper invents "Thank you." on silence),
to cut silence out before decoding, and, streamed, to find the start and end of a spoken answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import EngineMissing

__all__ = ["VadOptions", "Hysteresis", "SpeechSpan", "SileroVad", "VadStream", "speech_spans",
           "spans_from_probabilities"]

RATE_HZ = 16000
WINDOW_SAMPLES = 512
"""Silero scores 32 ms windows at 16 kHz."""
CONTEXT_SAMPLES = 64
WINDOW_S = WINDOW_SAMPLES / RATE_HZ
_BATCH = 1024
"""VAD windows scored in one onnxruntime call (about 33 s of audio)."""


@dataclass(frozen=True)
class VadOptions:
    """How speech probabilities become speech and silence: the one set of thresholds, used both to
    cut silence before decoding and for turn-taking in the interview."""

    threshold: float = 0.5
    """A window at or above this probability is speech."""
    neg_threshold: float = 0.35
    """Once in speech, only windows below this count towards silence."""
    min_speech_s: float = 0.2
    """Bursts with less speech than this are dropped (clicks, a cough)."""
    min_silence_s: float = 0.5
    """Silence that splits two spans when a whole clip is cut (turn-taking sets its own pauses)."""
    pad_s: float = 0.2
    """Kept either side of each span so word edges are not clipped."""

    def __post_init__(self) -> None:
        if not 0 < self.neg_threshold <= self.threshold < 1:
            raise ValueError("VAD thresholds must satisfy 0 < neg_threshold <= threshold < 1")
        if min(self.min_speech_s, self.min_silence_s, self.pad_s) < 0:
            raise ValueError("VAD durations must not be negative")


class Hysteresis:
    """Speech/silence state over VAD window probabilities, fed one window at a time.

    Speech starts at a window at or above ``threshold``; once in speech, a window below
    ``neg_threshold`` starts a silence (a window in between neither starts nor ends one). The caller
    decides how long a silence ends a span and calls ``close``.
    """

    def __init__(self, options: VadOptions = VadOptions()) -> None:
        self.options = options
        self.start: int | None = None
        """Sample where the open span started (None outside speech)."""
        self.silence_since: int | None = None
        """Sample where the current silence started (None while voiced)."""
        self.last_voice_end = 0
        """Sample just after the last voiced window."""
        self.speech_samples = 0
        """Voiced samples in the open span."""

    @property
    def in_speech(self) -> bool:
        """True while a span is open."""
        return self.start is not None

    def step(self, p: float, w_start: int, window: int = WINDOW_SAMPLES) -> bool:
        """Take the window starting at sample ``w_start``; returns True when it opened a span."""
        opened = False
        if p >= self.options.threshold:
            if self.start is None:
                self.start, self.speech_samples, opened = w_start, 0, True
            self.speech_samples += window
            self.last_voice_end = w_start + window
            self.silence_since = None
        elif p < self.options.neg_threshold and self.silence_since is None:
            self.silence_since = w_start
        return opened

    def silent_for(self, now: int) -> int:
        """Samples of silence up to sample ``now``."""
        return now - self.silence_since if self.silence_since is not None else 0

    def close(self) -> tuple[int, int, float]:
        """End the open span: (start, end of its last voice, seconds of speech in it)."""
        span = (self.start, self.last_voice_end, self.speech_samples / RATE_HZ)
        self.start, self.speech_samples = None, 0
        return span

    def long_enough(self, speech_s: float) -> bool:
        """True when a span with this much speech is kept."""
        return speech_s >= self.options.min_speech_s


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
        return self.probabilities_of_blocks([np.asarray(samples, dtype=np.float32)])[0]

    def probabilities_of_blocks(self, blocks: Iterable[np.ndarray]) -> tuple[np.ndarray, int]:
        """``probabilities`` for audio that arrives in blocks (a long file read 30 s at a time): the same
        numbers, one block held at a time. Returns them and how many samples there were."""
        out: list[np.ndarray] = []
        pending, context, total = np.zeros(0, np.float32), np.zeros(CONTEXT_SAMPLES, np.float32), 0
        h, c = self._initial_state()

        def score(windows: np.ndarray) -> None:
            # The model wants each window prefixed with the last 64 samples of the one before it. It runs its
            # LSTM along the batch, window after window, so the state it returns is carried into the next call:
            # then how the windows are sliced into calls changes nothing (resetting it every 1024 windows, as
            # before issue 19, moved the probabilities by up to 0.5 at each 33-s boundary). Slices keep
            # onnxruntime's working memory that of one slice (a 10-minute file at once took hundreds of MB).
            nonlocal context, h, c
            ctx = np.empty((len(windows), CONTEXT_SAMPLES), np.float32)
            ctx[0] = context
            ctx[1:] = windows[:-1, -CONTEXT_SAMPLES:]
            context = windows[-1, -CONTEXT_SAMPLES:].copy()
            for i in range(0, len(windows), _BATCH):
                probs, h, c = self._run(np.concatenate([ctx[i: i + _BATCH], windows[i: i + _BATCH]], axis=1), h, c)
                out.append(probs)

        for block in blocks:
            block = np.asarray(block, np.float32)
            total += len(block)
            pending = np.concatenate([pending, block]) if len(pending) else block
            n = len(pending) // WINDOW_SAMPLES
            if n:
                score(pending[: n * WINDOW_SAMPLES].reshape(n, WINDOW_SAMPLES))
                pending = pending[n * WINDOW_SAMPLES:]
        if len(pending):
            score(np.concatenate([pending, np.zeros(WINDOW_SAMPLES - len(pending), np.float32)])[None, :])
        return (np.concatenate(out) if out else np.zeros(0, np.float32)), total

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


def spans_from_probabilities(probs: np.ndarray, duration_s: float,
                             options: VadOptions = VadOptions()) -> list[SpeechSpan]:
    """Spans of speech in a whole clip: ``Hysteresis`` with ``min_silence_s`` pauses, short bursts
    dropped, spans padded and merged."""
    h = Hysteresis(options)
    raw: list[tuple[int, int, float]] = []
    for i, p in enumerate(probs):
        w_start = i * WINDOW_SAMPLES
        h.step(float(p), w_start)
        if h.in_speech and h.silent_for(w_start + WINDOW_SAMPLES) >= options.min_silence_s * RATE_HZ:
            raw.append(h.close())
    if h.in_speech:
        raw.append(h.close())
    spans: list[SpeechSpan] = []
    for s, e, speech_s in raw:
        if not h.long_enough(speech_s):
            continue
        s_s, e_s = max(0.0, s / RATE_HZ - options.pad_s), min(duration_s, e / RATE_HZ + options.pad_s)
        if spans and s_s <= spans[-1].end_s:
            spans[-1] = SpeechSpan(spans[-1].start_s, e_s)
        else:
            spans.append(SpeechSpan(s_s, e_s))
    return spans


def speech_spans(samples: np.ndarray, vad: SileroVad, options: VadOptions = VadOptions()) -> list[SpeechSpan]:
    """Where the speech is in 16 kHz audio."""
    return spans_from_probabilities(vad.probabilities(samples), len(samples) / RATE_HZ, options)
