"""A typed turn: the question is shown (and spoken where there is a speaker), the answer is typed.

For practising without a microphone. The answer is one block of text ended by an empty line; a line
typed alone that is a voice command ("skip", "repeat", "slower", "end", "help") works as it does spoken.
The answer is judged by the same rules as a spoken one (delivery notes that need timing are left out)
and kept in the history like a spoken one.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod

from ..asr.background import Piece
from ..history.records import HeardCommand
from .commands import Effect
from .events import CommandObeyed, Partial, StateChanged
from .turn import Turn

__all__ = ["TextInput", "TypedTurnRunner"]

_COMMAND_WORDS = 4
"""A typed line of at most this many words may be a command; longer ones are answers."""


class TextInput(ABC):
    """Where typed answers come from (a terminal, a test)."""

    @abstractmethod
    def read_answer(self, is_command=None) -> str | None:
        """The next answer or command, as typed (blocking); None when the input has ended. ``is_command(text)``
        tells whether a line typed on its own is a command, so it can act without waiting for more."""


class TypedTurnRunner:
    """Runs turns for the interview loop from typed text instead of the microphone."""

    def __init__(self, interview, source: TextInput) -> None:
        self.iv = interview
        self.source = source

    def _is_command(self, text: str) -> bool:
        text = " ".join(text.split())
        return len(text.split()) <= _COMMAND_WORDS and self.iv.commands.parse(text) is not None

    def run(self, index: int, kind: str, spoken: str, repeat_text: str, on_spoken, said_before: str = "",
            question: str | None = None) -> Turn:
        """Show and say ``spoken``, then read until an answer, a skip or the end of the interview."""
        iv, turn = self.iv, Turn(kind, said_before=said_before, question=repeat_text if question is None else question)
        turn.prompt_started = iv.speak(spoken)
        iv.emit(StateChanged("listening"))
        on_spoken()
        while True:
            try:
                text = self.source.read_answer(self._is_command)
            except KeyboardInterrupt as exc:
                turn.interrupted = exc
                turn.reason = "interrupted"
                return turn
            if text is None:  # the input ended (Ctrl-D): keep what was given and end the interview
                turn.stop, turn.reason, turn.status = True, "stopped", "stopped"
                return turn
            text = " ".join(text.split())
            if not text:
                continue
            command = iv.commands.parse(text) if len(text.split()) <= _COMMAND_WORDS else None
            if command is None:
                turn.pieces.append(Piece(len(turn.pieces), text, (), 0.0, None, False, time.monotonic()))
                iv.emit(Partial(turn.text))
                turn.end_detected = time.monotonic()
                turn.reason, turn.status = "typed", "answered"
                turn.timings.update({"answer_end_reason": "typed", "answer_ended_s": iv.clock()})
                return turn
            turn.commands.append(HeardCommand(command.name, text, index + 1, iv.clock()))
            iv.emit(CommandObeyed(command.name, text))
            effect = command.effect
            if effect is Effect.SKIP:
                turn.status = "skipped"
                iv.speak(iv.script.say("skipping_follow_up" if kind == "follow_up" else "skipping"))
                return turn
            if effect is Effect.REOPEN:
                turn.status = "reopened"
                return turn
            if effect is Effect.STOP:
                turn.stop, turn.reason, turn.status = True, "stopped", "stopped"
                turn.end_detected = time.monotonic()
                return turn
            if effect is Effect.HELP:
                iv.speak(iv.script.say("intro_help") + " " + repeat_text)
            elif effect in (Effect.REPEAT, Effect.RESUME):  # "repeat", "slower", "faster" (a rate), "resume"
                iv.speak(repeat_text, command.rate)
            iv.emit(StateChanged("listening"))
