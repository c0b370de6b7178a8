#!/usr/bin/env python
"""Fit, per signal, when the coach says it is shown, partly there, or missing; write them to coaching.toml.

The evaluator gives each signal a strength (its strongest sentence, 0-1). One threshold for every signal
was wrong both ways: methods and transferable skills read as clearly shown from about 0.45, while a
"found" motivation at 0.75 is often generic ("I love helping people") and values are hardly ever tied to
the employer. So each signal gets its own two thresholds, fitted on blind judgments of train answers
(tests/data/coaching_judged.json: two judges per item rated whether the answer shows the signal, present /
partly / absent, without seeing the rubric or the strengths):

* ``found_at``: the lowest strength from which at least --found-precision of the answers are judged to
  show it (both judges present, or present and partly);
* ``missing_below``: the highest strength under which at least --missing-precision of the answers are
  judged not to show it clearly (not judged present: the tip asking for it is then apt), no higher than
  ``found_at``.

Between the two the signal is "partly there": no claim that it is missing, and no tip unless the signal has
a ``partly_tip`` (hr.toml / hiring_manager.toml). Train answers only: the dev writers stay unseen, and the
dev measure is a fresh blind judging (NOTES.md, "Coaching").

Usage: .venv/bin/python scripts/fit_coaching.py [--found-precision 0.85] [--missing-precision 0.8] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.corpus import load  # noqa: E402

from voicecoach.rules.evaluate import evaluate  # noqa: E402

DATA = ROOT / "tests" / "data" / "coaching_judged.json"
COACHING = ROOT / "prompts" / "rubric" / "coaching.toml"
VALUE = {"present": 1.0, "partly": 0.5, "absent": 0.0}
BEGIN, END = "# --- per-signal thresholds: written by scripts/fit_coaching.py ---", "# --- end of fitted thresholds ---"
MIN_SUPPORT = 6
"""Answers on the right side of a threshold needed before its precision counts."""
PRIOR_MISSING = 0.4
"""``missing_below`` where too few weak answers were judged to fit one: the earlier rule (no sentence at 0.4)."""
WINDOW, LOCAL = 0.15, 0.75
"""The strengths just beside a threshold, and the precision they need."""


def judged() -> list[tuple[str, float, float]]:
    """(signal, strength now, judged value 0-1 averaged over the judges) per judged item."""
    items = json.loads(DATA.read_text())["items"]
    answers = {a["id"]: a for a in load("train")}
    cache: dict[str, dict[str, float]] = {}
    rows = []
    for it in items:
        a = answers[it["answer"]]
        if a["id"] not in cache:
            ev = evaluate(a["text"], a["round"], question=a["question"])
            cache[a["id"]] = {s.id: s.strength for s in ev.signals}
        rows.append((it["signal"], cache[a["id"]][it["signal"]], float(np.mean([VALUE[r] for r in it["ratings"]]))))
    return rows


def fit(strength: np.ndarray, value: np.ndarray, found_p: float, missing_p: float):
    """``found_at`` and ``missing_below`` (None where the judgments do not support one), each with its
    precision and support on these items.

    A threshold must hold both over everything on its side (``found_p`` / ``missing_p``) and just beside it
    (the ``WINDOW`` of strength next to it, at ``LOCAL``): otherwise the many clear cases far from it would
    carry a threshold set where the answers near it are a toss-up.
    """
    shown, not_shown = value >= 0.75, value < 0.75
    grid = np.round(np.arange(0.30, 0.96, 0.01), 2)
    found = None
    for t in grid:
        side, near = strength >= t, (strength >= t) & (strength < t + WINDOW)
        if side.sum() >= MIN_SUPPORT and near.sum() >= MIN_SUPPORT // 2 and shown[side].mean() >= found_p \
                and shown[near].mean() >= LOCAL:
            found = (float(t), float(shown[side].mean()), int(side.sum()))
            break
    top = found[0] if found else 1.01
    missing = None
    for t in grid[grid <= top][::-1]:
        side, near = strength < t, (strength < t) & (strength >= t - WINDOW)
        if side.sum() >= MIN_SUPPORT and near.sum() >= MIN_SUPPORT // 2 and not_shown[side].mean() >= missing_p \
                and not_shown[near].mean() >= LOCAL:
            missing = (float(t), float(not_shown[side].mean()), int(side.sum()))
            break
    return found, missing


def write(fitted: dict[str, tuple[float, float]], note: str) -> None:
    text = COACHING.read_text()
    block = [BEGIN, f"# {note}"]
    for sid, (found_at, missing_below) in fitted.items():
        block += [f"[signal.{sid}]", f"found_at = {found_at:.2f}", f"missing_below = {missing_below:.2f}", ""]
    block = "\n".join(block).rstrip() + "\n" + END
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    COACHING.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--found-precision", type=float, default=0.85)
    ap.add_argument("--missing-precision", type=float, default=0.8)
    ap.add_argument("--dry-run", action="store_true", help="print, do not write coaching.toml")
    args = ap.parse_args()
    rows = judged()
    fitted = {}
    print(f"{len(rows)} judged items (train answers); precision on them, support in brackets")
    print(f"{'signal':24} {'found_at':>8} {'shown':>12} {'missing<':>9} {'not shown':>12}  between")
    for sid in dict.fromkeys(r[0] for r in rows):
        st = np.array([r[1] for r in rows if r[0] == sid])
        v = np.array([r[2] for r in rows if r[0] == sid])
        if len(st) < 3 * MIN_SUPPORT:
            print(f"{sid:24} {len(st)} items: too few, keeps the rubric's evidence threshold")
            continue
        found, missing = fit(st, v, args.found_precision, args.missing_precision)
        # No threshold the judgments support: never "found" (values: judges want the link to this employer,
        # which the strength does not tell), or "missing" below the prior (too few weak answers were judged).
        found_at = found[0] if found else 1.01
        missing_below = missing[0] if missing else min(found_at, PRIOR_MISSING)
        fitted[sid] = (found_at, missing_below)
        between = int(((st >= missing_below) & (st < found_at)).sum())
        f_txt = f"{found[1]:7.0%} ({found[2]:3d})" if found else "   none      "
        m_txt = f"{missing[1]:7.0%} ({missing[2]:3d})" if missing else "   none      "
        print(f"{sid:24} {found_at:8.2f} {f_txt} {missing_below:9.2f} {m_txt}  {between}")
    if not args.dry_run:
        write(fitted, f"precision targets: shown {args.found_precision:.0%}, missing {args.missing_precision:.0%}; "
                      f"{len(rows)} judged train items")
        print(f"wrote {COACHING.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
