"""What an evaluation returns: the verdict, scores, flags, signals and their quoted evidence.

These are plain frozen values with a JSON form (``to_dict``, the object ``evaluate --json`` prints and the
history stores) and ``from_dict`` to read it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .delivery import Delivery
from .text import Span

__all__ = ["Quote", "SignalResult", "FlagResult", "Evaluation"]


def _num(v: float, digits: int) -> float:
    """Rounded for JSON, never ``-0.0``."""
    out = round(float(v), digits)
    return 0.0 if out == 0 else out


@dataclass(frozen=True)
class Quote(Span):
    """A stretch of the transcript that carries a signal, and how strongly (0-1)."""

    strength: float = 0.0
    part: int | None = None
    """Which part of an answer thread it is in (0 the answer, 1.. follow-ups), when there are parts."""

    def to_dict(self) -> dict:
        """JSON form."""
        d = {"text": self.text, "start": self.start, "end": self.end, "strength": _num(self.strength, 2)}
        if self.part is not None:
            d["part"] = self.part
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Quote":
        """Read the JSON form."""
        return cls(int(d["start"]), int(d["end"]), d["text"], float(d.get("strength", 1.0)), d.get("part"))


@dataclass(frozen=True)
class SignalResult:
    """One rubric signal, found or not, with its evidence."""

    id: str
    round: str
    label: str
    weight: float
    """Its weight in the round's decision model."""
    found: bool
    evidence: tuple[Quote, ...]
    strength: float = 0.0
    status: str = ""
    """For the round asked: ``found`` (clearly shown), ``partly`` (some of it, not clearly: no claim that it
    is missing), ``missing``, or ``not_asked`` (the question does not invite it); for the other round:
    ``found`` or ``absent``. Each signal's thresholds are fitted on blind judgments (``coaching.toml``)."""
    near: Quote | None = None
    """Only in records from before version 0.9: a ``close`` signal's nearest sentence."""

    def to_dict(self) -> dict:
        """JSON form."""
        d = {"id": self.id, "round": self.round, "label": self.label, "weight": _num(self.weight, 3),
             "found": self.found, "status": self.status, "strength": _num(self.strength, 2),
             "evidence": [e.to_dict() for e in self.evidence]}
        if self.near is not None:
            d["near"] = self.near.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "SignalResult":
        """Read the JSON form."""
        found = bool(d["found"])
        return cls(d["id"], d["round"], d["label"], float(d.get("weight", 0.0)), found,
                   tuple(Quote.from_dict(e) for e in d.get("evidence", ())),
                   float(d.get("strength", 1.0 if found else 0.0)),
                   d.get("status") or ("found" if found else "missing"),
                   Quote.from_dict(d["near"]) if d.get("near") else None)


@dataclass(frozen=True)
class FlagResult:
    """A flag raised, with the words that raised it."""

    id: str
    label: str
    evidence: Span | None
    rounds: tuple[str, ...]

    def to_dict(self) -> dict:
        """JSON form: ``evidence`` is the exact quote (empty for length-based flags)."""
        d = {"id": self.id, "label": self.label, "evidence": self.evidence.text if self.evidence else "",
             "rounds": list(self.rounds)}
        if self.evidence:
            d["start"], d["end"] = self.evidence.start, self.evidence.end
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "FlagResult":
        """Read the JSON form."""
        ev = Span(int(d["start"]), int(d["end"]), d["evidence"]) if "start" in d else None
        return cls(d["id"], d["label"], ev, tuple(d.get("rounds", ())))


@dataclass(frozen=True)
class Evaluation:
    """The verdict on one answer."""

    round: str
    suits: str
    """``hr``, ``hiring_manager``, ``both`` or ``neither``."""
    scores: dict[str, int]
    flags: tuple[FlagResult, ...]
    signals: tuple[SignalResult, ...]
    tips: tuple[str, ...]
    transcript: str
    question: str | None
    word_count: int
    delivery: Delivery | None
    verdict: str
    """One plain sentence for the candidate."""
    decision: dict = field(default_factory=dict)
    """Per round: the probability, the threshold, each feature's contribution, what disqualified it."""

    def to_dict(self) -> dict:
        """The JSON object of ``voicecoach evaluate --json``."""
        return {
            "round": self.round, "suits": self.suits, "verdict": self.verdict, "scores": dict(self.scores),
            "flags": [f.to_dict() for f in self.flags], "signals": [s.to_dict() for s in self.signals],
            "tips": list(self.tips), "transcript": self.transcript, "question": self.question,
            "word_count": self.word_count, "delivery": self.delivery.to_dict() if self.delivery else None,
            "decision": self.decision,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Evaluation":
        """Read the JSON form (as saved in the history)."""
        return cls(d["round"], d["suits"], dict(d["scores"]), tuple(FlagResult.from_dict(f) for f in d["flags"]),
                   tuple(SignalResult.from_dict(s) for s in d["signals"]), tuple(d["tips"]), d["transcript"],
                   d.get("question"), int(d.get("word_count", 0)),
                   Delivery.from_dict(d["delivery"]) if d.get("delivery") else None, d["verdict"],
                   dict(d.get("decision") or {}))
