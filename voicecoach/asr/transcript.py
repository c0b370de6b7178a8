"""What transcription produces and is asked to do: plain values shared by every engine."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Word", "Transcript", "DecodeOptions", "Segment", "LIVE_OPTIONS"]


@dataclass(frozen=True)
class Word:
    """One recognised word."""

    word: str
    start_s: float
    """Seconds from the start of the clip."""
    end_s: float
    """Seconds from the start of the clip."""


@dataclass(frozen=True)
class Transcript:
    """What was said in a clip, the same shape whichever engine produced it."""

    text: str
    words: tuple[Word, ...]
    duration_s: float
    """Length of the whole clip in seconds."""
    engine: str
    model: str
    no_speech: bool
    """True when the clip held no speech; ``text`` is then empty."""
    avg_logprob: float | None = None
    """The decoder's mean log-probability per token over everything it decoded, the text kept and the
    text dropped as silence (None when nothing was decoded): how sure Whisper was of its own words. Not
    in ``to_dict``; see ``english_doubt``."""
    speech_s: float = 0.0
    """Seconds of speech the voice activity detector found (Whisper may still find no words in it)."""
    ending: float | None = None
    """How sure Whisper was (0-1) of the full stop, "?" or "!" that closes the text, given the audio and the words
    before it: low where the sentence sounds as if it goes on though Whisper closed it. None when the text ends
    otherwise ("...", a word), or the engine does not tell. Not in ``to_dict``; the end-of-turn judgement uses it."""

    def to_dict(self) -> dict:
        """The JSON object of ``voicecoach transcribe --json``."""
        d = asdict(self)
        d.pop("avg_logprob"), d.pop("speech_s"), d.pop("ending")
        d["words"] = [asdict(w) for w in self.words]
        d["duration_s"] = round(self.duration_s, 3)
        for w in d["words"]:
            w["start_s"], w["end_s"] = round(w["start_s"], 3), round(w["end_s"], 3)
        return d


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding settings, identical for both engines so their transcripts can be compared."""

    beam_size: int = 5
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    prompt: str | None = None
    """Text to prime the decoder with (names, jargon, a command vocabulary)."""
    max_tokens_per_s: float | None = None
    """Cap on generated tokens per second of speech (plus 16). Speech rarely needs 5 a second; the
    cap stops a decoding loop early instead of letting the temperature fallback re-run it for
    seconds (seen in the live session on a short final piece: 5.3 s)."""

    compute_type: str = "float32"
    """faster-whisper's arithmetic (``int8`` for live pieces: half the time and memory; openai-whisper
    always computes in float32)."""
    threads: int | None = None
    """Decoding threads (None: one per core)."""

    def max_new_tokens(self, speech_s: float) -> int | None:
        """The token cap for ``speech_s`` seconds of speech, or None for no cap."""
        if self.max_tokens_per_s is None:
            return None
        return int(self.max_tokens_per_s * speech_s) + 16


@dataclass(frozen=True)
class Segment:
    """One decoded segment as an engine reports it, times relative to the audio it was given."""

    text: str
    words: tuple[Word, ...]
    no_speech_prob: float
    avg_logprob: float
    ending: float | None = None
    """For the last segment of a decode: ``Transcript.ending`` (None from an engine that does not tell)."""


LIVE_OPTIONS = DecodeOptions(beam_size=1, temperatures=(0.0, 0.4, 0.8), max_tokens_per_s=8.0, compute_type="int8",
                             threads=2)
"""For the practice session, where a piece must be decoded before the candidate finishes, on a laptop busy
with other things: greedy decoding in int8 (0.5 s for a 10-s piece against 0.9 s, half the CPU, 90 MB less;
the same words on the real recordings, 1 more word in 100 on synthetic answers: scripts/bench_threads.py and
bench_transcribe.py), a shorter temperature fallback and a token cap to bound the worst case."""
