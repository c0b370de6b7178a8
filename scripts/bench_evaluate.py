#!/usr/bin/env python
"""Benchmark of the rules module: how often the verdict is right on answers its model never saw, how
sure it is, the package flag, and how long an evaluation takes.

Figures (every model here is fitted by scripts/fit_rubric.py's `fit`, never on the answers it is judged on):
  leave-one-writer-out  for each writer of train and dev, a model fitted on all the other writers judges
                        that writer's answers: the headline (writers differ more than answers do)
  dev                   a model fitted on the train writers judges the dev writers
  test (--test, once)   the model that ships (prompts/rubric/, fitted on train and dev) judges the held-out
                        writers of tests/data/heldout/
Approaches compared under leave-one-writer-out: the named features alone (signals, flags, question,
who the answer is about) and with the answer's overall meaning (what ships).
Calibration: expected calibration error of the verdict's confidence (10 bins), and how often borderline
verdicts are right. Timing: one evaluation of a ~60-s answer in this process, cold (its sentences not yet
embedded) and warm (embedded while the candidate was speaking, as in a session).

Usage: .venv/bin/python scripts/bench_evaluate.py [--test] [--runs 20] [--c 0.03]
"""

from __future__ import annotations

import argparse
import collections
import pickle
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "tests")]

import fit_rubric as F  # noqa: E402
from support.corpus import SPLITS, load, writers  # noqa: E402

from voicecoach.rules.embed import cache_dir, default_encoder  # noqa: E402
from voicecoach.rules.evaluate import evaluate  # noqa: E402
from voicecoach.rules.rubric import default_rubric  # noqa: E402

LABELS = ("hr", "hiring_manager", "both", "neither")
ANSWER_60S = (
    "um so in my last job the night shift kept missing the six o'clock trunk to the north depot like two or three "
    "times a week and my manager asked me to sort it so first i pulled the scanner data for a month and mapped when "
    "each order was picked and packed and it turned out the packing bench was the bottleneck not the pickers so i "
    "moved two of our fastest pickers onto packing from four o'clock and i changed the wave plan so the north orders "
    "were released first rather than last. I sat down with the team leaders to explain why, because people hate "
    "being moved about, and we agreed to try it for two weeks. After a month we hadn't missed a single trunk and "
    "overtime on nights was down by about a third, and the two pickers actually asked to stay on packing.")


class EmbeddingCache:
    """Sentence embeddings kept on disk between runs of the benchmark (a convenience: the same numbers)."""

    def __init__(self) -> None:
        self.path = cache_dir() / "bench-embeddings.pkl"
        self.enc = default_encoder()

    def __enter__(self):
        self.enc._cache_size = 10 ** 7
        if self.path.is_file():
            self.enc._cache.update(pickle.loads(self.path.read_bytes()))
        return self

    def __exit__(self, *exc) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_bytes(pickle.dumps(dict(self.enc._cache)))


def ece(conf: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the gap between confidence and accuracy, averaged over confidence bins."""
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        k = (conf > a) & (conf <= b)
        if k.any():
            total += k.mean() * abs(right[k].mean() - conf[k].mean())
    return float(total)


def report(name: str, answers: list[dict], decisions: list, flags: list[bool]) -> dict:
    """Print the figures of one set of judged answers; returns them."""
    labels = np.array([a["suits"] for a in answers])
    got = np.array([d.verdict for d in decisions])
    right = labels == got
    conf = np.array([d.confidence for d in decisions])
    border = np.array([d.borderline for d in decisions])
    neg = np.array([a["negotiates"] for a in answers])
    fl = np.array(flags)
    missed, false = int((neg & ~fl).sum()), int((~neg & fl).sum())
    print(f"{name}: verdict {right.sum()}/{len(right)} = {right.mean():.1%}; package flag {missed} missed of "
          f"{neg.sum()}, {false} false alarms of {(~neg).sum()}; confidence ECE {ece(conf, right):.3f}; borderline "
          f"{border.mean():.0%} of verdicts ({right[border].mean() if border.any() else 0:.0%} right), the others "
          f"{right[~border].mean() if (~border).any() else 0:.1%} right")
    return {"accuracy": right.mean(), "missed": missed, "false": false}


def confusion(answers: list[dict], decisions: list) -> None:
    """Rows: the label; columns: the verdict."""
    c = collections.Counter((a["suits"], d.verdict) for a, d in zip(answers, decisions))
    print("    label \\ verdict " + " ".join(f"{v[:8]:>8}" for v in LABELS))
    for want in LABELS:
        print(f"    {want:<17}" + " ".join(f"{c[(want, got)]:>8}" for got in LABELS))


def leave_one_writer_out(answers, feats, meaning, disq, c: float, use_meaning: bool = True) -> list:
    """Each writer judged by a model fitted on all the others."""
    out: list = [None] * len(answers)
    for w in writers(answers):
        fit_idx = [i for i, a in enumerate(answers) if a["writer"] != w]
        model = F.fit([feats[i] for i in fit_idx], meaning[fit_idx] if use_meaning else None,
                      [answers[i]["suits"] for i in fit_idx], c)
        for i, a in enumerate(answers):
            if a["writer"] == w:
                out[i] = F.verdicts(model, [feats[i]], meaning[[i]] if use_meaning else None, [disq[i]])[0]
    return out


def timing(runs: int) -> tuple[list[float], list[float]]:
    """Cold and warm evaluation times of a ~60-s answer, in seconds."""
    cold, warm = [], []
    q = "Tell me about a problem you solved."
    for _ in range(runs):
        default_encoder()._cache.clear()
        t = time.perf_counter()
        evaluate(ANSWER_60S, "hiring_manager", question=q)
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        evaluate(ANSWER_60S, "hiring_manager", question=q)
        warm.append(time.perf_counter() - t)
    return cold, warm


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--test", action="store_true", help="also judge the held-out writers (run once, at the end)")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--c", type=float, default=F.C_DEFAULT)
    args = ap.parse_args()
    t = time.perf_counter()
    rubric = default_rubric()
    evaluate("warm up the model.", "hr", rubric=rubric)
    load_s = time.perf_counter() - t
    answers = load("train", "dev")
    with EmbeddingCache():
        feats, meaning, disq = F.measure(answers, rubric)
        test = load("test") if args.test else []
        t_feats, t_meaning, t_disq = F.measure(test, rubric) if test else ([], None, [])
    flags = [bool(d.get("hr")) and "negotiates_package" in d["hr"] for d in disq]
    print(f"labelled answers: train {sum(a['split'] == 'train' for a in answers)} "
          f"({len(SPLITS['train'])} writers), dev {sum(a['split'] == 'dev' for a in answers)} "
          f"({len(SPLITS['dev'])} writers)" + (f", test {len(test)} ({len(SPLITS['test'])} writers)" if test else ""))
    print(f"\n== leave one writer out (train and dev writers, C {args.c})")
    named = leave_one_writer_out(answers, feats, meaning, disq, args.c, use_meaning=False)
    report("named features only", answers, named, flags)
    lowo = leave_one_writer_out(answers, feats, meaning, disq, args.c)
    report("named features and the answer's overall meaning (ships)", answers, lowo, flags)
    confusion(answers, lowo)
    by_writer = collections.defaultdict(list)
    for a, d in zip(answers, lowo):
        by_writer[a["writer"]].append(a["suits"] == d.verdict)
    print("    by writer: " + ", ".join(f"{w} {np.mean(v):.0%}" for w, v in by_writer.items()))
    by_register = collections.defaultdict(list)
    for a, d in zip(answers, lowo):
        by_register[a["register"]].append(a["suits"] == d.verdict)
    print("    by register: " + ", ".join(f"{r} {np.mean(v):.1%} ({len(v)})" for r, v in sorted(by_register.items())))
    print("\n== dev (fitted on the train writers)")
    tr = [i for i, a in enumerate(answers) if a["split"] == "train"]
    dv = [i for i, a in enumerate(answers) if a["split"] == "dev"]
    model = F.fit([feats[i] for i in tr], meaning[tr], [answers[i]["suits"] for i in tr], args.c)
    dev_dec = F.verdicts(model, [feats[i] for i in dv], meaning[dv], [disq[i] for i in dv])
    report("dev", [answers[i] for i in dv], dev_dec, [flags[i] for i in dv])
    confusion([answers[i] for i in dv], dev_dec)
    if test:
        print("\n== test (the model that ships, on the held-out writers)")
        shipped = F.verdicts(rubric.model, t_feats, t_meaning, t_disq)
        report("test", test, shipped, [bool(d.get("hr")) and "negotiates_package" in d["hr"] for d in t_disq])
        confusion(test, shipped)
    cold, warm = timing(args.runs)
    print(f"\nevaluation of a {len(ANSWER_60S.split())}-word answer (~60 s spoken): cold median "
          f"{statistics.median(cold) * 1000:.1f} ms (worst {max(cold) * 1000:.1f}), warm (sentences embedded while "
          f"speaking) median {statistics.median(warm) * 1000:.1f} ms (worst {max(warm) * 1000:.1f}); {args.runs} runs")
    print(f"loading the embedding model and the probes (first evaluation): {load_s:.2f} s")


if __name__ == "__main__":
    main()
