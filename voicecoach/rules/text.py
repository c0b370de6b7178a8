"""Finding rubric phrases in a transcript and quoting them exactly.

Whisper transcripts may have no capitals or punctuation, so matching is case-insensitive and lets any
run of spaces or punctuation stand between the words of a phrase. Evidence is always a slice of the
original transcript (``text[start:end]``), so a screen or report can highlight it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..prompts import compile_any, phrase_regex

__all__ = ["Span", "phrase_regex", "compile_any", "clauses", "clause_around", "find_all"]

# Clause boundaries: punctuation, or a conjunction that starts a new thought (transcripts often have
# no punctuation at all).
_CLAUSE_BREAK = re.compile(
    r"[.?!;,]+(?=\s|$)|\b(?:and|but|so|because|although|though|whereas|however|which is why|then)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Span:
    """A quoted stretch of the transcript."""

    start: int
    """Character offset where the quote starts."""
    end: int
    """Character offset just past its end."""
    text: str

    def to_dict(self) -> dict:
        """JSON form."""
        return {"text": self.text, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, d: dict) -> "Span":
        """Read the JSON form."""
        return cls(int(d["start"]), int(d["end"]), d["text"])


def find_all(regex: re.Pattern | None, text: str, start: int = 0, end: int | None = None) -> list[re.Match]:
    """Non-overlapping matches within ``text[start:end]``."""
    if regex is None:
        return []
    return list(regex.finditer(text, start, len(text) if end is None else end))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum() and text[start] not in "$£€":
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in "%'"):
        end -= 1
    return start, end


def clauses(text: str) -> list[Span]:
    """Split a transcript into clauses (offsets into ``text``); a conjunction opens the next clause."""
    out, pos = [], 0
    for m in _CLAUSE_BREAK.finditer(text):
        s, e = _trim(text, pos, m.start())
        if e > s:
            out.append(Span(s, e, text[s:e]))
        pos = m.start() if m.group(0)[0].isalpha() else m.end()
    s, e = _trim(text, pos, len(text))
    if e > s:
        out.append(Span(s, e, text[s:e]))
    return out


def clause_around(text: str, start: int, end: int, max_words: int = 14) -> Span:
    """The sentence around a match, cut to at most ``max_words`` words either side, quoted exactly."""
    left = max(text.rfind(ch, 0, start) for ch in ".?!") + 1
    right_candidates = [i for i in (text.find(ch, end) for ch in ".?!") if i != -1]
    right = min(right_candidates) if right_candidates else len(text)
    before = list(re.finditer(r"\S+", text[left:start]))
    if len(before) > max_words:
        left = left + before[-max_words].start()
    after = list(re.finditer(r"\S+", text[end:right]))
    if len(after) > max_words:
        right = end + after[max_words - 1].end()
    s, e = _trim(text, left, right)
    s, e = min(s, start), max(e, end)
    return Span(s, e, text[s:e])


_SENTENCE_END = re.compile(r"[.?!]+[\"')\]]*(?=\s|$)|;(?=\s)|\s[-–—]\s")
_UNIT_BREAK = re.compile(
    r"\b(?:so|and then|then|but|because|cause|which|after that|anyway|and|whereas|although|though|while|"
    r"until|once|otherwise|plus|also|yeah|okay|um so|and um|and also)\b", re.IGNORECASE)


def _words(s: str) -> int:
    return len(s.split())


def units(text: str, target_words: int = 24, min_words: int = 5) -> list[Span]:
    """The transcript cut into sentence-sized units (offsets into ``text``) for judging meaning.

    Sentences are cut at end punctuation; a long or unpunctuated stretch (Whisper's style) is cut
    further where a new clause starts ("so", "and then", "but", "because"...), keeping each piece at
    least ``min_words`` long; pieces too short to mean anything join the next one.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m else len(text)
        nxt = m.end() if m else len(text)
        s, e = _trim(text, pos, end)
        pos = nxt
        if e <= s:
            continue
        if _words(text[s:e]) <= target_words:
            spans.append((s, e))
            continue
        cut = s
        for b in _UNIT_BREAK.finditer(text, s, e):
            if _words(text[cut:b.start()]) >= min_words + 1 and _words(text[b.start():e]) >= min_words:
                spans.append((cut, b.start()))
                cut = b.start()
        spans.append((cut, e))
    merged: list[tuple[int, int]] = []
    carry = None
    for s, e in spans:
        if carry is not None:
            s, carry = carry, None
        if _words(text[s:e]) < min_words - 1 and (s, e) != spans[-1]:
            carry = s
            continue
        merged.append((s, e))
    if carry is not None:
        if merged:
            merged[-1] = (merged[-1][0], spans[-1][1])
        else:
            merged.append((carry, spans[-1][1]))
    out = []
    for s, e in merged:
        s, e = _trim(text, s, e)
        if e > s:
            out.append(Span(s, e, text[s:e]))
    return out
