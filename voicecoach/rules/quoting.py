"""Which sentences are quoted as evidence: the ones a coach would underline.

Presentation only: whether a signal is found, and the verdict, come from the strengths before this.
A sentence is quoted for a signal when it reaches the signal's ``quote_at``, its shape is not one of
the signal's ``quote_unless``, an action or result is confirmed by the structure check (or very
strong), and it is among the few signals the sentence carries most strongly. ``scripts/fit_quotes.py``
fits ``quote_at`` and ``quote_unless`` on quotes judged by hand.
"""

from __future__ import annotations

import re

import numpy as np

from .language import claims, is_question, main_actions
from .numbers import CHANGE_RE, result_phrases
from .rubric import Rubric
from .text import Span

__all__ = ["shapes", "quoted_units"]

_FINDING = re.compile(r"\b(?:found|find|showed|shows|show|realised|realized|noticed|turned out|discovered|"
                      r"was|were)\b", re.IGNORECASE)


def shapes(text: str, us: list[Span], cleaned: list[str]) -> dict[str, np.ndarray]:
    """Each shape of ``SHAPES``: which units have it. An action is the candidate's own (not one that sets
    the scene, "when I joined, we had...", nor a wish, nor a question)."""
    asks = np.array([is_question(c) or text[u.end:u.end + 1] == "?" for u, c in zip(us, cleaned)], dtype=bool)
    acts = np.array([bool(main_actions(c)) and not claims(c) for c in cleaned], dtype=bool) & ~asks
    first = int(np.argmax(acts)) if acts.any() else len(us)
    where = np.arange(len(us))
    change = np.array([bool(CHANGE_RE.search(c)) for c in cleaned], dtype=bool)
    finding = np.array([bool(_FINDING.search(c)) for c in cleaned], dtype=bool) & ~change
    return {"actions": acts, "results": np.array([bool(result_phrases(c)) for c in cleaned], dtype=bool),
            "question": asks, "scene": (where < first) & ~change, "later": where >= first, "finding": finding}


def quoted_units(strengths: dict[str, np.ndarray], shape: dict[str, np.ndarray] | None,
                 rubric: Rubric) -> dict[str, list[int]]:
    """Which units each signal quotes, strongest first.

    The strongest qualifying unit is quoted; others only at ``more_at``. A unit is quoted for at most
    ``signals_per_sentence`` signals, those it carries most strongly, so one sentence does not stand as
    the evidence of everything. A question is quoted only as asking.
    """
    q, shape = rubric.quoting, shape or {}
    cands: dict[str, list[int]] = {}
    for s in rubric.signals:
        st = strengths[s.id]
        thr = rubric.evidence_threshold if s.quote_at is None else s.quote_at
        ok = shape.get(s.detector) if s.detector in ("actions", "results") else None
        never = np.zeros(len(st), dtype=bool)
        if s.detector != "question":
            never |= shape.get("question", never)
        for name in s.quote_unless:
            never |= shape.get(name, never)
        cands[s.id] = [int(i) for i in np.argsort(-st, kind="stable") if st[i] >= thr and not never[i]
                       and (ok is None or ok[i] or st[i] >= q.unchecked_at)]
    per_unit: dict[int, list[tuple[float, str]]] = {}
    for sid, idx in cands.items():
        for i in idx:
            per_unit.setdefault(i, []).append((float(strengths[sid][i]), sid))
    allowed = {i: {sid for _p, sid in sorted(v, reverse=True)[:q.signals_per_sentence]} for i, v in per_unit.items()}
    out = {}
    for sid, idx in cands.items():
        idx = [i for i in idx if sid in allowed[i]]
        out[sid] = idx[:1] + [i for i in idx[1:] if strengths[sid][i] >= q.more_at][:q.per_signal - 1]
    return out
