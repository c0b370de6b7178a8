"""Voice commands: short utterances of their own, never words inside an answer.

The commands, their phrases, where they count and what they do are data (``prompts/commands.toml``):
adding a command with an existing effect is one entry there. A command is recognised only when a
whole utterance is one of its phrases, give or take politeness words and Whisper's hallucinated
"Thank you." tail, or a close spelling of a phrase of five letters or more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import Enum
from functools import lru_cache
from pathlib import Path

from ..errors import BadDataFile
from ..prompts import prompts_dir, read_toml

__all__ = ["Effect", "Phase", "Command", "CommandSet", "load_commands", "default_commands", "parse_command"]


class Effect(str, Enum):
    """What a command does; the interview loop implements each."""

    REPEAT = "repeat"
    SKIP = "skip"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    DONE = "done"
    HELP = "help"
    REOPEN = "reopen"
    """The candidate had not finished the answer before: go back to it and hear the rest."""


class Phase(str, Enum):
    """Where in a turn the candidate is."""

    WAITING = "waiting"
    """The question was asked and no answer has started."""
    ANSWERING = "answering"
    PAUSED = "paused"


@dataclass(frozen=True)
class Command:
    """One voice command."""

    name: str
    effect: Effect
    when: frozenset[Phase]
    phrases: tuple[str, ...]
    rate: float = 1.0
    """Speaking-rate factor for ``repeat`` (0.75 = slower)."""
    min_words_answering: int = 1


@dataclass(frozen=True)
class CommandSet:
    """Every command, and how short utterances are decoded for them."""

    commands: tuple[Command, ...]
    prompt: str
    """Text that primes Whisper with the command vocabulary."""
    max_command_s: float
    """Utterances with more speech than this (seconds) are never commands."""
    max_words: int

    def parse(self, text: str) -> Command | None:
        """The command a whole utterance is, or None if it is anything else."""
        return parse_command(text, self)

    def named(self, name: str) -> Command | None:
        """The command called ``name``, or None."""
        return next((c for c in self.commands if c.name == name), None)

    def allowed(self, command: Command, phase: Phase, heard: str) -> bool:
        """True when ``command`` counts in ``phase`` (mid-answer some need more than one word)."""
        if phase not in command.when:
            return False
        return phase is not Phase.ANSWERING or len(heard.split()) >= command.min_words_answering


_POLITE = re.compile(r"\b(?:please|can you|could you|would you|ok|okay|um|uh|oh|sorry|just|now|voicecoach)\b")
# Whisper appends these to short clips out of nothing ("Skip. Thank you.").
_HALLUCINATED_TAILS = re.compile(r"(?: thank you| thanks for watching| thanks| you)+$")


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z' ]+", " ", text)
    text = _POLITE.sub(" ", text)
    return " ".join(text.split())


def parse_command(text: str, commands: CommandSet | None = None) -> Command | None:
    """The command a whole utterance is, or None.

    Exact phrases first; then, for utterances of five letters or more, a close spelling (Whisper's
    "refume" for "resume"), never a phrase inside a longer sentence.
    """
    cs = commands or default_commands()
    first = re.split(r"[.!?]+", text, maxsplit=1)[0]
    if len(text.split()) > cs.max_words + 2 and len(first.split()) > cs.max_words:
        return None
    lookup = _lookup(cs)
    norm = re.sub(r"\b(\w+)( \1\b)+", r"\1", _norm(text))  # "again again"
    candidates = [norm]
    stripped = _HALLUCINATED_TAILS.sub("", " " + norm).strip()
    if stripped and stripped != norm:
        candidates.append(stripped)
    # Whisper also invents closing sentences on the padding of a short clip ("Skip. Bye bye.", "Pause. Thank you
    # for watching."): a first sentence that is a command phrase on its own counts.
    sentences = [s for s in re.split(r"[.!?]+", text) if s.strip()]
    if len(sentences) >= 2:
        candidates.append(_norm(sentences[0]))
    for c in candidates:
        if c in lookup:
            return lookup[c]
    for c in candidates:
        if len(c.replace(" ", "")) >= 5:
            best = max(lookup, key=lambda p: SequenceMatcher(None, c, p).ratio())
            if SequenceMatcher(None, c, best).ratio() >= 0.82:
                return lookup[best]
    return None


@lru_cache(maxsize=8)
def _lookup(cs: CommandSet) -> dict[str, Command]:
    return {p: c for c in cs.commands for p in c.phrases}


def load_commands(path: str | Path | None = None) -> CommandSet:
    """Read and check ``commands.toml``.

    Raises:
        BadDataFile: naming the file, the command and the problem.
    """
    path = Path(path) if path else prompts_dir() / "commands.toml"
    data = read_toml(path)

    def fail(where: str, problem: str):
        raise BadDataFile(f"{path.name}: {where}: {problem}")

    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        fail("top level", "'prompt' must be the command vocabulary as a sentence")
    max_s, max_words = data.get("max_command_s", 2.5), data.get("max_command_words", 5)
    if not isinstance(max_s, (int, float)) or isinstance(max_s, bool) or not 0.3 <= max_s <= 10:
        fail("top level", "'max_command_s' must be a number of seconds between 0.3 and 10")
    if not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1:
        fail("top level", "'max_command_words' must be a positive whole number")
    raw = data.get("command")
    if not isinstance(raw, list) or not raw:
        fail("top level", "needs at least one [[command]]")
    out, owner = [], {}
    for i, c in enumerate(raw, 1):
        where = f"command #{i}"
        if not isinstance(c, dict):
            fail(where, "must be a table")
        name = c.get("name")
        if not isinstance(name, str) or not name.strip():
            fail(where, "missing 'name'")
        where = f"command #{i} ({name})"
        unknown = set(c) - {"name", "effect", "when", "phrases", "rate", "min_words_answering"}
        if unknown:
            fail(where, f"unknown key(s) {', '.join(sorted(unknown))}")
        try:
            effect = Effect(c.get("effect"))
        except ValueError:
            fail(where, f"'effect' must be one of {', '.join(e.value for e in Effect)}")
        when = c.get("when")
        try:
            phases = frozenset(Phase(w) for w in when) if isinstance(when, list) and when else None
        except ValueError:
            phases = None
        if not phases:
            fail(where, f"'when' must list some of {', '.join(p.value for p in Phase)}")
        phrases = c.get("phrases")
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and _norm(p) for p in phrases):
            fail(where, "'phrases' must be a list of phrases")
        phrases = tuple(_norm(p) for p in phrases)
        for p in phrases:
            if p in owner and owner[p] != name:
                fail(where, f"phrase {p!r} is already a phrase of '{owner[p]}'")
            owner[p] = name
        rate = c.get("rate", 1.0)
        if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0.5 <= rate <= 2.0:
            fail(where, "'rate' must be a speed factor between 0.5 and 2.0")
        min_words = c.get("min_words_answering", 1)
        if not isinstance(min_words, int) or isinstance(min_words, bool) or min_words < 1:
            fail(where, "'min_words_answering' must be a positive whole number")
        out.append(Command(name, effect, phases, phrases, float(rate), min_words))
    return CommandSet(tuple(out), " ".join(prompt.split()), float(max_s), max_words)


@lru_cache(maxsize=2)
def default_commands() -> CommandSet:
    """The commands from the prompts folder, loaded once."""
    return load_commands()
