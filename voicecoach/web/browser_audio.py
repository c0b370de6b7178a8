"""The page as microphone and speaker: ``BrowserMicrophone`` and ``BrowserPlayer``, over one WebSocket.

The page captures with ``getUserMedia`` (echo cancellation on), downsamples to 16 kHz in an AudioWorklet
and sends frames of 512 samples (32 ms, ``audio.mic.CHUNK_S``), each with the page's clock at its end. The
interviewer's speech goes the other way sentence by sentence as 16-bit PCM; the page plays it with Web
Audio, back to back, and says when the first sample reaches the speaker and when the last has played.
``PageClock`` maps the page's clock (``performance.now()``, ms) onto ``time.monotonic()``, so that capture
and playback times are on the clock the interview measures latency with, as the candidate hears it.

Wire format (binary WebSocket messages):

* page to server: float64 page time of the frame's end (ms, little-endian), then int16 PCM at 16 kHz;
* server to page: uint32 stream number, uint32 sample rate (Hz), then int16 PCM; a JSON
  ``{"type": "audio_end", "stream": n}`` follows a stream's last clip.
"""

from __future__ import annotations

import queue
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from ..audio.clip import WHISPER_RATE_HZ, AudioClip
from ..audio.mic import CHUNK_S, Microphone
from ..audio.snd import PlaybackStats, Player
from ..errors import AudioDeviceFailed

__all__ = ["PageClock", "BrowserMicrophone", "BrowserPlayer", "encode_clip", "decode_frame", "FRAME_SAMPLES"]

FRAME_SAMPLES = round(CHUNK_S * WHISPER_RATE_HZ)
"""Samples in one microphone frame from the page (512: one Silero VAD window)."""
_FRAME_HEAD = struct.Struct("<d")
_CLIP_HEAD = struct.Struct("<II")


class PageClock:
    """The page's ``performance.now()`` (milliseconds) on this process's ``time.monotonic()`` (seconds).

    Fitted from ping round trips: the offset measured on the shortest round trip wins (on one machine
    a round trip is well under a millisecond, so the error is too).
    """

    def __init__(self) -> None:
        self.offset_s: float | None = None
        self._best_rtt = float("inf")

    def observe(self, sent_at: float, page_ms: float, received_at: float) -> None:
        """One ping: sent at ``sent_at`` (monotonic), stamped ``page_ms`` by the page, back at ``received_at``."""
        rtt = received_at - sent_at
        if 0 <= rtt < self._best_rtt:
            self._best_rtt = rtt
            self.offset_s = (sent_at + received_at) / 2 - page_ms / 1000

    def to_monotonic(self, page_ms: float) -> float:
        """``time.monotonic()`` at the page time ``page_ms``; now, before the clock has been fitted."""
        return time.monotonic() if self.offset_s is None else page_ms / 1000 + self.offset_s

    def to_page(self, monotonic_s: float) -> float:
        """The page time (ms) at ``monotonic_s``."""
        return (monotonic_s - (self.offset_s or 0.0)) * 1000


def decode_frame(data: bytes) -> tuple[float, np.ndarray]:
    """(page time in ms of the frame's end, float32 samples) from one binary message of the page."""
    if len(data) < _FRAME_HEAD.size + 2 or (len(data) - _FRAME_HEAD.size) % 2:
        raise ValueError("not a microphone frame")
    (page_ms,) = _FRAME_HEAD.unpack_from(data)
    pcm = np.frombuffer(data, dtype="<i2", offset=_FRAME_HEAD.size).astype(np.float32) / 32768.0
    return page_ms, pcm


def encode_clip(stream: int, clip: AudioClip) -> bytes:
    """One clip of speech for the page: stream number, sample rate, int16 PCM."""
    pcm = np.clip(np.asarray(clip.samples, np.float32), -1.0, 1.0)
    return _CLIP_HEAD.pack(stream, clip.sample_rate_hz) + (pcm * 32767).astype("<i2").tobytes()


class BrowserMicrophone(Microphone):
    """16 kHz frames from the page, in 32 ms chunks, stamped with when the page captured them."""

    realtime = True

    def __init__(self, clock: PageClock, timeout_s: float = 5.0) -> None:
        self.clock = clock
        self.timeout_s = timeout_s
        self._q: queue.Queue = queue.Queue()
        self._closed: str | None = None
        self._pending = np.zeros(0, np.float32)
        self.available = False
        """True once the page has a microphone (the user allowed it)."""

    def is_available(self) -> bool:
        """True once the page said it captures."""
        return self.available

    def feed(self, page_ms: float, samples: np.ndarray) -> None:
        """A frame from the page (called on the server's event loop)."""
        self._q.put((samples, self.clock.to_monotonic(page_ms)))

    def close(self, why: str) -> None:
        """The page went away: ``chunks`` raises ``AudioDeviceFailed`` with ``why``."""
        self._closed = why
        self._q.put(None)

    def discard_pending(self) -> None:
        """Drop the frames not read yet (what the page heard while the interviewer spoke)."""
        while True:
            try:
                item = self._q.get_nowait()
            except queue.Empty:
                return
            if item is None:  # keep the end of the stream
                self._q.put(None)
                return

    def chunks(self) -> Iterator[np.ndarray]:
        """Frames as they arrive; a page that stops sending (closed, or its microphone gone) is a failed device."""
        while True:
            try:
                item = self._q.get(timeout=self.timeout_s)
            except queue.Empty:
                raise AudioDeviceFailed(f"the page sent no microphone audio for {self.timeout_s:.0f} s") from None
            if item is None:
                raise AudioDeviceFailed(self._closed or "the page closed")
            chunk, self.captured_at = item
            yield chunk


class _Stream:
    """One ``play_stream`` call as the page reports it."""

    def __init__(self) -> None:
        self.heard_at: float | None = None
        self.started = threading.Event()
        self.ended = threading.Event()


class BrowserPlayer(Player):
    """Plays through the page: each clip is sent as it is synthesized, the page plays them back to back.

    Args:
        send: puts a message (bytes, or a dict sent as JSON) on the WebSocket, from any thread.
        clock: the page's clock, to turn the page's "heard at" into ``time.monotonic()``.
    """

    def __init__(self, send: Callable[[bytes | dict], None], clock: PageClock) -> None:
        self._send, self.clock = send, clock
        self._streams: dict[int, _Stream] = {}
        self._next = 0
        self._lock = threading.Lock()
        self._closed = False
        self._muted = threading.Event()
        self.history: list[tuple[int, float | None]] = []
        """(stream number, when it was heard), for every stream played (the page's latency figures)."""

    def is_available(self) -> bool:
        """True while the page is connected."""
        return not self._closed

    def play(self, clip: AudioClip) -> None:
        """Play one clip to the end."""
        self.play_stream([clip])

    def play_stream(self, clips: Iterable[AudioClip]) -> PlaybackStats:
        """Send ``clips`` as they come (the next one is synthesized while the page plays this one); returns
        once the page has played them all, with when the first was heard."""
        with self._lock:
            number, stream = self._next, _Stream()
            self._next += 1
            self._streams[number] = stream
        total, sent = 0.0, 0
        try:
            for clip in clips:
                if self._closed or self._muted.is_set() or stream.ended.is_set():  # stopped meanwhile
                    break
                self._send(encode_clip(number, clip))
                total += clip.duration_s
                sent += 1
            if sent and not (self._closed or self._muted.is_set() or stream.ended.is_set()):
                self._send({"type": "audio_end", "stream": number})
                # Waits for as long as the page needs: a page whose sound is not yet allowed (no click yet)
                # plays once it is, and the interview waits for it rather than talking into the void.
                stream.ended.wait()
        finally:
            with self._lock:
                self._streams.pop(number, None)
        heard = stream.heard_at if stream.heard_at is not None else time.monotonic()
        self.history.append((number, stream.heard_at))
        return PlaybackStats(heard, total)

    def page_says(self, message: dict) -> None:
        """A report from the page: ``played`` (first sample heard at ``heard_at`` ms) or ``ended``."""
        with self._lock:
            stream = self._streams.get(int(message.get("stream", -1)))
        if stream is None:
            return
        if message["type"] == "played" and stream.heard_at is None:
            stream.heard_at = self.clock.to_monotonic(float(message["heard_at"]))
            stream.started.set()
        elif message["type"] == "ended":
            stream.ended.set()

    def stop(self) -> None:
        """Stop the speech now (the page drops what it has queued)."""
        self._send({"type": "stop_audio"})
        self._release()

    def mute(self, on: bool) -> None:
        """While muted, speech is not sent at all (the candidate ended the interview mid-sentence)."""
        if on:
            self._muted.set()
            self.stop()
        else:
            self._muted.clear()

    def close(self) -> None:
        """The page went away: nothing more is played, and whatever waits is released."""
        self._closed = True
        self._release()

    def _release(self) -> None:
        with self._lock:
            for s in self._streams.values():
                s.ended.set()
