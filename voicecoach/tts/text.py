"""Text to the pieces that are synthesized (and played) one at a time: sentences, or clauses of long ones."""

from __future__ import annotations

import re

__all__ = ["MAX_PIECE_CHARS", "split_for_speech"]

MAX_PIECE_CHARS = 220
"""Sentences longer than this (about 15 s of speech) are cut at clause punctuation, so the first audio
of a long sentence is not held back by the rest of it."""

# A sentence ends at . ! ? or an ellipsis (optionally followed by closing quotes or brackets) and
# whitespace. Not after a title or a single initial ("Dr. Smith", "J. K. Rowling"), and not before a
# lower-case word ("e.g. this"): the same rules hibari-tts uses for its own sentence splitting.
_SENT_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=\S)")
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+")
_TITLES = {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "mt", "no", "approx"}


def _ends_sentence(text: str, end: int, next_char: str) -> bool:
    if next_char.islower():
        return False
    if text[end - 1] != ".":
        return True
    word = text[text.rfind(" ", 0, end) + 1 : end - 1].lstrip("(\"“'‘")
    return not (word.lower() in _TITLES or (len(word) == 1 and word.isupper()))


def _sentences(text: str) -> list[str]:
    out = []
    for para in re.split(r"\n\s*\n|\n", text.strip()):
        para, cut = " ".join(para.split()), 0
        for m in _SENT_END.finditer(para):
            if _ends_sentence(para, m.start(), para[m.end()]):
                out.append(para[cut : m.start()])
                cut = m.end()
        out.append(para[cut:])
    return [s.strip() for s in out if s.strip()]


def _clauses(sentence: str, max_chars: int) -> list[str]:
    pieces, cur = [], ""
    for part in _CLAUSE_END.split(sentence):
        if cur and len(cur) + 1 + len(part) > max_chars:
            pieces.append(cur)
            cur = part
        else:
            cur = f"{cur} {part}" if cur else part
    if cur:
        pieces.append(cur)
    return pieces


def split_for_speech(text: str, max_chars: int = MAX_PIECE_CHARS) -> list[str]:
    """The pieces of ``text`` to synthesize one after another, in order, whitespace collapsed.

    Args:
        text: what to say; paragraph and line breaks also end a piece.
        max_chars: sentences longer than this are split after commas, semicolons, colons and dashes
            (a clause longer than this on its own is kept whole).

    Returns:
        Sentences (or clauses of very long sentences); an empty list for blank text.
    """
    pieces: list[str] = []
    for sentence in _sentences(text):
        pieces.extend(_clauses(sentence, max_chars) if len(sentence) > max_chars else [sentence])
    return pieces
