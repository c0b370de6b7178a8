"""Text-to-speech behind a small interface. Synthesis renders into memory; playback is separate."""

from __future__ import annotations

import wave
from abc import ABC, abstractmethod
from dataclasses import dataclass

from ..audio import AudioClip, write_wav

__all__ = ["TextToSpeech", "VoiceInfo", "make_tts"]

DEFAULT_RATE_WPM = 165


@dataclass(frozen=True)
class VoiceInfo:
    """A voice the engine offers."""

    id: str
    name: str


class TextToSpeech(ABC):
    """Turns text into audio."""

    @abstractmethod
    def synthesize_clip(self, text: str) -> AudioClip:
        """Render ``text`` to an in-memory clip."""

    @abstractmethod
    def voices(self) -> list[VoiceInfo]:
        """Voices available on this machine."""

    def synthesize(self, text: str, out: wave.Wave_write) -> None:
        """Render ``text`` as 16-bit mono PCM into a caller-supplied ``wave.Wave_write``."""
        write_wav(self.synthesize_clip(text), out)


def make_tts(voice: str | None = None, rate_wpm: int = DEFAULT_RATE_WPM) -> TextToSpeech:
    """The default text-to-speech engine (pyttsx3 driving espeak-ng on Linux)."""
    from .pyttsx3_tts import Pyttsx3TTS

    return Pyttsx3TTS(voice=voice, rate_wpm=rate_wpm)
