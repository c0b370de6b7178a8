"""Speech-only decoding, the same for every engine: the voice activity detector decides whether there is
speech at all (no speech, no decoding, so Whisper cannot invent "Thank you." on silence), silence is cut
out, the speech is decoded in windows of at most ``WINDOW_S`` seconds cut at pauses, and word times are
mapped back onto the original clip. Loaded with the first transcription (numpy and the VAD model)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace

import numpy as np

from ..audio.clip import WHISPER_RATE_HZ, AudioClip
from ..audio.vad import SileroVad, VadOptions, spans_from_probabilities
from .doubt import drop_invented_ending
from .doubt import mean_logprob as _mean_logprob
from .timeline import WINDOW_S, speech_windows
from .timeline import Timeline as _Timeline
from .transcript import Transcript, Word

__all__ = ["transcribe_speech", "shared_vad"]


_SPACES = re.compile(r"\s+")

_vad: SileroVad | None = None


def shared_vad() -> SileroVad:
    """The one Silero VAD every transcriber gates with (loaded on first use)."""
    global _vad
    if _vad is None:
        _vad = SileroVad()
    return _vad


class _Samples:
    """Stretches of audio that arrives in blocks, taken in order (each from where the last ended or later):
    only the block being read is held."""

    def __init__(self, blocks) -> None:
        self._blocks = blocks
        self._buf = np.zeros(0, np.float32)
        self._start = 0
        """The sample number of ``_buf[0]``."""

    def take(self, lo: int, hi: int) -> np.ndarray:
        parts, pos = [], lo
        while pos < hi:
            end = self._start + len(self._buf)
            if pos >= end:
                block = next(self._blocks, None)
                if block is None:
                    break
                self._start, self._buf = end, block
                continue
            a = max(0, pos - self._start)
            b = min(hi, end) - self._start
            parts.append(self._buf[a:b])
            pos = self._start + b
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def transcribe_speech(transcriber, clip, prompt: str | None = None) -> Transcript:
    """Transcribe a clip with ``transcriber`` (a ``voicecoach.asr.Transcriber``, whose ``_decode`` is called).

    Speech is decoded in windows of at most ``WINDOW_S`` seconds of speech, cut at pauses the voice
    activity detector found (a long monologue is cut at its quietest moment), so memory stays bounded
    however long the recording is; ``progress``, when set, hears about each window of a long one.

    Args:
        clip: an ``AudioClip`` at any rate (resampled to 16 kHz here), or an ``AudioFile`` read at 16 kHz,
            which is read twice, a block at a time (once to find the speech, once to decode it), so that a
            recording of hours never sits in memory whole.
        prompt: optional text to prime the decoder (overrides the options' prompt).

    Returns:
        The transcript; ``no_speech`` is set and ``text`` empty when no speech was found.
    """
    if isinstance(clip, AudioClip):
        clip = clip.to(WHISPER_RATE_HZ)
    elif clip.sample_rate_hz != WHISPER_RATE_HZ:
        raise ValueError("an AudioFile must be read at 16 kHz to be transcribed")
    if transcriber.progress is not None and clip.duration_s > 600:
        transcriber.progress(f"finding the speech in {clip.duration_s / 60:.0f} min of audio ...")
    with contextlib.closing(clip.blocks()) as blocks:
        probs, n = shared_vad().probabilities_of_blocks(blocks)
    duration_s = n / WHISPER_RATE_HZ
    spans = spans_from_probabilities(probs, duration_s, transcriber.vad_options or VadOptions())
    if not spans:
        return Transcript("", (), duration_s, transcriber.engine, transcriber.model_name, True)
    options = transcriber.options if prompt is None else replace(transcriber.options, prompt=prompt)
    windows = speech_windows(spans, probs, WINDOW_S)
    texts, words = [], []
    ending = None  # how sure Whisper was of the last segment's closing full stop, if it was kept
    heard: list[tuple[float, int]] = []  # (log-probability, length) of every decoded text, kept or not
    with contextlib.closing(clip.blocks()) as blocks:
        samples = _Samples(blocks)
        for k, window in enumerate(windows, 1):
            speech = np.concatenate(
                [samples.take(int(s.start_s * WHISPER_RATE_HZ), int(s.end_s * WHISPER_RATE_HZ)) for s in window]
            )
            timeline = _Timeline(window)
            if transcriber.thread_safe:
                segments = transcriber._decode(speech, options)
            else:
                with transcriber._decode_lock:
                    segments = transcriber._decode(speech, options)
            for seg in segments:
                if seg.text.strip():
                    heard.append((seg.avg_logprob, len(seg.text.strip())))
                # Whisper's own rule for "this segment is silence", applied identically to both engines.
                if seg.no_speech_prob > options.no_speech_threshold and seg.avg_logprob < options.log_prob_threshold:
                    continue
                if seg.text.strip():
                    texts.append(seg.text.strip())
                    ending = seg.ending
                words.extend(
                    Word(w.word.strip(), timeline.to_original(w.start_s), timeline.to_original(w.end_s))
                    for w in seg.words if w.word.strip()
                )
            if transcriber.progress is not None and len(windows) > 1:
                transcriber.progress(f"transcribed {window[-1].end_s:.0f} s of {duration_s:.0f} s "
                                     f"(part {k} of {len(windows)})")
    whole = _SPACES.sub(" ", " ".join(texts)).strip()
    text, words = drop_invented_ending(whole, words)
    return Transcript(text, tuple(words) if text else (), duration_s, transcriber.engine, transcriber.model_name,
                      not text, _mean_logprob(heard), round(sum(s.duration_s for s in spans), 3),
                      ending if text == whole else None)  # not the ending of a sentence dropped as invented
