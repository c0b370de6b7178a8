"""Judging sentences by meaning: a small linear probe per signal over sentence embeddings.

Each signal (and each flag judged by meaning) is defined in ``prompts/rubric/`` by example sentences
and counter-examples. When the rubric is loaded, every example is embedded (``embed.py``) and one
L2-regularised logistic regression per signal is fitted: that signal's examples against its
counter-examples and, more lightly, the other signals' examples. The fit takes well under a second
and is cached (``$VOICECOACH_CACHE/meaning``) under a hash of the example text, so editing an example
refits on the next start. A sentence of an answer then gets, for every signal, the probability that
it carries it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass

import numpy as np

from .embed import Encoder, cache_dir, default_encoder
from .rubric import QuestionType, Rubric

__all__ = ["Meaning", "meaning_for", "logistic_fit"]

OTHER_WEIGHT = 0.3
"""Weight of other signals' examples as negatives (a sentence can carry several signals)."""
L2 = 1.0
VERSION = "meaning-v2"


def logistic_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2,
                 iters: int = 30) -> tuple[np.ndarray, float]:
    """Weighted L2-regularised logistic regression by Newton's method; returns (weights, bias)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1), x.dtype)]).astype(np.float64)
    theta = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 1e-6  # the bias is not shrunk
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ theta, -30, 30)))
        grad = xb.T @ (w * (p - y)) + reg * theta
        hess = (xb * (w * p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.abs(step).max() < 1e-6:
            break
    return theta[:-1].astype(np.float32), float(theta[-1])


@dataclass(frozen=True)
class _Class:
    id: str
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]


class Meaning:
    """Per-sentence probabilities for every signal and meaning-flag of a rubric."""

    def __init__(self, rubric: Rubric, encoder: Encoder | None = None) -> None:
        self.rubric = rubric
        self.encoder = encoder or default_encoder()
        classes = [_Class(s.id, s.examples, s.counter_examples) for s in rubric.signals]
        classes += [_Class(f.id, f.examples, f.counter_examples) for f in rubric.flags.values() if f.examples]
        self.classes = classes
        self.index = {c.id: i for i, c in enumerate(classes)}
        self._lock = threading.Lock()
        self._w: np.ndarray | None = None
        self._b: np.ndarray | None = None
        self._qtypes: tuple[QuestionType, ...] = rubric.question_types
        self._q_emb: np.ndarray | None = None
        self._q_owner: list[int] = []

    def _key(self) -> str:
        blob = json.dumps([VERSION, OTHER_WEIGHT, L2, [(c.id, c.examples, c.counter_examples) for c in self.classes]])
        return hashlib.sha1(blob.encode()).hexdigest()[:16]

    def load(self) -> "Meaning":
        """Fit (or read from the cache) the probes; safe to call from a background thread."""
        with self._lock:
            if self._w is not None:
                return self
            path = cache_dir() / "meaning" / f"{self._key()}.npz"
            if path.is_file():
                data = np.load(path)
                self._w, self._b = data["w"], data["b"]
            else:
                self._w, self._b = self._fit()
                tmp = path.with_name(path.stem + ".tmp.npz")
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    np.savez(tmp, w=self._w, b=self._b)
                    tmp.replace(path)
                except OSError:  # a read-only cache (embed.py warns once): the fit is kept for this run only
                    try:
                        tmp.unlink()
                    except OSError:
                        pass
            sentences, owner = [], []
            for i, qt in enumerate(self._qtypes):
                sentences += list(qt.examples)
                owner += [i] * len(qt.examples)
            self._q_emb = self.encoder.encode(sentences) if sentences else np.zeros((0, self.encoder.dim), np.float32)
            self._q_owner = owner
        return self

    def _fit(self) -> tuple[np.ndarray, np.ndarray]:
        texts, owner, counter_of = [], [], []
        for i, c in enumerate(self.classes):
            texts += list(c.examples) + list(c.counter_examples)
            owner += [i] * len(c.examples) + [-1] * len(c.counter_examples)
            counter_of += [-1] * len(c.examples) + [i] * len(c.counter_examples)
        x = self.encoder.encode(texts)
        owner_a, counter_a = np.array(owner), np.array(counter_of)
        ws, bs = [], []
        for i in range(len(self.classes)):
            y = (owner_a == i).astype(np.float64)
            weight = np.where(owner_a == i, 1.0,
                              np.where(counter_a == i, 1.0, np.where(owner_a >= 0, OTHER_WEIGHT, 0.0)))
            pos, neg = weight[y == 1].sum(), weight[y == 0].sum()
            weight = np.where(y == 1, weight / max(pos, 1e-9), weight / max(neg, 1e-9)) * len(y) / 2
            w, b = logistic_fit(x, y, weight, l2=L2)
            ws.append(w)
            bs.append(b)
        return np.stack(ws, axis=1), np.array(bs, np.float32)

    def probabilities(self, sentences: list[str]) -> np.ndarray:
        """[sentences, classes] probability that each sentence carries each signal or flag."""
        self.load()
        if not sentences:
            return np.zeros((0, len(self.classes)), np.float32)
        x = self.encoder.encode(sentences)
        return 1.0 / (1.0 + np.exp(-(x @ self._w + self._b)))

    def embed(self, sentences: list[str]) -> np.ndarray:
        """The sentences' embeddings (cached by the encoder)."""
        return self.encoder.encode(sentences)

    def question_type(self, question: str | None) -> tuple[QuestionType | None, float]:
        """The kind of question most like ``question`` (nearest example question) and the similarity."""
        self.load()
        if not question or not len(self._q_owner):
            return None, 0.0
        sims = self._q_emb @ self.encoder.encode([question])[0]
        best = int(np.argmax(sims))
        return self._qtypes[self._q_owner[best]], float(sims[best])


_cache: dict[int, Meaning] = {}
_cache_lock = threading.Lock()


def meaning_for(rubric: Rubric) -> Meaning:
    """The (shared) ``Meaning`` of a rubric."""
    with _cache_lock:
        m = _cache.get(id(rubric))
        if m is None or m.rubric is not rubric:
            m = _cache[id(rubric)] = Meaning(rubric)
        return m
