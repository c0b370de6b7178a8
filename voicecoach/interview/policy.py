"""The turn policy: what happens next in a turn, decided without audio.

The interview loop feeds the policy what it heard (a decoded utterance, a long silence) and does
what the policy decides. Keeping the decisions here, pure, lets them be tested without a
microphone: which commands count where, when an utterance starts the answer, when a silent
candidate is prompted and when the question is given up.
"""

from __future__ import annotations

from dataclasses import dataclass

from .commands import Command, CommandSet, Effect, Phase

__all__ = ["Decision", "TurnPolicy"]


@dataclass(frozen=True)
class Decision:
    """What to do about something heard.

    ``kind``: ``command`` (obey ``command``), ``answer`` (the text is part of the answer),
    ``ignore``, ``prompt`` (say the silence prompt) or ``give_up`` (no answer; move on).
    """

    kind: str
    command: Command | None = None


IGNORE = Decision("ignore")


class TurnPolicy:
    """Decisions for one turn (a question, or a follow-up probe)."""

    def __init__(self, commands: CommandSet, max_prompts: int = 3) -> None:
        self.commands = commands
        self.max_prompts = max_prompts
        self.phase = Phase.WAITING
        self.prompts = 0

    def may_be_command(self, speech_s: float) -> bool:
        """True when an utterance is short enough to be a command (decode it with the command prompt)."""
        return speech_s <= self.commands.max_command_s

    def wants(self, speech_s: float) -> bool:
        """False when an utterance can be dropped unheard (long speech while paused)."""
        return self.phase is not Phase.PAUSED or self.may_be_command(speech_s)

    def heard(self, text: str, short: bool) -> Decision:
        """Decide about a decoded utterance; ``short`` when it was short enough to be a command."""
        if short:
            command = self.commands.parse(text)
            if command is not None and self.commands.allowed(command, self.phase, text):
                self._obey(command)
                return Decision("command", command)
        if self.phase is Phase.PAUSED or not text.strip():
            return IGNORE
        self.phase = Phase.ANSWERING
        return Decision("answer")

    def pressed(self, command: Command, speech_heard: bool) -> Decision:
        """Decide about a command pressed rather than spoken (a button). It counts where the spoken one
        does; "done" also counts once speech was heard whose decoding is still under way (the button is
        quicker than the decoder)."""
        phase = self.phase
        if command.effect is Effect.DONE and phase is Phase.WAITING and speech_heard:
            phase = Phase.ANSWERING
        if phase not in command.when:
            return IGNORE
        self._obey(command)
        return Decision("command", command)

    def _obey(self, command: Command) -> None:
        if command.effect is Effect.PAUSE:
            self.phase = Phase.PAUSED
        elif command.effect is Effect.RESUME:
            self.phase = Phase.WAITING

    def silence(self) -> Decision:
        """A long silence: prompt the candidate, or give the question up after ``max_prompts``."""
        if self.phase is not Phase.WAITING:
            return IGNORE
        self.prompts += 1
        return Decision("give_up") if self.prompts > self.max_prompts else Decision("prompt")
