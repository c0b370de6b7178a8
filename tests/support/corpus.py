"""The labelled answers of tests/data/answers/ (and the held-out ones), with their writer and split."""

from __future__ import annotations

from pathlib import Path

import tomllib

__all__ = ["SPLITS", "load", "writers"]

DATA = Path(__file__).resolve().parents[1] / "data"
SPLITS = {
    "train": ("w1", "w2", "w3", "w8", "w9", "w11", "w12", "w13", "w14", "w15", "w18", "w19", "w20", "w21", "w22",
              "w23", "w24", "w25", "w26", "w27", "w28", "w29", "w30", "w31"),
    "dev": ("w4", "w5", "w6", "w7", "w10"),
    "test": ("w16", "w17"),
}
"""Which writers are in which split (see tests/data/answers/README.md)."""


def _split_of(writer: str) -> str:
    return next(s for s, ws in SPLITS.items() if writer in ws)


def load(*splits: str) -> list[dict]:
    """Every labelled answer of the given splits (default: train and dev), each with ``writer`` and ``split``."""
    splits = splits or ("train", "dev")
    out = []
    for split in splits:
        folder = DATA / ("heldout" if split == "test" else "answers")
        for writer in SPLITS[split]:
            path = folder / f"{writer}.toml"
            if not path.is_file():
                raise FileNotFoundError(f"{path} is missing")
            for a in tomllib.loads(path.read_text())["answer"]:
                out.append({**a, "writer": writer, "split": split})
    return out


def writers(answers: list[dict]) -> list[str]:
    """The writers of ``answers``, in order of first appearance."""
    return list(dict.fromkeys(a["writer"] for a in answers))
