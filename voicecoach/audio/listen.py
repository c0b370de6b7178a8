"""Turn-taking: where an utterance starts and ends, and when the candidate has finished answering.

Fed 16 kHz chunks, the listener scores them with the streaming Silero VAD and reports events. Time
is counted in samples, not wall-clock seconds, so the same audio always gives the same events (the
demo can feed audio faster than real time and the tests are deterministic).

* An utterance ends after ``segment_silence_s`` of silence: it is handed on at once, so the answer
  can be transcribed piece by piece while the candidate is still talking. Sooner, after ``early_silence_s``,
  the same audio is offered for decoding ahead (``UtterancePaused``): if no speech comes before the
  utterance closes, it closes on exactly that audio, and its transcript is ready that much sooner.
* The answer ends after a silence whose length is decided as it goes: with ``end_silence_s`` set, that
  fixed silence; otherwise the turn runner judges at each pause whether the answer is finished
  (``endpoint.py``) and calls ``require_silence`` (short after a finished answer, long after a sentence
  left hanging); until it has, the longest wait applies. The answer also ends at ``max_answer_s``.
* A long silence before any speech produces one ``LongSilence`` event per ``prompt_after_s``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .clip import WHISPER_RATE_HZ, AudioClip
from .vad import WINDOW_SAMPLES, Hysteresis, SileroVad, VadOptions, VadStream

__all__ = ["ListenOptions", "Utterance", "Listener", "UtteranceEnded", "UtterancePaused", "SpeechHeard", "AnswerEnded",
           "LongSilence", "SpeechStarted"]

RATE = WHISPER_RATE_HZ


@dataclass(frozen=True)
class ListenOptions:
    """Turn-taking thresholds (speech/silence itself is judged by ``vad``, shared with transcription)."""

    end_silence_s: float | None = None
    """Silence that ends an answer; None: judged at each pause (``Listener.require_silence``)."""
    longest_silence_s: float = 4.5
    """With ``end_silence_s`` None, the silence that ends the answer until the pause has been judged."""
    max_answer_s: float = 180.0
    """An answer is cut off at this length."""
    prompt_after_s: float = 10.0
    """Silence before any speech that earns a gentle spoken prompt."""
    segment_silence_s: float = 0.6
    """Silence that closes one utterance (a segment sent for transcription)."""
    early_silence_s: float | None = 0.1
    """Silence after which the utterance in progress is offered for decoding ahead (``UtterancePaused``); at
    least ``end_pad_s``, so that the audio offered is the audio the utterance closes on. None: never."""
    hear_silence_s: float | None = 0.05
    """Silence after which the voice so far is handed on (``SpeechHeard``), so the end-of-turn model can listen to it
    before the piece is decoded. None: never."""
    long_segment_s: float = 6.0
    """Once a segment is this long, a shorter pause (``short_silence_s``) closes it, so pieces stay
    small enough to be decoded while the candidate keeps talking."""
    short_silence_s: float = 0.3
    max_segment_s: float = 20.0
    """A segment is closed at this length even without a pause."""
    vad: VadOptions = VadOptions()
    """Speech probability thresholds, minimum speech and padding."""
    end_pad_s: float = 0.1
    """Silence kept after an utterance's speech (the VAD's padding, 0.2 s, is kept before it). A piece is decoded once
    this has been heard, so it lies on the path from the last word to the interviewer's reply; Whisper's words were no
    worse with 0.1 s than with 0.2 s (NOTES.md)."""

    def __post_init__(self) -> None:
        from ..errors import UsageError

        if self.end_silence_s is not None and not 0.3 < self.end_silence_s <= 60:
            raise UsageError(f"the end silence must be over 0.3 s and at most 60 s, not {self.end_silence_s:g}",
                             "e.g. --end-silence 2.5")
        if not 5 < self.max_answer_s <= 3600:
            raise UsageError(f"the longest answer must be over 5 s and at most an hour, not {self.max_answer_s:g}",
                             "e.g. --max-answer 180")
        if not 0 < self.segment_silence_s < (self.end_silence_s or self.longest_silence_s):
            raise UsageError("the pause that closes a piece must be shorter than the end silence",
                             f"use an end silence over {self.segment_silence_s:g} s")
        if self.early_silence_s is not None and not self.end_pad_s <= self.early_silence_s:
            raise ValueError("early_silence_s must be at least end_pad_s (the audio offered ahead would differ)")


@dataclass(frozen=True)
class Utterance:
    """Speech between two pauses."""

    clip: AudioClip
    start_s: float
    """Seconds since listening started (including the padding)."""
    end_s: float
    speech_s: float
    """Seconds of speech in it (without padding)."""


@dataclass(frozen=True)
class SpeechStarted:
    """Speech began."""

    at_s: float


@dataclass(frozen=True)
class UtteranceEnded:
    """An utterance is complete."""

    utterance: Utterance


@dataclass(frozen=True)
class UtterancePaused:
    """The candidate paused: ``utterance`` is what will close if no speech comes before the pause is long enough
    (decode it ahead; the ``UtteranceEnded`` that follows carries the same audio and times)."""

    utterance: Utterance


@dataclass(frozen=True)
class SpeechHeard:
    """The candidate went quiet a moment ago: ``utterance`` is the speech so far as it would close (its times and
    length), with silence for the padding not yet heard. For judging the voice early; never decoded."""

    utterance: Utterance


@dataclass(frozen=True)
class AnswerEnded:
    """The answer is over."""

    reason: str
    """``silence`` or ``max_length``."""
    at_s: float
    last_speech_s: float
    """When the last speech ended (seconds since listening started)."""


@dataclass(frozen=True)
class LongSilence:
    """Nothing has been said for a while."""

    silent_for_s: float


class Listener:
    """A VAD state machine over incoming audio."""

    def __init__(self, vad: SileroVad, options: ListenOptions = ListenOptions()) -> None:
        self.vad = vad
        self.options = options
        self.answer_started = False
        """True once ``start_answer`` was called for this turn."""
        self.reset()

    def reset(self) -> None:
        """Forget everything heard (after the interviewer spoke, or for the next question)."""
        self._stream: VadStream = self.vad.stream()
        self._h = Hysteresis(self.options.vad)
        self._buf: list[np.ndarray] = []
        self._buf_start = 0            # sample index of self._buf[0][0]
        self._pos = 0                  # samples consumed
        self._scored = 0               # samples scored by the VAD
        self._idle_since = 0           # for LongSilence prompts
        self._answer_start: int | None = None
        self._last_speech_end = 0
        self._offered = -1             # last_voice_end of the utterance last offered ahead
        self._heard_at = -1            # last_voice_end of the speech last handed on to be heard
        self._ended = False
        self.answer_started = False
        self.level = 0.0
        self._required_s = self.options.end_silence_s or self.options.longest_silence_s

    def require_silence(self, seconds: float) -> None:
        """The silence that ends the answer from now on (the pause was judged); ignored with a fixed
        ``end_silence_s``. New speech brings back the longest wait until the next pause is judged."""
        if self.options.end_silence_s is None:
            self._required_s = seconds

    def silence_reached(self) -> "AnswerEnded | None":
        """The answer's end, if the silence heard so far already reaches the one required (after ``require_silence``
        shortened it); None otherwise. ``feed`` finds the same end, at the next chunk."""
        if self._ended or not self.answer_started:
            return None
        return self._silence_ended(self._scored)

    def _silence_ended(self, now: int) -> "AnswerEnded | None":
        """The answer's end at sample ``now`` if the required silence has been heard since its last speech (and marks
        the answer over), else None."""
        h = self._h
        if h.in_speech or now - max(self._last_speech_end, h.last_voice_end) < self._required_s * RATE:
            return None
        self._ended = True
        return AnswerEnded("silence", now / RATE, h.last_voice_end / RATE)

    @property
    def required_silence_s(self) -> float:
        """The silence that ends the answer at present."""
        return self._required_s

    @property
    def silent_for_s(self) -> float:
        """Seconds since the last speech of the answer (0 while speaking)."""
        if self._h.in_speech:
            return 0.0
        return max(0, self._scored - max(self._last_speech_end, self._h.last_voice_end)) / RATE

    def reopen(self) -> None:
        """Listen on after the answer was taken as over, for speech that came meanwhile (it is the same answer). The
        silence already heard does not end the answer again; new speech brings back the usual end silence."""
        self._ended = False
        self._required_s = math.inf

    def close(self) -> None:
        """Take the answer as over (after ``reopen`` found nothing new)."""
        self._ended = True

    def start_answer(self, first: Utterance) -> None:
        """Mark that the answer has begun with ``first``: from now on a long silence ends it."""
        self.answer_started = True
        self._answer_start = int(first.start_s * RATE)

    @property
    def elapsed_s(self) -> float:
        """Seconds of audio heard since the last reset."""
        return self._pos / RATE

    @property
    def in_speech(self) -> bool:
        """True while an utterance is open."""
        return self._h.in_speech

    def _slice(self, start: int, end: int) -> np.ndarray:
        audio = (np.concatenate(self._buf) if len(self._buf) > 1
                 else (self._buf[0] if self._buf else np.zeros(0, np.float32)))
        self._buf = [audio]
        a, b = max(0, start - self._buf_start), max(0, end - self._buf_start)
        return audio[a:b].copy()

    def _trim_buffer(self) -> None:
        keep_from = (self._h.start if self._h.in_speech else self._pos) - int(self.options.vad.pad_s * RATE) - RATE
        if keep_from > self._buf_start + 30 * RATE and self._buf:
            audio = np.concatenate(self._buf)
            drop = keep_from - self._buf_start
            self._buf = [audio[drop:]]
            self._buf_start = keep_from

    def _utterance(self, start: int, end: int, speech_s: float, fill: bool = False) -> Utterance:
        """The speech from ``start`` to ``end`` with the VAD's padding before it and ``end_pad_s`` after it; ``fill``:
        padding not yet heard is silence (otherwise the utterance stops at what has been heard)."""
        start, stop = max(0, start - int(self.options.vad.pad_s * RATE)), end + int(self.options.end_pad_s * RATE)
        audio = self._slice(start, min(self._pos, stop))
        if fill:
            audio = np.concatenate([audio, np.zeros(stop - start - len(audio), np.float32)])
        else:
            stop = min(self._pos, stop)
        return Utterance(AudioClip(audio, RATE), start / RATE, stop / RATE, speech_s)

    def _close_utterance(self, end: int | None, events: list) -> None:
        start, voice_end, speech_s = self._h.close()
        end = voice_end if end is None else end
        if self._h.long_enough(speech_s):
            events.append(UtteranceEnded(self._utterance(start, end, speech_s)))
            self._last_speech_end = end

    def _offer(self, events: list) -> None:
        """The utterance in progress as it will close if the pause goes on (once per pause)."""
        h = self._h
        speech_s = h.speech_samples / RATE
        if h.last_voice_end != self._offered and h.long_enough(speech_s):
            self._offered = h.last_voice_end
            events.append(UtterancePaused(self._utterance(h.start, h.last_voice_end, speech_s)))

    def _heard(self, events: list) -> None:
        """The speech so far, padded as the utterance will be (silence for the padding not yet heard); once a pause."""
        h = self._h
        speech_s = h.speech_samples / RATE
        if h.last_voice_end != self._heard_at and h.long_enough(speech_s):
            self._heard_at = h.last_voice_end
            events.append(SpeechHeard(self._utterance(h.start, h.last_voice_end, speech_s, fill=True)))

    def flush(self) -> list:
        """Close the utterance in progress (the device failed or the candidate interrupted); its events."""
        events: list = []
        if self._h.in_speech:
            self._close_utterance(self._pos, events)
        return events

    def feed(self, chunk: np.ndarray) -> list:
        """Add audio; returns the events it caused, in order."""
        o = self.options
        events: list = []
        if self._ended:
            return events
        chunk = np.asarray(chunk, np.float32)
        self._buf.append(chunk)
        self._pos += len(chunk)
        self.level = float(np.sqrt(np.mean(chunk ** 2))) if len(chunk) else 0.0
        h = self._h
        for p in self._stream.feed(chunk):
            w_start = self._scored
            w_end = self._scored = w_start + WINDOW_SAMPLES
            if h.step(float(p), w_start):
                events.append(SpeechStarted(w_start / RATE))
                self._required_s = o.end_silence_s or o.longest_silence_s  # a new pause is judged afresh
            if p >= o.vad.threshold:
                self._idle_since = w_end
            if h.in_speech:
                length = w_end - h.start
                too_long = length >= o.max_segment_s * RATE
                needed = o.short_silence_s if length >= o.long_segment_s * RATE else o.segment_silence_s
                if h.silent_for(w_end) >= needed * RATE or too_long:
                    self._close_utterance(w_end if too_long else None, events)
                elif o.early_silence_s is not None and h.silent_for(w_end) >= o.early_silence_s * RATE:
                    self._offer(events)
                elif o.hear_silence_s is not None and h.silent_for(w_end) >= o.hear_silence_s * RATE:
                    self._heard(events)
            if self.answer_started:
                ended = self._silence_ended(w_end)
                if ended is not None:
                    events.append(ended)
                    break
                if w_end - self._answer_start >= o.max_answer_s * RATE:
                    if h.in_speech:
                        self._close_utterance(w_end, events)
                    self._ended = True
                    events.append(AnswerEnded("max_length", w_end / RATE, h.last_voice_end / RATE))
                    break
            elif not h.in_speech and w_end - self._idle_since >= o.prompt_after_s * RATE:
                events.append(LongSilence((w_end - self._idle_since) / RATE))
                self._idle_since = w_end
        self._trim_buffer()
        return events
