"""Playback behind a small interface, with a sounddevice (PortAudio) backend.

``play_stream`` plays speech that is still being synthesized: the clips are pulled on a worker thread
while the first ones play, so the first sentence is heard as soon as it exists.
"""

from __future__ import annotations

import queue
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from ..errors import AudioDeviceFailed, NoAudioDevice
from .clip import AudioClip
from .devices import check_device, import_sounddevice, parse_device, quiet_native_stderr

__all__ = ["Player", "NullPlayer", "PlaybackStats", "SounddevicePlayer", "import_sounddevice", "parse_device"]


@dataclass(frozen=True)
class PlaybackStats:
    """What a ``play_stream`` call played."""

    first_audio_at: float
    """``time.monotonic()`` when the first sample was played (for a player that only pretends: when
    the first clip arrived)."""
    duration_s: float
    """Seconds of audio played."""


_END = object()


class _Prefetch:
    """Pulls ``clips`` on a daemon thread so the next clip is synthesized while this one plays.

    Iterating yields the clips in order and re-raises, on the caller's thread, whatever the source
    raised. ``cancel()`` makes the worker stop after the clip it is on.
    """

    def __init__(self, clips: Iterable[AudioClip]) -> None:
        self._source = iter(clips)
        self._queue: queue.Queue = queue.Queue()
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, name="voicecoach-tts-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for clip in self._source:
                if self._cancelled.is_set():
                    break
                self._queue.put(clip)
        except Exception as exc:  # handed to the consuming thread
            self._queue.put(exc)
        finally:
            self._queue.put(_END)

    def cancel(self) -> None:
        """Stop pulling clips."""
        self._cancelled.set()

    def __iter__(self) -> Iterator[AudioClip]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item


class _Feed:
    """Samples waiting for the audio callback: the producer appends arrays, the callback reads them."""

    def __init__(self) -> None:
        self._chunks: deque[np.ndarray] = deque()
        self._pos = 0
        self.closed = False

    def put(self, samples: np.ndarray) -> None:
        self._chunks.append(np.asarray(samples, dtype=np.float32))

    def read_into(self, out: np.ndarray) -> int:
        """Fill ``out`` with queued samples (silence after them); returns how many were real."""
        n = 0
        while n < len(out) and self._chunks:
            head = self._chunks[0]
            take = min(len(out) - n, len(head) - self._pos)
            out[n : n + take] = head[self._pos : self._pos + take]
            n += take
            self._pos += take
            if self._pos >= len(head):
                self._chunks.popleft()
                self._pos = 0
        out[n:] = 0
        return n

    @property
    def drained(self) -> bool:
        return self.closed and not self._chunks


class Player(ABC):
    """Plays audio."""

    is_real = True
    """False for a player that only pretends (no sound reaches a room, so no echo to wait out)."""

    @abstractmethod
    def is_available(self) -> bool:
        """True when there is a device to play on."""

    def check(self) -> None:
        """Raise ``NoAudioDevice`` when there is nothing to play to (a backend says more than this)."""
        if not self.is_available():
            raise NoAudioDevice("no speaker (audio output device) found")

    @abstractmethod
    def play(self, clip: AudioClip) -> None:
        """Play ``clip`` to the end (blocking)."""

    def play_stream(self, clips: Iterable[AudioClip]) -> PlaybackStats:
        """Play ``clips`` back to back as they arrive, starting with the first; returns when all were heard.

        ``clips`` is consumed on a worker thread (typically ``TextToSpeech.stream``, so the next
        sentence is synthesized while this one plays). This generic version plays each clip with
        ``play``; ``SounddevicePlayer`` plays them through one output stream without gaps.
        """
        first_at, total = None, 0.0
        source = _Prefetch(clips)
        try:
            for clip in source:
                if first_at is None:
                    first_at = time.monotonic()
                self.play(clip)
                total += clip.duration_s
        finally:
            source.cancel()  # a no-op when every clip was taken
        return PlaybackStats(first_at if first_at is not None else time.monotonic(), total)

    def stop(self) -> None:
        """Stop playing now (from another thread)."""


class SounddevicePlayer(Player):
    """Plays through PortAudio's default (or a chosen) output device."""

    def __init__(self, device: str | int | None = None) -> None:
        self._sd = import_sounddevice()
        self.device = parse_device(device)
        self._stopping = threading.Event()
        self._stream_lock = threading.Lock()
        self._stream = None  # the open play_stream stream, for stop() to abort
        self._index: int | None = None
        self._checked = False

    def check(self) -> None:
        """Make sure the device exists and can be opened (once).

        Raises:
            NoAudioDevice: naming the device asked for and listing the output devices there are, or saying why
                it cannot be opened (a sound server with no speaker).
        """
        if not self._checked:
            self._index = check_device(self.device, "output")
            self._checked = True

    def is_available(self) -> bool:
        """True when there is an output device matching ``device`` that can be opened."""
        try:
            self.check()
            return True
        except NoAudioDevice:
            return False

    def play(self, clip: AudioClip) -> None:
        """Play ``clip``, blocking until it has been heard."""
        self.check()
        data = np.asarray(clip.samples, dtype=np.float32)
        try:
            self._sd.play(data, clip.sample_rate_hz, device=self._index, blocking=True)
        except self._sd.PortAudioError as exc:
            raise AudioDeviceFailed(f"playback failed: {exc}") from exc

    def play_stream(self, clips: Iterable[AudioClip]) -> PlaybackStats:
        """Play ``clips`` through one output stream as they arrive; returns when all have been heard.

        The stream opens at the first clip's sample rate as soon as that clip exists; later clips are
        appended while it plays (resampled if their rate differs), so there is no gap between them
        beyond their own pauses unless synthesis falls behind playback.

        Returns:
            When the first sample was played (monotonic) and how many seconds were played.
        """
        self.check()
        self._stopping.clear()
        source = _Prefetch(clips)
        pending = iter(source)
        first = next(pending, None)
        if first is None:
            return PlaybackStats(time.monotonic(), 0.0)
        sd, rate, feed = self._sd, first.sample_rate_hz, _Feed()
        feed.put(first.samples)
        total = first.duration_s
        finished = threading.Event()
        first_at: list[float] = []
        latency = [0.0]

        def callback(outdata, frames, time_info, status) -> None:
            if self._stopping.is_set():
                outdata.fill(0)
                raise sd.CallbackAbort
            played = feed.read_into(outdata[:, 0])
            if played and not first_at:
                # outputBufferDacTime says when this buffer reaches the speaker, but ALSA through
                # PulseAudio reports 0 for the first buffers; the stream's output latency is the
                # estimate then.
                lead = time_info.outputBufferDacTime - time_info.currentTime
                first_at.append(time.monotonic() + (lead if 0.0 < lead < 1.0 else latency[0]))
            if feed.drained:
                raise sd.CallbackStop

        try:
            with quiet_native_stderr():  # PortAudio's ALSA layer prints its failures to fd 2 as well as raising
                stream = sd.OutputStream(samplerate=rate, channels=1, dtype="float32", device=self._index,
                                         callback=callback, finished_callback=finished.set)
            latency[0] = float(stream.latency)
            with stream:
                with self._stream_lock:
                    self._stream = stream
                try:
                    for clip in pending:
                        if self._stopping.is_set():
                            break
                        feed.put(clip.to(rate).samples)
                        total += clip.duration_s
                    feed.closed = True
                    finished.wait()
                except BaseException:
                    stream.abort()  # a synthesis error or an interrupt stops the sound at once
                    raise
                finally:
                    feed.closed = True
                    source.cancel()  # a no-op when every clip was taken
                    with self._stream_lock:
                        self._stream = None
        except sd.PortAudioError as exc:
            raise AudioDeviceFailed(f"playback failed: {exc}") from exc
        started = first_at[0] if first_at else time.monotonic()
        if not self._stopping.is_set():
            # The stream finishes when the device has taken the last buffer, which is heard about one
            # output latency later: return no earlier than first audio + duration.
            time.sleep(max(0.0, started + total - time.monotonic()))
        return PlaybackStats(started, total)

    def stop(self) -> None:
        """Stop playback (``play`` or ``play_stream``) now."""
        self._stopping.set()
        # PortAudio asks for audio well ahead (over a second through ALSA's PulseAudio plugin), so the
        # callback may not run again for a while: abort the stream from here (allowed from any thread).
        with self._stream_lock:
            if self._stream is not None:
                self._stream.abort()
        self._sd.stop()


class NullPlayer(Player):
    """Plays nothing: for the demo on a machine without an output device (the text is on screen)."""

    is_real = False

    def is_available(self) -> bool:
        """Always true."""
        return True

    def play(self, clip: AudioClip) -> None:
        """Return at once."""

    def play_stream(self, clips: Iterable[AudioClip]) -> PlaybackStats:
        """Consume ``clips`` without waiting; ``first_audio_at`` is when the first clip arrived."""
        first_at, total = None, 0.0
        for clip in clips:
            if first_at is None:
                first_at = time.monotonic()
            total += clip.duration_s
        return PlaybackStats(first_at if first_at is not None else time.monotonic(), total)

