"""Delivery figures from word timings: pace, fillers, long pauses, length."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..prompts import TableReader, read_toml
from .text import compile_any

__all__ = ["Delivery", "DeliveryNorms", "measure_delivery", "load_delivery"]


@dataclass(frozen=True)
class DeliveryNorms:
    """Pace, fillers, pauses and length norms."""

    min_wpm: float
    max_wpm: float
    tip_slow: str
    tip_fast: str
    filler_regex: re.Pattern
    max_fillers_per_minute: float
    filler_tip: str
    long_pause_s: float
    max_long_pauses: int
    pause_tip: str
    min_duration_s: float
    max_duration_s: float
    tip_short: str
    tip_long: str



@dataclass(frozen=True)
class Delivery:
    """How the answer was spoken."""

    duration_s: float
    """From the first word's start to the last word's end."""
    word_count: int
    words_per_minute: float
    filler_count: int
    fillers_per_minute: float
    long_pauses: tuple[tuple[str, float], ...]
    """(word before the pause, pause length in seconds) for each pause over the norm."""
    notes: tuple[str, ...]
    """One plain sentence per norm that was missed (empty when all were met)."""

    def to_dict(self) -> dict:
        """JSON form."""
        return {
            "duration_s": round(self.duration_s, 2),
            "word_count": self.word_count,
            "words_per_minute": round(self.words_per_minute, 1),
            "filler_count": self.filler_count,
            "fillers_per_minute": round(self.fillers_per_minute, 2),
            "long_pauses": [{"after": w, "pause_s": round(p, 2)} for w, p in self.long_pauses],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Delivery":
        """Read the JSON form."""
        return cls(float(d["duration_s"]), int(d["word_count"]), float(d["words_per_minute"]), int(d["filler_count"]),
                   float(d["fillers_per_minute"]), tuple((p["after"], float(p["pause_s"])) for p in d["long_pauses"]),
                   tuple(d.get("notes", ())))


def measure_delivery(text: str, words: list[tuple[str, float, float]], norms: DeliveryNorms) -> Delivery | None:
    """Delivery figures, or None when there are no word timings.

    Args:
        text: the transcript (fillers are counted in it).
        words: (word, start_s, end_s) in order.
        norms: the delivery section of the rubric.
    """
    if not words:
        return None
    duration = max(words[-1][2] - words[0][1], 1e-6)
    minutes = duration / 60.0
    n = len(words)
    wpm = n / minutes
    fillers = len(list(norms.filler_regex.finditer(text)))
    pauses = tuple(
        (a[0], b[1] - a[2]) for a, b in zip(words, words[1:]) if b[1] - a[2] > norms.long_pause_s
    )
    notes = []
    if duration < norms.min_duration_s:
        notes.append(norms.tip_short)
    elif duration > norms.max_duration_s:
        notes.append(norms.tip_long)
    # Pace is only meaningful over more than a few words.
    if n >= 20 and wpm < norms.min_wpm:
        notes.append(norms.tip_slow)
    elif n >= 20 and wpm > norms.max_wpm:
        notes.append(norms.tip_fast)
    if fillers / max(minutes, 0.25) > norms.max_fillers_per_minute:
        notes.append(norms.filler_tip)
    if len(pauses) > norms.max_long_pauses:
        notes.append(norms.pause_tip)
    return Delivery(duration, n, wpm, fillers, fillers / minutes, pauses, tuple(notes))


def load_delivery(path: Path) -> DeliveryNorms:
    """Read and check ``delivery.toml``."""
    data = read_toml(path)
    t = {k: TableReader(path, f"[{k}]", data.get(k) if isinstance(data.get(k), dict) else {})
         for k in ("pace", "fillers", "pauses", "length")}
    for k, r in t.items():
        if k not in data:
            r.fail("section is missing")
    f = t["fillers"]
    filler = compile_any(f.strings("words", []) + f.strings("phrases", []))
    if filler is None:
        f.fail("needs 'words' or 'phrases'")
    return DeliveryNorms(
        t["pace"].get("min_words_per_minute", float), t["pace"].get("max_words_per_minute", float),
        t["pace"].get("tip_slow", str), t["pace"].get("tip_fast", str),
        filler, f.get("max_per_minute", float), f.get("tip", str),
        t["pauses"].get("long_pause_s", float), t["pauses"].get("max_long_pauses", int), t["pauses"].get("tip", str),
        t["length"].get("min_duration_s", float), t["length"].get("max_duration_s", float),
        t["length"].get("tip_short", str), t["length"].get("tip_long", str),
    )
