"""What a session produces, declared once: answers, the session, its summary.

The interview loop builds these, the store saves them and reads them back (``from_row``), and the
view, ``show``, the report, the exports and ``--json-out`` all read them. Their JSON form (``to_json``) is the schema written
down in ``docs/session.schema.json``; ``from_json`` reads it back (the store keeps the same JSON).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .insights import Insights, session_insights, terms_used
from .rules.evaluate import Evaluation

__all__ = ["SCHEMA", "WordTiming", "HeardCommand", "Part", "Answer", "Summary", "SessionRecord", "summarize",
           "ANSWER_STATUSES", "SESSION_STATUSES"]

SCHEMA = "voicecoach.session/2"
ANSWER_STATUSES = ("asked", "answered", "partial", "skipped", "no_answer", "stopped")
"""``partial``: the speech given before Ctrl-C or a failing device, transcribed and kept."""
SESSION_STATUSES = ("running", "completed", "stopped", "interrupted", "device_failed", "failed")


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
                "insights": self.insights.to_json() if self.insights else None, "audio_path": self.audio_path, "created_at": self.created_at, "session_id": self.session_id}

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


@dataclass(frozen=True)
class Summary:
    """Totals over a session's answers; ``verdicts`` has per question ``index``, ``round``, ``status``, ``suits``."""

    questions: int
    answered: int
    skipped: int
    suited_round: int
    average_scores: dict[str, int | None]
    flags: dict[str, int]
    top_tip: str | None
    verdicts: tuple[dict, ...]
    words_per_minute: float | None
    fillers_per_minute: float | None
    top_words: tuple[tuple[str, int], ...] = ()
    """The words said most across the session (stop words excluded)."""
    hedges: int = 0
    """Weak or hedging phrases across the session."""
    job_terms_missing: tuple[str, ...] = ()
    """The job advert's key terms never mentioned in the session."""

    def to_json(self) -> dict:
        """JSON form."""
        return json.loads(json.dumps(asdict(self)))


def _mean(values: list[float], digits: int | None = 1):
    return round(sum(values) / len(values), digits) if values else None


def summarize(answers: tuple[Answer, ...] | list[Answer], job_terms: tuple[str, ...] = ()) -> Summary:
    """The one place session totals are computed (the session, the store and the report use it)."""
    done = [a for a in answers if a.answered]
    texts = [a.transcript for a in done]
    tips = Counter(a.evaluation.tips[0] for a in done if a.evaluation.tips)
    deliveries = [a.evaluation.delivery for a in done if a.evaluation.delivery]
    return Summary(
        questions=len(answers), answered=len(done), skipped=sum(a.status == "skipped" for a in answers),
        suited_round=sum(a.suited for a in done),
        average_scores={r: _mean([a.evaluation.scores[r] for a in done], None) for r in ("hr", "hiring_manager")},
        flags=dict(Counter(f.id for a in done for f in a.evaluation.flags)),
        top_tip=tips.most_common(1)[0][0] if tips else None,
        verdicts=tuple({"index": a.index, "round": a.round, "status": a.status,
                        "suits": a.evaluation.suits if a.evaluation else None} for a in answers),
        words_per_minute=_mean([d.words_per_minute for d in deliveries]),
        fillers_per_minute=_mean([d.fillers_per_minute for d in deliveries]),
        top_words=session_insights(texts).top_words if texts else (),
        hedges=sum(len(a.insights.hedges) for a in done if a.insights),
        job_terms_missing=tuple(t for t in job_terms if not terms_used(" ".join(texts), [t])))


@dataclass(frozen=True)
class SessionRecord:
    """One interview: its settings, answers, the commands obeyed and how it ended."""

    started_at: str
    mode: str
    """``practice`` or ``demo``."""
    status: str = "running"
    settings: dict[str, Any] = field(default_factory=dict)
    answers: tuple[Answer, ...] = ()
    ended_at: str | None = None
    id: int | None = None
    """The history database's id, once stored."""
    resources: dict[str, Any] = field(default_factory=dict)
    """What the session cost: ``cpu_s`` (process CPU seconds), ``peak_rss_mb``, ``launch_to_first_question_s``."""

    @property
    def commands(self) -> tuple[HeardCommand, ...]:
        """Every command obeyed, in order."""
        return tuple(c for a in self.answers for c in a.commands)

    @property
    def job_terms(self) -> tuple[str, ...]:
        """The key terms of the job advert the session was run with (none without ``--job``)."""
        job = self.settings.get("job_profile") or {}
        return tuple(t["text"] for t in job.get("terms", ()))

    @property
    def summary(self) -> Summary:
        """Totals over the answers."""
        return summarize(self.answers, self.job_terms)

    def with_answer(self, answer: Answer) -> "SessionRecord":
        """A copy with ``answer`` added, or replacing the answer with the same index."""
        others = [a for a in self.answers if a.index != answer.index]
        return replace(self, answers=tuple(sorted([*others, answer], key=lambda a: a.index)))

    def with_(self, **changes) -> "SessionRecord":
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_json(self, answers: bool = True) -> dict:
        """JSON form; ``answers=False`` for the history list."""
        d = {"schema": SCHEMA, "id": self.id, "started_at": self.started_at, "ended_at": self.ended_at,
             "mode": self.mode, "status": self.status, "round": self.settings.get("round"),
             "role": self.settings.get("role"), "settings": dict(self.settings),
             "summary": self.summary.to_json()}
        if answers:
            d["answers"] = [a.to_json() for a in self.answers]
            d["commands"] = [c.to_json() for c in self.commands]
        if self.resources:
            d["resources"] = dict(self.resources)
        return d

    @classmethod
    def from_row(cls, r: Mapping, answers: list[Answer]) -> "SessionRecord":
        """Read a row of the history's ``sessions`` table, with its answers."""
        return cls(r["started_at"], r["mode"], r["status"], json.loads(r["settings_json"] or "{}"), tuple(answers),
                   r["ended_at"], r["id"])

    @classmethod
    def from_json(cls, d: dict) -> "SessionRecord":
        """Read the JSON form."""
        return cls(d["started_at"], d.get("mode", "practice"), d.get("status", "running"), dict(d.get("settings") or {}),
                   tuple(Answer.from_json(a) for a in d.get("answers") or ()), d.get("ended_at"), d.get("id"),
                   dict(d.get("resources") or {}))

