"""What the candidate reads around the verdict: which signals are missing, the tips, the capped scores.

Consistent by construction:

* a signal is *missing* only when no sentence comes near it (``near_at``); when one does, it is *close*,
  and the tip quotes that sentence and says what to sharpen in it instead of asking for it again;
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
    near_at: float = 0.3
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
    top.unknown({"near_at", "top_score", "short_words", "max_tips", "question"})
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
    near_at = top.get("near_at", float, 0.3)
    if not 0 < near_at < 1:
        top.fail("'near_at' must be between 0 and 1")
    return Coaching(questions, near_at, top.get("top_score", int, 85), top.get("short_words", int, 45),
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
    """Per signal of the round asked: ``found``, ``close``, ``missing`` or ``not_asked`` (the question does
    not invite it, so its absence is not held against the answer)."""
    near: dict[str, int] = field(default_factory=dict)
    """Per close signal: the index of the sentence that comes nearest."""
    score_cap: int | None = None
    """The highest score this answer may show (a short answer cannot reach the top)."""


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split()).strip(" ,.;:")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "..."


_NEAR_SHAPES = {"results": ("later",), "actions": ()}
"""Where a sentence must stand to come near a signal with a structure check: a result comes after the first
thing the candidate did (the scene of a story is not its outcome)."""


def _near(s, st, shapes: dict | None, near_at: float, strongest) -> int | None:
    """The sentence that comes nearest to signal ``s`` (None when none is near enough, or none could be it).
    A sentence comes near only the signal it carries most strongly among those the question invites and the answer has not yet got (``strongest``:
    per sentence, their highest strength), so one sentence is not quoted for everything it half-says."""
    import numpy as np

    ok = (np.asarray(st) >= near_at) & (np.asarray(st) >= strongest - 0.05)
    if shapes is not None:
        for shape in s.quote_unless:
            ok &= ~shapes[shape]
        for shape in _NEAR_SHAPES.get(s.detector or "", ()):
            ok &= shapes[shape]
    if not ok.any():
        return None
    return int(np.argmax(np.where(ok, st, -1.0)))


def advise(rnd: str, question_type: str | None, signals: list, strengths: dict, unit_texts: list[str],
           flags: list, rubric, delivery, n_words: int, round_score: int, suits_round: bool,
           shapes: dict | None = None) -> Advice:
    """Tips and signal statuses for an answer in round ``rnd``.

    Args:
        signals: the rubric's signals of the round asked (``rubric.rounds[rnd].signals``).
        strengths: per signal id, each sentence's strength (numpy arrays).
        unit_texts: the answer's sentences.
        flags: the flags raised (``FlagResult``).
        delivery: the delivery figures (None without word timings).
        round_score: the answer's score for ``rnd`` before any cap.
        suits_round: whether the verdict says it suits ``rnd``.
        shapes: per shape of sentence (``rubric.SHAPES``), which sentences have it: a sentence of a shape the
            signal never quotes cannot come near it either.
    """
    c = coaching_for(rubric)
    q = c.for_question(question_type)
    invited = q.signals[rnd]
    found_at = rubric.evidence_threshold
    status, near = {}, {}
    import numpy as np

    # Sentences are shared out among the signals the answer has not yet got: each to the one it carries most.
    open_ = [strengths[s.id] for s in signals
             if s.id in invited and (strengths[s.id].max() if len(strengths[s.id]) else 0) < found_at]
    strongest = np.max(open_, axis=0) if open_ and unit_texts else np.zeros(len(unit_texts))
    for s in signals:
        st = strengths[s.id]
        best = float(st.max()) if len(st) else 0.0
        if best >= found_at:
            status[s.id] = "found"
        elif s.id not in invited:
            status[s.id] = "not_asked"
        else:
            i = _near(s, st, shapes, c.near_at, strongest)
            status[s.id] = "missing" if i is None else "close"
            if i is not None:
                near[s.id] = i
    cap = None
    if n_words < c.short_words and not q.short_ok:
        cap = c.top_score - 1
    if any(status[s] in ("missing", "close") for s in invited if s in status):
        cap = c.top_score - 1  # a top score only when everything the question invites is there
    top = min(round_score, cap if cap is not None else 100) >= c.top_score and suits_round
    by_id = {s.id: s for s in signals}
    flag_tips = [rubric.flags[f.id].tip for f in sorted((f for f in flags if rnd in f.rounds),
                                                        key=lambda f: not rubric.flags[f.id].disqualifies)]
    sharpen = {sid: by_id[sid].sharpen.format(quote=_quote(unit_texts[near[sid]])) for sid in near}
    gaps = [sharpen[sid] if sid in sharpen else by_id[sid].tip for sid in invited
            if status.get(sid) in ("close", "missing")]
    notes = [n for n in (delivery.notes if delivery else ()) if not (q.short_ok and n == rubric.delivery.tip_short)]
    if n_words < c.short_words and not q.short_ok and not top and rubric.delivery.tip_short not in notes:
        notes.append(rubric.delivery.tip_short)  # why it cannot reach the top, said once
    if top:  # a polish note at most: a flag that does not rule the answer out, or a point of delivery
        tips = (flag_tips or notes)[:1]
    else:
        tips = flag_tips + gaps + notes
    return Advice(tuple(dict.fromkeys(tips))[:c.max_tips], status, near, cap)
