"""Voice commands: short utterances of their own, never words inside an answer.

A command is recognised only when a whole utterance (speech between pauses) is one of the phrases
below, give or take politeness words ("please", "can you"). "I had to repeat the test three times"
is an answer, not "repeat". Whisper tiny mishears short commands on their own ("skip" came back as
"It's good"), so short utterances are decoded with ``COMMAND_PROMPT`` priming the vocabulary.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from enum import Enum

__all__ = ["Command", "COMMAND_PROMPT", "parse_command", "MAX_COMMAND_WORDS", "MAX_COMMAND_S"]


class Command(str, Enum):
    """What the candidate can say instead of answering."""

    REPEAT = "repeat"
    SLOWER = "slower"
    SKIP = "skip"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    DONE = "done"


_PHRASES: dict[Command, tuple[str, ...]] = {
    Command.REPEAT: ("repeat", "repeat the question", "repeat that", "say that again", "say it again",
                     "again", "repeat it", "repeat question", "pardon", "sorry what was the question"),
    Command.SLOWER: ("slower", "slow down", "say it slower", "repeat it slower", "slower please", "more slowly",
                     "slowly", "say that slower", "repeat slower"),
    Command.SKIP: ("skip", "skip it", "skip this", "skip this question", "skip the question", "next question", "next",
                   "pass", "move on"),
    Command.PAUSE: ("pause", "pause the interview", "wait", "hold on", "take a break"),
    Command.RESUME: ("resume", "continue", "carry on", "i'm back", "i am back", "let's continue", "go on"),
    Command.STOP: ("stop", "stop the interview", "end the interview", "end interview", "finish the interview",
                   "quit", "i want to stop"),
    Command.DONE: ("i'm done", "i am done", "that's my answer", "that is my answer", "that's it", "that's all",
                   "i'm finished", "i am finished", "end of answer", "my answer"),
}

COMMAND_PROMPT = ("Repeat the question. Slower. Skip. Next question. Pause. Resume. Stop. End the interview. "
                  "I'm done. That's my answer.")
MAX_COMMAND_WORDS = 5
MAX_COMMAND_S = 2.5
"""Utterances longer than this (seconds of speech) are never commands."""

_POLITE = re.compile(r"\b(?:please|can you|could you|would you|ok|okay|um|uh|oh|sorry|just|now|voicecoach)\b")
_LOOKUP = {p: c for c, phrases in _PHRASES.items() for p in phrases}


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z' ]+", " ", text)
    text = _POLITE.sub(" ", text)
    return " ".join(text.split())


# Whisper appends these to short clips out of nothing ("Skip. Thank you.").
_HALLUCINATED_TAILS = re.compile(r"(?: thank you| thanks for watching| thanks| you)+$")


def parse_command(text: str) -> Command | None:
    """The command a whole utterance is, or None if it is anything else.

    Exact phrases first; then, for utterances of five letters or more, a close spelling (Whisper's
    "refume" for "resume"), never a phrase inside a longer sentence.
    """
    if len(text.split()) > MAX_COMMAND_WORDS + 2:
        return None
    norm = _norm(text)
    norm = re.sub(r"\b(\w+)( \1\b)+", r"\1", norm)  # "again again"
    candidates = [norm]
    stripped = _HALLUCINATED_TAILS.sub("", " " + norm).strip()
    if stripped and stripped != norm:
        candidates.append(stripped)
    for c in candidates:
        if c in _LOOKUP:
            return _LOOKUP[c]
    for c in candidates:
        if len(c.replace(" ", "")) >= 5:
            best = max(_LOOKUP, key=lambda p: SequenceMatcher(None, c, p).ratio())
            if SequenceMatcher(None, c, best).ratio() >= 0.82:
                return _LOOKUP[best]
    return None
