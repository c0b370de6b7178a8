"""What happens in an interview, as typed events for observers (the terminal view, the demo's candidate).

An observer has one method, ``notify(event)``, and picks the events it cares about by type, so a
misspelt event is an error at import time rather than a silent no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Union

from ..history.records import Answer, Summary
from ..questions.bank import Question

__all__ = ["StateChanged", "QuestionAsked", "PromptSpoken", "Level", "Partial", "CommandObeyed", "AnswerEvaluated",
           "Info", "SessionEnded", "Event", "Observer"]


@dataclass(frozen=True)
class StateChanged:
    """``speaking``, ``listening``, ``hearing``, ``transcribing``, ``paused`` or ``done``."""

    state: str


@dataclass(frozen=True)
class QuestionAsked:
    """A question is about to be spoken."""

    index: int
    """0-based."""
    total: int
    question: Question


@dataclass(frozen=True)
class PromptSpoken:
    """The interviewer finished asking: the question itself or a follow-up probe."""

    index: int
    """0-based question index."""
    kind: str
    """``question`` or ``follow_up``."""
    text: str


@dataclass(frozen=True)
class Level:
    """Microphone input level."""

    level: float
    """RMS of the last chunk (0..1)."""
    elapsed_s: float
    """Seconds heard in this turn."""


@dataclass(frozen=True)
class Partial:
    """The transcript of the answer so far."""

    text: str


@dataclass(frozen=True)
class CommandObeyed:
    """A voice command was heard and obeyed."""

    command: str
    heard: str


@dataclass(frozen=True)
class AnswerEvaluated:
    """An answer (with any follow-ups) was transcribed, evaluated and saved."""

    answer: Answer


@dataclass(frozen=True)
class Info:
    """A line of information for the candidate."""

    text: str


@dataclass(frozen=True)
class SessionEnded:
    """The interview is over."""

    summary: Summary


Event = Union[StateChanged, QuestionAsked, PromptSpoken, Level, Partial, CommandObeyed, AnswerEvaluated, Info,
              SessionEnded]


class Observer(Protocol):
    """Anything that wants to know what happens in an interview."""

    def notify(self, event: Event) -> None:
        """Receive one event (on the interview's thread: return quickly)."""
