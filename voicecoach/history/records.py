"""What a session produces, declared once: the session, its answers (``answers.py``) and its summary
(``summary.py``), all importable from here.

The interview loop builds these, the store saves them and reads them back (``from_row``), and the view,
``show``, the report, the exports and ``--json-out`` all read them. Their JSON form (``to_json``) is the
schema written down in ``docs/session.schema.json``; ``from_json`` reads it back (the store keeps the same
JSON).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .answers import ANSWER_STATUSES, Answer, HeardCommand, Part, WordTiming
from .summary import Summary, summarize

__all__ = ["SCHEMA", "WordTiming", "HeardCommand", "Part", "Answer", "Summary", "SessionRecord", "summarize",
           "ANSWER_STATUSES", "SESSION_STATUSES"]

SCHEMA = "voicecoach.session/2"
SESSION_STATUSES = ("running", "completed", "stopped", "interrupted", "device_failed", "failed")


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
        return cls(d["started_at"], d.get("mode", "practice"), d.get("status", "running"),
                   dict(d.get("settings") or {}),
                   tuple(Answer.from_json(a) for a in d.get("answers") or ()), d.get("ended_at"), d.get("id"),
                   dict(d.get("resources") or {}))

