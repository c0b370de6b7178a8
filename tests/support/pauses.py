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

__all__ = ["PAUSES", "HELDOUT", "Pause", "SpokenAnswer", "load_answers", "spoken_answer", "split_marks", "sounding",
           "trimmed", "cut_times", "bare"]

PAUSES = Path(__file__).resolve().parents[1] / "data" / "turns" / "pauses.toml"
HELDOUT = PAUSES.with_name("heldout.toml")
"""236 more answers by six writers who never saw the rules, each reported apart (scripts/bench_turns.py)."""
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
    """The answers of pauses.toml (or of ``path`` in its format)."""
    return tomllib.loads(path.read_text())["answer"]


def split_marks(text: str) -> list[tuple[str, str, float]]:
    """``text`` as (words, kind of the pause after them, its seconds); the last is ``("...", "end", 0)``."""
    out, pos = [], 0
    for m in _MARK.finditer(text):
        out.append((text[pos:m.start()].strip(), m.group(1), float(m.group(2))))
        pos = m.end()
    out.append((text[pos:].strip(), "end", 0.0))
    return out


def cut_times(clip, written: list[str], n_words_before: list[int], transcriber, checker,
               before_clip: np.ndarray, words: list | None = None) -> list[float]:
    """Seconds after the given numbers of ``written`` words, from the clip's own word times (the recognised word that
    is the written one, near its place: a filler the recogniser drops shifts the count), at the quietest moment
    between the word before and the next one, and never into the next word. A cut 50 ms after the recogniser's end
    of the word before (as until the seventh session on issue 23) left the start of the next word in the piece in 135
    of 206 pauses inside a sentence: "I did was [mid] sit" was heard "...I did was sit.", and the cut-off sound of a
    word started is not how people pause. Each cut is checked by decoding the piece before it with ``checker`` (the live
    decoder: what a session hears); where it ends after the word before the cut moves earlier, and where the word
    before is not heard, later (30 ms a step, at most four). The first piece is checked with ``before_clip`` in
    front of it (what was said since the last pause), as the session decodes it. ``words``: the clip's words from
    ``transcriber``, when they are known already."""
    words = list(transcriber.transcribe(clip).words) if words is None else words
    out, start = [], 0.0
    for n in n_words_before:
        last = bare(written[n - 1])
        near = [k for k in (n - 1, n - 2, n, n - 3, n + 1) if 0 <= k < len(words) - 1]
        k = next((k for k in near if bare(words[k].word) == last), near[0] if near else None)
        if k is None:  # the recogniser heard too few words: cut in proportion
            out.append(start := clip.duration_s * n / max(1, len(written)))
            continue
        before, after = words[k], words[k + 1]
        cut = first = _quietest(clip.samples, min(before.end_s, after.start_s) - 0.1, after.start_s)
        for _ in range(4):
            piece = clip.samples[int(start * RATE):int(cut * RATE)]
            piece = type(clip)(np.concatenate([before_clip, piece]) if start == 0 else piece, RATE)
            heard = [w for w in map(bare, checker.transcribe(piece).text.split()) if w] if len(piece.samples) else []
            if heard and heard[-1] == last:
                break
            # Something after the word before is heard (the next word begun): cut earlier; the word before is not
            # heard (cut into it): later.
            cut += -0.03 if last in heard[-3:] else 0.03
        else:  # never heard as written (a misheard word): the quietest moment before the next word
            cut = first
        out.append(start := cut)
    return out


def bare(word: str) -> str:
    """A word as the cuts compare it: lower case, letters, digits and apostrophes only."""
    return re.sub(r"[^a-z0-9']", "", word.lower())


def _quietest(samples: np.ndarray, lo_s: float, hi_s: float) -> float:
    """The moment (seconds) between ``lo_s`` and ``hi_s`` where the 10-ms loudness is lowest."""
    frame, hop = RATE // 100, RATE // 400
    lo, hi = max(0, int(lo_s * RATE)), min(len(samples), int(hi_s * RATE))
    if hi - lo <= frame:
        return max(0.0, hi_s)
    x = samples[lo:hi].astype(np.float64) ** 2
    energy = np.convolve(x, np.ones(frame), "valid")[::hop]
    return (lo + int(np.argmin(energy)) * hop + frame // 2) / RATE


def spoken_answer(answer: dict, tts, transcriber, checker=None) -> SpokenAnswer:
    """Render ``answer`` with ``tts`` (a ``TextToSpeech``), with silences at its marks, cut where ``transcriber``
    (one that gives word times) places the words and as ``checker`` (default: the same) hears the pieces."""
    parts = split_marks(answer["text"])
    # Sentences of the whole text, each with the marks inside it (a `between` mark ends a sentence).
    audio: list[np.ndarray] = []
    pauses: list[Pause] = []
    said: list[str] = []
    t = 0.0
    sentence_parts: list[tuple[str, str, float]] = []
    since_pause: list[np.ndarray] = []  # the audio since the last pause: the live piece a cut is checked with

    def render(group: list[tuple[str, str, float]]) -> None:
        nonlocal t
        sentence = " ".join(p[0] for p in group if p[0])
        clip = tts.synthesize_clip(sentence).to(RATE)
        counts, n = [], 0
        for words, kind, _ in group[:-1]:
            n += len(words.split())
            counts.append(n)
        cuts = cut_times(clip, sentence.split(), counts, transcriber, checker or transcriber,
                          np.concatenate(since_pause) if since_pause else np.zeros(0, np.float32)) if counts else []
        start = 0
        for (words, kind, seconds), cut in zip(group, [*cuts, None]):
            end = len(clip.samples) if cut is None else int(cut * RATE)
            audio.append(clip.samples[start:end])
            since_pause.append(clip.samples[start:end])
            t += (end - start) / RATE
            said.append(words)
            start = end
            if kind in ("mid", "between"):
                pauses.append(Pause(kind, t, seconds, " ".join(said)))
                audio.append(np.zeros(int(seconds * RATE), np.float32))
                since_pause.clear()
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
