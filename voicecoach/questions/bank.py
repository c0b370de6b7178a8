"""The question bank: ``prompts/questions/*.toml``, validated on load."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadDataFile
from ..prompts import TableReader, prompts_dir, read_toml
from ..rules.rubric import ROUNDS

__all__ = ["Question", "COMPETENCIES", "load_questions", "select_questions"]

COMPETENCIES = frozenset({
    "motivation", "values_culture", "teamwork", "conflict", "transferable_skills", "communication",
    "adaptability", "self_awareness", "ethics", "leadership", "stakeholders", "customer_focus",
    "technical_depth", "problem_solving", "results", "planning",
})


@dataclass(frozen=True)
class Question:
    """One interview question."""

    id: str
    round: str
    """``hr`` or ``hiring_manager``."""
    text: str
    role: str
    """``generic`` or the role the file is for."""
    competencies: tuple[str, ...]
    follow_ups: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """JSON form."""
        return {"id": self.id, "round": self.round, "text": self.text, "role": self.role,
                "competencies": list(self.competencies), "follow_ups": list(self.follow_ups)}


def _load_file(path: Path) -> list[Question]:
    top = TableReader(path, "top level", read_toml(path))
    role = top.get("role", str)
    if not role.strip():
        top.fail("needs role = \"generic\" or the role's name")
    raw = top.get("question", list, default=[])
    if not raw:
        top.fail("needs at least one [[question]]")
    out = []
    for i, q in enumerate(raw, 1):
        if not isinstance(q, dict):
            top.fail(f"question #{i} must be a table ([[question]])")
        t = TableReader(path, f"question #{i}", q)
        qid = t.get("id", str)
        t.where = f"question #{i} ({qid})"
        t.unknown({"id", "round", "text", "competencies", "follow_ups"})
        rnd = t.get("round", str)
        if rnd not in ROUNDS:
            t.fail(f"'round' is {rnd!r}; use \"hr\" or \"hiring_manager\"")
        text = t.get("text", str)
        if len(text.split()) < 3:
            t.fail("'text' must be the question, at least three words")
        comps = t.strings("competencies")
        bad = [c for c in comps if c not in COMPETENCIES]
        if bad:
            t.fail(f"unknown competency {bad[0]!r}; allowed: {', '.join(sorted(COMPETENCIES))}")
        follow = t.strings("follow_ups", default=[])
        out.append(Question(qid, rnd, " ".join(text.split()), role.strip(), tuple(comps), tuple(follow)))
    return out


def load_questions(directory: str | Path | None = None) -> list[Question]:
    """Every question in the bank.

    Raises:
        BadDataFile: a file is malformed or an id repeats; the message names the file and entry.
    """
    d = Path(directory) if directory else prompts_dir() / "questions"
    if not d.is_dir():
        raise BadDataFile(f"the question bank folder {d} is missing")
    try:
        files = sorted(d.glob("*.toml"))
    except PermissionError:
        raise BadDataFile(f"{d}: permission denied", f"make it readable: chmod a+rx {d}") from None
    if not files:
        raise BadDataFile(f"no question files (*.toml) in {d}")
    seen: dict[str, str] = {}
    out = []
    for f in files:
        for q in _load_file(f):
            if q.id in seen:
                raise BadDataFile(f"{f.name}: question ({q.id}): id already used in {seen[q.id]}")
            seen[q.id] = f.name
            out.append(q)
    return out


def roles(questions: list[Question]) -> list[str]:
    """Role names in the bank."""
    return sorted({q.role for q in questions})


def select_questions(questions: list[Question], round: str | None = None, role: str | None = None) -> list[Question]:
    """Filter by round (``hr``, ``hiring_manager``, or None/``mixed`` for both) and role (generic ones always count)."""
    out = [q for q in questions if round in (None, "mixed") or q.round == round]
    if role:
        want = role.strip().lower().replace("-", " ").replace("_", " ")
        known = {r.lower() for r in roles(questions)}
        if want not in known:
            from ..errors import VoicecoachError

            raise VoicecoachError(f"no questions for role {role!r}", f"use one of: {', '.join(sorted(known))}")
        out = [q for q in out if q.role.lower() in (want, "generic")]
    return out


def sample(questions: list[Question], n: int, seed: int | None = None) -> list[Question]:
    """``n`` questions in a random (seeded) order, role-specific ones first when a role was chosen."""
    rng = random.Random(seed)
    pool = list(questions)
    rng.shuffle(pool)
    pool.sort(key=lambda q: q.role == "generic")
    return pool[:n]
