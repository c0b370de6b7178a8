"""The verdict: which of hr / hiring_manager / both / neither an answer is, how sure, and why.

One multinomial logistic model over the four verdicts (``prompts/rubric/model.toml``, fitted by
``scripts/fit_rubric.py`` on the train writers). Its inputs are the named features of ``evaluate.analyse``
(signal strengths, flags by meaning, what the question invites, who the answer is about...) and the
answer's overall meaning (the mean of its sentences' embeddings), each standardised with the train
answers' mean and spread.

From the four probabilities come, consistently by construction:

* each round's probability that the answer suits it: the sum over the verdicts that suit it
  (``both`` suits both); a flag that disqualifies a round (the package talk for HR) removes those verdicts;
* the verdict: each round suits when its probability is at least one half;
* the confidence: the probability of that verdict; it is borderline when the next most likely verdict is
  within ``borderline_margin`` of it;
* what drove it: for each round, every feature's share of the gap between the verdicts that suit the
  round and those that do not, measured from the average train answer (so a weak signal pushes down,
  not up); the overall meaning is one entry, ``answer_as_a_whole``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["VERDICTS", "SUITS", "DecisionModel", "Decision", "decide"]

VERDICTS = ("hr", "hiring_manager", "both", "neither")
SUITS = {"hr": ("hr", "both"), "hiring_manager": ("hiring_manager", "both")}
"""The verdicts under which an answer suits each round."""
AS_A_WHOLE = "answer_as_a_whole"


@dataclass(frozen=True)
class DecisionModel:
    """The fitted model: per verdict a bias and weights over standardised features and meaning."""

    features: tuple[str, ...]
    mean: np.ndarray
    """[features] the train answers' mean of each feature."""
    scale: np.ndarray
    """[features] their standard deviation (1 where a feature never varied)."""
    weights: np.ndarray
    """[verdicts, features]."""
    bias: np.ndarray
    """[verdicts]."""
    meaning_mean: np.ndarray | None = None
    """[dims] the mean answer embedding (None: the model does not use the answer's overall meaning)."""
    meaning_scale: np.ndarray | None = None
    meaning_weights: np.ndarray | None = None
    """[verdicts, dims]."""
    borderline_margin: float = 0.15
    reference: np.ndarray | None = None
    """[features] the point contributions are measured from (default: ``mean``). A signal's is the strength
    at which it counts as found, so a signal found pushes towards its rounds and one not found away."""

    def round_weight(self, round: str, feature: str) -> float:
        """How much one unit more of ``feature`` moves the answer towards suiting ``round`` (0 if unused)."""
        if feature not in self.features:
            return 0.0
        i = self.features.index(feature)
        return float(_round_mix(round) @ self.weights[:, i] / self.scale[i])

    def logits(self, x: np.ndarray, meaning: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(logits [verdicts], standardised features [features], meaning term per verdict [verdicts])."""
        xs = (x - self.mean) / self.scale
        z = self.bias + self.weights @ xs
        m = np.zeros(len(VERDICTS))
        if self.meaning_weights is not None and meaning is not None:
            m = self.meaning_weights @ ((meaning - self.meaning_mean) / self.meaning_scale)
        return z + m, xs, m


@dataclass(frozen=True)
class Decision:
    """The verdict and everything that explains it (``to_dict`` is ``evaluate --json``'s ``decision``)."""

    verdict: str
    probabilities: dict[str, float]
    """Per verdict, after disqualification."""
    rounds: dict[str, dict]
    """Per round: ``probability`` (that it suits), ``suits``, ``disqualified_by``, ``contributions``."""
    confidence: float
    runner_up: str
    borderline: bool

    def to_dict(self) -> dict:
        """JSON form."""
        return {"verdict": self.verdict, "confidence": _r(self.confidence),
                "borderline_with": self.runner_up if self.borderline else None,
                "probabilities": {k: _r(v) for k, v in self.probabilities.items()}, **self.rounds}


def _round_mix(round: str) -> np.ndarray:
    """Per verdict: +1/n for the n verdicts that suit ``round``, -1/m for the m that do not."""
    good = SUITS[round]
    return np.array([1 / len(good) if v in good else -1 / (len(VERDICTS) - len(good)) for v in VERDICTS])


def _r(v: float, digits: int = 3) -> float:
    """Rounded, with no negative zero in the JSON."""
    out = round(float(v), digits)
    return 0.0 if out == 0 else out


def decide(model: DecisionModel, features: dict[str, float], meaning: np.ndarray | None,
           disqualified: dict[str, list[str]]) -> Decision:
    """Judge one answer.

    Args:
        model: the fitted model.
        features: the named features (missing ones count as 0).
        meaning: the mean of the answer's sentence embeddings, or None.
        disqualified: per round, the flags that rule it out (e.g. ``{"hr": ["negotiates_package"]}``).
    """
    x = np.array([features.get(f, 0.0) for f in model.features], np.float64)
    z, xs, m = model.logits(x, meaning)
    p = np.exp(z - z.max())
    ruled_out = {v for r, flags in disqualified.items() if flags for v in SUITS[r]}
    for i, v in enumerate(VERDICTS):
        if v in ruled_out:
            p[i] = 0.0
    p = p / p.sum() if p.sum() > 0 else np.eye(len(VERDICTS))[VERDICTS.index("neither")]
    probs = dict(zip(VERDICTS, (float(v) for v in p)))
    rounds = {}
    for r, good in SUITS.items():
        prob = sum(probs[v] for v in good)
        a = _round_mix(r)
        ref = model.mean if model.reference is None else model.reference
        shown = (x - ref) / model.scale
        contrib = {f: float(c) for f, c in zip(model.features, (a @ model.weights) * shown)}
        if model.meaning_weights is not None and meaning is not None:
            contrib[AS_A_WHOLE] = float(a @ m)
        top = sorted(((k, v) for k, v in contrib.items() if abs(v) >= 0.005), key=lambda kv: -abs(kv[1]))
        base = float(a @ (model.bias + model.weights @ ((ref - model.mean) / model.scale)))
        rounds[r] = {"probability": _r(prob), "suits": prob >= 0.5 and not disqualified.get(r),
                     "disqualified_by": list(disqualified.get(r) or ()),
                     "bias": _r(base), "contributions": {k: _r(v) for k, v in top}}
    ok = {r: rounds[r]["suits"] for r in SUITS}
    verdict = "both" if all(ok.values()) else next((r for r in SUITS if ok[r]), "neither")
    confidence = probs[verdict]
    runner_up = max((v for v in VERDICTS if v != verdict), key=lambda v: probs[v])
    borderline = confidence - probs[runner_up] < model.borderline_margin
    if math.isnan(confidence):
        confidence = 0.0
    return Decision(verdict, probs, rounds, confidence, runner_up, borderline)
