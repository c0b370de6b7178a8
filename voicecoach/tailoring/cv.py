"""The candidate's CV: roles (title, employer, dates) and skills, found by the shape of its lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .job import clean_lines

__all__ = ["Role", "CandidateProfile", "cv_profile"]


@dataclass(frozen=True)
class Role:
    """A job in a CV."""

    title: str
    employer: str | None
    dates: str | None


@dataclass(frozen=True)
class CandidateProfile:
    """What a CV says: roles, employers, dates, skills."""

    roles: tuple[Role, ...]
    skills: tuple[str, ...]

    def to_json(self) -> dict:
        """JSON form."""
        return {"roles": [{"title": r.title, "employer": r.employer, "dates": r.dates} for r in self.roles],
                "skills": list(self.skills)}


def cv_profile(text: str) -> CandidateProfile:
    """Roles (title, employer, dates) and skills from a CV, by the shape of its lines."""
    lines = clean_lines(text)
    date = re.compile(r"((?:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+)?\b(?:19|20)\d\d\s*"
                      r"(?:[-–—to]+\s*(?:(?:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+)?"
                      r"(?:19|20)\d\d|present|now|current|date))?)", re.IGNORECASE)
    roles: list[Role] = []
    skills: list[str] = []
    section = None
    for i, line in enumerate(lines):
        low = line.lower().rstrip(":")
        if low in ("skills", "key skills", "skills and qualifications", "qualifications", "core skills", "tools",
                   "certifications", "training"):
            section = "skills"
            continue
        if low in ("experience", "work experience", "employment", "employment history", "career history"):
            section = "experience"
            continue
        if low in ("education", "profile", "summary", "references", "interests", "personal statement"):
            section = "other"
            continue
        if section == "skills":
            skills += [s.strip(" .") for s in re.split(r"[,;•|]", line) if 1 <= len(s.split()) <= 5 and s.strip(" .")]
            continue
        m = date.search(line)
        if not m or section == "other":
            continue
        head = (line[:m.start()] + " " + line[m.end():]).strip(" ,|()-–—")
        if not head and i > 0:
            head = lines[i - 1]
        parts = re.split(r"\s*,\s*|\s+(?:at|@|-|–|—)\s+", head, maxsplit=1)
        title = parts[0].strip(" ,|-–—")
        employer = parts[1].strip(" ,|-–—") if len(parts) > 1 else None
        if title and len(title.split()) <= 6:
            roles.append(Role(title, employer or None, m.group(1).strip()))
    return CandidateProfile(tuple(roles[:6]), tuple(dict.fromkeys(skills))[:15])
