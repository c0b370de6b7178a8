"""Text-to-speech behind a small interface: a neural voice by default, espeak-ng as the fallback.

Backends (one module each, listed once in ``BACKENDS``):

* ``hibari`` (``hibari_tts.py``): hibari-tts's bundled neural voice "heart"; the default when installed.
* ``espeak`` (``pyttsx3_tts.py``): espeak-ng through pyttsx3; the fallback, and any espeak voice asked for
  by name (``--voice en-us``).

Synthesis renders into memory, one sentence at a time (``stream``), so playback can start after the
first sentence. Every piece is loudness-normalised (``audio.normalize_loudness``), so all voices play
at one level. Playback is separate (``voicecoach.audio.snd``).
"""

from __future__ import annotations

import importlib
import wave
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..audio.clip import AudioClip, concatenate, write_wav
from ..audio.loudness import normalize_loudness
from ..errors import EngineMissing, EspeakMissing, SpeechSynthesisFailed, VoicecoachError
from .text import split_for_speech

__all__ = [
    "BACKENDS",
    "Backend",
    "TextToSpeech",
    "VoiceInfo",
    "candidate_voice",
    "default_backend_note",
    "list_voices",
    "make_tts",
]

DEFAULT_RATE_WPM = 165
"""espeak-ng's speaking rate when none is given, in words per minute."""

LEVEL_DBFS = -20.0
"""Speech level every voice is normalised to (gated RMS, dBFS)."""
PEAK_DBFS = -1.0
"""No sample of synthesized speech goes above this (dBFS)."""

CANDIDATE_PITCH_FACTOR = 0.7
"""The demo candidate speaks with the interviewer's neural voice at this fraction of its pitch."""
CANDIDATE_RATE_WPM = 165
"""The demo candidate's speaking rate, a little slower than the interviewer's natural pace."""


@dataclass(frozen=True)
class VoiceInfo:
    """A voice one of the backends offers."""

    id: str
    """What to pass as ``voice=`` (``--voice``)."""
    name: str
    """A readable name."""
    backend: str = ""
    """The backend's name in ``BACKENDS``."""
    description: str = ""
    """One line about the voice: kind, accent, where it comes from."""


class TextToSpeech(ABC):
    """Turns text into audio, sentence by sentence.

    Backends implement ``_render`` (raw audio for one sentence), ``voices``, ``at_rate`` and usually
    ``warm_up``; splitting, loudness and concatenation are shared here.
    """

    name: str = ""
    """The backend's name ("hibari" or "espeak")."""
    voice: str = ""
    """The voice's name in that backend."""
    _rate_factor: float = 1.0

    @property
    def rate_factor(self) -> float:
        """This voice's speaking rate as a multiple of its normal rate (``at_rate`` sets it)."""
        return self._rate_factor

    @abstractmethod
    def _render(self, piece: str) -> Iterable[AudioClip]:
        """Raw (not yet normalised) audio for one sentence or clause, in one or more clips."""

    @abstractmethod
    def voices(self) -> list[VoiceInfo]:
        """The voices this backend offers on this machine."""

    @abstractmethod
    def at_rate(self, factor: float) -> TextToSpeech:
        """The same voice at ``factor`` times its normal speaking rate (0.75 is slower, 1.0 normal).

        The factor is relative to the rate the voice was made with, not compounded: ``at_rate(0.75)``
        twice is as slow as once. Use ``rate_factor * 0.75`` to slow down further.
        """

    def warm_up(self) -> None:
        """Load the engine now rather than on first use; safe to call twice and from another thread."""

    @classmethod
    def unknown_voice_note(cls, voice: str) -> str | None:
        """Why this backend lacks ``voice`` when that is worth saying (e.g. it would need a download)."""
        return None

    def stream(self, text: str) -> Iterator[AudioClip]:
        """Yield the speech for ``text`` one sentence at a time, each as soon as it is synthesized.

        Very long sentences come as clauses. Every clip is loudness-normalised.

        Raises:
            SpeechSynthesisFailed: there is no text, or the engine gave no usable audio.
        """
        pieces = split_for_speech(text)
        if not pieces:
            raise SpeechSynthesisFailed("there is no text to speak", "give some words to say")
        for piece in pieces:
            produced = False
            for clip in self._render(piece):
                produced = True
                yield normalize_loudness(clip, LEVEL_DBFS, PEAK_DBFS)
            if not produced and any(ch.isalnum() for ch in piece):
                raise SpeechSynthesisFailed(f"{self.name} produced no audio for {piece!r}")

    def synthesize_clip(self, text: str) -> AudioClip:
        """The whole of ``text`` as one clip: the sentences of ``stream`` with the pauses between them."""
        clips = list(self.stream(text))
        if not clips:
            raise SpeechSynthesisFailed(f"{self.name} produced no audio for {text!r}", "give some words to say")
        return concatenate(clips)

    def synthesize(self, text: str, out: wave.Wave_write) -> None:
        """Render ``text`` as 16-bit mono PCM into a caller-supplied ``wave.Wave_write``."""
        write_wav(self.synthesize_clip(text), out)

    @staticmethod
    def _check_factor(factor: float) -> None:
        if not 0.25 <= factor <= 4.0:
            raise VoicecoachError(f"a rate factor of {factor:g} is out of range", "use a factor between 0.25 and 4")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}:{self.voice} x{self.rate_factor:g}>"


# --- Backends ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    """One text-to-speech backend: where its class lives and what it needs."""

    name: str
    module: str
    """Module inside ``voicecoach.tts``."""
    cls: str
    requires: str
    """The Python package that must import for the backend to be usable."""
    install: str
    """One-line fix when it is missing."""

    def available(self) -> bool:
        """True when the backend's Python package imports."""
        try:
            importlib.import_module(self.requires)
        except ImportError:
            return False
        except OSError:  # pyttsx3's driver raises OSError when libespeak-ng is absent
            return False
        return True

    def load(self) -> type:
        """The backend's ``TextToSpeech`` class (imported now)."""
        if not self.available():
            missing = EspeakMissing if self.name == "espeak" else EngineMissing
            raise missing(f"the {self.name} text-to-speech backend is not installed", self.install)
        return getattr(importlib.import_module(f"{__name__}.{self.module}"), self.cls)


BACKENDS: tuple[Backend, ...] = (
    Backend("hibari", "hibari_tts", "HibariTTS", "hibari", "pip install hibari-tts==0.2.1"),
    Backend("espeak", "pyttsx3_tts", "Pyttsx3TTS", "pyttsx3", "sudo apt-get install espeak-ng && pip install pyttsx3"),
)
"""In order of preference: the first available one is the default."""


def _backend(name: str) -> Backend:
    for b in BACKENDS:
        if b.name == name.strip().lower():
            return b
    raise VoicecoachError(f"no text-to-speech backend called {name!r}",
                          f"use one of: {', '.join(b.name for b in BACKENDS)}")


def default_backend_note() -> str | None:
    """One line to show when the default voice is not the neural one (None when it is)."""
    if BACKENDS[0].available():
        return None
    return (f"the natural {BACKENDS[0].name} voice is not installed, so the interviewer speaks with espeak-ng "
            f"({BACKENDS[0].install} for the natural voice)")


def list_voices() -> list[VoiceInfo]:
    """Every voice of every installed backend (hibari: only the voices inside its package)."""
    voices: list[VoiceInfo] = []
    for b in BACKENDS:
        if not b.available():
            continue
        try:
            voices.extend(b.load().list_voices())
        except (EspeakMissing, EngineMissing):
            continue
    return voices


def _unknown_voice(voice: str) -> VoicecoachError:
    known = [v for v in list_voices() if v.backend != "espeak" or v.id.startswith("en")]
    hint = ", ".join(v.id for v in known)
    extra = ""
    for b in BACKENDS:
        note = b.load().unknown_voice_note(voice) if b.available() else None
        if note:
            extra = f" ({note})"
            break
    fix = f"pick one of: {hint} (or any voice `voicecoach say --list-voices` shows)"
    if not BACKENDS[0].available():
        fix += f"; the neural voice \"heart\" needs: {BACKENDS[0].install}"
    return VoicecoachError(f"no voice called {voice!r}{extra}", fix)


def make_tts(voice: str | None = None, rate_wpm: int | None = None, backend: str | None = None) -> TextToSpeech:
    """The text-to-speech voice to use.

    Args:
        voice: a voice name: "heart" (hibari) or any espeak-ng voice ("en-us", "en-gb", "en"); None for
            the default, hibari's "heart" when hibari-tts is installed, else espeak-ng (see
            ``default_backend_note``).
        rate_wpm: speaking rate in words per minute; None for the voice's normal rate.
        backend: force a backend by name ("hibari" or "espeak").

    Raises:
        VoicecoachError: the voice or backend is unknown (the fix lists the voices).
        EngineMissing, EspeakMissing: the backend asked for is not installed.
    """
    if backend is not None:
        cls = _backend(backend).load()
        if voice is not None and cls.find_voice(voice) is None:
            raise _unknown_voice(voice)
        return cls(voice=voice, rate_wpm=rate_wpm)
    if voice is not None:
        for b in BACKENDS:
            if b.available():
                cls = b.load()
                if cls.find_voice(voice) is not None:
                    return cls(voice=voice, rate_wpm=rate_wpm)
        raise _unknown_voice(voice)
    for b in BACKENDS:
        if b.available():
            return b.load()(voice=None, rate_wpm=rate_wpm)
    raise EspeakMissing("no text-to-speech backend is installed", BACKENDS[0].install)


def candidate_voice() -> TextToSpeech:
    """The demo's scripted candidate: clearly a different speaker from the interviewer.

    With hibari: the same bundled neural voice with its pitch contour scaled to
    ``CANDIDATE_PITCH_FACTOR`` (a lower, different-sounding speaker that Whisper still transcribes
    accurately; see scripts/bench_tts.py) at ``CANDIDATE_RATE_WPM``. Without hibari: espeak-ng's
    American English voice.
    """
    hibari = _backend("hibari")
    if hibari.available():
        return hibari.load()(rate_wpm=CANDIDATE_RATE_WPM, pitch_factor=CANDIDATE_PITCH_FACTOR)
    return make_tts(voice="en-us", rate_wpm=CANDIDATE_RATE_WPM, backend="espeak")
