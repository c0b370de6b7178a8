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

from .answer import answer_features
from .coaching import advise
from .decide import decide
from .delivery import measure_delivery
from .language import actions, claims, clean, is_question
from .meaning import meaning_for
from .numbers import result_phrases
from .package import package_talk
from .quoting import quoted_units, shapes
from .result import Evaluation, FlagResult, Quote, SignalResult
from .rubric import ROUNDS, Rubric, default_rubric
from .text import Span, clauses, find_all, units

__all__ = ["Evaluation", "SignalResult", "FlagResult", "Quote", "evaluate", "prepare", "analyse", "normalize_round",
           "ROUND_NAMES", "CHANNELS", "verdict_openings"]

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
    """Per shape of sentence (``rubric.SHAPES``): which units have it."""
    meaning: np.ndarray | None = None
    """The answer's overall meaning: the mean of its sentences' embeddings (None without the meaning channel)."""


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
            channels: frozenset[str] = CHANNELS, question_type: str | None = None) -> Analysis:
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
        qt = next((t for t in rubric.question_types if t.id == question_type), None) if question_type else None
        if qt is None:
            qt, _sim = meaning.question_type(question)
        if qt is not None:
            qtype = qt.id
            features["invited"] = max((features.get(sid, 0.0) for sid in qt.invites), default=0.0)
            features[f"invited_{qt.id}"] = features["invited"]
        emb = meaning.embed(cleaned + [question])
        centre = emb[:-1].mean(axis=0)
        features["relevance"] = float(centre @ emb[-1] / max(np.linalg.norm(centre), 1e-9))
    features.update(answer_features(text, rubric.folder))
    overall = meaning.embed(cleaned).mean(axis=0).astype(np.float64) if "meaning" in channels and us else None
    flags = _flags(text, us, cleaned, strengths, features, rubric, n_words)
    return Analysis(text, us, strengths, features, flags, qtype, shapes(text, us, cleaned), overall)


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


def prepare(transcript: str, question: str | None = None, rubric: Rubric | None = None) -> None:
    """Embed the sentences of an answer still being given (and its question), so that evaluating it once it is over
    only embeds what was said since: the embeddings are most of an evaluation's time (~50 ms for 80 words with a
    busy process, ~12 ms once its sentences are embedded)."""
    rubric = rubric or default_rubric()
    cleaned = [clean(u.text) or u.text for u in units(transcript.strip())]
    meaning_for(rubric).embed(cleaned + ([question] if question else []))


def evaluate(transcript: str, round: str, question: str | None = None,
             words: list[tuple[str, float, float]] | None = None, rubric: Rubric | None = None,
             parts: list[tuple[int, int]] | None = None, channels: frozenset[str] = CHANNELS,
             question_type: str | None = None) -> Evaluation:
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
        question_type: what the question invites, when it is known (a bank question's ``type``); else it
            is recognised from the question's wording.

    Returns:
        The evaluation: which round it suits, scores, flags, signals with exact evidence, tips.
    """
    rubric = rubric or default_rubric()
    rnd = normalize_round(round)
    an = analyse(transcript, question, rubric, channels, question_type)
    disqualified = {r: [f.id for f in an.flags if r in f.rounds and rubric.flags[f.id].disqualifies] for r in ROUNDS}
    if rubric.model is None:
        from ..errors import BadDataFile

        raise BadDataFile(f"{rubric.folder}/model.toml has no fitted model", "run scripts/fit_rubric.py")
    decision = decide(rubric.model, an.features, an.meaning, disqualified)
    suits = decision.verdict
    # Floored, so that a round's score is 50 or more exactly when the answer suits it.
    scores = {r: int(100 * decision.rounds[r]["probability"]) for r in ROUNDS}
    delivery = measure_delivery(an.text, words or [], rubric.delivery)
    n_words = len(_WORD.findall(an.text))
    quoted = quoted_units(an.strengths, an.shapes, rubric)
    advice = advise(rnd, an.question_type, list(rubric.rounds[rnd].signals), an.strengths, an.flags, rubric,
                    delivery, n_words, scores[rnd], suits in (rnd, "both"), {sid for sid, q in quoted.items() if q})
    if advice.score_cap is not None:
        scores = {r: min(v, advice.score_cap) for r, v in scores.items()}
    signals = []
    for r in ROUNDS:
        for s in rubric.rounds[r].signals:
            st = an.strengths[s.id]
            quotes = tuple(_quote(an, st, i, parts) for i in quoted[s.id])
            strength = float(st.max()) if len(st) else 0.0
            found = strength >= rubric.evidence_threshold
            # Found is the decision's view (its strength); quoted only where a sentence clearly carries it.
            status = advice.status.get(s.id, "found") if r == rnd else ("found" if found else "absent")
            signals.append(SignalResult(s.id, r, s.label, rubric.model.round_weight(r, s.id), found, quotes,
                                        strength, status))
    signals.sort(key=lambda s: s.round != rnd)
    verdict = _verdict_sentence(rnd, suits, decision, signals, an.flags, rubric)
    out = decision.to_dict()
    out["question_type"] = an.question_type
    return Evaluation(rnd, suits, scores, tuple(an.flags), tuple(signals), advice.tips, an.text, question,
                      n_words, delivery, verdict, out)


def _quote(an: Analysis, st: np.ndarray, i: int, parts) -> Quote:
    u = an.units[i]
    return Quote(u.start, u.end, u.text, float(st[i]), _part(parts, u.start))


_VERDICT_NAMES = {"hr": "suiting the HR round", "hiring_manager": "suiting the hiring-manager round",
                  "both": "suiting both rounds", "neither": "suiting neither round yet"}


def _verdict_sentence(rnd: str, suits: str, decision, signals: list[SignalResult], flags, rubric: Rubric) -> str:
    """The one sentence said after the answer: what it suits, what it shows of the other round and what
    it needs for this one, and whether the call is a close one."""
    other = "hiring_manager" if rnd == "hr" else "hr"
    by_id = {s.id: s for r in ROUNDS for s in rubric.rounds[r].signals}
    contrib = decision.rounds[other]["contributions"]
    have = [s for s in signals if s.round == other and s.found]
    have.sort(key=lambda s: -contrib.get(s.id, 0.0))
    need = [s for s in signals if s.round == rnd and s.status in ("missing", "partly")]
    words = {"have": _join([by_id[s.id].in_words for s in have[:2]]) or "more of what it looks for",
             "need": _join([by_id[s.id].in_words for s in need[:2]]) or "a concrete example of your own"}
    too_short = any(rubric.flags[f.id].kind == "length" for f in flags)
    kind = ("too_short" if too_short else "both" if suits == "both" else "suits" if suits == rnd
            else "neither" if suits == "neither" else "other_round")
    ruled_out = [rubric.flags[f.id].verdict for f in flags if rnd in f.rounds and rubric.flags[f.id].disqualifies
                 and rubric.flags[f.id].verdict]
    if ruled_out and kind in ("neither", "other_round"):
        # What rules the answer out is the flag, not a missing signal: "Does not suit the HR round yet. Pay,
        # title and promotion are for the recruiter, not this round."
        kind, words["flag"] = "ruled_out", ruled_out[0]
    text = rubric.verdicts[kind].format(here=rubric.rounds[rnd].label, other=rubric.rounds[other].label, **words)
    if decision.borderline and not too_short:
        text = (rubric.verdicts["borderline"].format(a=_VERDICT_NAMES[suits], b=_VERDICT_NAMES[decision.runner_up])
                + " " + text)
    return text


def verdict_openings(rnd: str, rubric: Rubric | None = None) -> list[str]:
    """The sentences every verdict in round ``rnd`` can open with (each verdict's first sentence, and each
    borderline sentence): known before any answer, so they can be synthesized ahead."""
    rubric = rubric or default_rubric()
    other = "hiring_manager" if rnd == "hr" else "hr"
    names = {"here": rubric.rounds[rnd].label, "other": rubric.rounds[other].label}
    out = []
    for kind, template in rubric.verdicts.items():
        if kind == "borderline":
            out += [template.format(a=_VERDICT_NAMES[a], b=_VERDICT_NAMES[b])
                    for a in _VERDICT_NAMES for b in _VERDICT_NAMES if a != b]
            continue
        first = re.split(r"(?<=[.!?])\s+", template.strip())[0]
        if "{have}" not in first and "{need}" not in first:
            out.append(first.format(**names))
    return out


def _join(items: list[str]) -> str:
    return " and ".join(items)


def _part(parts: list[tuple[int, int]] | None, pos: int) -> int | None:
    if not parts:
        return None
    return next((i for i, (a, b) in enumerate(parts) if a <= pos < b), len(parts) - 1)
