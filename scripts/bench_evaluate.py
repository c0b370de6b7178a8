#!/usr/bin/env python
"""Benchmark of the rules module: accuracy of three approaches, and the time an evaluation takes.

Approaches, each with its decision model fitted on the train split and measured on dev (and on the
held-out test split with --test):
  structure  sentence structure and phrase lists only (first-person actions, results in words and
             numbers, questions, the rubric's phrases): the lexical baseline
  meaning    sentence embeddings only (the signals' example sentences)
  combined   both (what voicecoach uses)
Timing: one evaluation of a ~60-s answer (about 160 words) in this process, cold (its sentences not
yet embedded) and warm (embedded while the candidate was still speaking, as the practice session
does), and the time to load the embedding model and probes.

Usage: .venv/bin/python scripts/bench_evaluate.py [--test] [--runs 20]
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import fit_rubric as F  # noqa: E402

from voicecoach.rules.evaluate import evaluate  # noqa: E402
from voicecoach.rules.rubric import ROUNDS, default_rubric  # noqa: E402

APPROACHES = {"structure": frozenset({"structure"}), "meaning": frozenset({"meaning"}),
              "combined": frozenset({"meaning", "structure"})}
ANSWER_60S = (
    "um so in my last job the night shift kept missing the six o'clock trunk to the north depot like two or three "
    "times a week and my manager asked me to sort it so first i pulled the scanner data for a month and mapped when "
    "each order was picked and packed and it turned out the packing bench was the bottleneck not the pickers so i "
    "moved two of our fastest pickers onto packing from four o'clock and i changed the wave plan so the north orders "
    "were released first rather than last. I sat down with the team leaders to explain why, because people hate "
    "being moved about, and we agreed to try it for two weeks. After a month we hadn't missed a single trunk and "
    "overtime on nights was down by about a third, and the two pickers actually asked to stay on packing.")


def scores(split: list[dict], rubric, channels) -> dict:
    """Accuracy of `suits` and the package flag's misses and false alarms."""
    right, confusion, miss, false = 0, collections.Counter(), 0, 0
    for a in split:
        ev = evaluate(a["text"], a["round"], question=a["question"], rubric=rubric, channels=channels)
        right += ev.suits == a["suits"]
        confusion[(a["suits"], ev.suits)] += 1
        flagged = any(f.id == "negotiates_package" for f in ev.flags)
        miss += a["negotiates"] and not flagged
        false += flagged and not a["negotiates"]
    return {"accuracy": right / len(split), "right": right, "n": len(split), "miss": miss, "false": false,
            "positives": sum(a["negotiates"] for a in split), "confusion": confusion}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--test", action="store_true", help="also report the held-out test split")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    t = time.perf_counter()
    base = default_rubric()
    evaluate("warm up the model.", "hr", rubric=base)
    load_s = time.perf_counter() - t
    train = F.load("train")
    splits = {"dev": F.load("dev")} | ({"test": F.load("test")} if args.test else {})
    names = F.feature_names(base)
    print(f"labelled answers: train {len(train)}, " + ", ".join(f"{k} {len(v)}" for k, v in splits.items()))
    for name, channels in APPROACHES.items():
        x = F.features(train, base, channels)
        rubric = replace(base, models=F.fit(x, train, names, 0.3))
        for split, answers in splits.items():
            s = scores(answers, rubric, channels)
            print(f"{name:<10} {split}: suits {s['right']}/{s['n']} = {s['accuracy']:.1%}; package flag: "
                  f"{s['miss']} missed of {s['positives']}, {s['false']} false alarms of {s['n'] - s['positives']}")
            if name == "combined":
                labels = ("hr", "hiring_manager", "both", "neither")
                print("           confusion (rows: label, columns: verdict " + " ".join(labels) + ")")
                for want in labels:
                    print(f"           {want:<15}" + " ".join(f"{s['confusion'][(want, got)]:>4}" for got in labels))
    words = len(ANSWER_60S.split())
    from voicecoach.rules.embed import default_encoder

    cold, warm = [], []
    for i in range(args.runs):
        default_encoder()._cache.clear()
        t = time.perf_counter()
        evaluate(ANSWER_60S, "hiring_manager", question="Tell me about a problem you solved.")
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        evaluate(ANSWER_60S, "hiring_manager", question="Tell me about a problem you solved.")
        warm.append(time.perf_counter() - t)
    print(f"evaluation of a {words}-word answer (~60 s spoken): cold median {statistics.median(cold) * 1000:.1f} ms "
          f"(worst {max(cold) * 1000:.1f}), warm (sentences embedded while speaking) median "
          f"{statistics.median(warm) * 1000:.1f} ms (worst {max(warm) * 1000:.1f}); {args.runs} runs")
    print(f"loading the embedding model and the probes (first evaluation): {load_s:.2f} s")
    print("package flag threshold-free; decision thresholds:", {r: base.models[r].threshold for r in ROUNDS})
    _ = np


if __name__ == "__main__":
    main()
