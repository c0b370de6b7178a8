#!/usr/bin/env python
"""Benchmark: median time to evaluate one answer (target under 10 ms), over the labelled answers.

Usage: .venv/bin/python scripts/bench_evaluate.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from eval_labelled import load
from voicecoach.rules.evaluate import evaluate
from voicecoach.rules.rubric import default_rubric


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    answers = load()
    t = time.perf_counter()
    default_rubric()
    print(f"rubric load (once per process): {1000 * (time.perf_counter() - t):.1f} ms")
    times = []
    for _ in range(args.repeat):
        for a in answers:
            t = time.perf_counter()
            evaluate(a["text"], a["round"])
            times.append(time.perf_counter() - t)
    times.sort()
    print(f"evaluate(): median {1000 * statistics.median(times):.2f} ms, "
          f"p95 {1000 * times[int(0.95 * len(times))]:.2f} ms over {len(times)} calls "
          f"({len(answers)} answers x {args.repeat})")


if __name__ == "__main__":
    main()
