"""The question bank: ``prompts/questions/*.toml``, validated on load."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import tomllib

from ..errors import BadDataFile
from ..prompts import prompts_dir
from .rubric import ROUNDS

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


def _fail(path: Path, where: str, problem: str):
    raise BadDataFile(f"{path.name}: {where}: {problem}")


def _load_file(path: Path) -> list[Question]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise BadDataFile(f"{path.name}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise BadDataFile(f"{path.name}: not UTF-8 text") from None
    role = data.get("role")
    if not isinstance(role, str) or not role.strip():
        _fail(path, "top level", "needs role = \"generic\" or the role's name")
    raw = data.get("question")
    if not isinstance(raw, list) or not raw:
        _fail(path, "top level", "needs at least one [[question]]")
    out = []
    for i, q in enumerate(raw, 1):
        where = f"question #{i}"
        if not isinstance(q, dict):
            _fail(path, where, "must be a table")
        qid = q.get("id")
        if not isinstance(qid, str) or not qid.strip():
            _fail(path, where, "missing 'id'")
        where = f"question #{i} ({qid})"
        unknown = set(q) - {"id", "round", "text", "competencies", "follow_ups"}
        if unknown:
            _fail(path, where, f"unknown key(s) {', '.join(sorted(unknown))}")
        rnd = q.get("round")
        if rnd not in ROUNDS:
            _fail(path, where, f"'round' is {rnd!r}; use \"hr\" or \"hiring_manager\"")
        text = q.get("text")
        if not isinstance(text, str) or len(text.split()) < 3:
            _fail(path, where, "'text' must be the question, at least three words")
        comps = q.get("competencies")
        if not isinstance(comps, list) or not comps:
            _fail(path, where, "'competencies' must be a non-empty list")
        bad = [c for c in comps if c not in COMPETENCIES]
        if bad:
            _fail(path, where, f"unknown competency {bad[0]!r}; allowed: {', '.join(sorted(COMPETENCIES))}")
        follow = q.get("follow_ups", [])
        if not isinstance(follow, list) or not all(isinstance(f, str) and f.strip() for f in follow):
            _fail(path, where, "'follow_ups' must be a list of questions")
        out.append(Question(qid, rnd, " ".join(text.split()), role.strip(), tuple(comps), tuple(follow)))
    return out


def load_questions(directory: str | Path | None = None) -> list[Question]:
    """Every question in the bank.

    Raises:
        BadDataFile: a file is malformed or an id repeats; the message names the file and entry.
    """
    d = Path(directory) if directory else prompts_dir() / "questions"
    files = sorted(d.glob("*.toml"))
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
