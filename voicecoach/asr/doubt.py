"""Does a transcript look like English speech? tiny.en knows only English: a note when it was guessing."""

from __future__ import annotations

import re

from .transcript import Transcript

__all__ = ["UNSURE_LOGPROB", "english_doubt", "mean_logprob", "drop_invented_ending"]


UNSURE_LOGPROB = -0.7
"""Below this mean log-probability the English-only model was unsure of most words. Measured with
tiny.en (faster-whisper): English from espeak-ng, hibari and the shared recordings -0.20 to -0.57;
espeak-ng French, German, Italian, Dutch and Polish -0.73 to -1.63 (turned into odd English);
Spanish and Portuguese gave no text at all (every segment dropped as silence, at below -1)."""


_HEARD_S = 1.0
"""Speech the voice detector must have found before "no words recognised" is worth a note."""


def english_doubt(t: Transcript) -> str | None:
    """A one-line note when the transcript does not look like English speech, else None.

    tiny.en knows only English: other languages come out as confident-looking but odd English, or as
    nothing. Its own per-token log-probability is the cheap, honest signal: it is low when the model
    was guessing. Poor English audio (far from the microphone, two voices at once) can be low too, so
    the note names both.
    """
    if t.no_speech and t.speech_s >= _HEARD_S:
        # Whisper's no-speech rule dropped everything the voice detector called speech: it heard a
        # voice and no English in it (espeak-ng Spanish and Portuguese end here).
        return (f"{t.speech_s:.0f} s of speech were heard but Whisper, which knows only English, recognised no "
                "words in them: voicecoach judges English answers only")
    if t.no_speech or t.avg_logprob is None or t.avg_logprob >= UNSURE_LOGPROB:
        return None
    return (f"Whisper was unsure of most words (mean log-probability {t.avg_logprob:.2f}): voicecoach judges "
            "English answers only, so if this was not English the transcript means little; if it was, speak "
            "closer to the microphone")


def mean_logprob(segments: list[tuple[float, int]]) -> float | None:
    """The mean of (log-probability, text length) pairs, weighted by length; None for no text."""
    n = sum(length for _, length in segments)
    return round(sum(lp * length for lp, length in segments) / n, 3) if n else None


# Whisper invents these at the end of a clip, after the speech, out of the padding (more often when primed
# with a prompt, as answer pieces are): "...added it to the audit. And..." / "...licences. Thank you very much."
_INVENTED_ENDINGS = frozenset({
    "thank you", "thank you very much", "thanks", "thanks for watching", "thank you for watching", "thank you guys",
    "thank you so much", "bye", "bye bye", "you", "and", "so", "well", "okay", "oh", "see you next time",
    "see you", "please subscribe", "i'm going to do that", "and then", "yeah",
})


def _norm(sentence: str) -> str:
    return " ".join(re.sub(r"[^a-z' ]+", " ", sentence.lower()).split())


def drop_invented_ending(text: str, words: list) -> tuple[str, list]:
    """``text`` and its ``words`` without a closing sentence Whisper is known to invent, when there is
    real speech before it."""
    sentences = [s for s in re.findall(r"[^.!?…]+[.!?…]*", text) if s.strip()]
    while len(sentences) > 1 and _norm(sentences[-1]) in _INVENTED_ENDINGS:
        n = len(_norm(sentences.pop()).split())
        if len(words) >= n:
            words = words[:-n]
    return " ".join(s.strip() for s in sentences), words
