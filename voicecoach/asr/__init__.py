"""Transcription: one result type, one small interface, one module per Whisper engine.

Both engines see exactly the same input: ``gate.py`` decides with voice activity detection whether
there is speech at all, cuts silence out, hands the engine speech-only audio with the same options, and
maps word times back onto the original clip.

Modules: ``transcript`` (the values: ``Transcript``, ``Word``, ``DecodeOptions``), ``engines`` (the registry
of engines, light enough for ``--help``), ``gate`` (speech-only decoding), ``timeline`` (windows of speech),
``doubt`` (is it English?), ``models`` (finding the weights), ``convert`` (CTranslate2 to an openai-whisper
checkpoint), ``background`` (live decoding off the audio thread), and one module per engine.

May import: ``voicecoach.audio``, ``voicecoach.memory``, ``voicecoach.errors``. Nothing above it.
"""

from __future__ import annotations

import importlib
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import EngineMissing, VoicecoachError
from .doubt import english_doubt
from .engines import DEFAULT_ENGINE, ENGINES, EngineInfo
from .transcript import LIVE_OPTIONS, DecodeOptions, Segment, Transcript, Word

if TYPE_CHECKING:  # annotations only: numpy and the VAD load with the first transcription (gate.py)
    import numpy as np

    from ..audio.clip import AudioClip, AudioFile
    from ..audio.vad import VadOptions

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
                 vad_options: VadOptions | None = None) -> None:
        self.model_name = model_name
        self.options = options
        self.vad_options = vad_options
        """Speech thresholds for the gate (None: ``VadOptions()``)."""
        self._decode_lock = threading.Lock()

    @abstractmethod
    def _decode(self, samples: np.ndarray, options: DecodeOptions) -> list[Segment]:
        """Decode 16 kHz mono speech; times relative to ``samples``."""

    def transcribe(self, clip: AudioClip | AudioFile, prompt: str | None = None) -> Transcript:
        """Transcribe a clip, or a file read a block at a time.

        Speech is decoded in windows of at most 30 seconds of speech, cut at pauses the voice activity
        detector found (a long monologue is cut at its quietest moment), so memory stays bounded however
        long the recording is; ``progress``, when set, hears about each window of a long one.

        Args:
            clip: audio at any rate (resampled to 16 kHz here), or an ``AudioFile`` (``audio.clip.open_audio``),
                which is never held in memory whole.
            prompt: optional text to prime the decoder (overrides the options' prompt).

        Returns:
            The transcript; ``no_speech`` is set and ``text`` empty when no speech was found.
        """
        from .gate import transcribe_speech

        return transcribe_speech(self, clip, prompt)


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
