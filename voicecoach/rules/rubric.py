"""Loading and validating the rubric files under ``prompts/rubric/``.

A coach edits these files; a mistake gets a message naming the file, the entry and the problem.

* ``hr.toml``, ``hiring_manager.toml``: the signals of each round. A signal is defined by meaning: its
  ``examples`` (sentences that carry it) and ``counter_examples`` (sentences that look alike but do
  not), optionally helped by ``phrases`` and by a named ``detector`` of sentence structure
  (``actions``, ``results``, ``question``).
* ``flags.toml``: what an answer should not do, each with its ``kind`` of detector and what cancels it.
* ``question_types.toml``: kinds of question and the signals each invites.
* ``model.toml``: the decision, a small linear model per round over the signal strengths, fitted on
  the train split by ``scripts/fit_rubric.py``.
* ``delivery.toml``, ``verdicts.toml``: pace and filler norms; the verdict sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import BadDataFile
from ..prompts import TableReader as _Reader
from ..prompts import check_template, prompts_dir, read_toml
from .decide import VERDICTS as VERDICT_CLASSES
from .decide import DecisionModel
from .delivery import DeliveryNorms, load_delivery

__all__ = ["ROUNDS", "DETECTORS", "FLAG_KINDS", "SHAPES", "Quoting", "Signal", "RoundRubric", "FlagRule",
           "QuestionType", "DeliveryNorms", "Rubric", "load_rubric", "default_rubric", "prompts_dir"]

ROUNDS = ("hr", "hiring_manager")
VERDICTS = ("too_short", "both", "suits", "neither", "other_round", "ruled_out", "borderline")
_VERDICT_FIELDS = {"too_short": {"here", "other"}, "both": {"here", "other"}, "suits": {"here", "other"},
                   "neither": {"here", "other", "need"}, "other_round": {"here", "other", "have", "need"},
                   "ruled_out": {"here", "other", "flag"}, "borderline": {"a", "b"}}
DETECTORS = ("actions", "results", "question")
"""Sentence-structure detectors a signal may add to its examples (``voicecoach.rules.language``/``numbers``)."""
FLAG_KINDS = ("package", "meaning", "claims", "length", "phrases")

SHAPES = ("actions", "results", "question", "scene", "later", "finding")
"""Shapes of sentence for ``quote_unless``: it says what the candidate did, states a result, asks
something, comes before the first thing the candidate did and states no change (the scene of a story:
"we had thirty-eight open cases"; a headline result is not scene), comes at or after it (``later``),
or reports what was found or how things were ("I found that...", "which showed...") with no change."""


@dataclass(frozen=True)
class Quoting:
    """Settings for every signal (``[quoting]`` in model.toml)."""

    more_at: float = 0.7
    """A second or third quote for a signal needs this strength."""
    unchecked_at: float = 0.9
    """For a signal with a structure check (actions, results), a sentence the check does not confirm is
    quoted only at this strength."""
    signals_per_sentence: int = 2
    """A sentence is quoted for at most this many signals: those it carries most strongly."""
    per_signal: int = 3


@dataclass(frozen=True)
class Signal:
    """Something a good answer for a round contains, defined by example sentences."""

    id: str
    round: str
    label: str
    tip: str
    probe: str
    """A follow-up question that asks for this signal when the answer lacks it."""
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...] = ()
    phrases: re.Pattern | None = None
    detector: str | None = None
    quote_at: float | None = None
    """A sentence is quoted as evidence of this signal at this strength (default: ``evidence_threshold``)."""
    quote_unless: tuple[str, ...] = ()
    """Shapes of sentence never quoted for this signal (see ``SHAPES``)."""
    in_words: str = ""
    """The signal in a few plain words, for a verdict sentence ("a result, with a number")."""
    partly_tip: str = ""
    """The tip when the answer shows the signal only partly (``coaching.toml``: between its ``missing_below``
    and ``found_at``); none when empty: a generic "add it" tip is wrong when some of it is there."""


@dataclass(frozen=True)
class RoundRubric:
    """The signals of one round."""

    round: str
    label: str
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class FlagRule:
    """Something an answer should not do."""

    id: str
    label: str
    kind: str
    """``package`` (the package-negotiation detector), ``meaning`` (sentences like the examples),
    ``claims`` (clichés without an example), ``length`` (too few words), ``phrases``."""
    rounds: tuple[str, ...]
    disqualifies: bool
    tip: str
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    regex: re.Pattern | None = None
    min_hits: int = 1
    min_words: int = 0
    threshold: float = 0.5
    """For ``meaning`` and ``claims``: how strong (0-1) the evidence must be."""
    unless: tuple[str, ...] = ()
    """Signal ids: the flag is not raised when any of them is found."""
    needs: re.Pattern | None = None
    """For ``meaning``: a sentence counts only when it also has one of these words (the meaning alone
    cannot tell "my boss was useless" from "my boss was great")."""
    lists: dict[str, re.Pattern] = field(default_factory=dict)
    """The package detector's named phrase lists (terms, asks, refusals...)."""
    verdict: str = ""
    """For a flag that rules the answer out of its round: what the verdict says after "Does not suit the ...
    round yet." (instead of a signal it needs, which would not be the problem)."""


@dataclass(frozen=True)
class QuestionType:
    """A kind of question, recognised from example questions, and the signals it invites."""

    id: str
    examples: tuple[str, ...]
    invites: tuple[str, ...]


@dataclass(frozen=True)
class Rubric:
    """Everything the evaluator needs."""

    rounds: dict[str, RoundRubric]
    flags: dict[str, FlagRule]
    delivery: DeliveryNorms
    verdicts: dict[str, str]
    question_types: tuple[QuestionType, ...]
    model: DecisionModel | None
    """The verdict's model (``model.toml`` and ``meaning.toml``); None before one is fitted."""
    evidence_threshold: float = 0.5
    """A sentence is quoted as evidence of a signal at this strength (0-1)."""
    quoting: Quoting = Quoting()
    """Which of the sentences that carry a signal are quoted (presentation only; the verdict uses strengths)."""
    folder: Path | None = None

    @property
    def signals(self) -> tuple[Signal, ...]:
        """Every signal of both rounds."""
        return tuple(s for r in ROUNDS for s in self.rounds[r].signals)


_read_toml = read_toml
_SIGNAL_KEYS = {"id", "label", "tip", "probe", "examples", "counter_examples", "phrases", "patterns", "detector",
                "quote_at", "quote_unless", "in_words", "partly_tip"}


def _load_round(path: Path) -> RoundRubric:
    data = _read_toml(path)
    top = _Reader(path, "top level", data)
    top.unknown({"round", "label", "signal"})
    rnd = top.get("round", str)
    if rnd not in ROUNDS:
        top.fail(f"round {rnd!r} must be one of {', '.join(ROUNDS)}")
    signals, seen = [], set()
    for i, raw in enumerate(top.get("signal", list), 1):
        r = _Reader(path, f"signal #{i}", raw if isinstance(raw, dict) else {})
        if not isinstance(raw, dict):
            r.fail("must be a table")
        sid = r.get("id", str)
        r.where = f"signal #{i} ({sid})"
        r.unknown(_SIGNAL_KEYS)
        if sid in seen:
            r.fail("duplicate id")
        seen.add(sid)
        examples = r.strings("examples")
        if len(examples) < 5:
            r.fail("needs at least 5 'examples' (sentences that carry the signal)")
        detector = r.get("detector", str, None)
        if detector is not None and detector not in DETECTORS:
            r.fail(f"'detector' must be one of {', '.join(DETECTORS)}")
        quote_at = r.get("quote_at", float, None)
        if quote_at is not None and not 0.0 <= quote_at <= 1.0:
            r.fail("'quote_at' must be between 0 and 1")
        unless = tuple(r.strings("quote_unless", []))
        if set(unless) - set(SHAPES):
            r.fail(f"'quote_unless' may name only {', '.join(SHAPES)}")
        label = r.get("label", str)
        signals.append(Signal(sid, rnd, label, r.get("tip", str), r.get("probe", str),
                              tuple(examples), tuple(r.strings("counter_examples", [])), r.regex(), detector,
                              quote_at, unless, r.get("in_words", str, label.lower()), r.get("partly_tip", str, "")))
    return RoundRubric(rnd, top.get("label", str), tuple(signals))


_PACKAGE_LISTS = ("terms", "progression", "asks", "conditions", "refusals", "past", "work", "post", "learning",
                  "motive", "guarantees")
_FLAG_KEYS = {"label", "kind", "rounds", "disqualifies", "tip", "verdict", "examples", "counter_examples", "phrases",
              "patterns", "min_hits", "min_words", "threshold", "unless", "needs", "needs_patterns",
              *(f"{k}" for k in _PACKAGE_LISTS),
              *(f"{k}_patterns" for k in _PACKAGE_LISTS)}


def _load_flags(path: Path, signal_ids: set[str]) -> dict[str, FlagRule]:
    data = _read_toml(path)
    flags = {}
    for fid, raw in data.items():
        r = _Reader(path, f"flag [{fid}]", raw if isinstance(raw, dict) else {})
        if not isinstance(raw, dict):
            r.fail("must be a table")
        r.unknown(_FLAG_KEYS)
        kind = r.get("kind", str)
        if kind not in FLAG_KINDS:
            r.fail(f"'kind' must be one of {', '.join(FLAG_KINDS)}")
        rounds = tuple(r.strings("rounds"))
        for rnd in rounds:
            if rnd not in ROUNDS:
                r.fail(f"round {rnd!r} must be one of {', '.join(ROUNDS)}")
        unless = tuple(r.strings("unless", []))
        for sid in unless:
            if sid not in signal_ids:
                r.fail(f"'unless' names {sid!r}, which is not a signal in hr.toml or hiring_manager.toml")
        lists = {}
        if kind == "package":
            for k in _PACKAGE_LISTS:
                rx = r.regex(k, f"{k}_patterns", required=k in ("terms", "asks"))
                if rx is not None:
                    lists[k] = rx
        threshold = r.get("threshold", float, 0.5)
        if not 0 < threshold < 1:
            r.fail("'threshold' must be between 0 and 1")
        min_hits, min_words = r.get("min_hits", int, 1), r.get("min_words", int, 0)
        if min_hits < 1:
            r.fail("'min_hits' must be at least 1 (0 would raise the flag on every answer)")
        if kind == "length" and min_words < 1:
            r.fail("'min_words' must be at least 1")
        examples = tuple(r.strings("examples", []))
        if kind == "meaning" and len(examples) < 5:
            r.fail("a 'meaning' flag needs at least 5 'examples'")
        regex = r.regex(required=kind == "phrases")
        flags[fid] = FlagRule(fid, r.get("label", str), kind, rounds, r.get("disqualifies", bool), r.get("tip", str),
                              examples, tuple(r.strings("counter_examples", [])), regex, min_hits, min_words,
                              threshold, unless, needs=r.regex("needs", "needs_patterns"), lists=lists,
                              verdict=r.get("verdict", str, ""))
    if not any(f.kind == "length" for f in flags.values()):
        raise BadDataFile(f"{path.name}: needs a flag of kind \"length\" (answers too short to judge)")
    return flags


def _load_question_types(path: Path, signal_ids: set[str]) -> tuple[QuestionType, ...]:
    data = _read_toml(path)
    out = []
    for i, raw in enumerate(_Reader(path, "top level", data).get("type", list), 1):
        r = _Reader(path, f"type #{i}", raw if isinstance(raw, dict) else {})
        tid = r.get("id", str)
        r.where = f"type #{i} ({tid})"
        r.unknown({"id", "examples", "invites"})
        invites = tuple(r.strings("invites"))
        for sid in invites:
            if sid not in signal_ids:
                r.fail(f"'invites' names {sid!r}, which is not a signal")
        out.append(QuestionType(tid, tuple(r.strings("examples")), invites))
    return tuple(out)


def _number_list(r: _Reader, key: str, n: int | None = None) -> np.ndarray:
    values = r.get(key, list)
    if (any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in values)
            or (n is not None and len(values) != n)):
        r.fail(f"'{key}' must be a list of {n or 'some'} numbers")
    return np.array(values, np.float64)


def _load_model(path: Path, meaning_path: Path, signal_ids: set[str]) -> tuple[DecisionModel | None, float, Quoting]:
    """``model.toml`` (the named features' part, and quoting) and ``meaning.toml`` (the overall meaning's)."""
    if not path.is_file():
        return None, 0.5, Quoting()
    data = _read_toml(path)
    top = _Reader(path, "top level", data)
    q = _Reader(path, "[quoting]", data.get("quoting") if isinstance(data.get("quoting"), dict) else {})
    quoting = Quoting(q.get("more_at", float, 0.7), q.get("unchecked_at", float, 0.9),
                      q.get("signals_per_sentence", int, 2), q.get("per_signal", int, 3))
    evidence = top.get("evidence_threshold", float, 0.5)
    if "features" not in data:
        return None, evidence, quoting
    feats = _Reader(path, "[features]", data["features"] if isinstance(data["features"], dict) else {})
    names = tuple(feats.table)
    mean, scale = [], []
    for name in names:
        pair = feats.table[name]
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, (int, float)) for v in pair)
                and pair[1] > 0):
            feats.fail(f"'{name}' must be [mean, scale] with a positive scale")
        mean.append(pair[0])
        scale.append(pair[1])
    weights, bias = [], []
    for v in VERDICT_CLASSES:
        r = _Reader(path, f"[{v}]", data.get(v) if isinstance(data.get(v), dict) else {})
        w = r.get("weights", dict)
        unknown = set(w) - set(names)
        if unknown:
            r.fail(f"weight '{sorted(unknown)[0]}' is not a feature listed under [features]")
        if any(not isinstance(x, (int, float)) or isinstance(x, bool) for x in w.values()):
            r.fail("every weight must be a number")
        weights.append([float(w.get(n, 0.0)) for n in names])
        bias.append(r.get("bias", float))
    m_mean = m_scale = m_weights = None
    if meaning_path.is_file():
        md = _read_toml(meaning_path)
        mr = _Reader(meaning_path, "top level", md)
        m_mean = _number_list(mr, "mean")
        m_scale = _number_list(mr, "scale", len(m_mean))
        wr = _Reader(meaning_path, "[weights]", md.get("weights") if isinstance(md.get("weights"), dict) else {})
        m_weights = np.stack([_number_list(wr, v, len(m_mean)) for v in VERDICT_CLASSES])
    # Contributions are shown from where a signal counts as found (one sentence at the evidence threshold).
    reference = [evidence if n in signal_ids
                 else 1 / 3 if n.removesuffix("_count") in signal_ids and n.endswith("_count")
                 else m for n, m in zip(names, mean)]
    model = DecisionModel(names, np.array(mean), np.array(scale), np.array(weights), np.array(bias),
                          m_mean, m_scale, m_weights, top.get("borderline_margin", float, 0.15), np.array(reference))
    return model, evidence, quoting


def _load_verdicts(path: Path) -> dict[str, str]:
    data = _read_toml(path)
    for key in data:
        if key not in VERDICTS:
            raise BadDataFile(f"{path.name}: unknown verdict '{key}' (known: {', '.join(VERDICTS)})")
    missing = [k for k in VERDICTS if k not in data]
    if missing:
        raise BadDataFile(f"{path.name}: missing key '{missing[0]}'")
    return {k: check_template(f"{path.name}: {k}", data[k], _VERDICT_FIELDS[k]) for k in VERDICTS}


def load_rubric(directory: str | Path | None = None) -> Rubric:
    """Load every rubric file.

    Raises:
        BadDataFile: a file is missing or malformed; the message names the file, entry and problem.
    """
    d = Path(directory) if directory else prompts_dir() / "rubric"
    rounds = {}
    for rnd in ROUNDS:
        rr = _load_round(d / f"{rnd}.toml")
        if rr.round != rnd:
            raise BadDataFile(f"{rnd}.toml: top level: 'round' is {rr.round!r} but the file is for {rnd!r}")
        rounds[rnd] = rr
    ids = {s.id for r in rounds.values() for s in r.signals}
    model, evidence_threshold, quoting = _load_model(d / "model.toml", d / "meaning.toml", ids)
    return Rubric(rounds, _load_flags(d / "flags.toml", ids), load_delivery(d / "delivery.toml"),
                  _load_verdicts(d / "verdicts.toml"), _load_question_types(d / "question_types.toml", ids),
                  model, evidence_threshold, quoting, d)


@lru_cache(maxsize=4)
def default_rubric() -> Rubric:
    """The rubric from ``prompts/rubric``, loaded once."""
    return load_rubric()
