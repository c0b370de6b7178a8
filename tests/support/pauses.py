"""Spoken answers with the pauses people make, for the end-of-turn benchmark and the turn-taking harness.

tests/data/turns/pauses.toml holds 70 answers written with their pauses marked: `[mid N]` inside a sentence,
`[between N]` between two sentences of an answer that goes on; the end of the text is the end of the answer.
`spoken_answer` renders one in a voice with real silences at the marks. A pause inside a sentence is cut
into the sentence as spoken whole (so the voice does not fall as at a full stop): the sentence is synthesized
once, transcribed for its word times, and split after the word before the mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tomllib

__all__ = ["PAUSES", "Pause", "SpokenAnswer", "load_answers", "spoken_answer", "split_marks", "sounding", "trimmed"]

PAUSES = Path(__file__).resolve().parents[1] / "data" / "turns" / "pauses.toml"
_MARK = re.compile(r"\s*\[(mid|between) ([0-9.]+)\]\s*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
RATE = 16000


def sounding(samples: np.ndarray) -> np.ndarray:
    """Indices of the samples above 1% of the peak: where the voice can be heard (a voice leaves near-silence
    before and after a sentence, ~0.6 s of it after the last one)."""
    return np.flatnonzero(np.abs(samples) > 0.01 * np.abs(samples).max())


def trimmed(samples: np.ndarray) -> np.ndarray:
    """The clip without the near-silence a voice leaves before and after a sentence."""
    loud = sounding(samples)
    return samples[loud[0]: loud[-1] + 1]


@dataclass(frozen=True)
class Pause:
    """A pause point: where the candidate went quiet, and whether the answer was finished there."""

    kind: str
    """``mid`` (inside a sentence), ``between`` (between sentences, the answer goes on) or ``end``."""
    at_s: float
    """When the silence starts, in seconds from the start of the answer's audio."""
    length_s: float
    text_before: str
    """What had been said up to the pause (the written words)."""

    @property
    def finished(self) -> bool:
        return self.kind == "end"


@dataclass(frozen=True)
class SpokenAnswer:
    """An answer's audio (16 kHz mono float32) with its pause points, the last one the end."""

    id: str
    samples: np.ndarray
    pauses: tuple[Pause, ...]
    pieces: tuple[str, ...]
    """The words said between one pause and the next."""


def load_answers(path: Path = PAUSES) -> list[dict]:
    """The answers of pauses.toml."""
    return tomllib.loads(path.read_text())["answer"]


def split_marks(text: str) -> list[tuple[str, str, float]]:
    """``text`` as (words, kind of the pause after them, its seconds); the last is ``("...", "end", 0)``."""
    out, pos = [], 0
    for m in _MARK.finditer(text):
        out.append((text[pos:m.start()].strip(), m.group(1), float(m.group(2))))
        pos = m.end()
    out.append((text[pos:].strip(), "end", 0.0))
    return out


def _cut_times(clip, n_words_before: list[int], transcriber) -> list[float]:
    """Seconds after the given numbers of words, from the clip's own word times."""
    words = list(transcriber.transcribe(clip).words)
    out = []
    for n in n_words_before:
        if words and 0 < n <= len(words):
            out.append(min(clip.duration_s, words[n - 1].end_s + 0.05))
        else:  # the recogniser heard a different number of words: cut in proportion
            out.append(clip.duration_s * n / max(1, n + 1))
    return out


def spoken_answer(answer: dict, tts, transcriber) -> SpokenAnswer:
    """Render ``answer`` with ``tts`` (a ``TextToSpeech``), with silences at its marks."""
    parts = split_marks(answer["text"])
    # Sentences of the whole text, each with the marks inside it (a `between` mark ends a sentence).
    audio: list[np.ndarray] = []
    pauses: list[Pause] = []
    said: list[str] = []
    t = 0.0
    sentence_parts: list[tuple[str, str, float]] = []

    def render(group: list[tuple[str, str, float]]) -> None:
        nonlocal t
        sentence = " ".join(p[0] for p in group if p[0])
        clip = tts.synthesize_clip(sentence).to(RATE)
        counts, n = [], 0
        for words, kind, _ in group[:-1]:
            n += len(words.split())
            counts.append(n)
        cuts = _cut_times(clip, counts, transcriber) if counts else []
        start = 0
        for (words, kind, seconds), cut in zip(group, [*cuts, None]):
            end = len(clip.samples) if cut is None else int(cut * RATE)
            audio.append(clip.samples[start:end])
            t += (end - start) / RATE
            said.append(words)
            start = end
            if kind in ("mid", "between"):
                pauses.append(Pause(kind, t, seconds, " ".join(said)))
                audio.append(np.zeros(int(seconds * RATE), np.float32))
                t += seconds
            elif kind == "end":
                pauses.append(Pause("end", t, 0.0, " ".join(said)))

    for words, kind, seconds in parts:
        sentence_parts.append((words, kind, seconds))
        if kind in ("between", "end"):
            render(sentence_parts)
            sentence_parts = []
    samples = np.concatenate(audio).astype(np.float32) if audio else np.zeros(0, np.float32)
    return SpokenAnswer(answer["id"], samples, tuple(pauses), tuple(said))
