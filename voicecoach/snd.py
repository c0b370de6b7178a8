"""Playback behind a small interface, with a sounddevice (PortAudio) backend."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from .audio import AudioClip
from .errors import AudioDeviceFailed, NoAudioDevice, PortAudioMissing

__all__ = ["Player", "NullPlayer", "SounddevicePlayer", "import_sounddevice", "parse_device"]


def import_sounddevice():
    """Import sounddevice, turning a missing PortAudio library into an actionable error."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError("PortAudio library not found")
        raise PortAudioMissing(f"PortAudio is not available ({exc})") from exc
    return sounddevice


def parse_device(device: str | int | None):
    """``--input-device``/``--output-device`` value: an index, a name fragment, or None for the default."""
    if device is None or isinstance(device, int):
        return device
    return int(device) if str(device).isdigit() else device


class Player(ABC):
    """Plays audio."""

    is_real = True
    """False for a player that only pretends (no sound reaches a room, so no echo to wait out)."""

    @abstractmethod
    def is_available(self) -> bool:
        """True when there is a device to play on."""

    @abstractmethod
    def play(self, clip: AudioClip) -> None:
        """Play ``clip`` to the end (blocking)."""

    def stop(self) -> None:
        """Stop playing now (from another thread)."""


class SounddevicePlayer(Player):
    """Plays through PortAudio's default (or a chosen) output device."""

    def __init__(self, device: str | int | None = None) -> None:
        self._sd = import_sounddevice()
        self.device = parse_device(device)

    def is_available(self) -> bool:
        """True when PortAudio has an output device matching ``device``."""
        try:
            self._sd.query_devices(self.device, kind="output")
            return True
        except (ValueError, self._sd.PortAudioError):
            return False

    def play(self, clip: AudioClip) -> None:
        """Play ``clip``, blocking until it has been heard."""
        if not self.is_available():
            raise NoAudioDevice("no audio output device found" if self.device is None
                                else f"no output device matches {self.device!r}")
        data = np.asarray(clip.samples, dtype=np.float32)
        try:
            self._sd.play(data, clip.sample_rate_hz, device=self.device, blocking=True)
        except self._sd.PortAudioError as exc:
            raise AudioDeviceFailed(f"playback failed: {exc}") from exc

    def stop(self) -> None:
        """Stop playback."""
        self._sd.stop()


class NullPlayer(Player):
    """Plays nothing: for the demo on a machine without an output device (the text is on screen)."""

    is_real = False

    def is_available(self) -> bool:
        """Always true."""
        return True

    def play(self, clip: AudioClip) -> None:
        """Return at once."""
