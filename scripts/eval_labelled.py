#!/usr/bin/env python
"""Accuracy of the rules module on the labelled answers in tests/data/labelled_answers.toml.

Prints each miss and the accuracy of `suits` and of the package-negotiation flag.
Usage: .venv/bin/python scripts/eval_labelled.py
"""

from __future__ import annotations

from pathlib import Path

import tomllib

from voicecoach.rules.evaluate import evaluate

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "labelled_answers.toml"


def load() -> list[dict]:
    """The labelled answers."""
    return tomllib.loads(LABELLED.read_text())["answer"]


def main() -> None:
    answers = load()
    suits_ok = flag_ok = 0
    for a in answers:
        ev = evaluate(a["text"], a["round"])
        negotiates = any(f.id == "negotiates_package" for f in ev.flags)
        s_ok, f_ok = ev.suits == a["suits"], negotiates == a["negotiates"]
        suits_ok += s_ok
        flag_ok += f_ok
        if not (s_ok and f_ok):
            print(f"MISS {a['id']}: suits {ev.suits} (want {a['suits']}), negotiates {negotiates} "
                  f"(want {a['negotiates']}), scores {ev.scores}, flags {[f.id for f in ev.flags]}")
    n = len(answers)
    print(f"suits accuracy: {suits_ok}/{n} = {suits_ok / n:.0%}")
    print(f"negotiates_package accuracy: {flag_ok}/{n} = {flag_ok / n:.0%}")


if __name__ == "__main__":
    main()
