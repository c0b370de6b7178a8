"""Follow-up probes: when an answer misses what its round most needs, ask one short question for it.

The gaps are checked in the order ``prompts/interviewer.toml`` gives for the round (for the hiring
manager: a measured result, the candidate's own actions, the method; for HR: a link to this employer,
working with people). An answer that is too short or has no example at all gets the question's own
follow-up from the bank, or ``probe_example``. Each gap is probed once per question.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..questions.bank import Question
from ..rules.evaluate import Evaluation
from ..rules.numbers import result_phrases
from ..rules.rubric import Rubric, default_rubric
from .script import InterviewerScript, default_script

__all__ = ["Probe", "Prober"]

EXAMPLE_GAP = "example"
SHORT_WORDS = 35
"""Answers shorter than this are asked for an example first."""


@dataclass(frozen=True)
class Probe:
    """A follow-up question and the gap it probes."""

    text: str
    gap: str
    """A signal id, or ``example``."""


class Prober:
    """Chooses the follow-up for an evaluated answer, or none."""

    def __init__(self, rubric: Rubric | None = None, script: InterviewerScript | None = None) -> None:
        self.rubric = rubric or default_rubric()
        self.script = script or default_script()
        self.order = {rnd: self.script.lines[f"probe_order_{rnd}"].split() for rnd in self.rubric.rounds}
        signals = {s.id: s for s in self.rubric.signals}
        unknown = [sid for ids in self.order.values() for sid in ids if sid not in signals]
        if unknown:
            from ..errors import BadDataFile

            raise BadDataFile(f"interviewer.toml: probe_order names {unknown[0]!r}, which is not a signal")
        self.texts = {sid: signals[sid].probe for ids in self.order.values() for sid in ids}

    def all_texts(self, questions: list[Question]) -> list[str]:
        """Every probe this session could ask (synthesized ahead, so a probe starts as fast as feedback)."""
        return list(dict.fromkeys([*self.texts.values(), self.script.say("probe_example"),
                                   *(q.follow_ups[0] for q in questions if q.follow_ups)]))

    def choose(self, ev: Evaluation, question: Question, used: set[str]) -> Probe | None:
        """The follow-up for ``ev`` (an answer to ``question``), skipping gaps in ``used``."""
        if ev.decision.get("question_type") == "questions_for_us":
            return None  # the candidate was asking the questions
        # Never probe for what the feedback says the answer shows (a signal's status uses its own threshold).
        found = {s.id for s in ev.signals if s.found or s.status == "found"}
        too_short = ev.word_count < SHORT_WORDS or any(self.rubric.flags[f.id].kind == "length" for f in ev.flags)
        if EXAMPLE_GAP not in used and (too_short or not found & {"context_story", "own_actions", "team_chemistry"}):
            text = question.follow_ups[0] if question.follow_ups else self.script.say("probe_example")
            return Probe(text, EXAMPLE_GAP)
        if not any(r.measured for r in result_phrases(ev.transcript)):
            found.discard("results")  # the results probe asks for numbers: a result in words only is a gap
        for sid in self.order[ev.round]:
            if sid not in found and sid not in used:
                return Probe(self.texts[sid], sid)
        return None
