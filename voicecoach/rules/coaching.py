"""What the candidate reads around the verdict: which signals are missing, the tips, the capped scores.

Consistent by construction:

* each signal has its own thresholds (``[signal.*]`` in coaching.toml, fitted by scripts/fit_coaching.py on
  blind judgments of train answers): *found* from ``found_at``, *missing* below ``missing_below``, and
  *partly* in between, where the coach claims neither and asks for the signal again only with the signal's
  ``partly_tip`` (a plain "add it" tip is wrong when some of it is there);
* tips are only for what the question invites (``prompts/rubric/coaching.toml``): no "close with a
  question about the team" after "Tell me about yourself", and "Do you have any questions for me?"
  has rules of its own;
* red flags come first; a top score comes with at most one polish note (a point of delivery, or a flag that
  does not rule the answer out), never a fix-it tip;
* a very short answer cannot reach the top score unless the question invites a short one, and the
  length tip is given only where length is the problem; nor can an answer that lacks (or only comes close
  to) something the question invites, so a top score never sits beside a tip that asks for more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..prompts import TableReader, read_toml

__all__ = ["Coaching", "QuestionCoaching", "load_coaching", "coaching_for", "Advice", "advise"]


@dataclass(frozen=True)
class QuestionCoaching:
    """For one kind of question: the signals whose tips fit, per round, most important first."""

    signals: dict[str, tuple[str, ...]]
    short_ok: bool = False
    """A short answer is apt (no length tip, no cap on the score)."""


@dataclass(frozen=True)
class Coaching:
    """``coaching.toml``."""

    questions: dict[str, QuestionCoaching]
    thresholds: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per signal: (``found_at``, ``missing_below``); a signal not listed uses the rubric's evidence
    threshold for both (no partly)."""
    top_score: int = 85
    short_words: int = 45
    max_tips: int = 3

    def for_question(self, question_type: str | None) -> QuestionCoaching:
        """The rules for a kind of question (``default`` for an unknown one)."""
        return self.questions.get(question_type or "default", self.questions["default"])


def load_coaching(path: str | Path, signal_ids: dict[str, set[str]], types: set[str]) -> Coaching:
    """Read ``coaching.toml``.

    Args:
        signal_ids: per round, the signal ids of the rubric (every listed signal must be one).
        types: the kinds of question of ``question_types.toml``.

    Raises:
        BadDataFile: naming the file, the table and the problem.
    """
    path = Path(path)
    data = read_toml(path)
    top = TableReader(path, "top level", data)
    top.unknown({"top_score", "short_words", "max_tips", "question", "signal"})
    questions = {}
    raw = top.get("question", dict)
    if "default" not in raw:
        top.fail("needs a [question.default] table")
    for qid, table in raw.items():
        r = TableReader(path, f"[question.{qid}]", table if isinstance(table, dict) else {})
        if not isinstance(table, dict):
            r.fail("must be a table")
        if qid != "default" and qid not in types:
            r.fail(f"{qid!r} is not a kind of question in question_types.toml")
        r.unknown({"hr", "hiring_manager", "short_ok"})
        signals = {}
        for rnd, ids in signal_ids.items():
            listed = tuple(r.strings(rnd, []))
            bad = [s for s in listed if s not in ids]
            if bad:
                r.fail(f"'{rnd}' names {bad[0]!r}, which is not a signal of that round")
            signals[rnd] = listed
        questions[qid] = QuestionCoaching(signals, r.get("short_ok", bool, False))
    thresholds = {}
    all_ids = set().union(*signal_ids.values())
    for sid, table in top.get("signal", dict, {}).items():
        r = TableReader(path, f"[signal.{sid}]", table if isinstance(table, dict) else {})
        if sid not in all_ids:
            r.fail(f"{sid!r} is not a signal of the rubric")
        r.unknown({"found_at", "missing_below"})
        found_at, missing_below = r.get("found_at", float), r.get("missing_below", float)
        if not 0 <= missing_below <= found_at <= 1.01:
            r.fail("needs 0 <= missing_below <= found_at <= 1.01 (1.01: never found)")
        thresholds[sid] = (found_at, missing_below)
    return Coaching(questions, thresholds, top.get("top_score", int, 85), top.get("short_words", int, 45),
                    top.get("max_tips", int, 3))


@lru_cache(maxsize=4)
def _cached(path: str, signals: tuple, types: tuple) -> Coaching:
    return load_coaching(path, {r: set(ids) for r, ids in signals}, set(types))


def coaching_for(rubric) -> Coaching:
    """The coaching rules that go with a rubric (read once per folder)."""
    signals = tuple((r, tuple(s.id for s in rubric.rounds[r].signals)) for r in rubric.rounds)
    types = tuple(t.id for t in rubric.question_types)
    return _cached(str(rubric.folder / "coaching.toml"), signals, types)


@dataclass(frozen=True)
class Advice:
    """The coaching for one answer."""

    tips: tuple[str, ...]
    status: dict[str, str] = field(default_factory=dict)
    """Per signal of the round asked: ``found``, ``partly``, ``missing`` or ``not_asked`` (the question does
    not invite it, so its absence is not held against the answer)."""
    score_cap: int | None = None
    """The highest score this answer may show (a short answer cannot reach the top)."""


def advise(rnd: str, question_type: str | None, signals: list, strengths: dict, flags: list, rubric, delivery,
           n_words: int, round_score: int, suits_round: bool, quoted: set[str] = frozenset()) -> Advice:
    """Tips and signal statuses for an answer in round ``rnd``.

    Args:
        signals: the rubric's signals of the round asked (``rubric.rounds[rnd].signals``).
        strengths: per signal id, each sentence's strength (numpy arrays).
        flags: the flags raised (``FlagResult``).
        delivery: the delivery figures (None without word timings).
        round_score: the answer's score for ``rnd`` before any cap.
        suits_round: whether the verdict says it suits ``rnd``.
        quoted: the signals a sentence is quoted for (quotes are fitted to be right 9 times in 10): shown, so
            the feedback never quotes a sentence beside "missing".
    """
    c = coaching_for(rubric)
    q = c.for_question(question_type)
    invited = q.signals[rnd]
    status = {}
    for s in signals:
        st = strengths[s.id]
        best = float(st.max()) if len(st) else 0.0
        found_at, missing_below = c.thresholds.get(s.id, (rubric.evidence_threshold, rubric.evidence_threshold))
        if best >= found_at or s.id in quoted:
            status[s.id] = "found"
        elif s.id not in invited:
            status[s.id] = "not_asked"
        else:
            status[s.id] = "missing" if best < missing_below else "partly"
    cap = None
    if n_words < c.short_words and not q.short_ok:
        cap = c.top_score - 1
    if any(status[s] == "missing" for s in invited if s in status):
        cap = c.top_score - 1  # no top score while something the question invites is missing
    top = min(round_score, cap if cap is not None else 100) >= c.top_score and suits_round
    by_id = {s.id: s for s in signals}
    flag_tips = [rubric.flags[f.id].tip for f in sorted((f for f in flags if rnd in f.rounds),
                                                        key=lambda f: not rubric.flags[f.id].disqualifies)]
    gaps = [by_id[sid].tip if status.get(sid) == "missing" else by_id[sid].partly_tip for sid in invited
            if status.get(sid) == "missing" or (status.get(sid) == "partly" and by_id[sid].partly_tip)]
    notes = [n for n in (delivery.notes if delivery else ()) if not (q.short_ok and n == rubric.delivery.tip_short)]
    if n_words < c.short_words and not q.short_ok and not top and rubric.delivery.tip_short not in notes:
        notes.append(rubric.delivery.tip_short)  # why it cannot reach the top, said once
    if top:  # a polish note at most: a flag that does not rule the answer out, or a point of delivery
        tips = (flag_tips or notes)[:1]
    else:
        tips = flag_tips + gaps + notes
    return Advice(tuple(dict.fromkeys(tips))[:c.max_tips], status, cap)
