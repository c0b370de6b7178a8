"""Finding rubric phrases in a transcript and quoting them exactly.

Whisper transcripts may have no capitals or punctuation, so matching is case-insensitive and lets any
run of spaces or punctuation stand between the words of a phrase. Evidence is always a slice of the
original transcript (``text[start:end]``), so a screen or report can highlight it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "phrase_regex", "compile_any", "clauses", "clause_around", "find_all"]

_GAP = r"[\s,.;:!?\"'-]+"
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


def phrase_regex(phrase: str) -> str:
    """A regex for one rubric phrase: words in order, any gap between them, ``word*`` for endings."""
    parts = []
    for token in phrase.lower().split():
        if token.endswith("*") and len(token) > 1:
            parts.append(re.escape(token[:-1]) + r"[\w'-]*")
        else:
            parts.append(re.escape(token))
    return r"(?<![\w])" + _GAP.join(parts) + r"(?![\w])"


def compile_any(phrases: list[str] = (), patterns: list[str] = ()) -> re.Pattern | None:
    """One case-insensitive regex matching any phrase or pattern; None when both are empty."""
    alts = [phrase_regex(p) for p in phrases] + [f"(?:{p})" for p in patterns]
    if not alts:
        return None
    return re.compile("|".join(alts), re.IGNORECASE)


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
