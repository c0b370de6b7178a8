"""Transcription: one result type, one small interface, one module per Whisper engine.

The shared part lives here so both engines see exactly the same input: voice activity detection
decides whether there is speech at all (no speech means no decoding, so Whisper cannot invent
"Thank you." on silence), silence is cut out, the engine decodes the speech-only audio with the same
options, and word times are mapped back onto the original clip.
"""

from __future__ import annotations

import importlib
import os
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from ..audio import WHISPER_RATE_HZ, AudioClip
from ..engines import DEFAULT_ENGINE, ENGINES, EngineInfo
from ..errors import EngineMissing, VoicecoachError
from ..vad import SileroVad, VadOptions, spans_from_probabilities
from .doubt import drop_invented_ending, english_doubt
from .doubt import mean_logprob as _mean_logprob
from .timeline import WINDOW_S, speech_windows
from .timeline import Timeline as _Timeline

__all__ = [
    "ENGINES",
    "EngineInfo",
    "LIVE_OPTIONS",
    "DecodeOptions",
    "Segment",
    "Transcriber",
    "Transcript",
    "Word",
    "make_transcriber",
    "english_doubt",
    "speech_windows",
    "DEFAULT_ENGINE",
]

# Neither engine may reach a model hub: voicecoach only ever loads local weights.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# CTranslate2 and torch run on OpenMP, whose waiting threads spin by default: on a laptop busy with other
# work that spinning steals the cores the decoder needs (an 8.7-s piece took 38-67 s instead of 9 s under
# load; scripts/bench_threads.py). It must be set before the libraries load, which happens in the
# engines' modules. VOICECOACH_OMP_WAIT_POLICY=library-default keeps the library's own (for benchmarks).
if os.environ.get("VOICECOACH_OMP_WAIT_POLICY") != "library-default":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@dataclass(frozen=True)
class Word:
    """One recognised word."""

    word: str
    start_s: float
    """Seconds from the start of the clip."""
    end_s: float
    """Seconds from the start of the clip."""


@dataclass(frozen=True)
class Transcript:
    """What was said in a clip, the same shape whichever engine produced it."""

    text: str
    words: tuple[Word, ...]
    duration_s: float
    """Length of the whole clip in seconds."""
    engine: str
    model: str
    no_speech: bool
    """True when the clip held no speech; ``text`` is then empty."""
    avg_logprob: float | None = None
    """The decoder's mean log-probability per token over everything it decoded, the text kept and the
    text dropped as silence (None when nothing was decoded): how sure Whisper was of its own words. Not
    in ``to_dict``; see ``english_doubt``."""
    speech_s: float = 0.0
    """Seconds of speech the voice activity detector found (Whisper may still find no words in it)."""

    def to_dict(self) -> dict:
        """The JSON object of ``voicecoach transcribe --json``."""
        d = asdict(self)
        d.pop("avg_logprob"), d.pop("speech_s")
        d["words"] = [asdict(w) for w in self.words]
        d["duration_s"] = round(self.duration_s, 3)
        for w in d["words"]:
            w["start_s"], w["end_s"] = round(w["start_s"], 3), round(w["end_s"], 3)
        return d


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding settings, identical for both engines so their transcripts can be compared."""

    beam_size: int = 5
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    prompt: str | None = None
    """Text to prime the decoder with (names, jargon, a command vocabulary)."""
    max_tokens_per_s: float | None = None
    """Cap on generated tokens per second of speech (plus 16). Speech rarely needs 5 a second; the
    cap stops a decoding loop early instead of letting the temperature fallback re-run it for
    seconds (seen in the live session on a short final piece: 5.3 s)."""

    compute_type: str = "float32"
    """faster-whisper's arithmetic (``int8`` for live pieces: half the time and memory; openai-whisper
    always computes in float32)."""
    threads: int | None = None
    """Decoding threads (None: one per core)."""

    def max_new_tokens(self, speech_s: float) -> int | None:
        """The token cap for ``speech_s`` seconds of speech, or None for no cap."""
        if self.max_tokens_per_s is None:
            return None
        return int(self.max_tokens_per_s * speech_s) + 16


@dataclass(frozen=True)
class Segment:
    """One decoded segment as an engine reports it, times relative to the audio it was given."""

    text: str
    words: tuple[Word, ...]
    no_speech_prob: float
    avg_logprob: float


LIVE_OPTIONS = DecodeOptions(beam_size=1, temperatures=(0.0, 0.4, 0.8), max_tokens_per_s=8.0, compute_type="int8",
                             threads=2)
"""For the practice session, where a piece must be decoded before the candidate finishes, on a laptop busy
with other things: greedy decoding in int8 (0.5 s for a 10-s piece against 0.9 s, half the CPU, 90 MB less;
the same words on the real recordings, 1 more word in 100 on synthetic answers: scripts/bench_threads.py and
bench_transcribe.py), a shorter temperature fallback and a token cap to bound the worst case."""

_SPACES = re.compile(r"\s+")

_vad: SileroVad | None = None


def _shared_vad() -> SileroVad:
    global _vad
    if _vad is None:
        _vad = SileroVad()
    return _vad


class Transcriber(ABC):
    """A Whisper engine. Subclasses decode; this class gates, crops and assembles."""

    engine: str = ""
    thread_safe: bool = True
    """False when two threads must not decode at once (the practice session decodes commands on its
    own thread while answer pieces decode on a worker)."""

    progress: Callable[[str], None] | None = None
    """Told about each window of a long recording as it finishes (the CLI sets it for files; the live
    session leaves it unset)."""

    def __init__(self, model_name: str, options: DecodeOptions = DecodeOptions(),
                 vad_options: VadOptions = VadOptions()) -> None:
        self.model_name = model_name
        self.options = options
        self.vad_options = vad_options
        self._decode_lock = threading.Lock()

    @abstractmethod
    def _decode(self, samples: np.ndarray, options: DecodeOptions) -> list[Segment]:
        """Decode 16 kHz mono speech; times relative to ``samples``."""

    def transcribe(self, clip: AudioClip, prompt: str | None = None) -> Transcript:
        """Transcribe a clip.

        Speech is decoded in windows of at most ``WINDOW_S`` seconds of speech, cut at pauses the voice
        activity detector found (a long monologue is cut at its quietest moment), so memory stays bounded
        however long the recording is; ``progress``, when set, hears about each window of a long one.

        Args:
            clip: audio at any rate (resampled to 16 kHz here).
            prompt: optional text to prime the decoder (overrides the options' prompt).

        Returns:
            The transcript; ``no_speech`` is set and ``text`` empty when no speech was found.
        """
        clip = clip.to(WHISPER_RATE_HZ)
        probs = _shared_vad().probabilities(clip.samples)
        spans = spans_from_probabilities(probs, clip.duration_s, self.vad_options)
        if not spans:
            return self._empty(clip)
        options = self.options if prompt is None else _replace(self.options, prompt=prompt)
        windows = speech_windows(spans, probs, WINDOW_S)
        texts, words = [], []
        heard: list[tuple[float, int]] = []  # (log-probability, length) of every decoded text, kept or not
        for k, window in enumerate(windows, 1):
            speech = np.concatenate(
                [clip.samples[int(s.start_s * WHISPER_RATE_HZ): int(s.end_s * WHISPER_RATE_HZ)] for s in window]
            )
            timeline = _Timeline(window)
            if self.thread_safe:
                segments = self._decode(speech, options)
            else:
                with self._decode_lock:
                    segments = self._decode(speech, options)
            for seg in segments:
                if seg.text.strip():
                    heard.append((seg.avg_logprob, len(seg.text.strip())))
                # Whisper's own rule for "this segment is silence", applied identically to both engines.
                if seg.no_speech_prob > options.no_speech_threshold and seg.avg_logprob < options.log_prob_threshold:
                    continue
                if seg.text.strip():
                    texts.append(seg.text.strip())
                words.extend(
                    Word(w.word.strip(), timeline.to_original(w.start_s), timeline.to_original(w.end_s))
                    for w in seg.words if w.word.strip()
                )
            if self.progress is not None and len(windows) > 1:
                self.progress(f"transcribed {window[-1].end_s:.0f} s of {clip.duration_s:.0f} s "
                              f"(part {k} of {len(windows)})")
        text, words = drop_invented_ending(_SPACES.sub(" ", " ".join(texts)).strip(), words)
        return Transcript(text, tuple(words) if text else (), clip.duration_s, self.engine, self.model_name,
                          not text, _mean_logprob(heard), round(sum(s.duration_s for s in spans), 3))

    def _empty(self, clip: AudioClip) -> Transcript:
        return Transcript("", (), clip.duration_s, self.engine, self.model_name, True)


def _replace(options: DecodeOptions, **changes) -> DecodeOptions:
    from dataclasses import replace

    return replace(options, **changes)


def make_transcriber(engine: str = DEFAULT_ENGINE, model: str | None = None,
                     options: DecodeOptions = DecodeOptions(), progress=None) -> Transcriber:
    """Build a transcriber.

    Args:
        engine: a name in ``ENGINES``.
        model: None for the bundled tiny.en, a CTranslate2 model directory, or (openai-whisper
            only) a ``.pt`` checkpoint.
        options: decoding settings.
        progress: callable taking one line of text, for slow one-off steps (model conversion).
    """
    from .models import resolve_model

    info = ENGINES.get(engine)
    if info is None:
        raise VoicecoachError(f"unknown engine {engine!r}", f"use one of: {', '.join(ENGINES)}")
    ref = resolve_model(model)
    try:
        backend = importlib.import_module(f"{__name__}.{info.module}")
    except ImportError as exc:
        raise EngineMissing(f"the {engine} engine is not installed ({exc})", info.install) from exc
    return getattr(backend, info.cls)(ref, options, progress=progress)
