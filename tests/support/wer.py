"""Word error rate after normalising case, punctuation and number words, for tests and benchmarks."""

from __future__ import annotations

import re

__all__ = ["normalize", "word_error_rate"]

_NUMBERS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "percent": "%",
}


def normalize(text: str) -> list[str]:
    """Lower-case words without punctuation; hyphens split words; small number words as digits."""
    text = text.lower().replace("-", " ").replace("%", " percent ")
    words = re.findall(r"[a-z0-9']+", text)
    return [_NUMBERS.get(w, w).strip("'") for w in words if w.strip("'")]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance over words."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref)
