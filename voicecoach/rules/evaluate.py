"""Does an answer suit the HR round or the hiring-manager round? Text and timings in, a result out.

The rubric (phrases, weights, tips) lives in ``prompts/rubric/``; this module only applies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .delivery import Delivery, measure_delivery
from .rubric import ROUNDS, FlagRule, Rubric, Signal, default_rubric
from .text import Span, clause_around, clauses, find_all

__all__ = ["Evaluation", "SignalResult", "FlagResult", "evaluate", "normalize_round"]

ROUND_NAMES = {"hr": "HR round", "hiring_manager": "hiring-manager round"}
_WORD = re.compile(r"[\w'%$£€]+")


def normalize_round(value: str) -> str:
    """Accept ``hr``, ``hiring-manager``, ``hiring_manager``, ``hm``."""
    v = value.strip().lower().replace("-", "_").replace(" ", "_")
    if v in ("hm", "manager"):
        v = "hiring_manager"
    if v not in ROUNDS:
        from ..errors import VoicecoachError

        raise VoicecoachError(f"unknown round {value!r}", "use hr or hiring-manager")
    return v


@dataclass(frozen=True)
class SignalResult:
    """One rubric signal, found or not, with its evidence."""

    id: str
    round: str
    label: str
    weight: float
    found: bool
    evidence: tuple[Span, ...]

    def to_dict(self) -> dict:
        """JSON form."""
        return {"id": self.id, "round": self.round, "label": self.label, "weight": self.weight,
                "found": self.found, "evidence": [e.to_dict() for e in self.evidence]}


@dataclass(frozen=True)
class FlagResult:
    """A flag raised, with the words that raised it."""

    id: str
    label: str
    evidence: Span | None
    rounds: tuple[str, ...]

    def to_dict(self) -> dict:
        """JSON form: ``evidence`` is the exact quote (empty for length-based flags)."""
        d = {"id": self.id, "label": self.label, "evidence": self.evidence.text if self.evidence else "",
             "rounds": list(self.rounds)}
        if self.evidence:
            d["start"], d["end"] = self.evidence.start, self.evidence.end
        return d


@dataclass(frozen=True)
class Evaluation:
    """The verdict on one answer."""

    round: str
    suits: str
    """``hr``, ``hiring_manager``, ``both`` or ``neither``."""
    scores: dict[str, int]
    flags: tuple[FlagResult, ...]
    signals: tuple[SignalResult, ...]
    tips: tuple[str, ...]
    transcript: str
    question: str | None
    word_count: int
    delivery: Delivery | None
    verdict: str
    """One plain sentence for the candidate."""

    def to_dict(self) -> dict:
        """The JSON object of ``voicecoach evaluate --json``."""
        return {
            "round": self.round, "suits": self.suits, "verdict": self.verdict, "scores": dict(self.scores),
            "flags": [f.to_dict() for f in self.flags], "signals": [s.to_dict() for s in self.signals],
            "tips": list(self.tips), "transcript": self.transcript, "question": self.question,
            "word_count": self.word_count, "delivery": self.delivery.to_dict() if self.delivery else None,
        }


def _evidence(text: str, spans: list[Span], m: re.Match) -> Span:
    """The clause holding a match, or a window around it when the clause is long."""
    for c in spans:
        if c.start <= m.start() and m.end() <= c.end:
            if len(c.text.split()) <= 25:
                return c
            break
    return clause_around(text, m.start(), m.end(), max_words=10)


def _signal(text: str, spans: list[Span], sig: Signal, rnd: str) -> SignalResult:
    evidence: list[Span] = []
    if sig.parts:
        hits = {name: find_all(rx, text) for name, rx in sig.parts.items()}
        found = sum(bool(v) for v in hits.values()) >= sig.parts_needed
        matches = [v[0] for v in hits.values() if v]
    else:
        matches = find_all(sig.regex, text)
        found = len(matches) >= sig.min_matches
    for m in sorted(matches, key=lambda m: m.start()):
        e = _evidence(text, spans, m)
        if e not in evidence:
            evidence.append(e)
    return SignalResult(sig.id, rnd, sig.label, sig.weight, found, tuple(evidence[:3]) if found else ())


def _package_negotiation(text: str, spans: list[Span], rule: FlagRule) -> Span | None:
    lists = rule.lists
    for clause in spans:
        if lists.get("deflections") and find_all(lists["deflections"], text, clause.start, clause.end):
            continue
        if lists.get("past_markers") and find_all(lists["past_markers"], text, clause.start, clause.end):
            continue
        senses = find_all(lists.get("other_senses"), text, clause.start, clause.end)
        for term in find_all(lists["terms"], text, clause.start, clause.end):
            if any(s.start() <= term.start() < s.end() for s in senses):
                continue
            after = text[term.end():clause.end]
            nxt = lists["work_nouns"].match(after.lstrip(" ,-")) if after.strip() else None
            if nxt and nxt.start() == 0:
                continue
            before = text[clause.start:term.start()].split()
            if before and lists.get("work_modifiers") and lists["work_modifiers"].fullmatch(before[-1].strip(",.")):
                continue
            if find_all(lists["cues"], text, clause.start, clause.end):
                return clause
    return None


def _flags(text: str, spans: list[Span], rubric: Rubric, words: int, signals: dict[str, SignalResult]) -> list[FlagResult]:
    out = []
    for fid, rule in rubric.flags.items():
        evidence = None
        raised = False
        if fid == "negotiates_package":
            evidence = _package_negotiation(text, spans, rule)
            raised = evidence is not None
        elif fid == "too_short":
            raised = words < rule.min_words
        elif fid == "vague":
            hits = find_all(rule.regex, text)
            concrete = any(signals[s].found for s in ("measured_results", "candidate_actions") if s in signals)
            raised = len(hits) >= rule.min_hits and not concrete
            evidence = _evidence(text, spans, hits[0]) if raised else None
        elif rule.regex is not None:
            hits = find_all(rule.regex, text)
            raised = len(hits) >= rule.min_hits
            evidence = _evidence(text, spans, hits[0]) if raised else None
        if raised:
            out.append(FlagResult(fid, rule.label, evidence, rule.rounds))
    return out


def _score(signals: list[SignalResult], flags: list[FlagResult], rubric: Rubric, rnd: str) -> int:
    total = sum(s.weight for s in signals)
    got = sum(s.weight for s in signals if s.found)
    penalty = sum(rubric.flags[f.id].penalty for f in flags if rnd in f.rounds)
    return int(round(max(0.0, min(100.0, 100.0 * got / total - penalty))))


def _verdict(rnd: str, suits: str, too_short: bool) -> str:
    here, other = ROUND_NAMES[rnd], ROUND_NAMES["hiring_manager" if rnd == "hr" else "hr"]
    if too_short:
        return "Too short to judge: give a fuller answer with an example."
    if suits == "both":
        return f"Suits the {here} (and would work in the {other} too)."
    if suits == rnd:
        return f"Suits the {here}."
    if suits == "neither":
        return f"Does not suit the {here} yet."
    return f"Better suited to the {other} than the {here} you are in."


def evaluate(transcript: str, round: str, question: str | None = None,
             words: list[tuple[str, float, float]] | None = None, rubric: Rubric | None = None) -> Evaluation:
    """Judge one answer.

    Args:
        transcript: what the candidate said (Whisper's text: any case, punctuation optional).
        round: ``hr`` or ``hiring_manager`` (``hiring-manager`` accepted).
        question: the question asked, reported back with the result.
        words: (word, start_s, end_s) timings, for delivery figures; None or empty to skip them.
        rubric: defaults to the files in ``prompts/rubric``.

    Returns:
        The evaluation: which round it suits, scores, flags, signals with exact evidence, tips.
    """
    rubric = rubric or default_rubric()
    rnd = normalize_round(round)
    text = transcript.strip()
    spans = clauses(text)
    n_words = len(_WORD.findall(text))
    signals = {rr: [_signal(text, spans, s, rr) for s in rubric.rounds[rr].signals] for rr in ROUNDS}
    by_id = {s.id: s for ss in signals.values() for s in ss}
    flags = _flags(text, spans, rubric, n_words, by_id)
    scores = {rr: _score(signals[rr], flags, rubric, rr) for rr in ROUNDS}
    disqualified = {rr: any(rubric.flags[f.id].disqualifies and rr in f.rounds for f in flags) for rr in ROUNDS}
    ok = {rr: scores[rr] >= rubric.rounds[rr].pass_score and not disqualified[rr] for rr in ROUNDS}
    suits = "both" if all(ok.values()) else next((rr for rr in ROUNDS if ok[rr]), "neither")

    delivery = measure_delivery(text, words or [], rubric.delivery)
    tips: list[str] = []
    for f in sorted((f for f in flags if rnd in f.rounds), key=lambda f: (not rubric.flags[f.id].disqualifies,
                                                                            -rubric.flags[f.id].penalty)):
        tips.append(rubric.flags[f.id].tip)
    missing = sorted((s for s in signals[rnd] if not s.found), key=lambda s: -s.weight)
    sig_tips = {s.id: s.tip for s in rubric.rounds[rnd].signals}
    tips += [sig_tips[s.id] for s in missing]
    if delivery:
        tips += list(delivery.notes)
    tips = list(dict.fromkeys(tips))[:3]
    too_short = any(f.id == "too_short" for f in flags)
    all_signals = tuple(signals[rnd]) + tuple(s for rr in ROUNDS if rr != rnd for s in signals[rr])
    return Evaluation(rnd, suits, scores, tuple(flags), all_signals, tuple(tips), text, question, n_words,
                      delivery, _verdict(rnd, suits, too_short))
