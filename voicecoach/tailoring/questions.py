"""Tailoring the interview to the job and the candidate: ``--job`` and ``--cv`` read, their key terms found,
and questions made for them from the templates in ``prompts/job.toml``."""

from __future__ import annotations

from dataclasses import dataclass

from ..questions.bank import Question
from .cv import CandidateProfile, cv_profile
from .documents import english_note, read_document
from .job import JobProfile, JobRules, job_profile, job_rules, release_frequency_list

__all__ = ["Tailoring", "tailor", "tailored_questions", "describe_job"]


@dataclass(frozen=True)
class Tailoring:
    """What ``--job`` and ``--cv`` found, and the questions made from it."""

    job: object = None
    """``voicecoach.job.JobProfile`` or None."""
    cv: object = None
    """``voicecoach.job.CandidateProfile`` or None."""
    questions: tuple[Question, ...] = ()
    occupation: str | None = None
    """The occupation of the question bank the advert is for (found from its title, else its first lines):
    its own questions are asked beside the tailored ones."""
    notes: tuple[str, ...] = ()
    """What the candidate should know about the documents (one not in English), to be shown before the session."""

    @property
    def terms(self) -> tuple[str, ...]:
        """The job's key terms, most important first."""
        return tuple(t.text for t in self.job.terms) if self.job else ()


def tailor(s) -> Tailoring:
    """Read ``--job`` and ``--cv`` (if given) and make their questions.

    Raises:
        BadDataFile: a document is missing, empty, too large, not text, or a PDF without text.
    """
    if not s.job and not s.cv:
        return Tailoring()

    job_text = read_document(s.job) if s.job else None
    job = job_profile(job_text) if job_text else None
    cv_text = read_document(s.cv) if s.cv else None
    cv = cv_profile(cv_text) if cv_text else None
    notes = [n for n in (english_note(job_text, "the job advert") if job_text else None,
                         english_note(cv_text, "the CV") if cv_text else None) if n]
    done = Tailoring(job, cv, tuple(tailored_questions(job, cv)), advert_occupation(job, job_text), tuple(notes))
    release_frequency_list()
    return done


def advert_occupation(job: JobProfile | None, text: str | None) -> str | None:
    """The bank's occupation an advert is for: named in its title, else in its first few lines."""
    if job is None:
        return None
    from ..questions.bank import default_bank
    from ..questions.roles import occupation_in_text

    occupations = default_bank().occupations
    for line in [job.title or "", *(text or "").splitlines()[:6]]:
        found = occupation_in_text(line, occupations)
        if found is not None:
            return found.id
    return None


def describe_job(t: Tailoring) -> str:
    """The key terms found in the advert, by kind, for the candidate to see before the session."""
    kinds = {"tool": "tools", "skill": "skills", "duty": "duties", "value": "values"}
    parts = [f"{label}: {', '.join(x.text for x in t.job.of(kind))}" for kind, label in kinds.items() if t.job.of(kind)]
    title = f" for {t.job.title}" if t.job.title else ""
    return f"Key terms in the job advert{title} -- " + "; ".join(parts)


def tailored_questions(job: JobProfile | None, cv: CandidateProfile | None, rules: JobRules | None = None) -> list:
    """Questions made for this job and this candidate from the templates, most important first.

    Hiring-manager questions ask about the advert's tools, duties and skills, leaning on the skills the CV
    and the job share; HR questions ask what the values the advert states mean to the candidate; CV roles
    get "what are you proudest of" questions.
    """
    from ..rules.insights import terms_used

    rules = rules or job_rules()
    out: list[Question] = []

    def add(kind: str, round_: str, n: int, competencies: tuple[str, ...], **values) -> None:
        template = rules.templates[kind][n % len(rules.templates[kind])]
        out.append(Question(f"job-{kind}-{len(out) + 1}", round_, template.format(**values), "this job", competencies,
                            type=_INVITES[kind]))

    shared = []
    if job and cv:
        shared = [t for t in job.terms if t.kind != "value" and terms_used(" ".join(cv.skills), [t.text])]
        for n, t in enumerate(shared[:2]):
            add("cv_skill", "hiring_manager", n, ("technical_depth",), term=t.text)
    if job:
        rest = [t for t in job.terms if t.kind in ("tool", "duty", "skill") and t not in shared]
        for n, t in enumerate(rest[:4]):
            add(t.kind, "hiring_manager", n, ("technical_depth", "problem_solving"), term=t.text)
        for n, t in enumerate(job.of("value")[:2]):
            add("value", "hr", n, ("values_culture",), term=t.text)
    if cv:
        for n, r in enumerate(r for r in cv.roles[:2] if r.employer):
            add("cv_role", "hiring_manager", n, ("results",), title=_with_article(r.title), employer=r.employer)
    return out


_INVITES = {"cv_skill": "achievement", "tool": "achievement", "duty": "achievement", "skill": "achievement",
            "value": "values", "cv_role": "achievement"}
"""What each kind of tailored question invites (the templates in prompts/job.toml ask for a story)."""


def _with_article(title: str) -> str:
    return title if title.lower().startswith(("a ", "an ", "the ")) else (
        ("an " if title[:1].lower() in "aeiou" else "a ") + title)
