#!/usr/bin/env python
"""Fit the rubric's decision model on the train split and write prompts/rubric/model.toml.

The decision is one logistic regression per round over the answer's features (each signal's
strength, claims, flags by meaning, length, what the question invites). Targets come from the
labels in tests/data/answers.toml: an answer suits HR when labelled `hr` or `both`, the hiring
manager when `hiring_manager` or `both`. Answers that negotiate the package are left out of the HR
fit (the package flag disqualifies them by rule, whatever their features). Only the `train` split is
used; the figures for `dev` are printed for information and must not be used to tune anything.

Usage: .venv/bin/python scripts/fit_rubric.py [--dry-run] [--l2 1.0]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import tomllib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voicecoach.rules.evaluate import CHANNELS, analyse  # noqa: E402
from voicecoach.rules.meaning import logistic_fit  # noqa: E402
from voicecoach.rules.rubric import ROUNDS, RoundModel, default_rubric  # noqa: E402

ANSWERS = ROOT / "tests" / "data" / "answers.toml"
GENERAL = ("claims", "words", "invited", "relevance", "hr_share", "hiring_manager_share")


def load(split: str | None = None) -> list[dict]:
    """The labelled answers (of one split)."""
    answers = tomllib.loads(ANSWERS.read_text())["answer"]
    return [a for a in answers if split is None or a["split"] == split]


def feature_names(rubric) -> list[str]:
    """Every feature the decision models use: the signals, the flags judged by meaning, and the rest."""
    flags = [f.id for f in rubric.flags.values() if f.kind == "meaning"]
    invited = [f"invited_{t.id}" for t in rubric.question_types]
    counts = [f"{s.id}_count" for s in rubric.signals]
    return [s.id for s in rubric.signals] + flags + list(GENERAL) + invited + counts


def features(answers: list[dict], rubric, channels=CHANNELS) -> np.ndarray:
    """[answers, features] matrix."""
    names = feature_names(rubric)
    rows = []
    for a in answers:
        an = analyse(a["text"], a.get("question"), rubric, channels)
        rows.append([an.features.get(n, 0.0) for n in names])
    return np.array(rows, np.float64)


def targets(answers: list[dict]) -> dict[str, np.ndarray]:
    """Per round: 1 when the label says the answer suits it."""
    return {"hr": np.array([a["suits"] in ("hr", "both") for a in answers], float),
            "hiring_manager": np.array([a["suits"] in ("hiring_manager", "both") for a in answers], float)}


def fit(x: np.ndarray, answers: list[dict], names: list[str], l2: float) -> dict[str, RoundModel]:
    """One logistic model per round (HR without the answers that negotiate the package)."""
    y = targets(answers)
    models = {}
    for rnd in ROUNDS:
        keep = np.array([not (rnd == "hr" and a["negotiates"]) for a in answers])
        yy = y[rnd][keep]
        w = np.where(yy == 1, 0.5 / yy.mean(), 0.5 / (1 - yy.mean()))
        coef, bias = logistic_fit(x[keep].astype(np.float32), yy, w, l2=l2, iters=50)
        models[rnd] = RoundModel(round(bias, 3), {n: round(float(c), 3) for n, c in zip(names, coef)}, 0.5)
    return models


def predict(x: np.ndarray, models: dict[str, RoundModel], names: list[str]) -> dict[str, np.ndarray]:
    """Per round: probability of suiting it."""
    out = {}
    for rnd, m in models.items():
        z = m.bias + x @ np.array([m.weights.get(n, 0.0) for n in names])
        out[rnd] = 1 / (1 + np.exp(-z))
    return out


def write_model(models: dict[str, RoundModel], path: Path, n_train: int, l2: float) -> None:
    """model.toml, with a header saying how it was made."""
    lines = ["# The decision: per round, P(the answer suits it) = logistic(bias + sum of weight x feature).",
             "# Features: each signal's strength (0-1, its strongest sentence), `claims` (share of sentences that",
             "# are claims with nothing behind them), the meaning flags' strengths, `words` (length, 0 at 12 words,",
             "# 1 at 200), `invited` (the strength of what the question invites), `relevance` (how close the answer",
             "# is to the question).",
             f"# Written by scripts/fit_rubric.py from the {n_train} train answers of tests/data/answers.toml",
             f"# (L2 {l2}). Edit by hand if you like; rerun the script to refit.", "",
             "evidence_threshold = 0.6", ""]
    for rnd, m in models.items():
        lines += [f"[{rnd}]", f"bias = {m.bias}", f"threshold = {m.threshold}", f"[{rnd}.weights]"]
        lines += [f"{k} = {v}" for k, v in m.weights.items()]
        lines.append("")
    old = path.read_text() if path.is_file() else ""
    quoting = old[old.index("# Quoting"):] if "# Quoting" in old else ""  # kept as it is (scripts/fit_quotes.py)
    path.write_text("\n".join(lines) + quoting)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dry-run", action="store_true", help="print, do not write model.toml")
    ap.add_argument("--l2", type=float, default=0.3)
    args = ap.parse_args()
    rubric = default_rubric()
    names = feature_names(rubric)
    train = load("train")
    x = features(train, rubric)
    models = fit(x, train, names, args.l2)
    p = predict(x, models, names)
    y = targets(train)
    for rnd in ROUNDS:
        acc = ((p[rnd] >= 0.5) == (y[rnd] == 1)).mean()
        print(f"train {rnd}: {acc:.1%} of binary decisions right")
        print("   ", ", ".join(f"{k} {v:+.2f}" for k, v in sorted(models[rnd].weights.items(), key=lambda kv: -abs(kv[1]))))
    if not args.dry_run:
        write_model(models, ROOT / "prompts" / "rubric" / "model.toml", len(train), args.l2)
        print("wrote prompts/rubric/model.toml")


if __name__ == "__main__":
    main()
