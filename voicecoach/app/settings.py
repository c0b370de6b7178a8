"""What a session is run with (``PracticeSettings``), checked where the user's choices come in, and
which questions it asks (``choose_questions``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..asr.engines import DEFAULT_ENGINE, ENGINES
from ..audio.listen import ListenOptions
from ..errors import UsageError, VoicecoachError
from ..questions.bank import GENERIC, Bank, Question, default_bank, sample, select_questions

__all__ = ["PracticeSettings", "choose_questions", "MAX_QUESTIONS"]

MAX_QUESTIONS = 60


@dataclass(frozen=True)
class PracticeSettings:
    """Everything a practice (or demo) session is run with; saved with the session."""

    round: str = "mixed"
    """``hr``, ``hiring_manager`` or ``mixed``."""
    role: str | None = None
    """An occupation of the question bank, by any of its names (kept as its id); None keeps to the generic
    questions (or the occupation a job advert names)."""
    questions: int = 5
    seed: int | None = None
    retry_weak: bool = False
    feedback: str = "spoken"
    end_silence_s: float | None = None
    """A fixed silence that ends every answer; None: judged at each pause (``audio/endpoint.py``)."""
    max_answer_s: float = ListenOptions.max_answer_s
    follow_ups: int = 1
    intro: str = "auto"
    """``full``, ``short``, ``none`` or ``auto`` (full the first time, short after)."""
    engine: str = DEFAULT_ENGINE
    model: str | None = None
    voice: str | None = None
    rate_wpm: int | None = None
    input_device: str | None = None
    output_device: str | None = None
    json_out: str | None = None
    keep_audio: bool = True
    mode: str = "practice"
    job: str | None = None
    """A job advert (text, Markdown or PDF; ``-`` for standard input) to tailor the interview to."""
    cv: str | None = None
    """The candidate's CV (text, Markdown or PDF)."""

    def __post_init__(self) -> None:
        from ..rules.evaluate import normalize_round

        if self.round != "mixed":
            object.__setattr__(self, "round", normalize_round(self.round))
        if self.role is not None:
            from ..questions.roles import find_occupation

            object.__setattr__(self, "role", find_occupation(self.role, default_bank().occupations).id)
        if not 1 <= self.questions <= MAX_QUESTIONS:
            raise UsageError(f"--questions must be between 1 and {MAX_QUESTIONS}, not {self.questions}",
                             "e.g. --questions 5")
        if self.engine not in ENGINES:
            raise UsageError(f"unknown engine {self.engine!r}", f"use one of: {', '.join(ENGINES)}")
        if self.intro not in ("auto", "full", "short", "none"):
            raise UsageError(f"unknown intro {self.intro!r}", "use auto, full, short or none")
        self.listen_options()  # validates the thresholds where they are defined

    def listen_options(self) -> ListenOptions:
        """Turn-taking thresholds from these settings."""
        from ..audio.endpoint import turn_rules

        return ListenOptions(end_silence_s=self.end_silence_s, max_answer_s=self.max_answer_s,
                             longest_silence_s=turn_rules().unfinished_silence_s)

    def to_json(self) -> dict:
        """The settings as saved with the session."""
        d = asdict(self)
        d.pop("json_out")
        return d


def choose_questions(s: PracticeSettings, bank: Bank | None = None, store=None,
                     tailored: tuple[Question, ...] = (), occupation: str | None = None) -> list[Question]:
    """The session's questions: a seeded sample for the round and the occupation (``s.role``, else the one
    a job advert named: ``occupation``), mixed rounds interleaved, or the weakest questions again with
    ``retry_weak``. Questions made for the job and the CV come first in each round (up to about two
    thirds of it)."""
    bank = bank if bank is not None else default_bank()
    rnd = None if s.round == "mixed" else s.round
    role = s.role or occupation
    pool = [q for q in select_questions(bank, rnd) if q.role in (GENERIC, role)]
    if s.retry_weak:
        from ..history.store import open_store

        by_id = {q.id: q for q in bank.questions}
        ids = (store or open_store()).weakest_questions(len(by_id))
        weak = [by_id[i] for i in ids if i in by_id and by_id[i] in pool]
        if not weak:
            raise VoicecoachError("there are no answered questions to retry yet", "run `voicecoach practice` first")
        return weak[: s.questions]

    def round_list(rnd: str, n: int) -> list[Question]:
        own = [q for q in tailored if q.round == rnd][: max(1, (2 * n + 2) // 3)]
        return own + sample([q for q in pool if q.round == rnd], n - len(own), s.seed)

    if s.round == "mixed":
        hr, hm = round_list("hr", (s.questions + 1) // 2 + 1), round_list("hiring_manager", s.questions // 2 + 1)
        mixed = [q for pair in zip(hr, hm) for q in pair]
        return (mixed + [q for q in hr + hm if q not in mixed])[: s.questions]
    if tailored:
        return round_list(s.round, s.questions)[: s.questions]
    return sample(pool, s.questions, s.seed)
