#!/usr/bin/env python
"""Fit how evidence is quoted, on quotes judged by hand, and write it into
prompts/rubric/{hr,hiring_manager}.toml: each signal's `quote_unless` (shapes of sentence never quoted
for it) and `quote_at` (the strength at which a sentence is quoted).

The judged quotes are in tests/data/evidence_judged.json: candidate sentences of `train` answers
(every sentence at strength 0.6 or more, up to four per signal), each judged right or wrong by a
coach who had not read the rubric. For each signal:
1. a shape (``rubric.SHAPES``) goes into `quote_unless` when the signal's judged sentences of that
   shape are right less than half the time (at least eight of them);
2. then, with the structure check of actions and results applied (a sentence the check does not
   confirm is quoted only at `unchecked_at`, in model.toml's [quoting], chosen from 0.9, 0.95, never),
   `quote_at` maximises
   right - LAMBDA x wrong over the quotes it keeps, and LAMBDA is the smallest for which all kept
   quotes together are right at least TARGET of the time (TARGET: the smallest of 0.90-0.96 whose
   quotes are right at least 90% of the time in three-fold cross-validation over the judged answers).
   A signal with no worthwhile threshold is
   quoted only at 0.95 or more.
Only the quoting changes: the verdict does not use it.

Usage: .venv/bin/python scripts/fit_quotes.py [--dry-run] [--target 0.9]
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

from voicecoach.rules.evaluate import analyse
from voicecoach.rules.rubric import SHAPES, default_rubric

JUDGED = ROOT / "tests" / "data" / "evidence_judged.json"
GRID = [round(x, 2) for x in np.arange(0.60, 0.96, 0.01)]
UNCHECKED = (0.9, 0.95, 1.01)
MIN_SHAPE = 8  # judged sentences of a shape needed before it can be ruled out for a signal


def judged_rows(rubric) -> list[dict]:
    """Every judged quote with its strength, its shapes and whether the structure check confirms it."""
    from support.corpus import load

    answers = {a["id"]: a for a in load("train", "dev")}
    data = json.loads(JUDGED.read_text())
    signals = {s.id: s for s in rubric.signals}
    rows, cache = [], {}
    for j in data["quotes"]:
        a = answers[j["answer"]]
        if a["split"] != "train":
            raise SystemExit(f"{j['answer']} is not a train answer: only train quotes may be used to fit")
        an = cache.get(a["id"]) or cache.setdefault(a["id"], analyse(a["text"], a["question"], rubric))
        i = next((k for k, u in enumerate(an.units) if u.text == j["text"]), None)
        if i is None:
            continue  # the sentence is cut differently now
        s = signals[j["signal"]]
        if s.detector != "question" and an.shapes["question"][i]:
            continue  # never quoted (a question shows only that the candidate asks)
        confirmed = bool(an.shapes[s.detector][i]) if s.detector in ("actions", "results") else True
        rows.append({"signal": s.id, "strength": float(an.strengths[s.id][i]), "confirmed": confirmed,
                     "ok": j["ok"], "shapes": {sh for sh in SHAPES if an.shapes[sh][i]}, "answer": a["id"]})
    return rows


def checked(rows: list[dict], unchecked_at: float) -> list[dict]:
    """The rows the structure check lets through: confirmed, or strong enough without it."""
    return [dict(r, checked=r["confirmed"] or r["strength"] >= unchecked_at) for r in rows]


def fit_unless(rows: list[dict], signal: str) -> tuple[str, ...]:
    mine = [r for r in rows if r["signal"] == signal and r["checked"]]
    out = []
    for sh in SHAPES:
        had = [r for r in mine if sh in r["shapes"]]
        if len(had) >= MIN_SHAPE and sum(r["ok"] for r in had) / len(had) < 0.5:
            out.append(sh)
    return tuple(out)


def best_threshold(mine: list[dict], lam: float) -> float:
    best, at = 0.0, 0.95
    for t in GRID:
        kept = [r for r in mine if r["strength"] >= t]
        gain = sum(1 if r["ok"] else -lam for r in kept)
        if gain > best:
            best, at = gain, t
    return at


def usable(rows: list[dict], unless: dict[str, tuple[str, ...]]) -> list[dict]:
    """The rows that may be quoted at all: the structure check lets them through, no excluded shape."""
    return [r for r in rows if r["checked"] and not r["shapes"] & set(unless[r["signal"]])]


def fit(rows: list[dict], signals, target: float):
    unless = {s: fit_unless(rows, s) for s in signals}
    allowed = usable(rows, unless)
    usable_by = {s: [r for r in allowed if r["signal"] == s] for s in signals}
    for lam in np.arange(1.0, 30.01, 0.25):
        at = {s: best_threshold(usable_by[s], lam) for s in signals}
        kept = [r for s in signals for r in usable_by[s] if r["strength"] >= at[s]]
        if kept and sum(r["ok"] for r in kept) / len(kept) >= target:
            return unless, at, lam, kept
    raise SystemExit(f"no setting reaches {target:.0%} on the judged quotes")


def write(path: Path, unless: dict[str, tuple[str, ...]], at: dict[str, float]) -> None:
    text = path.read_text()
    for sid, value in at.items():
        block = re.search(rf'^id = "{re.escape(sid)}"\n', text, re.MULTILINE)
        if not block:
            continue
        rest = re.sub(r'\A(?:quote_at = [0-9.]+\n|quote_unless = \[[^\]]*\]\n)*', "", text[block.end():])
        lines = f"quote_at = {value:.2f}\n"
        if unless[sid]:
            lines += "quote_unless = [" + ", ".join(f'"{u}"' for u in unless[sid]) + "]\n"
        text = text[:block.end()] + lines + rest
    path.write_text(text)


def fit_all(judged: list[dict], ids: list[str], target: float):
    """The best fit over the choices of `unchecked_at`: the one that quotes the most right sentences."""
    fits = []
    for unchecked_at in UNCHECKED:
        rows = checked(judged, unchecked_at)
        unless, at, lam, kept = fit(rows, ids, target)
        fits.append((sum(r["ok"] for r in kept), -unchecked_at, unless, at, lam, kept))
    _right, neg, unless, at, lam, kept = max(fits, key=lambda f: f[:2])
    return -neg, unless, at, lam, kept


def kept_by(rows: list[dict], unchecked_at: float, unless, at) -> list[dict]:
    return [r for r in usable(checked(rows, unchecked_at), unless) if r["strength"] >= at[r["signal"]]]


def cross_validate(judged: list[dict], ids: list[str], targets=(0.9, 0.92, 0.94, 0.96)) -> float:
    """Three folds by answer: fit on two, count the third's kept quotes; returns the smallest target whose
    held-out precision is at least 0.9 (the largest tried when none is)."""
    folds = sorted({r["answer"] for r in judged})
    fold = {a: i % 3 for i, a in enumerate(folds)}
    chosen = targets[-1]
    for target in targets:
        right = total = 0
        for k in range(3):
            train = [r for r in judged if fold[r["answer"]] != k]
            held = [r for r in judged if fold[r["answer"]] == k]
            unchecked_at, unless, at, _lam, _kept = fit_all(train, ids, target)
            kept = kept_by(held, unchecked_at, unless, at)
            right, total = right + sum(r["ok"] for r in kept), total + len(kept)
        print(f"  target {target:.2f}: held-out quotes right {right}/{total} = {right / max(total, 1):.1%}")
        if total and right / total >= 0.9 and chosen == targets[-1]:
            chosen = target
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--target", type=float, default=None,
                    help="precision the fit aims at on the judged quotes (default: chosen by cross-validation)")
    args = ap.parse_args()
    rubric = default_rubric()
    judged = judged_rows(rubric)
    ids = [s.id for s in rubric.signals]
    if args.target is None:
        print("choosing the target by three-fold cross-validation (by answer) on the judged train quotes:")
        args.target = cross_validate(judged, ids)
    print(f"target {args.target:.2f}")
    unchecked_at, unless, at, lam, kept = fit_all(judged, ids, args.target)
    print(f"unconfirmed actions and results quoted at {unchecked_at:.2f}")
    print(f"{len(judged)} judged train quotes, {sum(r['ok'] for r in judged)} right; "
          f"kept {len(kept)}, {sum(r['ok'] for r in kept)} right ({sum(r['ok'] for r in kept) / len(kept):.1%}), "
          f"lambda {lam:.2f}")
    for s in ids:
        mine = [r for r in kept if r["signal"] == s]
        print(f"  {s:24s} quote_at {at[s]:.2f}  unless {', '.join(unless[s]) or '-':28s} "
              f"kept {sum(r['ok'] for r in mine)}/{len(mine)} right")
    if not args.dry_run:
        for rnd in rubric.rounds.values():
            ours = [s.id for s in rnd.signals]
            write(rubric.folder / f"{rnd.round}.toml", {s: unless[s] for s in ours}, {s: at[s] for s in ours})
        model = rubric.folder / "model.toml"
        text = model.read_text()
        if not re.search(r"(?m)^unchecked_at = [0-9.]+", text):
            raise SystemExit(f"{model}: no 'unchecked_at = ' line under [quoting] to update")
        model.write_text(re.sub(r"(?m)^unchecked_at = [0-9.]+", f"unchecked_at = {min(unchecked_at, 1.0):.2f}", text))
        print("written to", rubric.folder)


if __name__ == "__main__":
    main()
