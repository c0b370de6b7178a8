"""The question bank: ``prompts/questions/*.toml``, one file per occupation plus ``generic.toml``, checked
on load (``prompts/questions/README.md`` is the format)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import BadDataFile
from ..prompts import TableReader, prompts_dir, read_toml
from ..rules.rubric import ROUNDS, default_rubric
from .roles import Occupation, find_occupation, normalize

__all__ = ["Question", "Occupation", "Bank", "COMPETENCIES", "SECTORS", "GENERIC", "load_bank", "load_questions",
           "default_bank", "select_questions", "sample"]

GENERIC = "generic"
"""The role of the questions any candidate may be asked."""
COMPETENCIES = frozenset({
    "motivation", "values_culture", "teamwork", "conflict", "transferable_skills", "communication",
    "adaptability", "self_awareness", "ethics", "leadership", "stakeholders", "customer_focus",
    "technical_depth", "problem_solving", "results", "planning",
})
SECTORS = ("health and care", "education", "retail and hospitality", "logistics and driving", "skilled trades",
           "manufacturing", "office and finance", "customer service", "public services", "software and data",
           "sales and marketing", "creative work")


@dataclass(frozen=True)
class Question:
    """One interview question."""

    id: str
    round: str
    """``hr`` or ``hiring_manager``."""
    text: str
    role: str
    """``generic`` or the occupation the file is for."""
    competencies: tuple[str, ...]
    follow_ups: tuple[str, ...] = ()
    type: str | None = None
    """What the question invites (a kind of question in ``prompts/rubric/question_types.toml``)."""

    def to_dict(self) -> dict:
        """JSON form."""
        return {"id": self.id, "round": self.round, "text": self.text, "role": self.role, "type": self.type,
                "competencies": list(self.competencies), "follow_ups": list(self.follow_ups)}


@dataclass(frozen=True)
class Bank:
    """Every question and every occupation."""

    questions: tuple[Question, ...]
    occupations: dict[str, Occupation]


_QUESTION_KEYS = {"id", "round", "type", "text", "competencies", "follow_ups"}


def _load_file(path: Path, types: frozenset[str]) -> tuple[Occupation | None, list[Question]]:
    top = TableReader(path, "top level", read_toml(path))
    top.unknown({"role", "title", "sector", "aliases", "question"})
    role = top.get("role", str)
    if not role.strip():
        top.fail("needs role = \"generic\" or the occupation's id")
    role = role.strip()
    occupation = None
    if role != GENERIC:
        sector = top.get("sector", str)
        if sector not in SECTORS:
            top.fail(f"sector {sector!r} is not one of: {', '.join(SECTORS)}")
        occupation = Occupation(role, top.get("title", str), sector, tuple(top.strings("aliases", [])))
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
        t.unknown(_QUESTION_KEYS)
        rnd = t.get("round", str)
        if rnd not in ROUNDS:
            t.fail(f"'round' is {rnd!r}; use \"hr\" or \"hiring_manager\"")
        text = t.get("text", str)
        if len(text.split()) < 3:
            t.fail("'text' must be the question, at least three words")
        kind = t.get("type", str)
        if kind not in types:
            t.fail(f"'type' is {kind!r}; use one of: {', '.join(sorted(types))}")
        comps = t.strings("competencies")
        bad = [c for c in comps if c not in COMPETENCIES]
        if bad:
            t.fail(f"unknown competency {bad[0]!r}; allowed: {', '.join(sorted(COMPETENCIES))}")
        follow = t.strings("follow_ups", default=[])
        out.append(Question(qid, rnd, " ".join(text.split()), role, tuple(comps), tuple(follow), kind))
    return occupation, out


def load_bank(directory: str | Path | None = None) -> Bank:
    """Every question and occupation in the bank.

    Raises:
        BadDataFile: a file is malformed, an id repeats, or a name is claimed by two occupations; the
            message names the file and entry.
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
    types = frozenset(t.id for t in default_rubric().question_types)
    seen: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}
    questions: list[Question] = []
    occupations: dict[str, Occupation] = {}
    for f in files:
        occupation, qs = _load_file(f, types)
        if occupation is not None:
            if occupation.id in occupations:
                raise BadDataFile(f"{f.name}: role {occupation.id!r} is also the role of another file")
            occupations[occupation.id] = occupation
            for name in occupation.names:
                key = normalize(name)
                other = names.get(key)
                if other is not None and other[0] != occupation.id:
                    raise BadDataFile(f"{f.name}: the name {name!r} also belongs to {other[0]!r} ({other[1]})",
                                      "give each name to one occupation only")
                names[key] = (occupation.id, f.name)
        for q in qs:
            if q.id in seen:
                raise BadDataFile(f"{f.name}: question ({q.id}): id already used in {seen[q.id]}")
            seen[q.id] = f.name
            questions.append(q)
    return Bank(tuple(questions), occupations)


@lru_cache(maxsize=1)
def default_bank() -> Bank:
    """The bank in ``prompts/questions``, loaded once."""
    return load_bank()


def load_questions(directory: str | Path | None = None) -> list[Question]:
    """Every question in the bank (see ``load_bank``)."""
    return list(load_bank(directory).questions)


def select_questions(questions: list[Question] | Bank, round: str | None = None,
                     role: str | None = None) -> list[Question]:
    """Filter by round (``hr``, ``hiring_manager``, or None/``mixed`` for both) and role (an occupation's id,
    title or alias; its questions and the generic ones), or every question without a role.

    Raises:
        UnknownRole: no occupation answers to ``role``; it names the closest ones.
    """
    bank = questions if isinstance(questions, Bank) else None
    pool = list(bank.questions) if bank else list(questions)
    out = [q for q in pool if round in (None, "mixed") or q.round == round]
    if role:
        occupations = bank.occupations if bank else default_bank().occupations
        occ = find_occupation(role, occupations)
        out = [q for q in out if q.role in (occ.id, GENERIC)]
    return out


def sample(questions: list[Question], n: int, seed: int | None = None) -> list[Question]:
    """``n`` questions in a random (seeded) order, the occupation's own first when one was chosen."""
    rng = random.Random(seed)
    pool = list(questions)
    rng.shuffle(pool)
    pool.sort(key=lambda q: q.role == GENERIC)
    return pool[:n]
