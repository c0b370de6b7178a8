"""Audio capture behind a small interface, with a sounddevice (PortAudio) backend."""

from __future__ import annotations

import queue
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator

import numpy as np

from ..errors import AudioDeviceFailed, NoAudioDevice
from .clip import WHISPER_RATE_HZ, AudioClip
from .devices import check_device, import_sounddevice, parse_device, quiet_native_stderr

__all__ = ["Microphone", "SounddeviceMicrophone"]

CHUNK_S = 0.032
"""Capture block length in seconds: one Silero VAD window at 16 kHz."""


class Microphone(ABC):
    """Yields 16 kHz mono float32 chunks."""

    sample_rate_hz: int = WHISPER_RATE_HZ
    realtime: bool = True
    """True when audio arrives at the pace it is spoken (a real device)."""
    captured_at: float | None = None
    """``time.monotonic()`` when the end of the last chunk yielded was captured, for a microphone that
    runs in real time (None for one that does not, like the demo's scripted microphone)."""

    @abstractmethod
    def is_available(self) -> bool:
        """True when there is a device to record from."""

    def check(self) -> None:
        """Raise ``NoAudioDevice`` when there is nothing to record from (a backend says more than this)."""
        if not self.is_available():
            raise NoAudioDevice("no microphone (audio input device) found")

    @abstractmethod
    def chunks(self) -> Iterator[np.ndarray]:
        """Audio as it arrives, until the consumer stops iterating."""

    def discard_pending(self) -> None:
        """Drop audio captured but not yet read (what the mic heard while voicecoach was speaking)."""

    def record(self, duration_s: float) -> AudioClip:
        """Record a fixed length."""
        want = int(duration_s * self.sample_rate_hz)
        got: list[np.ndarray] = []
        n = 0
        for chunk in self.chunks():
            got.append(chunk)
            n += len(chunk)
            if n >= want:
                break
        return AudioClip(np.concatenate(got)[:want] if got else np.zeros(0, np.float32), self.sample_rate_hz)


class SounddeviceMicrophone(Microphone):
    """Records from PortAudio's default (or a chosen) input device at 16 kHz."""

    def __init__(self, device: str | int | None = None, timeout_s: float = 5.0) -> None:
        self._sd = import_sounddevice()
        self.device = parse_device(device)
        self.timeout_s = timeout_s
        self._index: int | None = None
        self._checked = False

    def discard_pending(self) -> None:
        """Empty the capture queue."""
        q = getattr(self, "_q", None)
        while q is not None:
            try:
                q.get_nowait()
            except queue.Empty:
                break

    def check(self) -> None:
        """Make sure the device exists and can be opened (once).

        Raises:
            NoAudioDevice: naming the device asked for and listing the input devices there are, or saying why
                it cannot be opened (a sound server with no microphone).
        """
        if not self._checked:
            self._index = check_device(self.device, "input", self.sample_rate_hz)
            self._checked = True

    def is_available(self) -> bool:
        """True when there is an input device matching ``device`` that can be opened."""
        try:
            self.check()
            return True
        except NoAudioDevice:
            return False

    def chunks(self) -> Iterator[np.ndarray]:
        """Chunks of about 32 ms. A device that stops delivering raises ``AudioDeviceFailed``."""
        self.check()
        q: queue.Queue[tuple[np.ndarray, float]] = queue.Queue()
        self._q = q

        def callback(indata, frames, time_info, status):  # runs on PortAudio's thread
            q.put((indata[:, 0].copy(), time.monotonic()))

        try:
            with quiet_native_stderr():
                stream = self._sd.InputStream(samplerate=self.sample_rate_hz, channels=1, dtype="float32",
                                              blocksize=int(CHUNK_S * self.sample_rate_hz),
                                              device=self._index, callback=callback)
        except (self._sd.PortAudioError, ValueError) as exc:
            raise NoAudioDevice(f"cannot open the microphone: {exc}") from exc
        with stream:
            while True:
                try:
                    chunk, self.captured_at = q.get(timeout=self.timeout_s)
                    yield chunk
                except queue.Empty:
                    raise AudioDeviceFailed(
                        f"the microphone stopped sending audio for {self.timeout_s:.0f} s") from None
