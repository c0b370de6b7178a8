"""Does an answer suit the HR round or the hiring-manager round? Text and timings in, a result out.

The answer is cut into sentence-sized units. Each unit is judged by meaning (its similarity to the
rubric's example sentences, ``meaning.py``) and by its structure (first-person actions, results in
words or numbers, questions: ``language.py``, ``numbers.py``). A signal's strength is that of its
strongest unit; the units that clearly carry it are quoted as evidence (``quoting.py``). Flags
(package talk, running down an employer, claims without substance, too short) have their own
detectors. The verdict comes from a small linear model per round over the strengths
(``prompts/rubric/model.toml``, fitted on the train split), so ``--json`` can show what drove it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .delivery import Delivery, measure_delivery
from .language import actions, claims, clean, is_question
from .meaning import meaning_for
from .numbers import result_phrases
from .package import package_talk
from .quoting import quoted_units, shapes
from .result import Evaluation, FlagResult, Quote, SignalResult
from .rubric import ROUNDS, Rubric, default_rubric
from .text import Span, clauses, find_all, units

__all__ = ["Evaluation", "SignalResult", "FlagResult", "Quote", "evaluate", "analyse", "normalize_round",
           "ROUND_NAMES", "CHANNELS"]

ROUND_NAMES = {"hr": "HR round", "hiring_manager": "hiring-manager round"}
_WORD = re.compile(r"[\w'%$£€]+")
CHANNELS = frozenset({"meaning", "structure"})
"""How units are judged: by ``meaning`` (embeddings), by ``structure`` (detectors and phrases), or both."""
_ACTION_WEIGHT = {"past": 1.0, "would": 0.8, "present": 0.6, "we": 0.4}
_DETECTOR_WEIGHT = 0.85


def normalize_round(value: str) -> str:
    """Accept ``hr``, ``hiring-manager``, ``hiring_manager``, ``hm``."""
    v = value.strip().lower().replace("-", "_").replace(" ", "_")
    if v in ("hm", "manager"):
        v = "hiring_manager"
    if v not in ROUNDS:
        from ..errors import UsageError

        raise UsageError(f"unknown round {value!r}", "use hr or hiring-manager")
    return v


@dataclass
class Analysis:
    """Everything measured about an answer before the decision."""

    text: str
    units: list[Span]
    strengths: dict[str, np.ndarray]
    """Per signal and meaning-flag id: each unit's strength (0-1)."""
    features: dict[str, float]
    flags: list[FlagResult]
    question_type: str | None = None
    shapes: dict[str, np.ndarray] | None = None
    """Per shape of sentence (``quoting.SHAPES``): which units have it."""


def _detector(kind: str | None, unit: str, asked: bool = False) -> float:
    if kind == "actions":
        if claims(unit):
            return 0.0
        return max((_ACTION_WEIGHT[a.kind] for a in actions(unit)), default=0.0)
    if kind == "results":
        found = result_phrases(unit)
        return max((1.0 if r.measured else 0.6 for r in found), default=0.0)
    if kind == "question":
        return 1.0 if asked or is_question(unit) else 0.0
    return 0.0


def analyse(transcript: str, question: str | None = None, rubric: Rubric | None = None,
            channels: frozenset[str] = CHANNELS) -> Analysis:
    """Cut the answer into units, judge each for every signal and flag, and compute the features."""
    rubric = rubric or default_rubric()
    text = transcript.strip()
    us = units(text)
    cleaned = [clean(u.text) or u.text for u in us]
    meaning = meaning_for(rubric)
    probs = meaning.probabilities(cleaned) if "meaning" in channels and us else None
    strengths: dict[str, np.ndarray] = {}
    for s in rubric.signals:
        p = probs[:, meaning.index[s.id]].astype(np.float64) if probs is not None else np.zeros(len(us))
        if "structure" in channels:
            det = (np.array([_detector(s.detector, c, text[u.end:u.end + 1] == "?") for u, c in zip(us, cleaned)])
                   if s.detector else np.zeros(len(us)))
            lex = np.array([1.0 if s.phrases is not None and s.phrases.search(u) else 0.0 for u in cleaned])
            if s.detector == "question":
                p = p * (0.4 + 0.6 * det) if probs is not None else det * lex
            else:
                hit = np.maximum(_DETECTOR_WEIGHT * det, 0.5 * lex)
                p = 1 - (1 - p) * (1 - hit)
        strengths[s.id] = p
    for f in rubric.flags.values():
        if f.examples and probs is not None:
            p = probs[:, meaning.index[f.id]].astype(np.float64)
            if f.needs is not None:  # the meaning counts only with one of the flag's words in the sentence
                p = p * np.array([1.0 if f.needs.search(u) else 0.0 for u in cleaned])
            strengths[f.id] = p
    n_words = len(_WORD.findall(text))
    features = {sid: float(v.max()) if len(v) else 0.0 for sid, v in strengths.items()}
    for s in rubric.signals:  # how much of the answer carries it: sentences at 0.6 or more, up to three
        features[f"{s.id}_count"] = min(3, int((strengths[s.id] >= 0.6).sum())) / 3
    if us:
        # What the answer is mostly about: the share of its sentences whose strongest signal is each round's.
        best = {r: np.max([strengths[s.id] for s in rubric.rounds[r].signals], axis=0) for r in ROUNDS}
        for r in ROUNDS:
            other = best["hiring_manager" if r == "hr" else "hr"]
            features[f"{r}_share"] = float(np.mean((best[r] >= 0.5) & (best[r] > other)))
    claim_units = [bool(claims(u)) and not actions(u) and not result_phrases(u) for u in cleaned]
    claim_flags = [f.id for f in rubric.flags.values() if f.kind == "claims" and f.id in strengths]
    cliche = strengths[claim_flags[0]] if claim_flags else np.zeros(len(us))
    features["claims"] = float(np.mean([c or p >= 0.5 for c, p in zip(claim_units, cliche)])) if us else 0.0
    features["words"] = max(0.0, min(1.0, math.log(max(n_words, 1) / 12) / math.log(200 / 12)))
    qtype, features["invited"], features["relevance"] = None, 0.0, 0.0
    if question and "meaning" in channels and us:
        qt, _sim = meaning.question_type(question)
        if qt is not None:
            qtype = qt.id
            features["invited"] = max((features.get(sid, 0.0) for sid in qt.invites), default=0.0)
            features[f"invited_{qt.id}"] = features["invited"]
        emb = meaning.embed(cleaned + [question])
        centre = emb[:-1].mean(axis=0)
        features["relevance"] = float(centre @ emb[-1] / max(np.linalg.norm(centre), 1e-9))
    flags = _flags(text, us, cleaned, strengths, features, rubric, n_words)
    return Analysis(text, us, strengths, features, flags, qtype, shapes(text, us, cleaned))


def _flags(text: str, us: list[Span], cleaned: list[str], strengths, features, rubric: Rubric,
           n_words: int) -> list[FlagResult]:
    out = []
    found = {s.id for s in rubric.signals if features.get(s.id, 0.0) >= rubric.evidence_threshold}
    for fid, rule in rubric.flags.items():
        if set(rule.unless) & found:
            continue
        evidence, raised = None, False
        if rule.kind == "length":
            raised = n_words < rule.min_words
        elif rule.kind == "package":
            hits = package_talk(text, clauses(text), rule)
            raised, evidence = bool(hits), hits[0].span if hits else None
        elif rule.kind == "phrases":
            hits = find_all(rule.regex, text)
            raised = len(hits) >= rule.min_hits
            evidence = _unit_of(us, hits[0].start()) if raised else None
        else:  # meaning, claims
            lexical = find_all(rule.regex, text)
            if lexical:
                raised, evidence = True, _unit_of(us, lexical[0].start())
            elif rule.kind == "claims":
                raised = features["claims"] >= rule.threshold
                evidence = next((u for u, c in zip(us, cleaned) if claims(c)), None) if raised else None
                if raised and evidence is None and fid in strengths and len(strengths[fid]):
                    evidence = us[int(np.argmax(strengths[fid]))]  # the sentence most like the examples
            elif fid in strengths and len(strengths[fid]):
                best = int(np.argmax(strengths[fid]))
                raised = strengths[fid][best] >= rule.threshold
                evidence = us[best] if raised else None
        if raised:
            out.append(FlagResult(fid, rule.label, evidence, rule.rounds))
    return out


def _unit_of(us: list[Span], pos: int) -> Span | None:
    return next((u for u in us if u.start <= pos < u.end), None)


def _decide(an: Analysis, rubric: Rubric) -> dict:
    out = {}
    for rnd in ROUNDS:
        model = rubric.models[rnd]
        contrib = {k: w * an.features.get(k, 0.0) for k, w in model.weights.items()}
        z = model.bias + sum(contrib.values())
        p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        disq = [f.id for f in an.flags if rnd in f.rounds and rubric.flags[f.id].disqualifies]
        out[rnd] = {"probability": round(p, 3), "threshold": model.threshold, "bias": model.bias,
                    "contributions": {k: round(v, 3) for k, v in sorted(contrib.items(), key=lambda kv: -abs(kv[1]))},
                    "disqualified_by": disq, "suits": p >= model.threshold and not disq}
    return out


def evaluate(transcript: str, round: str, question: str | None = None,
             words: list[tuple[str, float, float]] | None = None, rubric: Rubric | None = None,
             parts: list[tuple[int, int]] | None = None, channels: frozenset[str] = CHANNELS) -> Evaluation:
    """Judge one answer.

    Args:
        transcript: what the candidate said (Whisper's text: any case, punctuation optional).
        round: ``hr`` or ``hiring_manager`` (``hiring-manager`` accepted).
        question: the question asked: what it invites is part of the judgement.
        words: (word, start_s, end_s) timings, for delivery figures; None or empty to skip them.
        rubric: defaults to the files in ``prompts/rubric``.
        parts: (start, end) of each part of an answer thread (the answer, then follow-ups), so the
            evidence says which part each quote came from.
        channels: ``meaning`` and/or ``structure`` (for comparing approaches).

    Returns:
        The evaluation: which round it suits, scores, flags, signals with exact evidence, tips.
    """
    rubric = rubric or default_rubric()
    rnd = normalize_round(round)
    an = analyse(transcript, question, rubric, channels)
    decision = _decide(an, rubric)
    ok = {r: decision[r]["suits"] for r in ROUNDS}
    suits = "both" if all(ok.values()) else next((r for r in ROUNDS if ok[r]), "neither")
    scores = {}
    for r in ROUNDS:
        score = int(100 * decision[r]["probability"] + 0.5)
        scores[r] = min(score, max(0, int(100 * decision[r]["threshold"]) - 1)) if decision[r]["disqualified_by"] else score
    signals = []
    quoted = quoted_units(an.strengths, an.shapes, rubric)
    for r in ROUNDS:
        weights = rubric.models[r].weights
        for s in rubric.rounds[r].signals:
            st = an.strengths[s.id]
            order = quoted[s.id]
            quotes = tuple(Quote(an.units[i].start, an.units[i].end, an.units[i].text, float(st[i]),
                                 _part(parts, an.units[i].start)) for i in order)
            strength = float(st.max()) if len(st) else 0.0
            # Found is the decision's view (its strength); quoted only where a sentence clearly carries it.
            signals.append(SignalResult(s.id, r, s.label, weights.get(s.id, 0.0),
                                        strength >= rubric.evidence_threshold, quotes, strength))
    signals.sort(key=lambda s: s.round != rnd)
    delivery = measure_delivery(an.text, words or [], rubric.delivery)
    tips = _tips(rnd, an.flags, signals, delivery, rubric)
    too_short = any(rubric.flags[f.id].kind == "length" for f in an.flags)
    other = "hiring_manager" if rnd == "hr" else "hr"
    kind = ("too_short" if too_short else "both" if suits == "both" else "suits" if suits == rnd
            else "neither" if suits == "neither" else "other_round")
    verdict = rubric.verdicts[kind].format(here=rubric.rounds[rnd].label, other=rubric.rounds[other].label)
    decision["question_type"] = an.question_type
    return Evaluation(rnd, suits, scores, tuple(an.flags), tuple(signals), tuple(tips), an.text, question,
                      len(_WORD.findall(an.text)), delivery, verdict, decision)


def _part(parts: list[tuple[int, int]] | None, pos: int) -> int | None:
    if not parts:
        return None
    return next((i for i, (a, b) in enumerate(parts) if a <= pos < b), len(parts) - 1)


def _tips(rnd: str, flags: list[FlagResult], signals: list[SignalResult], delivery: Delivery | None,
          rubric: Rubric) -> list[str]:
    tips = [rubric.flags[f.id].tip for f in sorted((f for f in flags if rnd in f.rounds),
                                                   key=lambda f: not rubric.flags[f.id].disqualifies)]
    by_id = {s.id: s for s in rubric.rounds[rnd].signals}
    missing = sorted((s for s in signals if s.round == rnd and not s.found), key=lambda s: -s.weight)
    tips += [by_id[s.id].tip for s in missing]
    if delivery:
        tips += list(delivery.notes)
    return list(dict.fromkeys(tips))[:3]
