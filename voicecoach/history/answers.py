"""One question of a session and what became of it: ``Answer``, its words, parts and the commands heard.

Their JSON form is part of the session schema (``docs/session.schema.json``); ``from_json`` and
``from_row`` read it back from a file or the history database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..rules.evaluate import Evaluation
from ..rules.insights import Insights

__all__ = ["ANSWER_STATUSES", "WordTiming", "HeardCommand", "Part", "Answer"]

ANSWER_STATUSES = ("asked", "answered", "partial", "skipped", "no_answer", "stopped")
"""``partial``: the speech given before Ctrl-C or a failing device, transcribed and kept."""


@dataclass(frozen=True)
class WordTiming:
    """One recognised word with its time in the answer."""

    word: str
    start_s: float
    """Seconds since listening for this answer started."""
    end_s: float

    def to_json(self) -> dict:
        """JSON form."""
        return {"word": self.word, "start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3)}

    @classmethod
    def from_json(cls, d: dict) -> "WordTiming":
        """Read the JSON form."""
        return cls(d["word"], float(d["start_s"]), float(d["end_s"]))


@dataclass(frozen=True)
class HeardCommand:
    """A voice command the interviewer obeyed."""

    command: str
    heard: str
    """What Whisper heard."""
    question: int
    """Index of the question it was said in."""
    at_s: float
    """Seconds since the session started."""

    def to_json(self) -> dict:
        """JSON form."""
        return {"command": self.command, "heard": self.heard, "question": self.question, "at_s": round(self.at_s, 3)}

    @classmethod
    def from_json(cls, d: dict) -> "HeardCommand":
        """Read the JSON form."""
        return cls(d["command"], d.get("heard", ""), int(d.get("question", 0)), float(d.get("at_s", 0.0)))


@dataclass(frozen=True)
class Part:
    """One turn of an answer thread: the main answer or the answer to a follow-up probe."""

    kind: str
    """``answer`` or ``follow_up``."""
    prompt: str
    """What the interviewer asked for this part."""
    text: str
    start: int
    """Character offset of this part in the answer's merged transcript."""
    end: int
    probe: str | None = None
    """The gap the follow-up probed (e.g. ``measured_results``), for follow-ups."""

    def to_json(self) -> dict:
        """JSON form."""
        return {"kind": self.kind, "prompt": self.prompt, "text": self.text, "start": self.start, "end": self.end,
                "probe": self.probe}

    @classmethod
    def from_json(cls, d: dict) -> "Part":
        """Read the JSON form."""
        return cls(d["kind"], d.get("prompt", ""), d.get("text", ""), int(d.get("start", 0)), int(d.get("end", 0)),
                   d.get("probe"))


@dataclass(frozen=True)
class Answer:
    """One question of a session and what became of it."""

    index: int
    """1-based position in the session."""
    question_id: str
    round: str
    role: str
    question: str
    status: str = "asked"
    transcript: str = ""
    """The whole thread: the answer and any follow-up answers, joined."""
    words: tuple[WordTiming, ...] = ()
    evaluation: Evaluation | None = None
    commands: tuple[HeardCommand, ...] = ()
    timings: dict[str, Any] = field(default_factory=dict)
    """Seconds: ``asked_at_s``, ``answer_started_s``, ``end_detected_to_feedback_s`` and others."""
    short_utterances: tuple[dict, ...] = ()
    """Every short utterance decoded as a possible command: ``heard``, ``command``, ``speech_s``."""
    parts: tuple[Part, ...] = ()
    insights: Insights | None = None
    """Most-used words, repeats, hedges, talking points and job terms used."""
    audio_path: str | None = None
    created_at: str | None = None
    session_id: int | None = None

    @property
    def answered(self) -> bool:
        """True when there is an evaluated answer (complete or partial)."""
        return self.status in ("answered", "partial") and self.evaluation is not None

    @property
    def suited(self) -> bool:
        """True when the answer suits the round it was asked in."""
        return self.answered and self.evaluation.suits in (self.round, "both")

    def with_(self, **changes) -> "Answer":
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_json(self) -> dict:
        """JSON form (see ``docs/session.schema.json``)."""
        ev = self.evaluation
        return {"index": self.index, "question_id": self.question_id, "round": self.round, "role": self.role,
                "question": self.question, "status": self.status, "transcript": self.transcript,
                "words": [w.to_json() for w in self.words], "evaluation": ev.to_dict() if ev else None,
                "delivery": ev.delivery.to_dict() if ev and ev.delivery else None,
                "commands": [c.to_json() for c in self.commands], "timings": dict(self.timings),
                "short_utterances": list(self.short_utterances), "parts": [p.to_json() for p in self.parts],
                "insights": self.insights.to_json() if self.insights else None, "audio_path": self.audio_path,
                "created_at": self.created_at, "session_id": self.session_id}

    @classmethod
    def from_json(cls, d: dict) -> "Answer":
        """Read the JSON form."""
        ev = d.get("evaluation")
        return cls(int(d["index"]), d["question_id"], d["round"], d.get("role") or "generic", d["question"],
                   d.get("status") or "asked", d.get("transcript") or "",
                   tuple(WordTiming.from_json(w) for w in d.get("words") or ()),
                   Evaluation.from_dict(ev) if ev else None,
                   tuple(HeardCommand.from_json(c) for c in d.get("commands") or ()), dict(d.get("timings") or {}),
                   tuple(d.get("short_utterances") or ()), tuple(Part.from_json(p) for p in d.get("parts") or ()),
                   Insights.from_json(d.get("insights")), d.get("audio_path"), d.get("created_at"),
                   d.get("session_id"))

    @classmethod
    def from_row(cls, r: Mapping, root: Path) -> "Answer":
        """Read a row of the history's ``answers`` table (JSON columns; audio relative to ``root``)."""
        keys = set(r.keys())

        def col(name: str, default: str):
            return json.loads(r[name]) if name in keys and r[name] else json.loads(default)

        audio = root / r["audio_path"] if r["audio_path"] else None
        if audio is not None and not audio.exists() and audio.with_suffix(".wav").exists():
            audio = audio.with_suffix(".wav")  # compression did not happen (killed): the raw take is kept
        return cls.from_json({
            "index": r["idx"], "question_id": r["question_id"], "round": r["round"], "role": r["role"],
            "question": r["question_text"], "status": r["status"], "transcript": r["transcript"],
            "words": col("words_json", "[]"), "evaluation": col("evaluation_json", "null"),
            "commands": col("commands_json", "[]"), "timings": col("timings_json", "{}"),
            "parts": col("parts_json", "[]"), "short_utterances": col("short_utterances_json", "[]"),
            "insights": col("insights_json", "null"),
            "audio_path": str(audio) if audio else None, "created_at": r["created_at"], "session_id": r["session_id"]})
