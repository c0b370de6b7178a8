#!/usr/bin/env python
"""How well the job advert's key terms match what a recruiter would underline.

tests/data/adverts/ holds 30 adverts in 30 occupations (UK and US boards, text and Markdown) whose key
terms were labelled by a writer who never saw the extractor (key_terms.toml: 8-15 terms each, copied from
the advert: skills, tools, qualifications, duties, values). Adverts 01-15 are `train` (looked at while the
extractor was improved), 16-30 `dev` (only measured).

A found term counts as right when it matches a labelled one: the same words, or one inside the other, or
half their words shared (so "medication administration" matches "safe medication administration").
Precision: found terms that are right; recall: labelled terms found.

Usage: .venv/bin/python scripts/bench_keyterms.py [--show]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voicecoach.tailoring.documents import read_document  # noqa: E402
from voicecoach.tailoring.job import job_profile  # noqa: E402

ADVERTS = ROOT / "tests" / "data" / "adverts"
_WORD = re.compile(r"[a-z0-9+#]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def matches(found: str, label: str) -> bool:
    """Does a found term stand for a labelled one?"""
    f, g = _words(found), _words(label)
    if not f or not g:
        return False
    fs, gs = " ".join(f), " ".join(g)
    if fs == gs or f" {fs} " in f" {gs} " or f" {gs} " in f" {fs} ":
        return True
    return len(set(f) & set(g)) / len(set(f) | set(g)) >= 0.5


def score(split: str | None = None, show: bool = False) -> dict[str, tuple[int, int, int, int]]:
    """Per split: (right found, found, labels found, labels)."""
    data = tomllib.loads((ADVERTS / "key_terms.toml").read_text())["advert"]
    totals: dict[str, list[int]] = {}
    for ad in data:
        if split and ad["split"] != split:
            continue
        text = read_document(str(ADVERTS / ad["file"]))
        found = [t.text for t in job_profile(text).terms]
        labels = [t["text"] for t in ad["term"]]
        right = [f for f in found if any(matches(f, g) for g in labels)]
        hit = [g for g in labels if any(matches(f, g) for f in found)]
        t = totals.setdefault(ad["split"], [0, 0, 0, 0])
        for k, v in enumerate((len(right), len(found), len(hit), len(labels))):
            t[k] += v
        if show:
            print(f"{ad['file']} ({ad['split']}): precision {len(right)}/{len(found)}, recall {len(hit)}/{len(labels)}")
            print("   found:  ", "; ".join(f + ("" if f in right else " (x)") for f in found))
            print("   missed: ", "; ".join(g for g in labels if g not in hit))
    return {k: tuple(v) for k, v in totals.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true", help="every advert's terms (train adverts only)")
    args = ap.parse_args()
    if args.show:
        score("train", show=True)
    for split, (right, found, hit, labels) in sorted(score().items(), key=lambda kv: kv[0] != "train"):
        print(f"{split}: precision {right}/{found} = {right / max(found, 1):.0%}, recall {hit}/{labels} = "
              f"{hit / max(labels, 1):.0%}")


if __name__ == "__main__":
    main()
